/**
 * amoCRM's OAuth2 as an integration sees it: single-use authorization codes, JWT-looking access
 * tokens, rotating refresh tokens and the 400 "OAuthProblemJson" bodies with their `hint`s.
 * Tokens are opaque to clients; the sandbox keeps their state in memory and looks them up.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SANDBOX_FIXTURES } from './fixtures';
import {
  htmlReply,
  isRecord,
  jsonReply,
  PROBLEM_JSON,
  problemReply,
  redirectReply,
  type Reply,
} from './http';
import type { SandboxHost } from './hosts';
import type { RealismSettings } from './settings';
import type { RefreshLogEntry } from './types';

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accountId: number;
  subdomain: string;
  baseDomain: string;
  host: SandboxHost;
  accessTokenTtlSec: number;
  authCodeTtlSec: number;
  /** read on every refresh, so a running sandbox can switch modes */
  settings: Pick<RealismSettings, 'refreshMode'>;
}

const REFRESH_TTL_MS = 90 * 24 * 3600 * 1000;

interface Grant {
  id: number;
  revoked: boolean;
}

interface AuthCode {
  expiresAt: number;
  used: boolean;
}

interface AccessToken {
  grant: Grant;
  expiresAt: number;
  forcedExpired: boolean;
  /** the refresh token this one was obtained with, and the one issued beside it */
  parentRefresh?: string;
  pairRefresh: string;
  used: boolean;
}

interface RefreshToken {
  grant: Grant;
  parent?: string;
  expiresAt: number;
  /** strict: spent once used; lenient: spent once a successor (or sibling) is used */
  spent: boolean;
}

export interface OAuthState {
  grants: Grant[];
  access: (Omit<AccessToken, 'grant'> & { token: string; grant: number })[];
  refresh: (Omit<RefreshToken, 'grant'> & { token: string; grant: number })[];
}

export type AuthResult =
  { ok: true; tokenId: string; userId: number } | { ok: false; detail: string };

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** A short, stable id for logs: the token itself never needs to leave the sandbox. */
export function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

function oauthProblem(hint: string): Reply {
  return jsonReply(
    400,
    {
      hint,
      title: 'Некорректный запрос',
      type: 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson',
      status: 400,
      detail: 'В запросе отсутствует ряд параметров или параметры невалидны',
    },
    PROBLEM_JSON,
  );
}

export class OAuthServer {
  private readonly codes = new Map<string, AuthCode>();
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();
  private readonly grants: Grant[] = [];
  private readonly log: RefreshLogEntry[] = [];
  private readonly userId = SANDBOX_FIXTURES.users.admin;

  constructor(private readonly config: OAuthConfig) {}

  issueAuthCode(): string {
    const code = `def50200${randomBytes(192).toString('hex')}`;
    this.codes.set(code, {
      expiresAt: Date.now() + this.config.authCodeTtlSec * 1000,
      used: false,
    });
    return code;
  }

  /** Grants and tokens, for a saved state; grants are referred to by id. */
  exportState(): OAuthState {
    return {
      grants: this.grants.map((g) => ({ ...g })),
      access: [...this.access].map(([token, t]) => ({ ...t, token, grant: t.grant.id })),
      refresh: [...this.refresh].map(([token, t]) => ({ ...t, token, grant: t.grant.id })),
    };
  }

  importState(state: OAuthState): void {
    this.grants.length = 0;
    this.grants.push(...state.grants.map((g) => ({ ...g })));
    const grant = (id: number): Grant =>
      this.grants.find((g) => g.id === id) ?? { id, revoked: true };
    this.access.clear();
    for (const { token, grant: id, ...t } of state.access) {
      this.access.set(token, { ...t, grant: grant(id) });
    }
    this.refresh.clear();
    for (const { token, grant: id, ...t } of state.refresh) {
      this.refresh.set(token, { ...t, grant: grant(id) });
    }
  }

  refreshLog(): RefreshLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  clearLog(): void {
    this.log.length = 0;
  }

  expireAccessTokens(): void {
    for (const t of this.access.values()) t.forcedExpired = true;
  }

  /** What an admin disabling the integration does: every token of every grant stops working. */
  revokeGrants(): void {
    for (const g of this.grants) g.revoked = true;
  }

  authenticate(header: string | undefined): AuthResult {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match?.[1]) return { ok: false, detail: 'Authorization header is missing or malformed' };
    const token = this.access.get(match[1]);
    if (!token) return { ok: false, detail: 'Invalid access token' };
    if (token.grant.revoked) return { ok: false, detail: 'Token has been revoked' };
    if (token.forcedExpired || token.expiresAt <= Date.now()) {
      return { ok: false, detail: 'Token has expired' };
    }
    if (!token.used) {
      token.used = true;
      if (token.parentRefresh && this.config.settings.refreshMode === 'until-access-used') {
        this.retire(token.parentRefresh, token.pairRefresh);
      }
    }
    return { ok: true, tokenId: tokenId(match[1]), userId: this.userId };
  }

  /** `POST /oauth2/access_token`, JSON or form-encoded. */
  tokenEndpoint(rawBody: string, contentType: string | undefined): Reply {
    const params = parseParams(rawBody, contentType);
    const grantType = params.grant_type;
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return oauthProblem('Check that all required parameters have been provided');
    }
    if (params.client_id !== this.config.clientId) {
      return oauthProblem('Check the `client_id` parameter');
    }
    if (params.client_secret !== this.config.clientSecret) {
      return oauthProblem('Check the `client_secret` parameter');
    }
    if (params.redirect_uri !== this.config.redirectUri) {
      return oauthProblem('Redirect URI is not associated with client');
    }
    return grantType === 'authorization_code'
      ? this.exchangeCode(params.code)
      : this.exchangeRefresh(params.refresh_token);
  }

  private exchangeCode(code: string | undefined): Reply {
    const entry = code ? this.codes.get(code) : undefined;
    if (!entry) return oauthProblem('Cannot decrypt the authorization code');
    if (entry.used) return oauthProblem('Authorization code has been revoked');
    if (entry.expiresAt <= Date.now()) return oauthProblem('Authorization code has expired');
    entry.used = true;
    const grant: Grant = { id: this.grants.length + 1, revoked: false };
    this.grants.push(grant);
    return this.issuePair(grant);
  }

  private exchangeRefresh(token: string | undefined): Reply {
    const entry = token ? this.refresh.get(token) : undefined;
    const valid = entry && !entry.grant.revoked && entry.expiresAt > Date.now();
    if (!token || !entry || !valid) {
      this.log.push({ refreshToken: token ?? '', outcome: 'invalid' });
      return oauthProblem('Invalid refresh token');
    }
    if (entry.spent) {
      this.log.push({ refreshToken: token, outcome: 'reused' });
      return oauthProblem('Invalid refresh token');
    }
    this.log.push({ refreshToken: token, outcome: 'ok' });
    if (this.config.settings.refreshMode === 'strict') entry.spent = true;
    else if (entry.parent) this.retire(entry.parent, token);
    return this.issuePair(entry.grant, token);
  }

  /** Grace ends: the predecessor and its other successors stop working; `keep` survives. */
  private retire(parent: string, keep: string): void {
    for (const [value, other] of this.refresh) {
      if (value === parent || (other.parent === parent && value !== keep)) other.spent = true;
    }
  }

  private issuePair(grant: Grant, parent?: string): Reply {
    const now = Date.now();
    const ttl = this.config.accessTokenTtlSec;
    const accessToken = this.signJwt(now, ttl);
    const refreshToken = `def50200${randomBytes(320).toString('hex')}`;
    this.access.set(accessToken, {
      grant,
      expiresAt: now + ttl * 1000,
      forcedExpired: false,
      parentRefresh: parent,
      pairRefresh: refreshToken,
      used: false,
    });
    this.refresh.set(refreshToken, {
      grant,
      parent,
      expiresAt: now + REFRESH_TTL_MS,
      spent: false,
    });
    return jsonReply(200, {
      token_type: 'Bearer',
      expires_in: ttl,
      access_token: accessToken,
      refresh_token: refreshToken,
      server_time: Math.floor(now / 1000),
    });
  }

  private signJwt(now: number, ttl: number): string {
    const jti = randomBytes(20).toString('hex');
    const iat = Math.floor(now / 1000);
    const header = { typ: 'JWT', alg: 'RS256', jti };
    const payload = {
      aud: this.config.clientId,
      jti,
      iat,
      nbf: iat,
      exp: iat + ttl,
      sub: String(this.userId),
      grant_type: '',
      account_id: this.config.accountId,
      base_domain: this.config.host.suffix,
      version: 2,
      scopes: ['crm', 'files', 'files_delete', 'notifications', 'push_notifications'],
      hash_uuid: randomUUID(),
      api_domain: this.config.host.apiDomain,
    };
    return [
      base64url(JSON.stringify(header)),
      base64url(JSON.stringify(payload)),
      base64url(randomBytes(256)),
    ].join('.');
  }

  /** The consent screen, already answered "Allow": straight back to the redirect URI. */
  consent(query: URLSearchParams): Reply {
    if (query.get('client_id') !== this.config.clientId) {
      const { platform, unknownIntegrationText } = this.config.host;
      const title = platform === 'kommo' ? 'Kommo' : 'amoCRM';
      return htmlReply(
        400,
        `<!doctype html><title>${title}</title><p>${unknownIntegrationText}</p>`,
      );
    }
    const target = new URL(this.config.redirectUri);
    target.searchParams.set('code', this.issueAuthCode());
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    target.searchParams.set('referer', this.config.baseDomain);
    target.searchParams.set('client_id', this.config.clientId);
    return redirectReply(target.toString());
  }

  /** `GET /oauth2/account/current/subdomain` with `X-Refresh-Token`. */
  subdomainByRefreshToken(header: string | undefined): Reply {
    const entry = header ? this.refresh.get(header) : undefined;
    if (!entry || entry.grant.revoked || entry.spent) {
      return problemReply(401, 'Invalid refresh token');
    }
    return jsonReply(200, {
      id: this.config.accountId,
      subdomain: this.config.subdomain,
      domain: this.config.baseDomain,
      top_level_domain: this.config.host.topLevelDomain,
    });
  }
}

function parseParams(
  raw: string,
  contentType: string | undefined,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const trimmed = raw.trim();
  const looksJson = (contentType ?? '').includes('json') || trimmed.startsWith('{');
  if (looksJson) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (isRecord(parsed)) {
        for (const [k, v] of Object.entries(parsed)) {
          if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
        }
      }
    } catch {
      return out;
    }
    return out;
  }
  for (const [k, v] of new URLSearchParams(raw)) out[k] = v;
  return out;
}
