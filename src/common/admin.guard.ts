import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Request } from 'express';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/configuration';
import {
  AdminSessions,
  CSRF_HEADER,
  readCookie,
  sameSecret,
  SESSION_COOKIE,
} from './admin-sessions';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Admin endpoints take `Authorization: Bearer <ADMIN_API_KEY>` (API clients) or the console's
 * session cookie; with the cookie, a state-changing request must also carry the session's
 * CSRF token in `X-CSRF-Token`. The key is read from that header only, never from the URL.
 * Hashing both sides first makes the comparison constant-time regardless of length.
 * No key configured = closed, to the cookie too.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly expected: Buffer | null;
  private readonly sessions: AdminSessions;

  // The data source is global; building the store here keeps the guard usable from any module.
  constructor(config: ConfigService<AppConfig, true>, dataSource: DataSource) {
    const key = config.get('app', { infer: true }).adminApiKey;
    this.expected = key ? digest(key) : null;
    this.sessions = new AdminSessions(dataSource);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.expected) {
      throw new ForbiddenException('Admin API is disabled: set ADMIN_API_KEY to enable it');
    }
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers.authorization;
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (header === undefined && cookie) return this.checkSession(req, cookie);
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!match) throw new UnauthorizedException('Missing admin bearer token');
    if (!timingSafeEqual(digest(match[1].trim()), this.expected)) {
      throw new UnauthorizedException('Invalid admin bearer token');
    }
    return true;
  }

  private async checkSession(req: Request, token: string): Promise<boolean> {
    const session = await this.sessions.find(token);
    if (!session) {
      throw new UnauthorizedException(
        'The admin session has expired or was signed out; sign in again',
      );
    }
    if (SAFE_METHODS.has(req.method)) return true;
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || sent === '') {
      throw new ForbiddenException(
        'Missing X-CSRF-Token header for a change made with the session cookie',
      );
    }
    if (!sameSecret(sent, session.csrfToken)) {
      throw new ForbiddenException('X-CSRF-Token does not match this session');
    }
    return true;
  }
}
