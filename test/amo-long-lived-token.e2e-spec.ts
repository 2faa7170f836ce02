import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox } from '../sandbox';
import { amoEnv, connectAmo, startAmo, TEST_ENCRYPTION_KEY } from './helpers/amo';
import { spawnAppProcess } from './helpers/app-process';
import { admin, createProperty, leadBody } from './helpers/factories';
import { createTestApp, TestApp, truncateAll } from './helpers/test-app';
import { eventually } from './helpers/wait';

/** The app in long-lived-token mode: no OAuth setting at all. */
function longLivedEnv(sb: AmoSandbox, token: string): Record<string, string | undefined> {
  return {
    AMO_DOMAIN: sb.baseDomain,
    AMO_ACCOUNT_ID: String(sb.accountId),
    AMO_BASE_URL: sb.url,
    AMO_LONG_LIVED_TOKEN: token,
    TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    AMO_CLIENT_ID: undefined,
    AMO_CLIENT_SECRET: undefined,
    AMO_REDIRECT_URI: undefined,
    SYNC_POLL_INTERVAL_MS: '200',
    SYNC_BACKOFF_BASE_MS: '50',
    SYNC_BACKOFF_CAP_MS: '300',
  };
}

interface Connection {
  state: string;
  authMode: string | null;
  tokenExpiresAt: string | null;
  lastError: string | null;
}

describe('amoCRM with a long-lived token', () => {
  let sb: AmoSandbox;
  let t: TestApp | null = null;
  let server: App;

  const boot = async (token: string): Promise<void> => {
    t = await createTestApp(longLivedEnv(sb, token));
    server = t.app.getHttpServer();
  };
  const connection = async (): Promise<Connection> =>
    (await request(server).get('/api/integrations/amo-crm/sync').set(admin).expect(200)).body
      .connection as Connection;
  const jobsIn = async (state: string): Promise<number> =>
    (
      await t!.dataSource.query(`SELECT count(*)::int AS n FROM amo_sync_jobs WHERE state = $1`, [
        state,
      ])
    )[0].n as number;

  const unfinished = async (): Promise<number> =>
    (await jobsIn('PENDING')) + (await jobsIn('RUNNING')) + (await jobsIn('HELD'));

  beforeAll(async () => {
    sb = await startAmo();
    // rows of earlier specs (contacts of another sandbox among them) must not meet this account
    const clean = await createTestApp();
    await truncateAll(clean.dataSource);
    await clean.close();
  });
  afterAll(async () => {
    await t?.close();
    await sb.stop();
  });
  beforeEach(async () => {
    sb.clearFaults();
    sb.resetLog();
  });
  afterEach(async () => {
    if (t) {
      await truncateAll(t.dataSource);
      await t.close();
      t = null;
    }
  });

  it('connects at boot with the token, syncs a lead, and never calls the OAuth endpoints', async () => {
    const issued = sb.issueLongLivedToken(200 * 86400);
    await boot(issued.token);
    await eventually(async () => (await connection()).state === 'CONNECTED');
    const expiresAt = new Date(issued.expiresAt * 1000).toISOString();
    expect(await connection()).toMatchObject({
      authMode: 'LONG_LIVED',
      tokenExpiresAt: expiresAt,
      lastError: null,
    });
    const test = await request(server).get('/api/integrations/amo-crm/test').set(admin).expect(200);
    expect(test.body).toMatchObject({
      connected: true,
      accountId: sb.accountId,
      authMode: 'LONG_LIVED',
      tokenExpiresAt: expiresAt,
      tokenExpiryWarning: null,
    });

    const property = await createProperty(server);
    const lead = await request(server).post('/api/leads').send(leadBody(property.id)).expect(201);
    await eventually(async () => {
      const res = await request(server).get(`/api/leads/${lead.body.id}`).set(admin);
      return res.body.sync.state === 'SYNCED';
    });
    const name = `Lead #${lead.body.number} - ${property.title}`;
    expect(sb.leads().filter((l) => l.name === name)).toHaveLength(1);

    // stored encrypted and alone: no refresh token, the raw value nowhere in the row
    const [row] = await t!.dataSource.query(`SELECT * FROM amo_tokens`);
    expect(row).toMatchObject({ auth_mode: 'LONG_LIVED', refresh_token_enc: null });
    expect(JSON.stringify(row)).not.toContain(issued.token);
    expect(sb.requestLog().filter((r) => r.path.startsWith('/oauth2/'))).toEqual([]);

    const authorize = await request(server)
      .get('/api/integrations/amo-crm/authorize')
      .set(admin)
      .expect(409);
    expect(authorize.body.message).toMatch(/long-lived token \(AMO_LONG_LIVED_TOKEN\)/);
  });

  it('holds jobs when amoCRM rejects the token, and drains them with nothing lost after a restart with a new one', async () => {
    const first = sb.issueLongLivedToken();
    await boot(first.token);
    await eventually(async () => (await connection()).state === 'CONNECTED');
    const property = await createProperty(server);
    const notesBefore = sb.notes().length;
    const before = await request(server).post('/api/leads').send(leadBody(property.id)).expect(201);
    // the create and its note (sent right after it), so that only the leads below wait
    await eventually(
      async () => sb.notes().length === notesBefore + 1 && (await unfinished()) === 0,
    );
    const baseline = sb.leads().length;

    sb.expireAccessTokens(); // the token is past its expiry at amoCRM: 401 from now on
    const numbers: number[] = [before.body.number as number];
    for (let i = 0; i < 5; i++) {
      const res = await request(server).post('/api/leads').send(leadBody(property.id)).expect(201);
      numbers.push(res.body.number as number);
    }
    await eventually(async () => (await jobsIn('HELD')) === 5);
    const held = await connection();
    expect(held).toMatchObject({ state: 'REAUTH_REQUIRED', authMode: 'LONG_LIVED' });
    expect(held.lastError).toMatch(/rejected the long-lived token.*AMO_LONG_LIVED_TOKEN/);
    const attempts = await t!.dataSource.query(
      `SELECT DISTINCT attempts FROM amo_sync_jobs WHERE state = 'HELD'`,
    );
    expect(attempts).toEqual([{ attempts: 0 }]);
    const leads = await request(server).get('/api/leads').set(admin).expect(200);
    const waiting = (
      leads.body.items as { sync: { state: string; error: string | null } }[]
    ).filter((l) => l.sync.state !== 'SYNCED');
    expect(waiting).toHaveLength(5);
    for (const l of waiting) expect(l.sync.error).toMatch(/long-lived token/);
    expect(sb.leads().length).toBe(baseline);

    // the same value after a restart stays rejected: nothing is retried against amoCRM
    await t!.close();
    await boot(first.token);
    expect((await connection()).state).toBe('REAUTH_REQUIRED');
    expect(await jobsIn('HELD')).toBe(5);

    // a new token in the environment and a restart: replaced, checked, drained
    await t!.close();
    const second = sb.issueLongLivedToken();
    await boot(second.token);
    await eventually(async () => (await unfinished()) === 0 && sb.leads().length === baseline + 5);
    expect(await connection()).toMatchObject({
      state: 'CONNECTED',
      tokenExpiresAt: new Date(second.expiresAt * 1000).toISOString(),
      lastError: null,
    });
    for (const n of numbers) {
      const name = `Lead #${n} - ${property.title}`;
      expect(sb.leads().filter((l) => l.name === name)).toHaveLength(1);
    }
    expect(sb.leads().length).toBe(baseline + 5);
    expect(sb.notes().length).toBe(notesBefore + 6);
  });

  it('warns in the views from 14 days before expiry, and holds a token past its expiry without asking amoCRM', async () => {
    const issued = sb.issueLongLivedToken(10 * 86400);
    await boot(issued.token);
    await eventually(async () => (await connection()).state === 'CONNECTED');
    const view = (await request(server).get('/api/integrations/amo-crm/sync').set(admin)).body;
    expect(view.connection.tokenExpiryWarning).toMatch(/expires in 9 days/);
    const test = await request(server).get('/api/integrations/amo-crm/test').set(admin).expect(200);
    expect(test.body.tokenExpiryWarning).toMatch(/expires in 9 days/);

    // the stored expiry has passed (as it would after 10 days): no request leaves
    await t!.dataSource.query(`UPDATE amo_tokens SET expires_at = now() - interval '1 minute'`);
    sb.resetLog();
    const property = await createProperty(server);
    await request(server).post('/api/leads').send(leadBody(property.id)).expect(201);
    await eventually(async () => (await jobsIn('HELD')) === 1);
    expect((await connection()).lastError).toMatch(/the long-lived token expired at/);
    expect(sb.requestLog()).toEqual([]);
  });

  it('boots while amoCRM is down, shows why it is not connected, and connects when amoCRM answers', async () => {
    const issued = sb.issueLongLivedToken();
    sb.setOutage(true);
    await boot(issued.token);
    await eventually(async () => (await connection()).state === 'DISCONNECTED');
    expect((await connection()).lastError).toMatch(
      /could not check the long-lived token with amoCRM yet .*503.*next try in 5 s/,
    );
    const property = await createProperty(server);
    const lead = await request(server).post('/api/leads').send(leadBody(property.id)).expect(201);
    await eventually(async () => (await jobsIn('HELD')) === 1);
    const held = await request(server).get(`/api/leads/${lead.body.id}`).set(admin);
    expect(held.body.sync.error).toMatch(/could not check the long-lived token/);

    sb.setOutage(false);
    await eventually(async () => {
      const res = await request(server).get(`/api/leads/${lead.body.id}`).set(admin);
      return res.body.sync.state === 'SYNCED';
    });
    expect(await connection()).toMatchObject({ state: 'CONNECTED', lastError: null });
  });

  it('retires the stored long-lived token when the app is switched back to OAuth', async () => {
    await boot(sb.issueLongLivedToken().token);
    await eventually(async () => (await connection()).state === 'CONNECTED');
    await t!.close();
    t = await createTestApp(amoEnv(sb));
    server = t.app.getHttpServer();
    await eventually(async () => (await connection()).state === 'DISCONNECTED');
    expect((await connection()).lastError).toMatch(
      /connect through \/api\/integrations\/amo-crm\/authorize/,
    );
    const [row] = await t.dataSource.query(`SELECT access_token_enc FROM amo_tokens`);
    expect(row.access_token_enc).toBeNull();
    await connectAmo(server, sb);
    expect(await connection()).toMatchObject({ state: 'CONNECTED', authMode: 'OAUTH' });
  });

  it('keeps no token of another account and says so in the sync view', async () => {
    const other = await startAmo({ accountId: 31000999 });
    try {
      const foreign = other.issueLongLivedToken();
      t = await createTestApp({
        ...longLivedEnv(other, foreign.token),
        AMO_ACCOUNT_ID: String(sb.accountId),
      });
      server = t.app.getHttpServer();
      await eventually(async () => (await connection()).state === 'REAUTH_REQUIRED');
      expect((await connection()).lastError).toMatch(
        /belongs to amoCRM account 31000999, not AMO_ACCOUNT_ID 31000001/,
      );
      const [row] = await t.dataSource.query(`SELECT access_token_enc FROM amo_tokens`);
      expect(row.access_token_enc).toBeNull();
    } finally {
      await t?.close();
      t = null;
      await other.stop();
    }
  });
});

describe('connection mode at boot (the real entry point)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'leads-mode-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Starts src/main.ts and resolves with its exit code and output once it has stopped. */
  const run = async (
    env: Record<string, string>,
  ): Promise<{ code: number | null; out: string }> => {
    const app = await spawnAppProcess({
      DATABASE_URL: '',
      TEST_DATABASE_URL: '',
      EMBEDDED_DB_DIR: dataDir,
      LOG_LEVEL: 'info',
      TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      AMO_DOMAIN: 'agency.amocrm.ru',
      AMO_ACCOUNT_ID: '31000001',
      ...env,
    });
    const code = await new Promise<number | null>((resolve) => {
      if (app.child.exitCode !== null) resolve(app.child.exitCode);
      else app.child.once('exit', (c) => resolve(c));
    });
    return { code, out: app.output() };
  };
  const oauth = {
    AMO_CLIENT_ID: 'client-id',
    AMO_CLIENT_SECRET: 'client-secret',
    AMO_REDIRECT_URI: 'http://127.0.0.1:3000/api/integrations/amo-crm/callback',
  };
  const token = (): string => {
    const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    return `${part({ alg: 'RS256' })}.${part({ exp: 1_900_000_000 })}.c2ln`;
  };

  it('refuses to boot with both modes configured, naming the variables', async () => {
    const secret = token();
    const { code, out } = await run({ ...oauth, AMO_LONG_LIVED_TOKEN: secret });
    expect(code).not.toBe(0);
    expect(out).toContain(
      'amoCRM is configured twice: AMO_LONG_LIVED_TOKEN and the OAuth settings',
    );
    expect(out).not.toContain(secret);
  });

  it('refuses to boot when neither mode is complete, saying what each needs', async () => {
    const { code, out } = await run({ AMO_CLIENT_ID: 'client-id' });
    expect(code).not.toBe(0);
    expect(out).toContain(
      'neither connection mode is complete: for OAuth also set AMO_CLIENT_SECRET, AMO_REDIRECT_URI',
    );
  });

  it('logs the expiry warning when the token has less than 14 days left, and never the token', async () => {
    const sb = await startAmo();
    const issued = sb.issueLongLivedToken(3 * 86400 - 600);
    const app = await spawnAppProcess({
      DATABASE_URL: '',
      TEST_DATABASE_URL: '',
      EMBEDDED_DB_DIR: join(dataDir, 'warning'),
      LOG_LEVEL: 'info',
      ...longLivedEnv(sb, issued.token),
    });
    try {
      await eventually(() => app.output().includes('expires in 2 days'), 60_000);
      expect(app.output()).toContain('connected with a long-lived token valid until');
      expect(app.output()).not.toContain(issued.token);
    } finally {
      if (app.child.exitCode === null) {
        const exited = new Promise((resolve) => app.child.once('exit', resolve));
        app.child.kill('SIGTERM');
        await exited;
      }
      await sb.stop();
    }
  });
});
