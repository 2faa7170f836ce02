/** The sandbox's option defaults: amoCRM's documented values where it documents them. */
import type { RateLimitScope } from './settings';

export const SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  accountId: 31000001,
  subdomain: 'sandbox',
  clientId: '5f1c2a9e-7b3d-4c8e-9a61-0d4e8b2f6c17',
  clientSecret: 'SbxSecret0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR',
  redirectUri: 'http://127.0.0.1:3000/api/integrations/amo-crm/callback',
  rateLimitPerSecond: 7,
  rateLimitRetryAfterSec: 300,
  rateLimitScope: 'integration' as RateLimitScope,
  blockAfter429s: 0,
  blockWindowMs: 60_000,
  strictRefresh: true,
  duplicateControl: false,
  timezone: 'Europe/Moscow',
  accessTokenTtlSec: 86400,
  authCodeTtlSec: 20 * 60,
  webhookTimeoutMs: 2000,
  webhookRetryDelaysMs: [300000, 900000, 900000, 3600000],
  webhookBatchWindowMs: 0,
};

export function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
