import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  MaxLength,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidationError,
  validateSync,
} from 'class-validator';
import { IsStrongSecret } from './secret-strength';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' && /^-?\d+$/.test(value.trim())
    ? Number(value.trim())
    : value;

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every environment variable the backend reads. Validated once at boot; a bad value stops
 * the process with a message that names the variable.
 */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsString()
  HOST?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  EMBEDDED_DB_DIR?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  EMBEDDED_DB_PORT?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  DB_POOL_SIZE?: number;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  MIGRATIONS_RUN?: boolean;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsStrongSecret()
  ADMIN_API_KEY?: string;

  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'DEFAULT_CURRENCY must be an ISO 4217 code such as RUB' })
  DEFAULT_CURRENCY?: string;

  @IsOptional()
  @Matches(/^[A-Z]{2}$/, {
    message: 'PHONE_DEFAULT_REGION must be a two-letter country code such as RU',
  })
  PHONE_DEFAULT_REGION?: string;

  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LEAD_FORM_RATE_LIMIT?: number;

  /** Days within which a second request of one guest for one property joins the open deal; 0 = off. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3650)
  LEAD_REPEAT_WINDOW_DAYS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LEAD_FORM_RATE_WINDOW_SEC?: number;

  /** A shared secret the property site's server sends as `X-Site-Key` to get its own limit. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsStrongSecret()
  LEAD_FORM_SITE_KEY?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LEAD_FORM_SITE_RATE_LIMIT?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  OAUTH_RATE_LIMIT?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  OAUTH_RATE_LIMIT_TOTAL?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  OAUTH_RATE_WINDOW_SEC?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(7 * 24 * 60)
  ADMIN_SESSION_TTL_MIN?: number;

  /** Parsed and checked in configuration.ts (hop count or addresses; never "true"). */
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, {
    message: 'AMO_DOMAIN must be the account host, e.g. mycompany.amocrm.ru',
  })
  AMO_DOMAIN?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  AMO_CLIENT_ID?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  AMO_CLIENT_SECRET?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  AMO_REDIRECT_URI?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AMO_ACCOUNT_ID?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  AMO_BASE_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  AMO_AUTH_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsStrongSecret()
  AMO_WEBHOOK_SECRET?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  AMO_WEBHOOK_BASE_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  AMO_RECONCILE_INTERVAL_MS?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  TOKEN_ENCRYPTION_KEY?: string;

  /** A private integration's long-lived token; its shape is checked in configuration.ts. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  AMO_LONG_LIVED_TOKEN?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  AMO_RATE_LIMIT?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  AMO_TIMEOUT_MS?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  AMO_MAPPING_FILE?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  AMO_MAPPING_JSON?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  SYNC_ENABLED?: boolean;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SYNC_MAX_ATTEMPTS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SYNC_BACKOFF_BASE_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SYNC_BACKOFF_CAP_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(50)
  SYNC_POLL_INTERVAL_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SYNC_CONTACTS_FRESH_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SYNC_LEASE_SEC?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['pipeline', 'incoming'], { message: 'AMO_LEAD_TARGET must be pipeline or incoming' })
  AMO_LEAD_TARGET?: 'pipeline' | 'incoming';

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MaxLength(255)
  AMO_INCOMING_SOURCE_NAME?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(50)
  SYNC_INCOMING_RECHECK_MS?: number;
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((msg) =>
      msg.startsWith(e.property) ? msg : `${e.property}: ${msg}`,
    ),
  );
}

export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, { enableImplicitConversion: false });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    throw new Error(`Invalid configuration:\n  - ${describe(errors).join('\n  - ')}`);
  }
  return env;
}
