import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { normalizeIp, ThrottlerModule } from '@nestjs/throttler';
import { Request } from 'express';
import { AppConfig } from '../config/configuration';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';
import { SiteKeyCheck } from './site-key';

/** The counters shared by every instance, for the lead form and the OAuth routes' guard. */
@Module({
  providers: [PostgresThrottlerStorage],
  exports: [PostgresThrottlerStorage],
})
export class ThrottleStorageModule {}

/**
 * The lead form's throttle (`ThrottlerGuard` on `POST /api/leads`): per client address, or
 * for the site's server (`X-Site-Key`) one bucket with its own limit. The client address is
 * `req.ip`, which honours TRUST_PROXY; IPv6 addresses count per /64.
 */
export const LeadFormThrottlerModule = ThrottlerModule.forRootAsync({
  imports: [ThrottleStorageModule],
  inject: [ConfigService, PostgresThrottlerStorage],
  useFactory: (config: ConfigService<AppConfig, true>, storage: PostgresThrottlerStorage) => {
    const app = config.get('app', { infer: true });
    const site = new SiteKeyCheck(app.leadFormSiteKey);
    return {
      storage,
      errorMessage: (_ctx, detail) =>
        `Too many requests; try again in ${detail.timeToBlockExpire} s`,
      throttlers: [
        {
          name: 'leadForm',
          ttl: app.leadFormRateWindowSec * 1000,
          limit: (ctx) =>
            site.isSite(ctx.switchToHttp().getRequest<Request>())
              ? app.leadFormSiteRateLimit
              : app.leadFormRateLimit,
          getTracker: (req) =>
            site.isSite(req as Request) ? 'site-key' : normalizeIp((req as Request).ip ?? ''),
        },
      ],
    };
  },
});
