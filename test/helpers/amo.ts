import request from 'supertest';
import { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { AmoSandbox, SandboxOptions, startSandbox } from '../../sandbox';
import { createTestApp, TestApp } from './test-app';
import { freePort } from './wait';

/** A fixed test-only key (32 bytes, base64); never used outside tests. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
export const TEST_WEBHOOK_SECRET = 'wH4nR8xqT2bLm6ZcV0yKp9sJd3FgE7aU1iOe5';

export async function startAmo(opts: SandboxOptions = {}): Promise<AmoSandbox> {
  // amoCRM's documented retry_after of 300 s would stall every test that meets a 429.
  return startSandbox({
    strictRefresh: true,
    rateLimitRetryAfterSec: 1,
    webhookRetryDelaysMs: [50, 100, 200],
    ...opts,
  });
}

/** App settings that point the integration at a sandbox. */
export function amoEnv(
  sb: AmoSandbox,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    AMO_DOMAIN: sb.baseDomain,
    AMO_CLIENT_ID: sb.clientId,
    AMO_CLIENT_SECRET: sb.clientSecret,
    AMO_REDIRECT_URI: sb.redirectUri,
    AMO_ACCOUNT_ID: String(sb.accountId),
    AMO_BASE_URL: sb.url,
    AMO_AUTH_URL: `${sb.url}/oauth`,
    AMO_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ...extra,
  };
}

/** Connects the app the way amoCRM's redirect does after an admin's consent. */
export async function connectAmo(server: App, sb: AmoSandbox): Promise<void> {
  await request(server)
    .get('/api/integrations/amo-crm/callback')
    .query({ code: sb.issueAuthCode(), referer: sb.baseDomain })
    .expect(200);
}

/** Makes the stored access token due for refresh and invalid at amoCRM. */
export async function expireStoredToken(ds: DataSource, sb: AmoSandbox): Promise<void> {
  await ds.query(`UPDATE amo_tokens SET expires_at = now() - interval '1 minute'`);
  sb.expireAccessTokens();
}

/** Largest number of requests that reached the sandbox within any rolling 1000 ms. */
export function maxRequestsInAnySecond(sb: AmoSandbox): number {
  const times = sb
    .requestLog()
    .filter((r) => r.status !== 429)
    .map((r) => r.at)
    .sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= 1000) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/**
 * An app listening on a real loopback port, so the sandbox can deliver webhooks to it. The
 * port is chosen first because the webhook destination (AMO_WEBHOOK_BASE_URL) is read from the
 * environment when the app compiles, and connecting then registers that destination.
 */
export async function createListeningAmoApp(
  sb: AmoSandbox,
  env: Record<string, string | undefined> = {},
): Promise<TestApp & { url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t = await createTestApp(amoEnv(sb, { AMO_WEBHOOK_BASE_URL: url, ...env }));
  await t.app.listen(port, '127.0.0.1');
  return { ...t, url };
}

/** POSTs a form-encoded body to the webhook receiver the way amoCRM does. */
export function postWebhook(
  server: App,
  body: string | Record<string, string>,
  secret: string = TEST_WEBHOOK_SECRET,
): request.Test {
  const form = typeof body === 'string' ? body : new URLSearchParams(body).toString();
  return request(server)
    .post('/api/integrations/amo-crm/webhook')
    .query({ secret })
    .set('User-Agent', 'amoCRM-WebHook-client/1.0')
    .type('form')
    .send(form);
}

export interface AmoTestApp {
  sb: AmoSandbox;
  /** `url` is the app's address when it listens, else empty. */
  t: TestApp & { url: string };
  server: App;
}

/**
 * A sandbox and an app connected to it by settings (not yet by OAuth): the setup of every amoCRM
 * suite. `listen` puts the app on a real port so the sandbox can deliver webhooks to it.
 */
export async function startAmoApp(
  opts: {
    sandbox?: SandboxOptions;
    env?: Record<string, string | undefined>;
    listen?: boolean;
  } = {},
): Promise<AmoTestApp> {
  const sb = await startAmo(opts.sandbox);
  try {
    const t = opts.listen
      ? await createListeningAmoApp(sb, opts.env)
      : { ...(await createTestApp(amoEnv(sb, opts.env))), url: '' };
    return { sb, t, server: t.app.getHttpServer() as App };
  } catch (err) {
    await sb.stop();
    throw err;
  }
}

/** The app first: its shutdown may still talk to the sandbox. */
export async function stopAmoApp(ctx: { sb: AmoSandbox; t: TestApp }): Promise<void> {
  await ctx.t.close();
  await ctx.sb.stop();
}
