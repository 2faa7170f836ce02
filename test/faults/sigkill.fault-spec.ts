import { ChildProcess } from 'node:child_process';
import { AmoSandbox } from '../../sandbox';
import { connectAmo, startAmo } from '../helpers/amo';
import { ADMIN_KEY, createTestApp, TestApp, truncateAll } from '../helpers/test-app';
import {
  countLossAndDuplicates,
  describeOnServer,
  eventually,
  faultEnv,
  syncIdle,
} from './fault-helpers';
import { spawnAppProcess } from '../helpers/app-process';

const LEADS = 150;

describeOnServer('Fault: SIGKILL of the app in the middle of a create batch', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    sb = await startAmo();
    // This app only connects amoCRM and reads the database; it does not dispatch.
    t = await createTestApp(faultEnv(sb, { SYNC_ENABLED: 'false' }));
    await truncateAll(t.dataSource);
    await connectAmo(t.app.getHttpServer(), sb);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await t.close();
    await sb.stop();
  });

  it('delivers every lead exactly once after a restart', async () => {
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
    child = (
      await spawnAppProcess({
        ...faultEnv(sb),
        ADMIN_API_KEY: ADMIN_KEY,
        MIGRATIONS_RUN: 'false',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
      })
    ).child;
    // the contacts pull is admitted first; the complex create is sent right after it
    await eventually(() => sb.requestLog().some((r) => r.path === '/api/v4/contacts'));
    await new Promise((r) => setTimeout(r, 400));
    const [{ n: running }]: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE state = 'RUNNING'`,
    );
    expect(running).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    child = null;
    // amoCRM finishes what it received although nobody hears the answer
    await eventually(() => sb.requestLog().some((r) => r.path === '/api/v4/leads/complex'));
    const createdBeforeRestart = sb.leads().length;
    sb.setLatency(0);

    const restarted = await createTestApp(faultEnv(sb));
    try {
      await eventually(() => syncIdle(t.dataSource));
    } finally {
      await restarted.close();
    }
    expect(createdBeforeRestart).toBeGreaterThan(0);
    const report = await countLossAndDuplicates(
      `SIGKILL mid-batch (${createdBeforeRestart} created before the kill)`,
      t.dataSource,
      sb,
    );
    expect(report).toEqual({ leads: LEADS, lost: 0, duplicated: 0 });
    expect(sb.leads()).toHaveLength(LEADS);
  });
});
