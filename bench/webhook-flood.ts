/**
 * `npm run bench:flood`: what a flood of large webhook POSTs without the secret does to a
 * public route. Measures `GET /api/properties` latency alone, then again while 40 connections
 * post 2.9 MB bodies with no secret to the webhook receiver (the attack of issue 13: such
 * bodies used to be parsed before their 401). The compiled app runs as a child process on an
 * embedded database (or DATABASE_URL), configured for the sandbox; nothing is connected.
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../sandbox';
import { childEnv, freePort, spawnTs, waitHttpReady } from './lib';

const SECONDS = Number(process.env.BENCH_FLOOD_SEC ?? 8);
const FLOOD_BODY = `leads[add][0][id]=1&pad=${'x'.repeat(2_900_000)}`;

async function publicGet(url: string): Promise<autocannon.Result> {
  return autocannon({ url: `${url}/api/properties`, connections: 4, duration: SECONDS });
}

async function flood(url: string): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/api/integrations/amo-crm/webhook`,
    connections: 40,
    duration: SECONDS,
    timeout: 10,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: FLOOD_BODY,
  });
}

const line = (what: string, r: autocannon.Result): string =>
  `${what.padEnd(44)} ${String(r.requests.total).padStart(6)} req  p50 ${r.latency.p50} ms  ` +
  `p99 ${r.latency.p99} ms  max ${r.latency.max} ms  non-2xx ${r.non2xx}  errors ${r.errors}`;

async function main(): Promise<void> {
  const sb = await startSandbox({});
  const dir = mkdtempSync(join(tmpdir(), 'leads-flood-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const app = spawnTs(
    'app',
    'dist/src/main.js',
    childEnv({
      ...(process.env.DATABASE_URL
        ? { DATABASE_URL: process.env.DATABASE_URL }
        : { EMBEDDED_DB_DIR: join(dir, 'pg') }),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      MIGRATIONS_RUN: 'true',
      AMO_DOMAIN: sb.baseDomain,
      AMO_CLIENT_ID: sb.clientId,
      AMO_CLIENT_SECRET: sb.clientSecret,
      AMO_REDIRECT_URI: sb.redirectUri,
      AMO_ACCOUNT_ID: String(sb.accountId),
      AMO_BASE_URL: sb.url,
      AMO_WEBHOOK_SECRET: randomBytes(32).toString('base64'),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SYNC_ENABLED: 'false',
    }),
  );
  try {
    await waitHttpReady(app, `${url}/api/health`);
    await publicGet(url); // warm-up
    const alone = await publicGet(url);
    const [during, attack] = await Promise.all([publicGet(url), flood(url)]);
    process.stdout.write(
      [
        line('GET /api/properties alone', alone),
        line('GET /api/properties during the flood', during),
        line('flood: 2.9 MB POSTs without the secret', attack),
      ].join('\n') + '\n',
    );
  } finally {
    await app.stop();
    await sb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
