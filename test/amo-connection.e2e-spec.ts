import { createHmac } from 'node:crypto';
import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox } from '../sandbox';
import {
  amoEnv,
  connectAmo,
  expireStoredToken,
  maxRequestsInAnySecond,
  startAmo,
  startAmoApp,
  stopAmoApp,
} from './helpers/amo';
import { admin } from './helpers/factories';
import { createTestApp, TestApp, truncateAll } from './helpers/test-app';
import { itOnServer } from './helpers/skip';

describe('amoCRM connection', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let server: App;

  beforeAll(async () => {
    ({ sb, t, server } = await startAmoApp());
  });
  afterAll(async () => stopAmoApp({ sb, t }));
  beforeEach(async () => {
    await truncateAll(t.dataSource);
    sb.setOutage(false);
    sb.resetLog();
  });

  const tokenRow = async () => (await t.dataSource.query('SELECT * FROM amo_tokens'))[0];

  it('connects through authorize → consent → callback with a single-use state', async () => {
    const auth = await request(server)
      .get('/api/integrations/amo-crm/authorize')
      .set(admin)
      .expect(302);
    const consent = new URL(auth.headers.location);
    expect(consent.origin + consent.pathname).toBe(`${sb.url}/oauth`);
    expect(consent.searchParams.get('client_id')).toBe(sb.clientId);
    const state = consent.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(32);

    const redirect = await fetch(consent, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const back = new URL(redirect.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe(state);

    const res = await request(server)
      .get('/api/integrations/amo-crm/callback')
      .query(Object.fromEntries(back.searchParams))
      .expect(200);
    expect(res.body).toMatchObject({
      connected: true,
      accountId: sb.accountId,
      subdomain: expect.any(String),
    });
    expect((await tokenRow()).state).toBe('CONNECTED');

    const replay = await request(server)
      .get('/api/integrations/amo-crm/callback')
      .query({ code: sb.issueAuthCode(), referer: sb.baseDomain, state })
      .expect(400);
    expect(replay.body.message).toContain('state');

    const check = await request(server)
      .get('/api/integrations/amo-crm/test')
      .set(admin)
      .expect(200);
    expect(check.body).toMatchObject({
      accountId: sb.accountId,
      name: expect.any(String),
      tokenExpiresAt: expect.any(String),
    });
  });

  it('rejects an unknown state and a foreign referer without storing anything', async () => {
    await request(server)
      .get('/api/integrations/amo-crm/callback')
      .query({ code: sb.issueAuthCode(), state: 'forged' })
      .expect(400);
    await request(server)
      .get('/api/integrations/amo-crm/callback')
      .query({ code: sb.issueAuthCode(), referer: 'evil.amocrm.ru' })
      .expect(403);
    expect(await tokenRow()).toBeUndefined();
  });

  it("answers 400 with amoCRM's hint for a used code", async () => {
    const code = sb.issueAuthCode();
    await request(server).get('/api/integrations/amo-crm/callback').query({ code }).expect(200);
    const res = await request(server)
      .get('/api/integrations/amo-crm/callback')
      .query({ code })
      .expect(400);
    expect(res.body.message).toContain('Authorization code has been revoked');
  });

  it('answers 502 when amoCRM is unreachable', async () => {
    sb.setOutage(true);
    const res = await request(server)
      .get('/api/integrations/amo-crm/callback')
      .query({ code: sb.issueAuthCode() })
      .expect(502);
    expect(res.body.message).toContain('amoCRM');
    expect(await tokenRow()).toBeUndefined();
  });

  it('stores no raw token string in any column of any table', async () => {
    await connectAmo(server, sb);
    await expireStoredToken(t.dataSource, sb);
    await request(server).get('/api/integrations/amo-crm/test').set(admin).expect(200);
    const spent = sb.refreshLog().map((r) => r.refreshToken);
    expect(spent).toHaveLength(1);
    const tables: { table_name: string }[] = await t.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    let dump = '';
    for (const { table_name } of tables) {
      dump += JSON.stringify(await t.dataSource.query(`SELECT * FROM "${table_name}"`));
    }
    expect(dump).toContain('v1:');
    for (const token of spent) expect(dump).not.toContain(token);
    expect(dump).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(dump).not.toContain('def50200');
  });

  it('refreshes an expired token exactly once for 20 concurrent callers', async () => {
    await connectAmo(server, sb);
    await expireStoredToken(t.dataSource, sb);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(server).get('/api/integrations/amo-crm/test').set(admin),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(sb.refreshLog()).toEqual([expect.objectContaining({ outcome: 'ok' })]);
  });

  it('forces one refresh after a 401 on a token amoCRM stopped accepting', async () => {
    await connectAmo(server, sb);
    sb.expireAccessTokens();
    await request(server).get('/api/integrations/amo-crm/test').set(admin).expect(200);
    expect(sb.refreshLog().map((r) => r.outcome)).toEqual(['ok']);
  });

  // The embedded database admits one process (folder lock) and one connection, so two
  // instances can only meet on a PostgreSQL server; CI runs this against one.

  itOnServer('refreshes exactly once across two app instances on one database', async () => {
    await connectAmo(server, sb);
    const other = await createTestApp(amoEnv(sb));
    try {
      await expireStoredToken(t.dataSource, sb);
      const servers = [server, other.app.getHttpServer() as App];
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          request(servers[i % 2])
            .get('/api/integrations/amo-crm/test')
            .set(admin),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
      expect(sb.refreshLog().map((r) => r.outcome)).toEqual(['ok']);
    } finally {
      await other.close();
    }
  });

  it('marks a revoked grant REAUTH_REQUIRED once and says so', async () => {
    await connectAmo(server, sb);
    sb.revokeGrant();
    await expireStoredToken(t.dataSource, sb);
    const res = await request(server).get('/api/integrations/amo-crm/test').set(admin).expect(409);
    expect(res.body.message).toContain('re-authorization');
    expect((await tokenRow()).state).toBe('REAUTH_REQUIRED');
    const attempts = sb.refreshLog().length;
    await request(server).get('/api/integrations/amo-crm/test').set(admin).expect(409);
    expect(sb.refreshLog().length).toBe(attempts);
    const health = await request(server).get('/api/health/details').set(admin).expect(200);
    expect(health.body.amoCrm.state).toBe('REAUTH_REQUIRED');
  });

  it('never lets more than 7 requests reach amoCRM in any rolling second', async () => {
    await connectAmo(server, sb);
    sb.resetLog();
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        request(server).get('/api/integrations/amo-crm/test').set(admin),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(sb.requestLog().length).toBeGreaterThanOrEqual(30);
    expect(maxRequestsInAnySecond(sb)).toBeLessThanOrEqual(7);
    expect(sb.requestLog().filter((r) => r.status === 429)).toEqual([]);
  });

  it('waits out a 429 and then succeeds', async () => {
    await connectAmo(server, sb);
    sb.failNext({ path: '/api/v4/account', count: 1, status: 429 });
    const started = Date.now();
    await request(server).get('/api/integrations/amo-crm/test').set(admin).expect(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(
      sb
        .requestLog()
        .filter((r) => r.path === '/api/v4/account')
        .map((r) => r.status),
    ).toEqual([200, 429, 200]);
  });

  it('disconnects on a correctly signed access-revoked hook and ignores a bad signature', async () => {
    await connectAmo(server, sb);
    const sign = (msg: string) => createHmac('sha256', sb.clientSecret).update(msg).digest('hex');
    const query = { client_uuid: sb.clientId, account_id: String(sb.accountId) };
    await request(server)
      .get('/api/integrations/amo-crm/disconnect')
      .query({ ...query, signature: sign('x|y') })
      .expect(403);
    expect((await tokenRow()).state).toBe('CONNECTED');
    await request(server)
      .get('/api/integrations/amo-crm/disconnect')
      .query({ ...query, signature: sign(`${sb.clientId}|${sb.accountId}`) })
      .expect(200);
    const row = await tokenRow();
    expect(row).toMatchObject({
      state: 'DISCONNECTED',
      access_token_enc: null,
      refresh_token_enc: null,
    });
    await request(server).get('/api/integrations/amo-crm/test').set(admin).expect(409);
  });

  it('says when it is not connected yet', async () => {
    const res = await request(server).get('/api/integrations/amo-crm/test').set(admin).expect(409);
    expect(res.body.message).toContain('not connected');
  });
});

describe('amoCRM connection with a foreign account or none', () => {
  it('refuses a foreign account with 403 and keeps no tokens', async () => {
    const sb = await startAmo();
    const t = await createTestApp(amoEnv(sb, { AMO_ACCOUNT_ID: String(sb.accountId + 1) }));
    try {
      await truncateAll(t.dataSource);
      const res = await request(t.app.getHttpServer() as App)
        .get('/api/integrations/amo-crm/callback')
        .query({ code: sb.issueAuthCode(), referer: sb.baseDomain })
        .expect(403);
      expect(res.body.message).toContain(String(sb.accountId));
      expect(await t.dataSource.query('SELECT * FROM amo_tokens')).toEqual([]);
    } finally {
      await t.close();
      await sb.stop();
    }
  });

  it('says the integration is not configured when AMO_* are unset', async () => {
    const t = await createTestApp();
    try {
      const res = await request(t.app.getHttpServer() as App)
        .get('/api/integrations/amo-crm/test')
        .set(admin)
        .expect(503);
      expect(res.body.message).toContain('not configured');
      const health = await request(t.app.getHttpServer() as App)
        .get('/api/health/details')
        .set(admin)
        .expect(200);
      expect(health.body.amoCrm.state).toBe('NOT_CONFIGURED');
    } finally {
      await t.close();
    }
  });
});
