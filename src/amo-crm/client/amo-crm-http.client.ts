import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AxiosError, AxiosResponse, Method } from 'axios';
import { firstValueFrom } from 'rxjs';
import { AmoSettings, AppConfig } from '../../config/configuration';
import { AmoCrmError, AmoValidationError } from './amo-crm.error';
import { RollingWindowLimiter } from './rate-limiter';

export type QueryValue = string | number | boolean | (string | number)[];

export interface AmoRequest {
  method: Method;
  /** Path on the account host; the typed API layer above names them. */
  path: string;
  query?: Record<string, QueryValue | undefined>;
  body?: unknown;
  accessToken?: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresInSec: number;
}

/** A 429 asking for at most this long is waited out in place; longer ones go back to the caller. */
const MAX_INLINE_RETRY_AFTER_MS = 10_000;
const MAX_429_RETRIES = 3;

interface ProblemBody {
  title?: string;
  detail?: string;
  hint?: string;
  retry_after?: number | string;
  'validation-errors'?: {
    request_id?: string | number;
    errors?: { code?: string; path?: string; detail?: string }[];
  }[];
}

interface OAuthTokenBody {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
}

/**
 * The transport: the only code that knows amoCRM's hosts, auth headers, limits, paging and
 * error shapes (the API's paths are named one level up, in api/). Every request
 * — API and OAuth — passes one process-wide limiter of AMO_RATE_LIMIT per rolling second.
 */
@Injectable()
export class AmoCrmHttpClient {
  private readonly logger = new Logger(AmoCrmHttpClient.name);
  private readonly settings: AmoSettings;
  readonly limiter: RollingWindowLimiter;

  constructor(
    private readonly http: HttpService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('amo', { infer: true });
    this.limiter = new RollingWindowLimiter(this.settings.rateLimit);
  }

  async request<T>(req: AmoRequest): Promise<T | null> {
    for (let attempt = 0; ; attempt++) {
      const answered = await this.limiter.acquire();
      let res: AxiosResponse;
      try {
        res = await this.send(req);
      } finally {
        answered();
      }
      if (res.status === 429) {
        const retryAfterMs = this.retryAfterMs(res);
        this.limiter.pauseUntil(Date.now() + retryAfterMs);
        if (retryAfterMs <= MAX_INLINE_RETRY_AFTER_MS && attempt < MAX_429_RETRIES) {
          this.logger.warn(
            `amoCRM rate limit hit on ${req.method} ${req.path}; waiting ${retryAfterMs} ms`,
          );
          continue;
        }
        throw new AmoCrmError('rate_limited', 'amoCRM rate limit exceeded', {
          status: 429,
          retryAfterMs,
        });
      }
      if (res.status >= 200 && res.status < 300) {
        return res.status === 204 || res.data === '' || res.data === undefined
          ? null
          : (res.data as T);
      }
      throw this.toError(req, res);
    }
  }

  /** Follows `_links.next` and collects `_embedded[key]` over every page. */
  async getAllPages<T>(
    path: string,
    key: string,
    query: AmoRequest['query'],
    accessToken: string,
  ): Promise<T[]> {
    const items: T[] = [];
    let next: { path: string; query: AmoRequest['query'] } | null = {
      path,
      query: { ...query, limit: 250 },
    };
    while (next) {
      const page: {
        _embedded?: Record<string, T[]>;
        _links?: { next?: { href?: string } };
      } | null = await this.request({
        method: 'GET',
        path: next.path,
        query: next.query,
        accessToken,
      });
      if (!page) break;
      items.push(...(page._embedded?.[key] ?? []));
      const href: string | undefined = page._links?.next?.href;
      next = href ? this.relative(href) : null;
    }
    return items;
  }

  async exchangeCode(code: string): Promise<TokenPair> {
    return this.tokenRequest({ grant_type: 'authorization_code', code });
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    return this.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /** The consent page the admin is sent to. */
  authorizeUrl(state: string): string {
    const url = new URL(this.settings.authUrl);
    url.searchParams.set('client_id', this.settings.clientId);
    url.searchParams.set('state', state);
    url.searchParams.set('mode', 'post_message');
    return url.toString();
  }

  private async tokenRequest(grant: Record<string, string>): Promise<TokenPair> {
    const body = await this.request<OAuthTokenBody>({
      method: 'POST',
      path: '/oauth2/access_token',
      body: {
        client_id: this.settings.clientId,
        client_secret: this.settings.clientSecret,
        redirect_uri: this.settings.redirectUri,
        ...grant,
      },
    });
    if (
      !body ||
      typeof body.access_token !== 'string' ||
      typeof body.refresh_token !== 'string' ||
      typeof body.expires_in !== 'number'
    ) {
      throw new AmoCrmError('transient', 'amoCRM token endpoint answered without a token pair');
    }
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expiresInSec: body.expires_in,
    };
  }

  private async send(req: AmoRequest): Promise<AxiosResponse> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (req.accessToken) headers.Authorization = `Bearer ${req.accessToken}`;
    try {
      return await firstValueFrom(
        this.http.request({
          method: req.method,
          baseURL: this.settings.baseUrl,
          url: req.path,
          params: req.query ? this.params(req.query) : undefined,
          data: req.body,
          headers,
          timeout: this.settings.timeoutMs,
          validateStatus: () => true,
          maxRedirects: 0,
        }),
      );
    } catch (err) {
      const code = err instanceof AxiosError ? (err.code ?? 'network error') : 'network error';
      // The request may have reached amoCRM; a write is then of unknown outcome.
      throw new AmoCrmError(
        'transient',
        `amoCRM unreachable (${code}) on ${req.method} ${req.path}`,
        {
          outcomeUnknown: req.method !== 'GET',
          unavailable: true,
          cause: err,
        },
      );
    }
  }

  private params(query: NonNullable<AmoRequest['query']>): URLSearchParams {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) v.forEach((item) => params.append(k, String(item)));
      else params.append(k, String(v));
    }
    return params;
  }

  private relative(href: string): { path: string; query: AmoRequest['query'] } {
    const url = new URL(href, this.settings.baseUrl);
    const query: Record<string, QueryValue> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(key);
      query[key] = all.length > 1 || key.endsWith('[]') ? all : all[0];
    }
    return { path: url.pathname, query };
  }

  private retryAfterMs(res: AxiosResponse): number {
    const body = (typeof res.data === 'object' && res.data) as ProblemBody | false;
    const fromBody = body ? Number(body.retry_after) : NaN;
    const fromHeader = Number(res.headers['retry-after']);
    const seconds =
      Number.isFinite(fromBody) && fromBody > 0
        ? fromBody
        : Number.isFinite(fromHeader) && fromHeader > 0
          ? fromHeader
          : 1;
    return seconds * 1000;
  }

  private toError(req: AmoRequest, res: AxiosResponse): AmoCrmError {
    const status = res.status;
    const body = (typeof res.data === 'object' && res.data ? res.data : {}) as ProblemBody;
    const detail = body.detail ?? body.title ?? `HTTP ${status}`;
    const where = `${req.method} ${req.path}`;
    if (req.path.startsWith('/oauth2/') && status >= 400 && status < 500) {
      return new AmoCrmError('permanent', `amoCRM refused the grant on ${where}: ${detail}`, {
        status,
        hint: body.hint,
      });
    }
    if (status === 401)
      return new AmoCrmError('unauthorized', `amoCRM rejected the access token on ${where}`, {
        status,
      });
    if (status === 403 || status === 402) {
      return new AmoCrmError(
        'blocked',
        `amoCRM refuses API access (${status}) on ${where}: ${typeof res.data === 'string' ? 'blocked' : detail}`,
        { status },
      );
    }
    if (status >= 500 || status === 408) {
      return new AmoCrmError('transient', `amoCRM failed with ${status} on ${where}`, {
        status,
        outcomeUnknown: req.method !== 'GET',
        unavailable: true,
      });
    }
    const validationErrors: AmoValidationError[] = (body['validation-errors'] ?? []).flatMap(
      (item) =>
        (item.errors ?? []).map((e) => ({
          requestId: item.request_id === undefined ? null : String(item.request_id),
          code: String(e.code ?? ''),
          path: String(e.path ?? ''),
          detail: String(e.detail ?? ''),
        })),
    );
    return new AmoCrmError('permanent', `amoCRM refused ${where} (${status}): ${detail}`, {
      status,
      validationErrors,
    });
  }
}
