/**
 * The way into `/api/v4` and `/oauth2`: injected latency → outage → block → failNext →
 * (OAuth | bearer auth → rate limit → endpoint) → optional drop after commit, with every
 * request written to the request log.
 */
import type http from 'node:http';
import type { ApiRoutes } from './api-routes';
import type { Faults, RateLimiter, RateLimitStrikes } from './faults';
import {
  delay,
  jsonReply,
  nginxPage,
  parseBracketParams,
  problemReply,
  sendReply,
  type Reply,
} from './http';
import type { LongLivedTokens } from './long-lived-tokens';
import type { OAuthServer } from './oauth';
import type { RealismSettings } from './settings';
import type { FailNextRule, RequestLogEntry } from './types';

export interface FrontDoorDeps {
  baseUrl: string;
  faults: Faults;
  limiter: RateLimiter;
  oauth: OAuthServer;
  longLived: LongLivedTokens;
  api: ApiRoutes;
  strikes: RateLimitStrikes;
  settings: RealismSettings;
  /** the budget shared by every token of the integration */
  integrationKey: string;
  isStopped(): boolean;
}

export class FrontDoor {
  log: RequestLogEntry[] = [];

  constructor(private readonly d: FrontDoorDeps) {}

  async handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    method: string,
    body: string,
  ): Promise<void> {
    if (this.d.faults.latencyMs > 0) await delay(this.d.faults.latencyMs);
    if (this.d.isStopped()) {
      req.socket.destroy();
      return;
    }
    const path = url.pathname;
    const entry: RequestLogEntry = {
      method,
      path,
      query: url.search.replace(/^\?/, ''),
      status: 0,
      at: Date.now(),
    };
    if (path.startsWith('/api/v4/') && body.trim() !== '') {
      try {
        entry.body = JSON.parse(body) as unknown;
      } catch {
        // a malformed body is answered by the endpoint; the log simply omits it
      }
    }
    let processed = false;
    let reply: Reply;
    const failure =
      this.d.faults.outage || this.d.faults.blocked
        ? undefined
        : this.d.faults.takeFailure(method, path);
    if (this.d.faults.outage) reply = nginxPage(503);
    else if (this.d.faults.blocked) reply = nginxPage(403);
    else if (failure) reply = failureReply(failure);
    else if (path.startsWith('/oauth2/')) {
      reply = this.handleOAuth(req, url, method, body);
      processed = true;
    } else {
      const header = req.headers.authorization;
      const auth = this.d.longLived.authenticate(header) ?? this.d.oauth.authenticate(header);
      if (!auth.ok) reply = problemReply(401, auth.detail);
      else {
        entry.token = auth.tokenId;
        const { settings } = this.d;
        const budget = settings.rateLimitScope === 'token' ? auth.tokenId : this.d.integrationKey;
        if (!this.d.limiter.allow(budget, entry.at)) {
          reply = problemReply(
            429,
            'You have sent too many requests in a given amount of time. Please try again later.',
            { retry_after: settings.rateLimitRetryAfterSec },
          );
          // amoCRM blocks an account that keeps exceeding the limit; this 429 is the last one.
          if (this.d.strikes.strike(entry.at, settings.blockAfter429s, settings.blockWindowMs)) {
            this.d.faults.blocked = true;
          }
        } else {
          reply = this.d.api.handle({
            method,
            url,
            params: parseBracketParams(url.searchParams),
            body,
            userId: auth.userId,
          });
          processed = true;
        }
      }
    }
    entry.status = reply.status;
    if (processed && this.d.faults.takeDrop(method, path)) {
      entry.dropped = true;
      this.log.push(entry);
      res.socket?.destroy();
      return;
    }
    this.log.push(entry);
    sendReply(res, reply);
  }

  private handleOAuth(req: http.IncomingMessage, url: URL, method: string, body: string): Reply {
    if (url.pathname === '/oauth2/access_token') {
      if (method !== 'POST') return problemReply(405, 'Method Not Allowed');
      return this.d.oauth.tokenEndpoint(body, req.headers['content-type']);
    }
    if (url.pathname === '/oauth2/account/current/subdomain' && method === 'GET') {
      const header = req.headers['x-refresh-token'];
      return this.d.oauth.subdomainByRefreshToken(Array.isArray(header) ? header[0] : header);
    }
    return problemReply(404, `Cannot ${method} ${this.d.baseUrl}${url.pathname}`);
  }
}

function failureReply(rule: FailNextRule): Reply {
  if (rule.body === undefined) {
    return problemReply(rule.status, 'Injected failure');
  }
  if (typeof rule.body === 'string') {
    return {
      status: rule.status,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: rule.body,
    };
  }
  return jsonReply(rule.status, rule.body, 'application/problem+json');
}
