import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AdminSessions, readCookie, sameSecret, SESSION_COOKIE } from '../common/admin-sessions';
import { ForbiddenError, InvalidInputError, UnauthorizedError } from '../common/domain-errors';
import { AppConfig } from '../config/configuration';
import { SessionResponse } from './dto/session.response';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Signs the console in and out; the guard (common/admin.guard.ts) checks the cookie after that. */
@Injectable()
export class AdminSessionService {
  private readonly logger = new Logger(AdminSessionService.name);
  private readonly expected: Buffer | null;
  private readonly ttlMin: number;

  constructor(
    private readonly sessions: AdminSessions,
    config: ConfigService<AppConfig, true>,
  ) {
    const app = config.get('app', { infer: true });
    this.expected = app.adminApiKey ? digest(app.adminApiKey) : null;
    this.ttlMin = app.adminSessionTtlMin;
  }

  async current(cookieHeader: string | undefined): Promise<SessionResponse> {
    const token = readCookie(cookieHeader, SESSION_COOKIE);
    const session = this.expected && token ? await this.sessions.find(token) : null;
    return {
      enabled: this.expected !== null,
      signedIn: session !== null,
      csrfToken: session?.csrfToken ?? null,
      expiresAt: session?.expiresAt.toISOString() ?? null,
    };
  }

  async signIn(
    key: string,
    url: string,
    cookieHeader: string | undefined,
  ): Promise<{ token: string; session: SessionResponse }> {
    // A key in a URL ends up in proxy logs and browser history; refuse it outright.
    if (url.includes('?')) {
      throw new InvalidInputError(
        'Sign-in takes the admin key in the JSON body only; remove the query string',
      );
    }
    if (!this.expected) {
      throw new ForbiddenError(
        'The admin console is closed: set ADMIN_API_KEY (openssl rand -base64 32) and restart',
      );
    }
    if (!timingSafeEqual(digest(key), this.expected)) {
      this.logger.warn('Admin console sign-in refused: wrong key');
      throw new UnauthorizedError('Wrong admin key');
    }
    // a new sign-in replaces this browser's old session instead of leaving it alive
    const previous = readCookie(cookieHeader, SESSION_COOKIE);
    if (previous) await this.sessions.delete(previous);
    const created = await this.sessions.create(this.ttlMin);
    this.logger.log('Admin console signed in');
    return {
      token: created.token,
      session: {
        enabled: true,
        signedIn: true,
        csrfToken: created.csrfToken,
        expiresAt: created.expiresAt.toISOString(),
      },
    };
  }

  signedOut(): SessionResponse {
    return { enabled: this.expected !== null, signedIn: false, csrfToken: null, expiresAt: null };
  }

  /** Ends the session; with a live session the CSRF token must match, as for any change. */
  async signOut(
    cookieHeader: string | undefined,
    csrf: string | string[] | undefined,
  ): Promise<void> {
    const token = readCookie(cookieHeader, SESSION_COOKIE);
    if (!token) return;
    const session = await this.sessions.find(token);
    if (!session) return;
    if (typeof csrf !== 'string' || !sameSecret(csrf, session.csrfToken)) {
      throw new ForbiddenError("Sign-out needs this session's X-CSRF-Token header");
    }
    await this.sessions.delete(token);
    this.logger.log('Admin console signed out');
  }
}
