import { request as httpRequest } from 'node:http';
import { App } from 'supertest/types';
import { AmoSandbox } from '../sandbox';
import { WEBHOOK_LIMITS } from '../src/amo-crm/inbound/webhook-body.parser';
import { createListeningAmoApp, postWebhook, startAmo } from './helpers/amo';
import { TestApp, truncateAll } from './helpers/test-app';
import { heavyStatusBatch } from './helpers/webhook-batch';

/**
 * Sends the headers of a POST announcing `contentLength` bytes and none of the body, and
 * resolves with the answer. A server that reads the body before answering never answers.
 */
function postWithheldBody(
  url: string,
  contentLength: number,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': String(contentLength),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
      });
    });
    req.on('error', reject);
    // not a speed check: without it a server that waits for the body would hang the suite
    req.setTimeout(10_000, () => {
      req.destroy(new Error('no answer while the body was withheld'));
    });
    req.flushHeaders();
  });
}

describe('Webhook receiver: the secret before the body', () => {
  let sb: AmoSandbox;
  let t: TestApp & { url: string };
  let server: App;
  const inboxRows = async () =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM amo_webhook_events`))[0].n as number;

  beforeAll(async () => {
    sb = await startAmo();
    // the worker stays off: these tests look at what the receiver stores
    t = await createListeningAmoApp(sb, { SYNC_ENABLED: 'false' });
    server = t.app.getHttpServer();
  });
  afterAll(async () => {
    await t.close();
    await sb.stop();
  });
  beforeEach(async () => {
    await truncateAll(t.dataSource);
  });

  it('answers a POST without the secret at once, without waiting for its body', async () => {
    const path = '/api/integrations/amo-crm/webhook';
    const none = await postWithheldBody(`${t.url}${path}`, 3_000_000);
    expect(none).toEqual({
      status: 401,
      body: { statusCode: 401, message: 'Missing or wrong webhook secret' },
    });
    const wrong = await postWithheldBody(`${t.url}${path}?secret=guess`, 3_000_000);
    expect(wrong.status).toBe(401);
    expect(await inboxRows()).toBe(0);
  });

  it('stores a realistic 250-item batch, which fits the size limits', async () => {
    const body = heavyStatusBatch(sb.accountId);
    expect(Buffer.byteLength(body)).toBeLessThan(WEBHOOK_LIMITS.bodyBytes);
    const res = await postWebhook(server, body).expect(200);
    expect(res.body).toMatchObject({ received: 250 });
    expect(await inboxRows()).toBe(250);
  });

  it('refuses a body over the limit with 413 even with the right secret, and stores nothing', async () => {
    const body = `${heavyStatusBatch(sb.accountId)}&pad=${'x'.repeat(600_000)}`;
    expect(Buffer.byteLength(body)).toBeGreaterThan(WEBHOOK_LIMITS.bodyBytes);
    const res = await postWebhook(server, body).expect(413);
    expect(res.body).toEqual({ statusCode: 413, message: 'Request body is too large' });
    expect(await inboxRows()).toBe(0);
  });
});

describe('Webhook failed-secret throttle behind a proxy', () => {
  let sb: AmoSandbox;
  let t: TestApp & { url: string };

  beforeAll(async () => {
    sb = await startAmo();
    t = await createListeningAmoApp(sb, { SYNC_ENABLED: 'false', TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await t.close();
    await sb.stop();
  });

  it('blocks an address after 10 wrong secrets and keeps taking deliveries from others', async () => {
    const server = t.app.getHttpServer() as App;
    await truncateAll(t.dataSource);
    const form = { 'leads[add][0][id]': '1', 'account[id]': String(sb.accountId) };
    const guesser = { 'X-Forwarded-For': '203.0.113.5' };
    for (let i = 0; i < 10; i++) {
      await postWebhook(server, form, `wrong-${i}`).set(guesser).expect(401);
    }
    // a blocked address is refused without its guess being compared: even a right one
    const blocked = await postWebhook(server, form).set(guesser).expect(429);
    expect(blocked.body).toEqual({
      statusCode: 429,
      message: 'Too many requests with a wrong webhook secret from this address',
    });
    expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
    expect(
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM amo_webhook_events`))[0].n,
    ).toBe(0);
    // amoCRM, from its own address, is not held up by the guesser
    await postWebhook(server, form).set('X-Forwarded-For', '198.51.100.77').expect(200);
  });
});
