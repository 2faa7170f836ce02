import { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox } from '../../sandbox';
import { spawnAppProcess } from '../helpers/app-process';
import { connectAmo, startAmo } from '../helpers/amo';
import { createProperty, leadBody } from '../helpers/factories';
import { ADMIN_KEY, createTestApp, TestApp, truncateAll } from '../helpers/test-app';
import {
  countLossAndDuplicates,
  describeOnServer,
  eventually,
  faultEnv,
  LossReport,
} from './fault-helpers';

const INCOMING = { AMO_LEAD_TARGET: 'incoming', SYNC_INCOMING_RECHECK_MS: '200' };

/** Every create is done (the comments' notes wait for acceptance, so the queue is not empty). */
async function createsDone(t: TestApp): Promise<boolean> {
  const [{ n }]: { n: number }[] = await t.dataSource.query(
    `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE kind = 'CREATE' AND state <> 'DONE'`,
  );
  return n === 0;
}

/** Lost and duplicated leads, counted on the amoCRM leads and on the incoming entries. */
async function incomingReport(
  name: string,
  t: TestApp,
  sb: AmoSandbox,
  ids?: string[],
): Promise<LossReport & { entries: number; waiting: number }> {
  const report = await countLossAndDuplicates(name, t.dataSource, sb, ids);
  const perLead = new Map<string, number>();
  for (const e of sb.incomingLeads())
    perLead.set(e.source_uid, (perLead.get(e.source_uid) ?? 0) + 1);
  const local: { id: string; amo_incoming_state: string | null }[] = await t.dataSource.query(
    'SELECT id, amo_incoming_state FROM leads',
  );
  const wanted = ids ?? local.map((l) => l.id);
  const oneEach = wanted.filter((id) => perLead.get(id) === 1).length;
  const waiting = local.filter((l) => l.amo_incoming_state === 'WAITING').length;
  process.stdout.write(
    `[fault] ${name}: entries with exactly one each ${oneEach}, waiting ${waiting}\n`,
  );
  return { ...report, entries: oneEach, waiting };
}

describe('Fault: incoming-leads mode, amoCRM applies entries whose answers are lost', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let server: App;

  beforeAll(async () => {
    sb = await startAmo();
    t = await createTestApp(faultEnv(sb, INCOMING));
    server = t.app.getHttpServer();
    await truncateAll(t.dataSource);
    await connectAmo(server, sb);
  });
  afterAll(async () => {
    await t.close();
    await sb.stop();
  });

  it('commit-then-drop: exactly one incoming entry per lead', async () => {
    const { id: propertyId } = await createProperty(server);
    sb.dropAfterCommit({ method: 'POST', path: '/api/v4/leads/unsorted/forms', count: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await request(server).post('/api/leads').send(leadBody(propertyId)).expect(201);
      ids.push((res.body as { id: string }).id);
    }
    await eventually(() => createsDone(t));
    expect(sb.requestLog().filter((r) => r.dropped).length).toBeGreaterThan(0);
    expect(await incomingReport('incoming commit-then-drop', t, sb, ids)).toEqual({
      leads: 30,
      lost: 0,
      duplicated: 0,
      entries: 30,
      waiting: 30,
    });
  });
});

describeOnServer('Fault: incoming-leads mode, SIGKILL of the app mid-batch', () => {
  const LEADS = 150;
  let sb: AmoSandbox;
  let t: TestApp;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    sb = await startAmo();
    // This app only connects amoCRM and reads the database; it does not dispatch.
    t = await createTestApp(faultEnv(sb, { ...INCOMING, SYNC_ENABLED: 'false' }));
    await truncateAll(t.dataSource);
    await connectAmo(t.app.getHttpServer(), sb);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await t.close();
    await sb.stop();
  });

  it('leaves exactly one incoming entry per lead after a restart', async () => {
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
    sb.resetLog();
    sb.setLatency(1500);
    child = (
      await spawnAppProcess({
        ...faultEnv(sb, INCOMING),
        ADMIN_API_KEY: ADMIN_KEY,
        MIGRATIONS_RUN: 'false',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
      })
    ).child;
    // the mapping (pipelines, fields) is read first; the first batch of entries right after it
    await eventually(() => sb.requestLog().some((r) => r.path === '/api/v4/leads/custom_fields'));
    await new Promise((r) => setTimeout(r, 400));
    const [{ n: running }]: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE state = 'RUNNING'`,
    );
    expect(running).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    child = null;
    await eventually(() => sb.requestLog().some((r) => r.path === '/api/v4/leads/unsorted/forms'));
    const createdBeforeRestart = sb.incomingLeads().length;
    sb.setLatency(0);

    const restarted = await createTestApp(faultEnv(sb, INCOMING));
    try {
      // 50 lookups of unknown outcome at 7 requests a second, then the rest
      await eventually(() => createsDone(t), 60_000);
    } finally {
      await restarted.close();
    }
    expect(createdBeforeRestart).toBeGreaterThan(0);
    const report = await incomingReport(
      `incoming SIGKILL mid-batch (${createdBeforeRestart} entries before the kill)`,
      t,
      sb,
    );
    expect(report).toEqual({
      leads: LEADS,
      lost: 0,
      duplicated: 0,
      entries: LEADS,
      waiting: LEADS,
    });
    expect(sb.incomingLeads()).toHaveLength(LEADS);
  });
});
