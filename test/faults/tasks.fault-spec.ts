import { ChildProcess } from 'node:child_process';
import { AmoSandbox, SANDBOX_FIXTURES } from '../../sandbox';
import { connectAmo, startAmo } from '../helpers/amo';
import { spawnAppProcess } from '../helpers/app-process';
import { ADMIN_KEY, createTestApp, TestApp, truncateAll } from '../helpers/test-app';
import { describeOnServer, eventually, faultEnv, syncIdle } from './fault-helpers';

const LEADS = 20;
const U = SANDBOX_FIXTURES.users;
const MAPPING = JSON.stringify({
  fields: { ourLeadId: SANDBOX_FIXTURES.leadFields.ourLeadId },
  managers: { roundRobin: [U.manager, U.manager3] },
});

/** Inserts leads with their CREATE jobs, as the lead form would. */
async function seedLeads(t: TestApp, n: number): Promise<void> {
  const [{ id }]: { id: string }[] = await t.dataSource.query(
    `INSERT INTO properties (title, price, currency) VALUES ('Task-test flat', 1000000, 'RUB') RETURNING id`,
  );
  await t.dataSource.query(
    `WITH l AS (
       INSERT INTO leads (property_id, guest_name, guest_phone, contact_method, contact_time, sync_state)
       SELECT $1, 'Guest ' || g, '+7917' || lpad(g::text, 7, '0'), 'PHONE', 'EVENING', 'PENDING'
         FROM generate_series(1, $2) AS g
       RETURNING id, number)
     INSERT INTO amo_sync_jobs (lead_id, kind) SELECT id, 'CREATE' FROM l ORDER BY number`,
    [id, n],
  );
}

/** Callback tasks per amoCRM lead of ours: every lead must have exactly one. */
async function tasksPerLead(t: TestApp, sb: AmoSandbox): Promise<number[]> {
  const rows: { amo_lead_id: string }[] = await t.dataSource.query(
    `SELECT amo_lead_id FROM leads ORDER BY number`,
  );
  const tasks = sb.tasks();
  return rows.map((r) => tasks.filter((x) => x.entity_id === Number(r.amo_lead_id)).length);
}

describe('Fault: the answer to a task request is lost after amoCRM created the tasks', () => {
  let sb: AmoSandbox;
  let t: TestApp;

  beforeAll(async () => {
    sb = await startAmo();
    t = await createTestApp(faultEnv(sb, { AMO_MAPPING_JSON: MAPPING }));
    await truncateAll(t.dataSource);
    await connectAmo(t.app.getHttpServer(), sb);
  });
  afterAll(async () => {
    await t.close();
    await sb.stop();
  });

  it('looks the tasks up before sending again: one task per lead', async () => {
    sb.dropAfterCommit({ method: 'POST', path: '/api/v4/tasks', count: 1 });
    await seedLeads(t, LEADS);
    await eventually(() => syncIdle(t.dataSource));
    const dropped = sb.requestLog().filter((r) => r.path === '/api/v4/tasks' && r.dropped);
    expect(dropped).toHaveLength(1);
    expect(sb.requestLog().some((r) => r.path === '/api/v4/tasks' && r.method === 'GET')).toBe(
      true,
    );
    expect(await tasksPerLead(t, sb)).toEqual(new Array(LEADS).fill(1));
  });
});

describeOnServer('Fault: SIGKILL of the app while its task request is in flight', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    sb = await startAmo();
    // This app only connects amoCRM and reads the database; it does not dispatch.
    t = await createTestApp(faultEnv(sb, { SYNC_ENABLED: 'false', AMO_MAPPING_JSON: MAPPING }));
    await truncateAll(t.dataSource);
    await connectAmo(t.app.getHttpServer(), sb);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await t.close();
    await sb.stop();
  });

  it('sends each callback task once after a restart', async () => {
    await seedLeads(t, LEADS);
    // amoCRM answers slowly from the start, so the task request is surely seen in flight
    // (slowing it only once its TASK job exists raced a fast dispatcher)
    sb.setLatency(1500);
    child = (
      await spawnAppProcess({
        ...faultEnv(sb, { AMO_MAPPING_JSON: MAPPING }),
        ADMIN_API_KEY: ADMIN_KEY,
        MIGRATIONS_RUN: 'false',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
      })
    ).child;
    // the creates are recorded with their TASK jobs
    await eventually(async () => {
      const [{ n }]: { n: number }[] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE kind = 'TASK'`,
      );
      return n > 0;
    });
    // the task request has reached amoCRM, which is still working on it
    await eventually(() =>
      sb.inFlight().some((r) => r.method === 'POST' && r.path === '/api/v4/tasks'),
    );
    child.kill('SIGKILL');
    await new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    child = null;
    // amoCRM finishes what it received although nobody hears the answer
    await eventually(() =>
      sb.requestLog().some((r) => r.method === 'POST' && r.path === '/api/v4/tasks'),
    );
    const tasksBeforeRestart = sb.tasks().length;
    sb.setLatency(0);

    const restarted = await createTestApp(faultEnv(sb, { AMO_MAPPING_JSON: MAPPING }));
    try {
      await eventually(() => syncIdle(t.dataSource));
    } finally {
      await restarted.close();
    }
    expect(tasksBeforeRestart).toBeGreaterThan(0);
    expect(await tasksPerLead(t, sb)).toEqual(new Array(LEADS).fill(1));
  });
});
