/**
 * `npm run demo`: the amoCRM sandbox and the API in one process, already connected to each
 * other, with a property to post leads for. Ctrl-C stops both. Quiet by default (warnings and
 * errors only); `npm run demo -- --logs` or LOG_LEVEL shows the app's JSON logs.
 */
import 'reflect-metadata';
import { ShutdownSignal } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { AmoSandbox, startSandbox } from '../sandbox';
import type { AppConfig } from '../src/config/configuration';

const SECRETS_FILE = resolve('.data/demo-secrets.json');

interface StoreSecrets {
  tokenEncryptionKey: string;
  adminApiKey: string;
}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be a port number, got "${raw}"`);
  }
  return value;
}

/**
 * Stored amoCRM tokens are encrypted, so a restart on the same database needs the same key;
 * keeping the admin key too lets the printed curl commands survive a restart. Keyed by the
 * database, because EMBEDDED_DB_DIR and DATABASE_URL may point at different ones between runs.
 */
function secretsFor(storeId: string): StoreSecrets {
  let all: Record<string, StoreSecrets> = {};
  if (existsSync(SECRETS_FILE)) {
    all = JSON.parse(readFileSync(SECRETS_FILE, 'utf8')) as Record<string, StoreSecrets>;
  }
  const existing = all[storeId];
  if (existing) return existing;
  const created: StoreSecrets = {
    tokenEncryptionKey: randomBytes(32).toString('base64'),
    adminApiKey: randomBytes(24).toString('base64url'),
  };
  all[storeId] = created;
  mkdirSync(dirname(SECRETS_FILE), { recursive: true });
  writeFileSync(SECRETS_FILE, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  return created;
}

/** One sandbox state per database, next to the demo secrets. */
function sandboxStateFile(storeId: string): string {
  const key = createHash('sha256').update(storeId).digest('hex').slice(0, 16);
  return resolve(`.data/demo-sandbox-${key}.json`);
}

function storeIdentity(): string {
  const url = process.env.DATABASE_URL;
  if (url) return `url:${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
  return `dir:${resolve(process.env.EMBEDDED_DB_DIR ?? '.data/pg')}`;
}

/**
 * The app reads `.env` too; loading it here first (never over the shell's values) lets the
 * demo say which database it uses and where that setting came from.
 */
function loadDotEnv(): Set<string> {
  const file = resolve('.env');
  if (!existsSync(file)) return new Set();
  const values = parseEnv(readFileSync(file, 'utf8'));
  const loaded = new Set<string>();
  for (const [key, value] of Object.entries(values)) {
    if (process.env[key] !== undefined) continue;
    process.env[key] = value;
    loaded.add(key);
  }
  return loaded;
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/** One line for the summary: which database, and which setting chose it. */
function describeDatabase(fromDotEnv: Set<string>, defaultDir: boolean): string {
  const url = process.env.DATABASE_URL;
  if (url) {
    const origin = fromDotEnv.has('DATABASE_URL') ? '.env' : 'the environment';
    return `${withoutPassword(url)} (DATABASE_URL from ${origin})`;
  }
  const dir = relative(process.cwd(), resolve(process.env.EMBEDDED_DB_DIR ?? '.data/pg'));
  const why = defaultDir
    ? 'DATABASE_URL is not set, so the demo uses its own folder'
    : `EMBEDDED_DB_DIR from ${fromDotEnv.has('EMBEDDED_DB_DIR') ? '.env' : 'the environment'}`;
  return `embedded PostgreSQL in ./${dir} (${why})`;
}

async function expectOk(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what} answered ${res.status}: ${text}`);
  return text ? (JSON.parse(text) as unknown) : null;
}

async function connectAmo(api: string, sandbox: AmoSandbox): Promise<void> {
  const callback = new URL(`${api}/integrations/amo-crm/callback`);
  callback.searchParams.set('code', sandbox.issueAuthCode());
  callback.searchParams.set('referer', sandbox.baseDomain);
  const res = await fetch(callback);
  if (res.status !== 200) {
    throw new Error(`Connecting amoCRM answered ${res.status}: ${await res.text()}`);
  }
}

async function demoPropertyId(api: string, adminKey: string): Promise<string> {
  const page = (await expectOk(
    await fetch(`${api}/properties?page=1&limit=1`),
    'GET /api/properties',
  )) as { items: { id: string }[] };
  if (page.items.length > 0) return page.items[0].id;
  const created = (await expectOk(
    await fetch(`${api}/properties`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: '2-room flat, Tverskaya 7', price: 12_500_000 }),
    }),
    'POST /api/properties',
  )) as { id: string };
  return created.id;
}

/**
 * configureApp() turns on Nest's signal hooks, which close the app and then re-raise the
 * signal, killing the process before the sandbox is stopped. The demo handles the signals
 * itself, so the listeners configureApp adds are taken off again.
 */
function withoutNestSignalHooks(configure: () => void): void {
  const signals = Object.values(ShutdownSignal) as NodeJS.Signals[];
  const before = new Map(signals.map((s) => [s, process.listeners(s)]));
  configure();
  for (const signal of signals) {
    const kept = before.get(signal) ?? [];
    for (const listener of process.listeners(signal)) {
      if (!kept.includes(listener)) process.removeListener(signal, listener);
    }
  }
}

async function main(): Promise<void> {
  let sandbox: AmoSandbox | null = null;
  let app: NestExpressApplication | null = null;
  let stopping = false;
  let database = '(not chosen yet)';

  const stop = async (code: number): Promise<never> => {
    stopping = true;
    // A hung close must not leave the ports and the database lock held forever.
    setTimeout(() => {
      process.stderr.write('Shutdown took over 15 s; exiting anyway\n');
      process.exit(1);
    }, 15_000).unref();
    try {
      await app?.close();
    } finally {
      await sandbox?.stop();
    }
    process.exit(code);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    // Ctrl-C under `npm run` arrives twice (from the terminal and forwarded by npm).
    if (stopping) return;
    process.stdout.write(`\n${signal}: stopping the API and the sandbox…\n`);
    stop(0).catch((err: unknown) => {
      process.stderr.write(
        `Shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const fromDotEnv = loadDotEnv();
    const showLogs = process.argv.includes('--logs');
    if (showLogs) process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'info';
    const logLevel = process.env.LOG_LEVEL || 'warn';
    process.env.LOG_LEVEL = logLevel;
    const port = portFromEnv('PORT', 3000);
    const api = `http://127.0.0.1:${port}/api`;
    const redirectUri = `${api}/integrations/amo-crm/callback`;

    const defaultDir = !process.env.DATABASE_URL && !process.env.EMBEDDED_DB_DIR;
    if (defaultDir) process.env.EMBEDDED_DB_DIR = '.data/demo-pg';
    database = describeDatabase(fromDotEnv, defaultDir);
    const storeId = storeIdentity();
    sandbox = await startSandbox({
      host: '127.0.0.1',
      port: portFromEnv('SANDBOX_PORT', 3100),
      redirectUri,
      strictRefresh: true,
      webhookBatchWindowMs: 200,
      // The amoCRM account lives as long as the database that holds its ids.
      stateFile: sandboxStateFile(storeId),
    });
    if (stopping) return;

    const secrets = secretsFor(storeId);
    const adminKey = process.env.ADMIN_API_KEY || secrets.adminApiKey;
    // AMO_* are always overwritten: a real account's settings in the shell must not be used here.
    Object.assign(process.env, {
      PORT: String(port),
      ADMIN_API_KEY: adminKey,
      TOKEN_ENCRYPTION_KEY: process.env.TOKEN_ENCRYPTION_KEY || secrets.tokenEncryptionKey,
      AMO_DOMAIN: sandbox.baseDomain,
      AMO_CLIENT_ID: sandbox.clientId,
      AMO_CLIENT_SECRET: sandbox.clientSecret,
      AMO_REDIRECT_URI: redirectUri,
      AMO_ACCOUNT_ID: String(sandbox.accountId),
      AMO_BASE_URL: sandbox.url,
      AMO_AUTH_URL: `${sandbox.url}/oauth`,
      AMO_WEBHOOK_SECRET: process.env.AMO_WEBHOOK_SECRET || randomBytes(24).toString('base64url'),
    });

    // Imported only now: the configuration is read from process.env when these modules load.
    const { createApp } = await import('../src/app.create');
    const { configureApp } = await import('../src/app.setup');

    const { app: created } = await createApp(logLevel);
    app = created;
    if (stopping) return;
    withoutNestSignalHooks(() => configureApp(created));
    const { host } = created
      .get<ConfigService<AppConfig, true>>(ConfigService)
      .get('app', { infer: true });
    await created.listen(port, host);
    if (stopping) return;

    await connectAmo(api, sandbox);
    const propertyId = await demoPropertyId(api, adminKey);
    if (stopping) return;

    const lead = JSON.stringify({
      propertyId,
      guestName: 'Ivan Petrov',
      guestPhone: '8 912 345-67-89',
      guestEmail: 'ivan@example.com',
      contactMethod: 'PHONE',
      contactTime: 'EVENING',
      comment: 'Is it still available?',
    });
    process.stdout.write(
      [
        '',
        'Demo is running (Ctrl-C to stop); amoCRM sandbox connected.',
        `  API:            ${api}`,
        `  OpenAPI docs:   ${api}/docs`,
        `  amoCRM sandbox: ${sandbox.url}/`,
        `  admin key:      ${adminKey}`,
        `  property:       ${propertyId}`,
        `  database:       ${database}`,
        `  logs:           ${logLevel === 'warn' ? 'warnings and errors only (npm run demo -- --logs, or LOG_LEVEL=info, for all)' : `LOG_LEVEL=${logLevel}`}`,
        '',
        'Post a lead:',
        `  curl -s -X POST ${api}/leads -H 'Content-Type: application/json' -d '${lead}'`,
        'See it here and in amoCRM:',
        `  curl -s ${api}/leads -H 'Authorization: Bearer ${adminKey}'`,
        `  curl -s ${sandbox.url}/_sandbox/state`,
        '',
      ].join('\n'),
    );
  } catch (err) {
    const { BootFailedError } = await import('../src/app.create');
    // a failed app boot has already said what to fix in its one log line
    if (!(err instanceof BootFailedError)) {
      process.stderr.write(
        `Demo failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    } else {
      process.stderr.write(`Demo failed to start (see the line above); database: ${database}\n`);
    }
    if (!stopping) await stop(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
