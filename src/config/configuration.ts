import { resolve } from 'node:path';
import { AmoAuthMode, decideAmoAuthMode } from './amo-connection-mode';
import { AmoPlatform, resolveAmoHosts } from './amo-hosts';
import { EnvironmentVariables, validateEnv } from './env.validation';
import { readLongLivedToken } from './long-lived-token';
import { loadMapping, MappingSettings } from './mapping.validation';
import { parseTrustProxy, TrustProxy } from './trust-proxy';

export interface AppSettings {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  adminApiKey: string | null;
  /** How long an admin console session lasts after sign-in. */
  adminSessionTtlMin: number;
  defaultCurrency: string;
  phoneDefaultRegion: string;
  /** A repeat request joins an open lead of the same guest and property this many days old; 0 = off. */
  repeatWindowDays: number;
  corsOrigins: string[];
  leadFormRateLimit: number;
  leadFormRateWindowSec: number;
  /** Server-to-server posting: the `X-Site-Key` header's value and that caller's own limit. */
  leadFormSiteKey: string | null;
  leadFormSiteRateLimit: number;
  /** OAuth callback and disconnect hook: per client address, in total, per window. */
  oauthRateLimit: number;
  oauthRateLimitTotal: number;
  oauthRateWindowSec: number;
  /** Express `trust proxy`; false = the socket's address is the client's. */
  trustProxy: TrustProxy;
  logLevel: string;
}

export interface DatabaseSettings {
  /** null → the embedded PostgreSQL (PGlite) in `embeddedDir`. */
  url: string | null;
  embeddedDir: string;
  embeddedPort: number;
  poolSize: number;
  migrationsRun: boolean;
}

export interface AmoSettings {
  /** False when the AMO_* variables are absent: leads are still served, nothing is synced. */
  configured: boolean;
  /** OAuth (consent + refresh) or a private integration's long-lived token; see amo-connection-mode.ts. */
  authMode: AmoAuthMode;
  /** The configured long-lived token and the expiry read from it (LONG_LIVED mode only). */
  longLivedToken: { value: string; expiresAt: Date } | null;
  /** amoCRM or Kommo, from AMO_DOMAIN's host; null for a host that is neither. */
  platform: AmoPlatform | null;
  domain: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accountId: number;
  baseUrl: string;
  authUrl: string;
  webhookSecret: string | null;
  /** Public origin amoCRM posts webhooks to (AMO_WEBHOOK_BASE_URL, else AMO_REDIRECT_URI's). */
  webhookBaseUrl: string;
  /** How often leads changed in amoCRM are pulled to repair lost webhooks; 0 = never. */
  reconcileIntervalMs: number;
  encryptionKey: Buffer | null;
  rateLimit: number;
  timeoutMs: number;
  /** Status and field mapping, its shape validated at boot (see mapping.validation.ts). */
  mapping: MappingSettings;
  /** `pipeline`: new leads go straight into a stage; `incoming`: into incoming leads. */
  leadTarget: 'pipeline' | 'incoming';
  /** The incoming entry's `source_name` (what managers see as the source). */
  incomingSourceName: string;
}

export interface SyncSettings {
  /** SYNC_ENABLED as set. */
  enabled: boolean;
  /** Sync actually runs: enabled and amoCRM configured. Computed here once for everyone. */
  active: boolean;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  pollIntervalMs: number;
  /** How long an incremental pull of amoCRM contacts counts as current. */
  contactsFreshMs: number;
  /** How often jobs of a lead waiting in amoCRM's incoming leads look again for acceptance. */
  incomingRecheckMs: number;
  /** How long a claimed job is reserved before another dispatcher may take it over. */
  leaseSec: number;
}

export interface AppConfig {
  app: AppSettings;
  database: DatabaseSettings;
  amo: AmoSettings;
  sync: SyncSettings;
}

function parseEncryptionKey(value: string | undefined): Buffer | null {
  if (value === undefined) return null;
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32 || key.toString('base64') !== value.trim()) {
    throw new Error(
      'Invalid configuration:\n  - TOKEN_ENCRYPTION_KEY must be 32 random bytes in base64 ' +
        "(generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\")",
    );
  }
  return key;
}

function buildAmo(env: EnvironmentVariables): AmoSettings {
  const mode = decideAmoAuthMode(env);
  const configured = mode !== null;
  const encryptionKey = parseEncryptionKey(env.TOKEN_ENCRYPTION_KEY);
  if (configured && !encryptionKey) {
    throw new Error(
      'Invalid configuration:\n  - TOKEN_ENCRYPTION_KEY is required when amoCRM is configured',
    );
  }
  let longLivedToken: AmoSettings['longLivedToken'] = null;
  if (mode === 'LONG_LIVED') {
    const value = env.AMO_LONG_LIVED_TOKEN!.trim();
    try {
      longLivedToken = { value, expiresAt: readLongLivedToken(value).expiresAt };
    } catch (err) {
      throw new Error(`Invalid configuration:\n  - ${(err as Error).message}`);
    }
  }
  const domain = env.AMO_DOMAIN ?? '';
  const hosts = resolveAmoHosts(domain, { baseUrl: env.AMO_BASE_URL, authUrl: env.AMO_AUTH_URL });
  if (mode === 'OAUTH' && !hosts.authUrl) {
    throw new Error(
      `Invalid configuration:\n  - AMO_DOMAIN ${domain} is on none of the known hosts ` +
        '(*.amocrm.ru, *.kommo.com, *.amocrm.com), so the consent page is not known: set AMO_AUTH_URL',
    );
  }
  if (mode === 'LONG_LIVED' && env.AMO_WEBHOOK_SECRET && !env.AMO_WEBHOOK_BASE_URL) {
    throw new Error(
      'Invalid configuration:\n  - AMO_WEBHOOK_BASE_URL is required with AMO_LONG_LIVED_TOKEN and ' +
        'AMO_WEBHOOK_SECRET: without a redirect URI there is no public origin to register the webhook on',
    );
  }
  return {
    configured,
    authMode: mode ?? 'OAUTH',
    longLivedToken,
    platform: hosts.preset?.platform ?? null,
    domain,
    clientId: env.AMO_CLIENT_ID ?? '',
    clientSecret: env.AMO_CLIENT_SECRET ?? '',
    redirectUri: env.AMO_REDIRECT_URI ?? '',
    accountId: env.AMO_ACCOUNT_ID ?? 0,
    baseUrl: hosts.baseUrl,
    authUrl: hosts.authUrl ?? '',
    webhookSecret: env.AMO_WEBHOOK_SECRET ?? null,
    webhookBaseUrl: (
      env.AMO_WEBHOOK_BASE_URL ?? (env.AMO_REDIRECT_URI ? new URL(env.AMO_REDIRECT_URI).origin : '')
    ).replace(/\/+$/, ''),
    reconcileIntervalMs: env.AMO_RECONCILE_INTERVAL_MS ?? 300_000,
    encryptionKey,
    rateLimit: env.AMO_RATE_LIMIT ?? 7,
    timeoutMs: env.AMO_TIMEOUT_MS ?? 10_000,
    mapping: loadMapping(env.AMO_MAPPING_JSON, env.AMO_MAPPING_FILE),
    leadTarget: env.AMO_LEAD_TARGET ?? 'pipeline',
    incomingSourceName: env.AMO_INCOMING_SOURCE_NAME ?? 'Property site',
  };
}

/** The one place that turns the process environment into typed settings. */
export function loadConfig(raw: Record<string, unknown>): AppConfig {
  const env = validateEnv(raw);
  const nodeEnv = (env.NODE_ENV ?? 'development') as AppSettings['env'];
  const amo = buildAmo(env);
  return {
    app: {
      env: nodeEnv,
      port: env.PORT ?? 3000,
      host: env.HOST ?? '0.0.0.0',
      adminApiKey: env.ADMIN_API_KEY ?? null,
      adminSessionTtlMin: env.ADMIN_SESSION_TTL_MIN ?? 480,
      defaultCurrency: env.DEFAULT_CURRENCY ?? 'RUB',
      phoneDefaultRegion: env.PHONE_DEFAULT_REGION ?? 'RU',
      repeatWindowDays: env.LEAD_REPEAT_WINDOW_DAYS ?? 30,
      corsOrigins: (env.CORS_ORIGINS ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      leadFormRateLimit: env.LEAD_FORM_RATE_LIMIT ?? 20,
      leadFormRateWindowSec: env.LEAD_FORM_RATE_WINDOW_SEC ?? 60,
      leadFormSiteKey: env.LEAD_FORM_SITE_KEY ?? null,
      leadFormSiteRateLimit: env.LEAD_FORM_SITE_RATE_LIMIT ?? 600,
      oauthRateLimit: env.OAUTH_RATE_LIMIT ?? 5,
      oauthRateLimitTotal: env.OAUTH_RATE_LIMIT_TOTAL ?? 20,
      oauthRateWindowSec: env.OAUTH_RATE_WINDOW_SEC ?? 60,
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    },
    database: {
      url: env.DATABASE_URL ?? null,
      embeddedDir: resolve(env.EMBEDDED_DB_DIR ?? '.data/pg'),
      embeddedPort: env.EMBEDDED_DB_PORT ?? 0,
      poolSize: env.DB_POOL_SIZE ?? 10,
      migrationsRun: env.MIGRATIONS_RUN ?? true,
    },
    amo,
    sync: {
      enabled: env.SYNC_ENABLED ?? true,
      active: (env.SYNC_ENABLED ?? true) && amo.configured,
      maxAttempts: env.SYNC_MAX_ATTEMPTS ?? 10,
      backoffBaseMs: env.SYNC_BACKOFF_BASE_MS ?? 1_000,
      backoffCapMs: env.SYNC_BACKOFF_CAP_MS ?? 300_000,
      pollIntervalMs: env.SYNC_POLL_INTERVAL_MS ?? 5_000,
      contactsFreshMs: env.SYNC_CONTACTS_FRESH_MS ?? 1_000,
      leaseSec: env.SYNC_LEASE_SEC ?? 120,
      incomingRecheckMs: env.SYNC_INCOMING_RECHECK_MS ?? 15_000,
    },
  };
}

/** Reads the process environment; used by ConfigModule and by the migration CLI. */
export function loadConfigFromProcess(): AppConfig {
  return loadConfig(process.env);
}
