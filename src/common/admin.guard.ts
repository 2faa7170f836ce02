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
import { AppConfig } from '../config/configuration';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Admin endpoints take `Authorization: Bearer <ADMIN_API_KEY>`. Hashing both sides first
 * makes the comparison constant-time regardless of length. No key configured = closed.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(config: ConfigService<AppConfig, true>) {
    const key = config.get('app', { infer: true }).adminApiKey;
    this.expected = key ? digest(key) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) {
      throw new ForbiddenException('Admin API is disabled: set ADMIN_API_KEY to enable it');
    }
    const header = context.switchToHttp().getRequest<Request>().headers.authorization;
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!match) throw new UnauthorizedException('Missing admin bearer token');
    if (!timingSafeEqual(digest(match[1].trim()), this.expected)) {
      throw new UnauthorizedException('Invalid admin bearer token');
    }
    return true;
  }
}
