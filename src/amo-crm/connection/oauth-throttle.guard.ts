import {
  CanActivate,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { normalizeIp } from '@nestjs/throttler';
import { Request, Response } from 'express';
import { AppConfig, AppSettings } from '../../config/configuration';
import { PostgresThrottlerStorage } from '../../throttling/postgres-throttler.storage';

function tooMany(res: Response, seconds: number, message: string): never {
  res.setHeader('Retry-After', String(seconds));
  throw new HttpException({ statusCode: 429, message }, HttpStatus.TOO_MANY_REQUESTS);
}

/**
 * The OAuth callback and the disconnect hook are public (amoCRM's redirect and hook carry no
 * admin key), and the callback spends amoCRM requests — a code exchange and an account read —
 * from the same per-process budget as sync. So, before anything else runs:
 * - per client address and in total, a few attempts per window (shared across instances);
 * - per process, one callback at a time: a second concurrent one is refused at once, so at
 *   most one OAuth request ever waits in the amoCRM limiter ahead of the sync's requests.
 * A real connect is one redirect; none of this slows it down.
 */
@Injectable()
export class OAuthThrottleGuard implements CanActivate {
  private readonly settings: AppSettings;
  /** The request holding the one callback slot of this process, if any. */
  private callbackInFlight: Request | null = null;

  constructor(
    private readonly storage: PostgresThrottlerStorage,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('app', { infer: true });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const route = context.getHandler().name;
    const ttlMs = this.settings.oauthRateWindowSec * 1000;

    const client = normalizeIp(req.ip ?? '');
    const own = await this.storage.increment(
      `${route}:${client}`,
      ttlMs,
      this.settings.oauthRateLimit,
      ttlMs,
      'oauth',
    );
    if (own.isBlocked) {
      tooMany(res, own.timeToBlockExpire, `Too many ${route} attempts from this address`);
    }
    const all = await this.storage.increment(
      `${route}:*`,
      ttlMs,
      this.settings.oauthRateLimitTotal,
      ttlMs,
      'oauth',
    );
    if (all.isBlocked) {
      tooMany(res, all.timeToBlockExpire, `Too many ${route} attempts; try again later`);
    }

    if (route === 'callback') {
      if (this.callbackInFlight) {
        tooMany(res, 1, 'Another amoCRM connection attempt is in progress; try again in a moment');
      }
      this.callbackInFlight = req;
      const release = (): void => {
        if (this.callbackInFlight === req) this.callbackInFlight = null;
      };
      res.once('finish', release);
      res.once('close', release);
    }
    return true;
  }
}
