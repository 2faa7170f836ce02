/**
 * `npm run bench`: intake throughput, bulk sync, lag, webhook acknowledgement and memory of the
 * real app, run as child processes against the amoCRM sandbox at amoCRM's limit (7 requests per
 * rolling second). See docs/BENCHMARKS.md for what each figure means.
 *
 * DATABASE_URL set → a fresh database `bench_<pid>` on that server, dropped at the end; unset →
 * each app child opens its own embedded PostgreSQL (PGlite) in a fresh temporary folder.
 * BENCH_QUICK=1 → a shorter run. BENCH_CPU_PROF=1 → the sync app child writes a V8 CPU profile.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { AmoSandbox, SANDBOX_FIXTURES, startSandbox } from '../sandbox';
import {
  Api,
  Child,
  childEnv,
  freePort,
  killAllChildren,
  maxInAnySecond,
  percentile,
  procMemMb,
  sampleRss,
  sleep,
  spawnTs,
  waitFor,
  waitHttpReady,
} from './lib';
import { load, LoadResult } from './load';
import { recoveryBench } from './recovery';
import { Report, printReport, writeDocs } from './report';

const QUICK = process.env.BENCH_QUICK === '1';
const CFG = QUICK
  ? {
      warmSec: 3,
      intakeSec: 4,
      bulkLeads: 2_000,
      lagLeads: 10,
      webhookSec: 4,
      bulkTimeoutMs: 90_000,
    }
  : {
      warmSec: 8,
      intakeSec: 10,
      bulkLeads: 10_000,
      lagLeads: 30,
      webhookSec: 10,
      bulkTimeoutMs: 240_000,
    };
/**
 * A fresh app child serves ~40% fewer requests in its first seconds (JIT warm-up),
 * which made whichever configuration ran first look slower; each child is warmed this long.
 */
const CONNECTIONS = 20;
/** Long enough that one lead's requests (contacts pull, create, note) leave the rate window. */
const LAG_PAUSE_MS = 1_000;
const WEBHOOK_RATE = 200;
/** The whole run is abandoned (children killed, database dropped) after this long. */
const HARD_LIMIT_MS = QUICK ? 6 * 60_000 : 12 * 60_000;

const ADMIN_KEY = randomBytes(24).toString('base64url');
const WEBHOOK_SECRET = randomBytes(24).toString('base64url');
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const MAPPING = JSON.stringify({ fields: { ourLeadId: SANDBOX_FIXTURES.leadFields.ourLeadId } });
const STAGES = SANDBOX_FIXTURES.stages;

const log = (msg: string): void => {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

// ---------- database ----------

interface Db {
  kind: 'postgres' | 'embedded';
  label: string;
  /** Settings for an app child of one phase; phases sharing `group` share a database. */
  env(group: string): Record<string, string>;
  /** Empties the app's tables (keeping properties) before a phase; no-op when folders are fresh. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

async function openDb(): Promise<Db> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const root = mkdtempSync(join(tmpdir(), 'leads-bench-'));
    return {
      kind: 'embedded',
      label: 'embedded (PGlite 0.5.14 in the app process, one connection)',
      env: (group) => ({ EMBEDDED_DB_DIR: join(root, group), DB_POOL_SIZE: '1' }),
      reset: async () => undefined,
      close: async () => rmSync(root, { recursive: true, force: true }),
    };
  }
  const name = `bench_${process.pid}`;
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const adminClient = new Client({ connectionString: admin.toString() });
  await adminClient.connect();
  await adminClient.query(`DROP DATABASE IF EXISTS ${name}`);
  await adminClient.query(`CREATE DATABASE ${name}`);
  const version = (
    await adminClient.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)
  ).rows[0].v;
  await adminClient.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    label: `PostgreSQL ${version} on ${url.host} (database ${name}, pool 10)`,
    env: () => ({ DATABASE_URL: url.toString(), DB_POOL_SIZE: '10' }),
    async reset() {
      const c = new Client({ connectionString: url.toString() });
      await c.connect();
      try {
        const rows = await c.query<{ t: string }>(
          `SELECT tablename AS t FROM pg_tables
            WHERE schemaname = 'public' AND tablename NOT IN ('migrations', 'properties')`,
        );
        if (rows.rows.length) {
          await c.query(
            `TRUNCATE ${rows.rows.map((r) => `"${r.t}"`).join(', ')} RESTART IDENTITY CASCADE`,
          );
        }
      } finally {
        await c.end();
      }
    },
    async close() {
      const c = new Client({ connectionString: admin.toString() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

// ---------- the app ----------

interface App {
  child: Child;
  api: Api;
  url: string;
}

interface SyncView {
  connection: { state: string };
  jobs: Record<'PENDING' | 'RUNNING' | 'DONE' | 'DEAD' | 'HELD', number>;
  inbox?: Record<'PENDING' | 'RUNNING' | 'DONE' | 'IGNORED' | 'DEAD', number>;
}

async function startApp(
  name: string,
  db: Db,
  group: string,
  sb: AmoSandbox,
  syncEnabled: boolean,
  nodeArgs: string[] = [],
): Promise<App> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = childEnv({
    ...db.env(group),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    ADMIN_API_KEY: ADMIN_KEY,
    LOG_LEVEL: 'warn',
    MIGRATIONS_RUN: 'true',
    // the public form is throttled per client address; the load comes from one address
    LEAD_FORM_RATE_LIMIT: '1000000000',
    AMO_DOMAIN: sb.baseDomain,
    AMO_CLIENT_ID: sb.clientId,
    AMO_CLIENT_SECRET: sb.clientSecret,
    AMO_REDIRECT_URI: sb.redirectUri,
    AMO_ACCOUNT_ID: String(sb.accountId),
    AMO_BASE_URL: sb.url,
    AMO_AUTH_URL: `${sb.url}/oauth`,
    AMO_WEBHOOK_SECRET: WEBHOOK_SECRET,
    AMO_WEBHOOK_BASE_URL: url,
    AMO_MAPPING_JSON: MAPPING,
    TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY,
    SYNC_ENABLED: String(syncEnabled),
  });
  const child = spawnTs(name, 'dist/src/main.js', env, nodeArgs);
  await waitHttpReady(child, `${url}/api/health`);
  return { child, api: new Api(url, ADMIN_KEY), url };
}

async function connect(app: App, sb: AmoSandbox): Promise<void> {
  const q = new URLSearchParams({ code: sb.issueAuthCode(), referer: sb.baseDomain });
  await app.api.ok('GET', `/api/integrations/amo-crm/callback?${q.toString()}`, undefined, false);
}

const syncView = (app: App): Promise<SyncView> =>
  app.api.ok<SyncView>('GET', '/api/integrations/amo-crm/sync');

async function createProperty(app: App): Promise<string> {
  const p = await app.api.ok<{ id: string }>('POST', '/api/properties', {
    title: '2-room flat, Tverskaya 7',
    price: 12_500_000,
  });
  return p.id;
}

// ---------- request bodies ----------

/** Every lead in the run gets its own number, so phones and e-mails never repeat. */
let leadSeq = 0;

function leadBody(propertyId: string): string {
  const n = ++leadSeq;
  return JSON.stringify({
    propertyId,
    guestName: `Bench Guest ${n}`,
    guestPhone: `+7916${String(n).padStart(7, '0')}`,
    guestEmail: `guest${n}@example.com`,
    contactMethod: 'PHONE',
    contactTime: 'EVENING',
    comment: 'Is the flat still available? I can come for a viewing this week.',
  });
}

/** A status change as amoCRM delivers it: the `status` and `update` items of one lead. */
function webhookBody(sb: AmoSandbox, amoId: number, ts: number, i: number): string {
  const to = i % 2 ? STAGES.negotiation : STAGES.viewingScheduled;
  const from = i % 2 ? STAGES.viewingScheduled : STAGES.negotiation;
  const p = new URLSearchParams();
  for (const group of ['status', 'update']) {
    const k = (f: string) => `leads[${group}][0][${f}]`;
    p.set(k('id'), String(amoId));
    p.set(k('name'), `Lead #${amoId}`);
    p.set(k('status_id'), String(to));
    p.set(k('old_status_id'), String(from));
    p.set(k('price'), '12500000');
    p.set(k('responsible_user_id'), String(SANDBOX_FIXTURES.users.manager));
    p.set(k('last_modified'), String(ts));
    p.set(k('modified_user_id'), String(SANDBOX_FIXTURES.users.manager));
    p.set(k('created_user_id'), String(SANDBOX_FIXTURES.users.admin));
    p.set(k('date_create'), String(ts - 3600));
    p.set(k('pipeline_id'), String(SANDBOX_FIXTURES.mainPipelineId));
    p.set(k('account_id'), String(sb.accountId));
    p.set(k('created_at'), String(ts - 3600));
    p.set(k('updated_at'), String(ts));
  }
  p.set('account[subdomain]', 'sandbox');
  p.set('account[id]', String(sb.accountId));
  p.set('account[_links][self]', `https://${sb.baseDomain}`);
  return p.toString();
}

// ---------- phases ----------

async function intake(url: string, propertyId: string): Promise<LoadResult> {
  const base = {
    url,
    path: '/api/leads',
    contentType: 'application/json',
    body: () => leadBody(propertyId),
    connections: CONNECTIONS,
  };
  await load({ ...base, durationSec: CFG.warmSec });
  return load({ ...base, durationSec: CFG.intakeSec });
}

async function waitJobsIdle(app: App, timeoutMs: number): Promise<SyncView> {
  return waitFor(
    'the outbox to drain',
    async () => {
      const v = await syncView(app);
      return v.jobs.PENDING + v.jobs.RUNNING + v.jobs.HELD === 0 ? v : undefined;
    },
    timeoutMs,
    200,
  );
}

const leadNumber = (name: string): number | null => {
  const m = /^Lead #(\d+) - /.exec(name);
  return m ? Number(m[1]) : null;
};

async function lagPhase(app: App, sb: AmoSandbox, propertyId: string) {
  const lags: number[] = [];
  const numbers = new Set<number>();
  for (let i = 0; i < CFG.lagLeads; i++) {
    const t0 = performance.now();
    const lead = await app.api.ok<{ number: number }>(
      'POST',
      '/api/leads',
      JSON.parse(leadBody(propertyId)),
      false,
    );
    numbers.add(lead.number);
    const prefix = `Lead #${lead.number} - `;
    const until = t0 + 15_000;
    let seen = false;
    while (performance.now() < until) {
      if (sb.leads().some((l) => l.name.startsWith(prefix))) {
        seen = true;
        break;
      }
      await sleep(2);
    }
    if (seen) lags.push(performance.now() - t0);
    await sleep(LAG_PAUSE_MS);
  }
  lags.sort((a, b) => a - b);
  return {
    count: lags.length,
    missing: CFG.lagLeads - lags.length,
    p50: percentile(lags, 50),
    p95: percentile(lags, 95),
    max: lags[lags.length - 1] ?? NaN,
    numbers,
  };
}

async function bulkPhase(app: App, sb: AmoSandbox, propertyId: string, lagNumbers: Set<number>) {
  await waitJobsIdle(app, 60_000);
  // Past the contacts pull's freshness window, so the first attempt is a read that fails with
  // 401 before anything is written, not a create of unknown outcome.
  await sleep(1_500);
  sb.revokeGrant();
  log(`creating ${CFG.bulkLeads} leads while the grant is revoked`);
  const created = await load({
    url: app.url,
    path: '/api/leads',
    contentType: 'application/json',
    body: () => leadBody(propertyId),
    connections: CONNECTIONS,
    amount: CFG.bulkLeads,
  });
  if (created.ok !== CFG.bulkLeads) {
    throw new Error(`only ${created.ok} of ${CFG.bulkLeads} leads were created`);
  }
  const held = await waitFor(
    'every bulk job to be HELD',
    async () => {
      const v = await syncView(app);
      return v.connection.state !== 'CONNECTED' &&
        v.jobs.PENDING + v.jobs.RUNNING === 0 &&
        v.jobs.HELD >= CFG.bulkLeads
        ? v
        : undefined;
    },
    60_000,
    250,
  );
  log(`${held.jobs.HELD} jobs held (${held.connection.state}); reconnecting and timing the drain`);

  const idleRssMb = procMemMb(app.child.pid, 'VmRSS');
  sb.resetLog();
  const rss = sampleRss(app.child.pid, 100);
  const t0 = performance.now();
  await connect(app, sb);
  let last: SyncView | null = null;
  let done = false;
  while (performance.now() - t0 < CFG.bulkTimeoutMs) {
    last = await syncView(app);
    if (last.jobs.PENDING + last.jobs.RUNNING + last.jobs.HELD === 0) {
      done = true;
      break;
    }
    await sleep(200);
  }
  const drainMs = performance.now() - t0;
  const mem = rss.stop();
  const hwm = procMemMb(app.child.pid, 'VmHWM');

  const reqs = sb.requestLog();
  const api = reqs.filter((r) => r.path.startsWith('/api/v4'));
  const byPath = new Map<string, number>();
  for (const r of reqs) {
    const key = `${r.method} ${r.path.replace(/\/\d+/g, '/{id}')}${r.status === 429 ? ' (429)' : ''}`;
    byPath.set(key, (byPath.get(key) ?? 0) + 1);
  }
  const rateLimited = reqs.filter((r) => r.status === 429).length;
  const admitted = reqs.filter((r) => r.status !== 429).map((r) => r.at);

  const names = new Map<number, number>();
  for (const l of sb.leads()) {
    const n = leadNumber(l.name);
    if (n !== null && !lagNumbers.has(n)) names.set(n, (names.get(n) ?? 0) + 1);
  }
  const duplicated = [...names.values()].filter((c) => c > 1).length;
  return {
    leads: CFG.bulkLeads,
    complete: done,
    drainSec: drainMs / 1000,
    leadsPerSec: CFG.bulkLeads / (drainMs / 1000),
    requests: reqs.length,
    apiRequests: api.length,
    requestsPerLead: reqs.length / CFG.bulkLeads,
    rateLimited,
    maxPerSecond: maxInAnySecond(admitted),
    byPath: [...byPath.entries()].sort((a, b) => b[1] - a[1]),
    inSandbox: names.size,
    duplicated,
    dead: last?.jobs.DEAD ?? NaN,
    idleRssMb,
    rssPeakMb: mem.peakMb,
    rssSamples: mem.samples,
    hwmMb: hwm,
  };
}

/**
 * Acknowledgement latency with nothing applying the inbox (the app runs with sync disabled, so
 * its webhook worker is off): separates the receiver's own cost from contention with the worker.
 */
async function webhookAck(app: App, sb: AmoSandbox): Promise<LoadResult | null> {
  const ts0 = Math.floor(Date.now() / 1000) + 60;
  const r = await load({
    url: app.url,
    path: `/api/integrations/amo-crm/webhook?secret=${encodeURIComponent(WEBHOOK_SECRET)}`,
    contentType: 'application/x-www-form-urlencoded',
    body: (i) => webhookBody(sb, 20_000_001 + (i % 5000), ts0 + i, i),
    connections: 10,
    durationSec: Math.max(3, CFG.webhookSec / 2),
    overallRate: WEBHOOK_RATE,
  });
  return r.ok === 0 ? null : r;
}

async function webhookPhase(app: App, sb: AmoSandbox, lagNumbers: Set<number>) {
  const before = await waitFor(
    'the webhook inbox to drain',
    async () => {
      const v = await syncView(app);
      if (!v.inbox) return v;
      return v.inbox.PENDING + v.inbox.RUNNING === 0 ? v : undefined;
    },
    120_000,
    250,
  );
  const ids = sb
    .leads()
    .filter((l) => {
      const n = leadNumber(l.name);
      return n !== null && !lagNumbers.has(n);
    })
    .map((l) => l.id);
  if (!ids.length) throw new Error('no synced leads to address webhooks to');
  const processed = (v: SyncView) =>
    v.inbox ? v.inbox.DONE + v.inbox.IGNORED + v.inbox.DEAD : NaN;
  const base = processed(before);
  const ts0 = Math.floor(Date.now() / 1000) + 60;
  let stored = 0;
  let notFound = 0;
  const t0 = performance.now();
  const r = await load({
    url: app.url,
    path: `/api/integrations/amo-crm/webhook?secret=${encodeURIComponent(WEBHOOK_SECRET)}`,
    contentType: 'application/x-www-form-urlencoded',
    body: (i) => webhookBody(sb, ids[i % ids.length], ts0 + i, i),
    connections: 10,
    durationSec: CFG.webhookSec,
    overallRate: WEBHOOK_RATE,
    onResponse: (status, body) => {
      if (status === 404) notFound++;
      if (status !== 200) return;
      try {
        stored += (JSON.parse(body) as { stored?: number }).stored ?? 0;
      } catch {
        // not the receipt: counted as a non-2xx by autocannon already if it was one
      }
    },
  });
  if (notFound > 0 && r.ok === 0) return { available: false as const };
  let appliedAt = NaN;
  let applied = 0;
  if (before.inbox) {
    const until = performance.now() + 60_000;
    while (performance.now() < until) {
      const v = await syncView(app);
      applied = processed(v) - base;
      if (applied >= stored) {
        appliedAt = performance.now();
        break;
      }
      await sleep(100);
    }
  }
  return {
    available: true as const,
    sent: r.ok + r.non2xx,
    ok: r.ok,
    non2xx: r.non2xx,
    errors: r.errors,
    rate: (r.ok + r.non2xx) / r.durationSec,
    p50: r.p50,
    p99: r.p99,
    max: r.max,
    stored,
    applied,
    appliedPerSec: Number.isFinite(appliedAt) ? applied / ((appliedAt - t0) / 1000) : NaN,
    inboxView: !!before.inbox,
  };
}

// ---------- main ----------

async function main(): Promise<number> {
  const started = new Date();
  const tStart = performance.now();
  const db = await openDb();
  const sandboxes: AmoSandbox[] = [];
  const apps: App[] = [];
  const cleanup = async () => {
    for (const a of apps.splice(0)) await a.child.stop();
    for (const s of sandboxes.splice(0)) await s.stop().catch(() => undefined);
    await db
      .close()
      .catch((err: unknown) => log(`could not drop the bench database: ${String(err)}`));
  };
  const watchdog = setTimeout(() => {
    log(`the run exceeded ${HARD_LIMIT_MS / 60_000} minutes; stopping`);
    killAllChildren();
    void db.close().finally(() => process.exit(2));
  }, HARD_LIMIT_MS);
  watchdog.unref();

  try {
    log(`database: ${db.label}; ${QUICK ? 'QUICK run' : 'full run'}`);
    const sb1 = await startSandbox({ strictRefresh: true, rateLimitPerSecond: 7 });
    sandboxes.push(sb1);

    // 1a. intake, sync off
    const off = await startApp('app (sync off)', db, 'intake', sb1, false);
    apps.push(off);
    const propertyId = await createProperty(off);
    log('intake, sync OFF');
    const intakeOff = await intake(off.url, propertyId);
    log('webhook receiver alone (worker off: sync disabled)');
    const receiverOnly = await webhookAck(off, sb1);
    await off.child.stop();
    apps.splice(apps.indexOf(off), 1);

    // 1b. floor: a bare node:http + pg server on the same database
    await db.reset();
    const floorPort = await freePort();
    const floorEnv = db.env('intake');
    const floor = spawnTs(
      'floor server',
      'bench/floor-server.ts',
      childEnv({ ...floorEnv, PORT: String(floorPort) }),
    );
    let intakeFloor: LoadResult;
    try {
      await waitHttpReady(floor, `http://127.0.0.1:${floorPort}/health`);
      log('intake, floor server');
      intakeFloor = await intake(`http://127.0.0.1:${floorPort}`, propertyId);
    } finally {
      await floor.stop();
    }

    // 1c. intake, sync on (connected to the sandbox, pushing while the load runs)
    await db.reset();
    const on = await startApp('app (sync on)', db, 'intake-sync', sb1, true);
    apps.push(on);
    await connect(on, sb1);
    const propertyOn = await createProperty(on);
    log('intake, sync ON');
    const intakeOn = await intake(on.url, propertyOn);
    const backlog = (await syncView(on)).jobs.PENDING;
    await on.child.stop();
    apps.splice(apps.indexOf(on), 1);
    await sb1.stop();
    sandboxes.splice(sandboxes.indexOf(sb1), 1);

    // 2-5. lag, bulk sync with memory, webhooks: one app on a fresh sandbox and database
    await db.reset();
    const sb2 = await startSandbox({ strictRefresh: true, rateLimitPerSecond: 7 });
    sandboxes.push(sb2);
    const profDir =
      process.env.BENCH_CPU_PROF === '1' ? mkdtempSync(join(tmpdir(), 'bench-prof-')) : null;
    const sync = await startApp(
      'app (sync)',
      db,
      'sync',
      sb2,
      true,
      profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    );
    apps.push(sync);
    await connect(sync, sb2);
    const propertySync = await createProperty(sync);
    log(`lag: ${CFG.lagLeads} leads one at a time`);
    const lag = await lagPhase(sync, sb2, propertySync);
    log(`bulk sync: ${CFG.bulkLeads} leads`);
    const bulk = await bulkPhase(sync, sb2, propertySync, lag.numbers);
    log(`webhooks at ${WEBHOOK_RATE}/s for ${CFG.webhookSec} s`);
    const webhooks = await webhookPhase(sync, sb2, lag.numbers);
    await sync.child.stop();
    apps.splice(apps.indexOf(sync), 1);
    if (profDir) log(`CPU profile of the sync app in ${profDir}`);
    await sb2.stop();
    sandboxes.splice(sandboxes.indexOf(sb2), 1);

    // 6. recovery: drain after an amoCRM outage, and after a SIGKILL with an immediate restart
    log('recovery: drain after an outage; restart after a kill mid-batch');
    const recovery = await recoveryBench({
      startApp: (name, group, sb) => startApp(name, db, group, sb, true),
      connect,
      createProperty,
      leadBody,
      resetDb: () => db.reset(),
      log,
      quick: QUICK,
    });

    const report: Report = {
      command: QUICK ? 'BENCH_QUICK=1 npm run bench' : 'npm run bench',
      quick: QUICK,
      date: started.toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGb: totalmem() / 1024 ** 3,
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
      },
      database: db.label,
      databaseKind: db.kind,
      config: {
        ...CFG,
        connections: CONNECTIONS,
        lagPauseMs: LAG_PAUSE_MS,
        webhookRate: WEBHOOK_RATE,
      },
      intake: { off: intakeOff, on: intakeOn, floor: intakeFloor, backlogAfterOn: backlog },
      bulk,
      lag,
      webhooks,
      receiverOnly,
      recovery,
      totalSec: (performance.now() - tStart) / 1000,
    };
    printReport(report);
    if (!QUICK || process.env.BENCH_WRITE_DOCS === '1') {
      const file = writeDocs(report);
      log(`figures written to ${file}`);
    }
    return 0;
  } catch (err) {
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    for (const a of apps) log(`last output of ${a.child.name}:\n${a.child.tail()}`);
    return 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    killAllChildren();
    process.exit(1);
  },
);
