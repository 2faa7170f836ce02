import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox } from '../sandbox';
import { amoEnv, connectAmo, startAmo } from './helpers/amo';
import { admin, createProperty, leadBody } from './helpers/factories';
import { createTestApp, TestApp, truncateAll } from './helpers/test-app';
import { eventually } from './helpers/wait';
import { itOnServer } from './helpers/skip';

const SITE_KEY = 'sK3wR9tYq2LmV7xZc5NbH1jDf8GpE4aU6oIe0';

const leadCount = async (t: TestApp): Promise<number> =>
  (await t.dataSource.query(`SELECT count(*)::int AS n FROM leads`))[0].n as number;

const postLead = (server: App, propertyId: string, headers: Record<string, string> = {}) =>
  request(server).post('/api/leads').set(headers).send(leadBody(propertyId));

describe('Lead form throttle behind a proxy and across instances', () => {
  const apps: TestApp[] = [];
  const boot = async (env: Record<string, string | undefined>): Promise<TestApp> => {
    const t = await createTestApp({ LEAD_FORM_RATE_LIMIT: '2', ...env });
    apps.push(t);
    await truncateAll(t.dataSource);
    return t;
  };
  afterEach(async () => {
    while (apps.length) await apps.pop()!.close();
  });

  it('with TRUST_PROXY counts each visitor behind the proxy on their own', async () => {
    const t = await boot({ TRUST_PROXY: 'loopback' });
    const server = t.app.getHttpServer() as App;
    const { id } = await createProperty(server);
    const visitorA = { 'X-Forwarded-For': '203.0.113.10' };
    const visitorB = { 'X-Forwarded-For': '198.51.100.20' };
    await postLead(server, id, visitorA).expect(201);
    await postLead(server, id, visitorA).expect(201);
    const third = await postLead(server, id, visitorA).expect(429);
    expect(third.body).toMatchObject({
      statusCode: 429,
      message: expect.stringMatching(/try again/),
    });
    // the 21st guest of a busy minute is not refused for the others' posts
    await postLead(server, id, visitorB).expect(201);
    expect(await leadCount(t)).toBe(3);
  });

  it('without TRUST_PROXY believes no X-Forwarded-For: one socket address is one client', async () => {
    const t = await boot({ TRUST_PROXY: undefined });
    const server = t.app.getHttpServer() as App;
    const { id } = await createProperty(server);
    await postLead(server, id, { 'X-Forwarded-For': '203.0.113.10' }).expect(201);
    await postLead(server, id, { 'X-Forwarded-For': '203.0.113.11' }).expect(201);
    await postLead(server, id, { 'X-Forwarded-For': '203.0.113.12' }).expect(429);
    expect(await leadCount(t)).toBe(2);
    // once refused, the client is answered from memory: the flood adds no database writes
    for (let i = 0; i < 5; i++) await postLead(server, id).expect(429);
    const counters = await t.dataSource.query(`SELECT hits FROM throttle_hits`);
    expect(counters).toEqual([{ hits: 3 }]);
  });

  it('trusts only the listed proxies: a forwarded address from another hop is ignored', async () => {
    // the test client is 127.0.0.1, which is not the listed proxy
    const t = await boot({ TRUST_PROXY: '10.0.0.0/8' });
    const server = t.app.getHttpServer() as App;
    const { id } = await createProperty(server);
    await postLead(server, id, { 'X-Forwarded-For': '203.0.113.10' }).expect(201);
    await postLead(server, id, { 'X-Forwarded-For': '203.0.113.11' }).expect(201);
    await postLead(server, id, { 'X-Forwarded-For': '203.0.113.12' }).expect(429);
  });

  it.each([['true'], ['*'], ['0.0.0.0/0'], ['not-an-address'], ['10.0.0.0/33']])(
    'refuses TRUST_PROXY=%s at boot',
    async (value) => {
      await expect(createTestApp({ TRUST_PROXY: value })).rejects.toThrow(/TRUST_PROXY/);
    },
  );

  itOnServer('shares one count between two instances on one database', async () => {
    const a = await boot({});
    const b = await boot({});
    const { id } = await createProperty(a.app.getHttpServer());
    await postLead(a.app.getHttpServer() as App, id).expect(201);
    await postLead(b.app.getHttpServer() as App, id).expect(201);
    await postLead(a.app.getHttpServer() as App, id).expect(429);
    await postLead(b.app.getHttpServer() as App, id).expect(429);
    expect(await leadCount(a)).toBe(2);
  });

  it('gives the site server with X-Site-Key its own higher limit; a wrong key is a 401', async () => {
    const t = await boot({
      LEAD_FORM_RATE_LIMIT: '1',
      LEAD_FORM_SITE_KEY: SITE_KEY,
      LEAD_FORM_SITE_RATE_LIMIT: '3',
    });
    const server = t.app.getHttpServer() as App;
    const { id } = await createProperty(server);
    await postLead(server, id).expect(201);
    await postLead(server, id).expect(429);
    for (let i = 0; i < 3; i++) await postLead(server, id, { 'X-Site-Key': SITE_KEY }).expect(201);
    await postLead(server, id, { 'X-Site-Key': SITE_KEY }).expect(429);
    const wrong = await postLead(server, id, { 'X-Site-Key': `${SITE_KEY}x` }).expect(401);
    expect(wrong.body).toEqual({ statusCode: 401, message: 'X-Site-Key is not valid' });
    expect(await leadCount(t)).toBe(4);
  });

  it('refuses a short or placeholder LEAD_FORM_SITE_KEY at boot', async () => {
    await expect(createTestApp({ LEAD_FORM_SITE_KEY: 'site-key' })).rejects.toThrow(
      /LEAD_FORM_SITE_KEY.*openssl rand/s,
    );
  });
});

describe('OAuth callback and disconnect hook throttle', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let server: App;
  const tokenCalls = () => sb.requestLog().filter((r) => r.path === '/oauth2/access_token').length;
  const callback = (from: string, code = 'not-a-real-code') =>
    request(server)
      .get('/api/integrations/amo-crm/callback')
      .set('X-Forwarded-For', from)
      .query({ code, referer: sb.baseDomain });

  beforeAll(async () => {
    sb = await startAmo();
  });
  afterAll(async () => sb.stop());
  // a fresh app per test: each process remembers the keys it has refused until their window ends
  beforeEach(async () => {
    t = await createTestApp(amoEnv(sb, { TRUST_PROXY: 'loopback', SYNC_POLL_INTERVAL_MS: '200' }));
    server = t.app.getHttpServer();
    await truncateAll(t.dataSource);
    sb.resetLog();
  });
  afterEach(async () => t.close());

  /**
   * The limits count in fixed one-minute windows: a run that crossed into the next window would
   * see the counters start again, so each case starts with at least 20 s left in its window.
   */
  const freshWindow = () => eventually(() => Date.now() % 60_000 < 40_000, 25_000);

  it('refuses callbacks over the per-address limit before any call to amoCRM', async () => {
    await freshWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await callback('203.0.113.7')).status);
    // 5 per address per minute by default: those reach amoCRM and fail there (a fake code)
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
    expect(tokenCalls()).toBe(5);
    const res = await callback('203.0.113.7').expect(429);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.body).toEqual({
      statusCode: 429,
      message: 'Too many callback attempts from this address',
    });
    expect(await t.dataSource.query(`SELECT * FROM amo_tokens`)).toEqual([]);
  });

  it('caps callbacks from many addresses in total', async () => {
    await freshWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await callback(`198.51.100.${i + 1}`)).status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(20);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    expect(tokenCalls()).toBe(20);
  });

  it('throttles the disconnect hook per address', async () => {
    const hook = () =>
      request(server)
        .get('/api/integrations/amo-crm/disconnect')
        .set('X-Forwarded-For', '203.0.113.99')
        .query({
          client_uuid: sb.clientId,
          account_id: String(sb.accountId),
          signature: 'f'.repeat(64),
        });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await hook()).status);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429]);
  });

  it('keeps syncing a lead promptly through a flood of callbacks from many addresses', async () => {
    await connectAmo(server, sb);
    const { id } = await createProperty(server);
    sb.resetLog();
    const started = Date.now();
    const flood = Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        callback(`192.0.2.${(i % 250) + 1}`).then((r) => r.status),
      ),
    );
    const lead = (await postLead(server, id).expect(201)).body as { id: string };
    let syncedAfterMs = 0;
    await eventually(async () => {
      const res = await request(server).get(`/api/leads/${lead.id}`).set(admin).expect(200);
      syncedAfterMs = Date.now() - started;
      return res.body.amoLeadId !== null && res.body.sync.state === 'SYNCED';
    });
    const statuses = await flood;
    const refused = statuses.filter((s) => s === 429).length;
    // the connect above used one of the 20 callbacks of this minute
    expect(refused).toBeGreaterThanOrEqual(150 - 19);
    expect(tokenCalls()).toBeLessThanOrEqual(19);
    process.stdout.write(
      `OAuth flood: 150 callbacks, ${refused} refused with 429, ${tokenCalls()} token calls; ` +
        `the lead synced ${syncedAfterMs} ms after the flood began\n`,
    );
  });
});
