import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { AmoSandbox, SANDBOX_FIXTURES } from '../sandbox';
import { amoEnv, connectAmo, startAmo } from './helpers/amo';
import { ADMIN_KEY, createTestApp, TestApp, truncateAll } from './helpers/test-app';

/** A child process needs a database it can share with this one: a PostgreSQL server. */
const describeOnServer = process.env.TEST_DB_KIND === 'server' ? describe : describe.skip;

const MAPPING = JSON.stringify({ fields: { ourLeadId: SANDBOX_FIXTURES.leadFields.ourLeadId } });
const LEADS = 150;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

describeOnServer('Outbound sync survives SIGKILL mid-batch', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let child: ChildProcess | null = null;

  const env = (sandbox: AmoSandbox, extra: Record<string, string> = {}) =>
    amoEnv(sandbox, {
      AMO_MAPPING_JSON: MAPPING,
      SYNC_POLL_INTERVAL_MS: '200',
      SYNC_LEASE_SEC: '2',
      SYNC_CONTACTS_FRESH_MS: '0',
      ...extra,
    });

  beforeAll(async () => {
    sb = await startAmo();
    // This app only connects amoCRM and reads the database; it does not dispatch.
    t = await createTestApp(env(sb, { SYNC_ENABLED: 'false' }));
    await truncateAll(t.dataSource);
    await connectAmo(t.app.getHttpServer(), sb);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await t.close();
    await sb.stop();
  });

  it('delivers every lead exactly once after the process is killed during a create batch', async () => {
    const [{ id: propertyId }]: { id: string }[] = await t.dataSource.query(
      `INSERT INTO properties (title, price, currency) VALUES ('Crash-test flat', 1000000, 'RUB') RETURNING id`,
    );
    await t.dataSource.query(
      `WITH l AS (
         INSERT INTO leads (property_id, guest_name, guest_phone, contact_method, contact_time, sync_state)
         SELECT $1, 'Guest ' || g, '+7916' || lpad(g::text, 7, '0'), 'PHONE', 'ANY_TIME', 'PENDING'
           FROM generate_series(1, $2) AS g
         RETURNING id, number)
       INSERT INTO amo_sync_jobs (lead_id, kind) SELECT id, 'CREATE' FROM l ORDER BY number`,
      [propertyId, LEADS],
    );

    // Each amoCRM request now takes 1.5 s, so the batch is surely in flight when the kill comes.
    sb.resetLog();
    sb.setLatency(1500);
    const port = await freePort();
    child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(__dirname, '..', 'src', 'main.ts')],
      {
        cwd: join(__dirname, '..'),
        env: {
          ...process.env,
          ...env(sb),
          ADMIN_API_KEY: ADMIN_KEY,
          PORT: String(port),
          HOST: '127.0.0.1',
          MIGRATIONS_RUN: 'false',
          LOG_LEVEL: 'silent',
          NODE_ENV: 'test',
        },
        stdio: 'ignore',
      },
    );
    // the contacts pull is admitted first; the complex create is sent right after it
    await eventually(() => sb.requestLog().some((r) => r.path === '/api/v4/contacts'));
    await new Promise((r) => setTimeout(r, 400));
    const running: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE state = 'RUNNING'`,
    );
    expect(running[0].n).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    child = null;
    // amoCRM finishes what it received although nobody hears the answer
    await eventually(() => sb.requestLog().some((r) => r.path === '/api/v4/leads/complex'));
    const createdBeforeRestart = sb.leads().length;
    sb.setLatency(0);

    const restarted = await createTestApp(env(sb));
    try {
      await eventually(async () => {
        const [{ n }]: { n: number }[] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE state <> 'DONE'`,
        );
        return n === 0;
      });
    } finally {
      await restarted.close();
    }
    const local: { id: string; amo_lead_id: string | null }[] = await t.dataSource.query(
      'SELECT id, amo_lead_id FROM leads',
    );
    const markers = sb
      .leads()
      .map(
        (l) =>
          l.custom_fields_values?.find((f) => f.field_id === SANDBOX_FIXTURES.leadFields.ourLeadId)
            ?.values[0].value,
      );
    const lost = local.filter((l) => !markers.includes(l.id)).length;
    const duplicated = local.filter((l) => markers.filter((m) => m === l.id).length > 1).length;
    process.stdout.write(
      `SIGKILL mid-batch: ${createdBeforeRestart} created before restart, lost ${lost}, duplicated ${duplicated}\n`,
    );
    expect(createdBeforeRestart).toBeGreaterThan(0);
    expect({ lost, duplicated, total: sb.leads().length }).toEqual({
      lost: 0,
      duplicated: 0,
      total: LEADS,
    });
    expect(local.every((l) => l.amo_lead_id !== null)).toBe(true);
  });
});
