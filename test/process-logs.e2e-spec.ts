import { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AmoSandbox } from '../sandbox';
import { amoEnv, startAmo, TEST_WEBHOOK_SECRET } from './helpers/amo';
import { ADMIN_KEY } from './helpers/test-app';
import { AppProcess, spawnAppProcess } from './helpers/app-process';

/**
 * The real entry point as a user runs it: its own embedded database in a new folder, debug
 * logging, a full lead round trip, then SIGTERM. Its output must hold no personal data and no
 * secret, and it must stop cleanly.
 */
const DISGUISED = 'disguisedSecretValue';

describe('The app process', () => {
  let sb: AmoSandbox;
  let child: ChildProcess;
  let app: AppProcess;
  let base = '';
  const dataDir = join(mkdtempSync(join(tmpdir(), 'leads-proc-')), 'pg');

  beforeAll(async () => {
    sb = await startAmo();
    app = await spawnAppProcess({
      ...amoEnv(sb),
      DATABASE_URL: '',
      TEST_DATABASE_URL: '',
      EMBEDDED_DB_DIR: dataDir,
      ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'debug',
      NODE_ENV: 'development',
      SYNC_POLL_INTERVAL_MS: '200',
    });
    child = app.child;
    base = app.url;
    // a cold embedded database and ts-node on a busy machine can take well over a minute
    const until = Date.now() + 150_000;
    while (!app.output().includes('listening on') && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    expect(app.output()).toContain('listening on');
  }, 180_000);
  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await sb.stop();
    rmSync(dirname(dataDir), { recursive: true, force: true });
  });

  it('logs no phone, e-mail, token or secret through a full lead round trip, and stops cleanly on SIGTERM', async () => {
    const admin = { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' };
    const code = sb.issueAuthCode();
    const cb = await fetch(
      `${base}/api/integrations/amo-crm/callback?code=${code}&referer=${sb.baseDomain}`,
    );
    expect(cb.status).toBe(200);
    const property = (await (
      await fetch(`${base}/api/properties`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ title: 'Log flat', price: 1 }),
      })
    ).json()) as { id: string };
    const lead = await fetch(`${base}/api/leads`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        propertyId: property.id,
        guestName: 'Private Person',
        guestPhone: '+7 916 123-45-67',
        guestEmail: 'private.person@example.org',
        contactMethod: 'PHONE',
        comment: 'call me',
      }),
    });
    expect(lead.status).toBe(201);
    const { id } = (await lead.json()) as { id: string };
    const until = Date.now() + 20_000;
    let state = '';
    while (state !== 'SYNCED' && Date.now() < until) {
      state = (
        (await (await fetch(`${base}/api/leads/${id}`, { headers: admin })).json()) as {
          sync: { state: string };
        }
      ).sync.state;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('SYNCED');
    // a request whose URL carries the webhook secret, answered or not, must not leak it
    await fetch(`${base}/api/integrations/amo-crm/webhook?secret=${TEST_WEBHOOK_SECRET}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `account[id]=${sb.accountId}`,
    });
    await fetch(`${base}/api/integrations/amo-crm/callback?code=used-code-${code}`);
    // the same secrets under disguised parameter names, on routes that answer 4xx
    const disguised = [
      `secret[]=${DISGUISED}a`,
      `secret%5B0%5D=${DISGUISED}b`,
      `SECRET=${DISGUISED}c`,
      `access_token=${DISGUISED}d`,
      `accessToken=${DISGUISED}e`,
      `key=${DISGUISED}f`,
      `password=${DISGUISED}g`,
      `token=${DISGUISED}h`,
    ];
    for (const q of disguised) {
      await fetch(`${base}/api/integrations/amo-crm/webhook?${q}`, { method: 'POST' });
      await fetch(`${base}/api/properties?${q}`);
    }

    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dataDir, '.lock'))).toBe(false);

    expect(app.output()).toContain('request completed');
    for (const secret of [
      '9161234567',
      '123-45-67',
      'private.person',
      'Private Person',
      TEST_WEBHOOK_SECRET,
      sb.clientSecret,
      code,
      ADMIN_KEY,
    ]) {
      expect(app.output()).not.toContain(secret);
    }
    expect(app.output()).not.toContain(DISGUISED);
    // the requests were logged, with the values masked
    expect(app.output()).toContain('/api/properties?');
    expect(app.output()).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(app.output()).not.toContain('def50200');
  });
});
