import { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox, SANDBOX_FIXTURES } from '../../sandbox';
import { AmoReconciliationService } from '../../src/amo-crm/inbound/amo-reconciliation.service';
import { AmoWebhookWorker } from '../../src/amo-crm/inbound/amo-webhook.worker';
import { spawnAppProcess } from '../helpers/app-process';
import { connectAmo, postWebhook, startAmo, TEST_WEBHOOK_SECRET } from '../helpers/amo';
import { admin } from '../helpers/factories';
import { ADMIN_KEY, createTestApp, TestApp, truncateAll } from '../helpers/test-app';
import { freePort } from '../helpers/wait';
import { describeOnServer, eventually, faultEnv } from './fault-helpers';

const F = SANDBOX_FIXTURES;
const A = F.stages.firstContact; // NEW in the default mapping
const B = F.stages.negotiation; // IN_PROGRESS
const LEADS = 20;

interface EventReport {
  delivered: number;
  stored: number;
  lost: number;
  duplicated: number;
}

/**
 * Inbound sync when amoCRM is messy, through the sandbox's real deliveries. Each case counts the
 * lead events amoCRM delivered (items of deliveries answered 2xx), the inbox rows stored for
 * them, and prints how many were lost (delivered, not stored) and duplicated (stored twice).
 */
describe('Fault: inbound sync at the edges', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let server: App;

  const worker = () => t.app.get(AmoWebhookWorker);
  const settle = async () => {
    await sb.flushWebhooks();
    await worker().idle();
  };
  /** amoCRM's times are whole seconds; the next change must come in a later one to be newer. */
  const nextSecond = async () => {
    const last = Math.max(0, ...sb.leads().map((l) => l.updated_at));
    await eventually(() => Math.floor(Date.now() / 1000) > last);
  };
  const amoLeads = async (n: number): Promise<number[]> => {
    const ids = Array.from({ length: n }, (_, i) => sb.createLead({ name: `Client ${i}` }).id);
    await settle();
    return ids;
  };
  const local = async (ids: number[]) =>
    t.dataSource.query<
      {
        amo_lead_id: string;
        status: string;
        guest_name: string;
        amo_deleted_at: Date | null;
        unmapped_status_id: string | null;
      }[]
    >(
      `SELECT amo_lead_id, status, guest_name, amo_deleted_at, unmapped_status_id
         FROM leads WHERE amo_lead_id = ANY($1) ORDER BY amo_lead_id`,
      [ids],
    );

  async function countEvents(name: string, ids: number[]): Promise<EventReport> {
    const wanted = new Set(ids.map(String));
    const delivered = new Map<string, number>();
    for (const d of sb.webhookDeliveries()) {
      if (typeof d.status !== 'number' || d.status >= 300) continue;
      const params = new URLSearchParams(d.body);
      for (const [key, value] of params) {
        const m = /^leads\[(\w+)\]\[(\d+)\]\[id\]$/.exec(key);
        if (!m || !wanted.has(value)) continue;
        // what the item is, as the inbox sees it: its action, lead and remaining fields
        const prefix = `leads[${m[1]}][${m[2]}]`;
        const fields = [...params]
          .filter(([k]) => k.startsWith(`${prefix}[`))
          .map(([k, v]) => `${k.slice(prefix.length)}=${v.replace(/\0/g, '\uFFFD')}`)
          .sort()
          .join('&');
        const signature = `${m[1]}|${fields}`;
        delivered.set(signature, (delivered.get(signature) ?? 0) + 1);
      }
    }
    const rows = await t.dataSource.query<{ action: string; item: Record<string, unknown> }[]>(
      `SELECT action, item FROM amo_webhook_events
        WHERE entity = 'leads' AND action <> 'reconcile' AND amo_id = ANY($1)`,
      [ids],
    );
    const flat = (node: unknown, path: string): string[] =>
      typeof node === 'string'
        ? [`${path}=${node}`]
        : Object.entries(node as Record<string, unknown>).flatMap(([k, v]) =>
            flat(v, `${path}[${k}]`),
          );
    const stored = new Map<string, number>();
    for (const r of rows) {
      const signature = `${r.action}|${flat(r.item, '').sort().join('&')}`;
      stored.set(signature, (stored.get(signature) ?? 0) + 1);
    }
    // An item with amoCRM's time is one change: two identical ones (a move and the same move
    // again within one second) are one event. Items without a time count one by one.
    const timed = (sig: string) => /(^|&)\[(updated_at|last_modified)\]=/.test(sig.split('|')[1]);
    let lost = 0;
    let duplicated = 0;
    let total = 0;
    for (const [sig, delivers] of delivered) {
      const n = timed(sig) ? 1 : delivers;
      total += n;
      const s = stored.get(sig) ?? 0;
      if (s < n) lost += n - s;
      if (s > n) duplicated += s - n;
    }
    for (const [sig, s] of stored) if (!delivered.has(sig)) duplicated += s;
    const report = { delivered: total, stored: rows.length, lost, duplicated };
    process.stdout.write(
      `[fault] ${name}: events delivered ${report.delivered}, stored ${report.stored}, lost ${lost}, duplicated ${duplicated}\n`,
    );
    return report;
  }

  beforeAll(async () => {
    // a delivery carries whatever changed within 100 ms: NUL items share bodies with others
    sb = await startAmo({ webhookBatchWindowMs: 100 });
    const port = await freePort();
    t = await createTestApp(
      faultEnv(sb, {
        AMO_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`,
        AMO_RECONCILE_INTERVAL_MS: '0',
      }),
    );
    await t.app.listen(port, '127.0.0.1');
    server = t.app.getHttpServer();
  });
  afterAll(async () => {
    await t.close();
    await sb.stop();
  });
  beforeEach(async () => {
    await truncateAll(t.dataSource);
    sb.clearFaults();
    await connectAmo(server, sb);
    sb.resetLog();
  });

  it('NUL characters in a third of the values: every item stored and applied, reconciliation moves on', async () => {
    const ids = await amoLeads(LEADS);
    await nextSecond();
    ids.forEach((id, i) =>
      sb.updateLead(id, { name: i % 3 === 0 ? `Flat\u0000${i}` : `Flat ${i}` }),
    );
    await settle();
    const refused = sb.webhookDeliveries().filter((d) => d.status !== 200);
    const mixed = sb
      .webhookDeliveries()
      .filter((d) => d.body.includes('%00') && d.body.includes('Flat+1'));
    expect(refused).toEqual([]);
    expect(mixed.length).toBeGreaterThan(0);
    const report = await countEvents('NUL values in batched deliveries', ids);
    expect(report).toMatchObject({ lost: 0, duplicated: 0 });
    const names = (await local(ids)).map((l) => l.guest_name);
    expect(names).toEqual(ids.map((_, i) => (i % 3 === 0 ? `Flat\uFFFD${i}` : `Flat ${i}`)));

    const reconciliation = t.app.get(AmoReconciliationService);
    const first = await reconciliation.reconcileNow();
    await nextSecond();
    sb.suppressNextWebhooks(1);
    sb.updateLead(ids[0], { name: 'Loft\u0000 again' });
    const second = await reconciliation.reconcileNow();
    process.stdout.write(
      `[fault] NUL in reconciliation: watermark ${first.watermark} → ${second.watermark}, fetched ${second.fetched}\n`,
    );
    expect(second.watermark).toBeGreaterThan(first.watermark!);
    await worker().idle();
    expect((await local([ids[0]]))[0].guest_name).toBe('Loft\uFFFD again');
  });

  it('delete → restore → delete of many leads, with every delivery repeated: each applied once, in order', async () => {
    const ids = await amoLeads(LEADS);
    for (const step of ['delete', 'restore', 'delete'] as const) {
      for (const id of ids) {
        if (step === 'delete') sb.deleteLead(id);
        else sb.restoreLead(id);
      }
      await settle();
    }
    // amoCRM sends a delivery again when it did not hear our answer: the same bodies once more
    for (const d of sb.webhookDeliveries()) {
      const res = await postWebhook(server, d.body).expect(200);
      expect(res.body.stored).toBe(0);
    }
    await worker().idle();
    const report = await countEvents('delete → restore → delete, deliveries repeated', ids);
    expect(report).toMatchObject({ delivered: LEADS * 4, lost: 0, duplicated: 0 });
    const leads = await local(ids);
    expect(leads.filter((l) => l.amo_deleted_at !== null)).toHaveLength(LEADS);
  });

  it('Digital Pipeline moves A → B → A → B of many leads, account webhooks too: all end in B', async () => {
    const ids = await amoLeads(LEADS);
    for (const to of [B, A, B]) {
      await Promise.all(ids.map((id) => sb.digitalPipelineMove(id, { statusId: to })));
      await settle();
    }
    const report = await countEvents('Digital Pipeline A → B → A → B', ids);
    // per lead: add, and per move an update, a status and the Digital Pipeline hook (a move
    // repeated within one second sends the same update and status items: one change)
    expect(report).toMatchObject({ lost: 0, duplicated: 0 });
    expect(report.delivered).toBeGreaterThanOrEqual(LEADS * 8);
    const [{ hooks }] = await t.dataSource.query<{ hooks: number }[]>(
      `SELECT count(*)::int AS hooks FROM amo_webhook_events WHERE amo_updated_at IS NULL AND state = 'DONE'`,
    );
    expect(hooks).toBe(LEADS * 3);
    expect((await local(ids)).map((l) => l.status)).toEqual(ids.map(() => 'IN_PROGRESS'));
  });

  it('leads moved to a stage the mapping does not know: every one visible in the sync view', async () => {
    const ids = await amoLeads(LEADS);
    await nextSecond();
    for (const id of ids) {
      sb.moveLead(id, { statusId: F.secondStages.inProgress, pipelineId: F.secondPipelineId });
    }
    await settle();
    const view = (
      await request(server).get('/api/integrations/amo-crm/sync').set(admin).expect(200)
    ).body;
    process.stdout.write(
      `[fault] unmapped stage: ${LEADS} leads moved, ${view.unmappedStages.count} in the sync view\n`,
    );
    expect(view.unmappedStages.count).toBe(LEADS);
    expect((await local(ids)).filter((l) => l.unmapped_status_id !== null)).toHaveLength(LEADS);
  });
});

/**
 * The webhook worker's claims. The worker is held inside a batch by a row lock the test keeps on
 * the lead, so the claimed event is surely RUNNING when the fault comes; its lease is 60 s, and
 * each case must see the event claimed again well inside it.
 */
describeOnServer(
  'Fault: webhook worker claims released at once (PostgreSQL server only: it ends server connections and runs a second process)',
  () => {
    let sb: AmoSandbox;
    let holder: Client;
    /** Reads outside the holder's transaction, whose view of pg_stat_activity stays as it was. */
    let observer: Client;
    let holderPid: number;
    const apps: TestApp[] = [];
    let child: ChildProcess | null = null;

    beforeEach(async () => {
      sb = await startAmo();
      holder = new Client({ connectionString: process.env.DATABASE_URL });
      await holder.connect();
      observer = new Client({ connectionString: process.env.DATABASE_URL });
      await observer.connect();
      holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]
        .pid;
    });
    afterEach(async () => {
      child?.kill('SIGKILL');
      child = null;
      await holder.end().catch(() => undefined);
      await observer.end().catch(() => undefined);
      while (apps.length) await apps.pop()!.close();
      await sb.stop();
    });

    const env = (extra: Record<string, string> = {}) =>
      faultEnv(sb, { AMO_RECONCILE_INTERVAL_MS: '0', ...extra });

    /** A linked local lead, its row locked by the test, and a status event for it in the inbox. */
    async function heldEvent(
      receiver: TestApp,
    ): Promise<{ leadId: string; eventId: string; amoId: number }> {
      const amo = sb.createLead({ name: 'Held client' });
      const [{ id: leadId }] = await receiver.dataSource.query<{ id: string }[]>(
        `INSERT INTO leads (guest_name, contact_method, contact_time, status, source, amo_lead_id, sync_state, amo_updated_at)
       VALUES ('Held client', 'PHONE', 'ANY_TIME', 'NEW', 'AMO_CRM', $1, 'SYNCED', $2) RETURNING id`,
        [amo.id, amo.updated_at],
      );
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM leads WHERE id = $1 FOR UPDATE', [leadId]);
      const body = new URLSearchParams({
        'leads[status][0][id]': String(amo.id),
        'leads[status][0][status_id]': String(B),
        'leads[status][0][pipeline_id]': String(F.mainPipelineId),
        'leads[status][0][updated_at]': String(amo.updated_at + 5),
        'account[id]': String(sb.accountId),
        'account[subdomain]': 'sandbox',
      }).toString();
      await postWebhook(receiver.app.getHttpServer() as App, body, TEST_WEBHOOK_SECRET).expect(200);
      const [{ id: eventId }] = await receiver.dataSource.query<{ id: string }[]>(
        `SELECT id FROM amo_webhook_events WHERE amo_id = $1`,
        [amo.id],
      );
      return { leadId, eventId, amoId: amo.id };
    }

    /** Backends of this database waiting for the test's row lock. */
    const waiters = async (): Promise<number[]> =>
      (
        await observer.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND $1 = ANY(pg_blocking_pids(pid))`,
          [holderPid],
        )
      ).rows.map((r) => r.pid);
    const claim = async (eventId: string) =>
      (
        await observer.query<{
          state: string;
          claimed_by: number | null;
          lease_until: Date | null;
        }>(`SELECT state, claimed_by, lease_until FROM amo_webhook_events WHERE id = $1`, [eventId])
      ).rows[0];

    async function finish(app: TestApp, eventId: string, leadId: string, firstLease: Date) {
      await holder.query('COMMIT');
      await eventually(async () => (await claim(eventId)).state === 'DONE');
      const [row] = await app.dataSource.query<{ processed_at: Date; attempts: number }[]>(
        `SELECT processed_at, attempts FROM amo_webhook_events WHERE id = $1`,
        [eventId],
      );
      const [lead] = await app.dataSource.query<{ status: string }[]>(
        `SELECT status FROM leads WHERE id = $1`,
        [leadId],
      );
      const early = (firstLease.getTime() - new Date(row.processed_at).getTime()) / 1000;
      return { status: lead.status, attempts: row.attempts, secondsBeforeLease: early };
    }

    it('after a database blip in the same process, the claimed event is taken again at once', async () => {
      const app = await createTestApp(env());
      apps.push(app);
      await truncateAll(app.dataSource);
      await connectAmo(app.app.getHttpServer(), sb);
      const { leadId, eventId } = await heldEvent(app);
      await eventually(async () => (await waiters()).length === 1);
      const first = await claim(eventId);
      expect(first.state).toBe('RUNNING');
      // the blip: the server ends the worker's connection, once in the batch and once in its
      // one-savepoint-per-event retry, so the whole pass fails with the event still RUNNING
      for (let i = 0; i < 2; i++) {
        const [pid] = await waiters();
        await observer.query('SELECT pg_terminate_backend($1)', [pid]);
        await eventually(async () => {
          const now = await waiters();
          return now.length === 1 && now[0] !== pid;
        });
      }
      // the third waiter is the next pass, which took the event back although its lease runs on
      const result = await finish(app, eventId, leadId, first.lease_until!);
      process.stdout.write(
        `[fault] database blip with a claimed event: applied ${result.secondsBeforeLease.toFixed(1)} s before its lease would have ended, attempts ${result.attempts}, lost 0, duplicated 0\n`,
      );
      expect(result.status).toBe('IN_PROGRESS');
      expect(result.secondsBeforeLease).toBeGreaterThan(0);
    });

    it('when the claiming instance is SIGKILLed, another instance takes its event at once', async () => {
      // this instance only receives (and connects); the child process is the one that applies
      const receiver = await createTestApp(env({ SYNC_ENABLED: 'false' }));
      apps.push(receiver);
      await truncateAll(receiver.dataSource);
      await connectAmo(receiver.app.getHttpServer(), sb);
      const proc = await spawnAppProcess({
        ...env(),
        ADMIN_API_KEY: ADMIN_KEY,
        MIGRATIONS_RUN: 'false',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'test',
      });
      child = proc.child;
      const { leadId, eventId } = await heldEvent(receiver);
      await eventually(async () => (await waiters()).length === 1, 90_000).catch((err: Error) => {
        throw new Error(`${err.message}; the child said: ${proc.output().slice(-2000)}`);
      });
      const first = await claim(eventId);
      expect(first.state).toBe('RUNNING');
      child.kill('SIGKILL');
      await new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      child = null;

      const successor = await createTestApp(env());
      apps.push(successor);
      await eventually(async () => {
        const now = await claim(eventId);
        return now.claimed_by !== first.claimed_by;
      });
      const result = await finish(successor, eventId, leadId, first.lease_until!);
      process.stdout.write(
        `[fault] claiming instance SIGKILLed: the successor applied the event ${result.secondsBeforeLease.toFixed(1)} s before the dead one's lease would have ended, attempts ${result.attempts}, lost 0, duplicated 0\n`,
      );
      expect(result.status).toBe('IN_PROGRESS');
      expect(result.secondsBeforeLease).toBeGreaterThan(0);
    }, 180_000);
  },
);
