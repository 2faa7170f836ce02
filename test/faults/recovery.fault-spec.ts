import { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { AmoSandbox } from '../../sandbox';
import { spawnAppProcess } from '../helpers/app-process';
import { connectAmo, startAmo } from '../helpers/amo';
import { ADMIN_KEY, createTestApp, TestApp, truncateAll } from '../helpers/test-app';
import { countNotes, HttpRelay, queueLeads, startDbRelay, startSlowRelay } from './edge-helpers';
import {
  countLossAndDuplicates,
  describeOnServer,
  eventually,
  faultEnv,
  syncIdle,
} from './fault-helpers';

/** amoCRM's real backoff, so a drain that waits out per-job backoff would show. */
const REAL_BACKOFF = { SYNC_BACKOFF_BASE_MS: '1000', SYNC_BACKOFF_CAP_MS: '300000' };
const OUTAGE_MS = 3_000;
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

const seconds = (ms: number) => (ms / 1000).toFixed(1);

async function jobsWhere(ds: DataSource, where: string): Promise<number> {
  const [{ n }]: { n: number }[] = await ds.query(
    `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE ${where}`,
  );
  return n;
}

describe('Fault: amoCRM down with leads queued', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let server: App;

  beforeAll(async () => {
    sb = await startAmo();
    t = await createTestApp(faultEnv(sb, REAL_BACKOFF));
    server = t.app.getHttpServer();
  });
  afterAll(async () => {
    await t.close();
    await sb.stop();
  });

  async function outage(count: number): Promise<{ afterRecoveryMs: number; probes: number }> {
    await truncateAll(t.dataSource);
    await connectAmo(server, sb);
    sb.setOutage(true);
    sb.resetLog();
    const ids = await queueLeads(t.dataSource, count);
    // the first pass meets the outage; from then on only the probe is sent
    await eventually(async () => {
      const view = (await request(server).get('/api/integrations/amo-crm/sync').set(admin)).body;
      return view.outage !== null;
    });
    const failedOnce = sb.requestLog().length;
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const duringOutage = sb.requestLog().slice(failedOnce);
    sb.setOutage(false);
    const recovered = Date.now();
    await eventually(() => syncIdle(t.dataSource), 30_000);
    const afterRecoveryMs = Date.now() - recovered;
    const report = await countLossAndDuplicates(
      `amoCRM down, ${count} leads queued (drained ${seconds(afterRecoveryMs)} s after recovery, ` +
        `${(count / (afterRecoveryMs / 1000)).toFixed(0)} leads/s)`,
      t.dataSource,
      sb,
      ids,
    );
    expect(report).toEqual({ leads: count, lost: 0, duplicated: 0 });
    // while amoCRM was down only the probe went out, not every job on its own backoff
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(duringOutage.every((r) => r.method === 'GET' && r.path === '/api/v4/account')).toBe(
      true,
    );
    // the outage cost no attempt: every create went through on its first counted one
    expect(await jobsWhere(t.dataSource, `kind = 'CREATE' AND attempts > 1`)).toBe(0);
    return { afterRecoveryMs, probes: duringOutage.length };
  }

  it('holds 20 queued leads behind one probe and releases them all when amoCRM answers', async () => {
    const r = await outage(20);
    process.stdout.write(`[fault] outage of ${OUTAGE_MS} ms: ${r.probes} probes\n`);
  });

  it('drains 300 leads queued during an outage in complex batches of 50', async () => {
    const r = await outage(300);
    process.stdout.write(`[fault] 300 leads: ${seconds(r.afterRecoveryMs)} s after recovery\n`);
    const creates = sb.requestLog().filter((x) => x.path === '/api/v4/leads/complex');
    expect(creates.filter((x) => x.status === 200).length).toBeLessThanOrEqual(300 / 50 + 1);
  });
});

describeOnServer('Fault: SIGKILL of the app, restarted at once', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let child: ChildProcess | null = null;
  let relay: HttpRelay | null = null;

  beforeAll(async () => {
    sb = await startAmo();
    // This app only connects amoCRM and reads the database; it does not dispatch.
    t = await createTestApp(faultEnv(sb, { SYNC_ENABLED: 'false' }));
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await relay?.close();
    await t.close();
    await sb.stop();
  });

  /**
   * The real app in a process of its own, with the default lease of 120 s, talking to amoCRM
   * through a relay that tells when a request has reached amoCRM and when all are answered.
   */
  async function spawnDispatcher(): Promise<void> {
    relay = await startSlowRelay(sb, 0, 0);
    child = (
      await spawnAppProcess({
        ...faultEnv(sb, { SYNC_LEASE_SEC: '120', AMO_BASE_URL: relay.url }),
        ADMIN_API_KEY: ADMIN_KEY,
        MIGRATIONS_RUN: 'false',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
      })
    ).child;
  }

  /** Kills the app once a request to `path` reached amoCRM while jobs match `where`. */
  async function killWhen(path: string, where: string): Promise<number> {
    // the first start of a child pays for compiling the app (slow on a busy machine)
    await eventually(
      async () => relay!.received(path) > 0 && (await jobsWhere(t.dataSource, where)) > 0,
      90_000,
    ).catch(async (err: unknown) => {
      const states: unknown = await t.dataSource.query(
        `SELECT kind, state, outcome_unknown, count(*)::int AS n FROM amo_sync_jobs GROUP BY 1, 2, 3`,
      );
      throw new Error(`${String(err)}; jobs: ${JSON.stringify(states)}`);
    });
    child!.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    child = null;
    // amoCRM finishes what it received although nobody hears the answer
    await eventually(() => relay!.inFlight() === 0);
    await relay!.close();
    relay = null;
    return killedAt;
  }

  async function restartAndDrain(killedAt: number): Promise<number> {
    sb.setLatency(0);
    const restarted = await createTestApp(faultEnv(sb, { SYNC_LEASE_SEC: '120' }));
    try {
      await eventually(() => syncIdle(t.dataSource), 30_000);
    } finally {
      await restarted.close();
    }
    return Date.now() - killedAt;
  }

  beforeEach(async () => {
    await truncateAll(t.dataSource);
    await connectAmo(t.app.getHttpServer(), sb);
    sb.resetLog();
  });

  it('adds every comment exactly once when the app dies while the notes request is in flight', async () => {
    const before = sb.notes().length;
    await queueLeads(t.dataSource, 20, { comment: true });
    sb.setLatency(800);
    await spawnDispatcher();
    // the notes are marked "outcome unknown" just before their request is sent
    const killedAt = await killWhen(
      '/api/v4/leads/notes',
      `kind = 'NOTE' AND state = 'RUNNING' AND outcome_unknown`,
    );
    const appliedBeforeRestart = sb.notes().length - before;
    const tookMs = await restartAndDrain(killedAt);
    const leads = await countLossAndDuplicates(
      `SIGKILL during the notes request (synced ${seconds(tookMs)} s after the kill)`,
      t.dataSource,
      sb,
    );
    const notes = await countNotes(
      `SIGKILL during the notes request (${appliedBeforeRestart} applied before the restart)`,
      t.dataSource,
      sb,
    );
    expect(leads).toEqual({ leads: 20, lost: 0, duplicated: 0 });
    expect(notes).toEqual({ comments: 20, lost: 0, duplicated: 0 });
    expect(sb.notes().length - before).toBe(20);
  });

  it('syncs everything soon after a kill mid-batch, without waiting out the dead leases', async () => {
    const before = sb.leads().length;
    await queueLeads(t.dataSource, 150, { comment: true });
    sb.setLatency(800);
    await spawnDispatcher();
    const killedAt = await killWhen(
      '/api/v4/leads/complex',
      `kind = 'CREATE' AND state = 'RUNNING' AND outcome_unknown`,
    );
    const createdBeforeRestart = sb.leads().length - before;
    const tookMs = await restartAndDrain(killedAt);
    const leads = await countLossAndDuplicates(
      `SIGKILL mid-batch, lease 120 s (${createdBeforeRestart} created before the kill; all synced ${seconds(tookMs)} s after it)`,
      t.dataSource,
      sb,
    );
    const notes = await countNotes('SIGKILL mid-batch', t.dataSource, sb);
    expect(leads).toEqual({ leads: 150, lost: 0, duplicated: 0 });
    expect(notes).toEqual({ comments: 150, lost: 0, duplicated: 0 });
    expect(sb.leads().length - before).toBe(150);
  });
});

describeOnServer('Fault: the database goes away for a moment in the middle of a pass', () => {
  it('gives the claimed jobs back as soon as it answers, not when their lease ends', async () => {
    const sb = await startAmo();
    const relay = await startDbRelay(process.env.DATABASE_URL as string);
    // the checks below read the database directly, not through the relay
    const reader = await createTestApp(faultEnv(sb, { SYNC_ENABLED: 'false' }));
    let t: TestApp | null = null;
    try {
      await truncateAll(reader.dataSource);
      await connectAmo(reader.app.getHttpServer(), sb);
      t = await createTestApp(
        faultEnv(sb, { DATABASE_URL: relay.url, SYNC_LEASE_SEC: '120', DB_POOL_SIZE: '3' }),
      );
      sb.setLatency(800);
      const ids = await queueLeads(reader.dataSource, 100, { comment: true });
      await eventually(
        async () =>
          (await jobsWhere(reader.dataSource, `state = 'RUNNING' AND outcome_unknown`)) > 0,
      );
      relay.cut();
      // amoCRM applies the create; the app cannot record the answer
      await eventually(() => sb.leads().length > 0);
      relay.restore();
      sb.setLatency(0);
      const restoredAt = Date.now();
      await eventually(() => syncIdle(reader.dataSource), 30_000);
      const report = await countLossAndDuplicates(
        `database blip mid-pass, lease 120 s (synced ${seconds(Date.now() - restoredAt)} s after it came back)`,
        reader.dataSource,
        sb,
        ids,
      );
      const notes = await countNotes('database blip mid-pass', reader.dataSource, sb);
      expect(report).toEqual({ leads: 100, lost: 0, duplicated: 0 });
      expect(notes).toEqual({ comments: 100, lost: 0, duplicated: 0 });
    } finally {
      await t?.close().catch(() => undefined);
      await reader.close();
      await relay.close();
      await sb.stop();
    }
  });
});
