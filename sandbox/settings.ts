/**
 * The realism switches: behaviours of a real amoCRM account that tests may want on, off or
 * tuned. One mutable object shared by the parts that need it, so `POST /_sandbox/settings`
 * changes a running sandbox without a restart.
 */
import { isRecord } from './http';
import { SandboxError } from './manager-actions';

/** `token`: each access token has its own budget; `integration`: all tokens of the integration share one. */
export type RateLimitScope = 'token' | 'integration';

/**
 * `strict`: a refresh token works once. `until-successor-used`: it keeps working until a token
 * issued from it is refreshed in turn. `until-access-used`: Kommo's grace — it keeps working
 * until the access token issued with its successor is first used (or the successor is refreshed).
 */
export type RefreshMode = 'strict' | 'until-successor-used' | 'until-access-used';

export const RATE_LIMIT_SCOPES: readonly RateLimitScope[] = ['token', 'integration'];
export const REFRESH_MODES: readonly RefreshMode[] = [
  'strict',
  'until-successor-used',
  'until-access-used',
];

export interface RealismSettings {
  /** `retry_after` in 429 bodies, seconds. */
  rateLimitRetryAfterSec: number;
  rateLimitScope: RateLimitScope;
  /** After this many 429s within `blockWindowMs` every request gets the 403 block page; 0 = never. */
  blockAfter429s: number;
  blockWindowMs: number;
  refreshMode: RefreshMode;
  /** Complex creates whose contact phone/e-mail matches an open lead in the same pipeline merge into it. */
  duplicateControl: boolean;
  /**
   * Codes of tracking fields (UTM_SOURCE, GCLID, …) this account lacks: they are not listed and a
   * write to them is refused like any unknown field. Accounts differ here (**assumed**: which codes
   * an account has depends on its connected sources).
   */
  absentTrackingFields: string[];
  /** The account's time zone (IANA name), as `GET /account?with=datetime_settings` reports it. */
  timezone: string;
}

/** An IANA zone name Node knows, e.g. `Europe/Moscow`. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function int(raw: unknown, name: string, min: number): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min) {
    throw new SandboxError(400, `${name} must be an integer >= ${min}`);
  }
  return raw;
}

function oneOf<T extends string>(raw: unknown, name: string, allowed: readonly T[]): T {
  if (typeof raw !== 'string' || !(allowed as readonly string[]).includes(raw)) {
    throw new SandboxError(400, `${name} must be one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

/** Reads a `POST /_sandbox/settings` body; unknown keys are refused so a typo is not silently ignored. */
export function readSettingsPatch(raw: unknown): Partial<RealismSettings> {
  if (!isRecord(raw)) throw new SandboxError(400, 'body must be a JSON object');
  const out: Partial<RealismSettings> = {};
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'rateLimitRetryAfterSec':
        out.rateLimitRetryAfterSec = int(value, key, 0);
        break;
      case 'rateLimitScope':
        out.rateLimitScope = oneOf(value, key, RATE_LIMIT_SCOPES);
        break;
      case 'blockAfter429s':
        out.blockAfter429s = int(value, key, 0);
        break;
      case 'blockWindowMs':
        out.blockWindowMs = int(value, key, 1);
        break;
      case 'refreshMode':
        out.refreshMode = oneOf(value, key, REFRESH_MODES);
        break;
      case 'duplicateControl':
        if (typeof value !== 'boolean') throw new SandboxError(400, `${key} must be a boolean`);
        out.duplicateControl = value;
        break;
      case 'absentTrackingFields':
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
          throw new SandboxError(400, `${key} must be an array of field codes`);
        }
        out.absentTrackingFields = value;
        break;
      case 'timezone':
        if (typeof value !== 'string' || !isTimeZone(value)) {
          throw new SandboxError(400, `${key} must be an IANA time zone such as Europe/Moscow`);
        }
        out.timezone = value;
        break;
      default:
        throw new SandboxError(400, `unknown setting ${key}`);
    }
  }
  return out;
}
