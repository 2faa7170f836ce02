/**
 * Recovery figures for `npm run bench`: how soon the queue drains once amoCRM answers again
 * after an outage, and once a killed app is restarted in the middle of a batch. The app runs
 * with its production settings (backoff 1 s … 5 min, lease 120 s), so a drain that waited out
 * per-job backoff or a dead process's leases would show in the figures.
 */
import { performance } from 'node:perf_hooks';
import { AmoSandbox, startSandbox } from '../sandbox';
import { Api, Child, sleep, waitFor } from './lib';

export interface RecoveryApp {
  child: Child;
  api: Api;
  url: string;
}

export interface RecoveryDeps {
  /** Starts an app child on the database of `group` (the same group = the same database). */
  startApp(name: string, group: string, sb: AmoSandbox): Promise<RecoveryApp>;
  connect(app: RecoveryApp, sb: AmoSandbox): Promise<void>;
  createProperty(app: RecoveryApp): Promise<string>;
  leadBody(propertyId: string): string;
  resetDb(): Promise<void>;
  log(msg: string): void;
  quick: boolean;
}

export interface DrainFigure {
  leads: number;
  /** Outage length, or 0 for the crash case. */
  outageSec: number;
  /** From amoCRM answering again (or the kill) until nothing was left to send. */
  drainSec: number;
  leadsPerSec: number;
  inSandbox: number;
  duplicated: number;
}

export interface RecoveryResult {
  outage20: DrainFigure;
  outage300: DrainFigure;
  crash: DrainFigure & { createdBeforeKill: number };
}

interface View {
  outage: unknown;
  jobs: Record<'PENDING' | 'RUNNING' | 'DONE' | 'DEAD' | 'HELD', number>;
}

const view = (app: RecoveryApp) => app.api.ok<View>('GET', '/api/integrations/amo-crm/sync');
const open = (v: View) => v.jobs.PENDING + v.jobs.RUNNING + v.jobs.HELD;

async function postLeads(app: RecoveryApp, deps: RecoveryDeps, property: string, n: number) {
  for (let i = 0; i < n; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, n - i) }, () =>
        app.api.ok('POST', '/api/leads', JSON.parse(deps.leadBody(property)), false),
      ),
    );
  }
}

async function drainFrom(app: RecoveryApp, t0: number): Promise<number> {
  await waitFor(
    'the outbox to drain',
    async () => (open(await view(app)) === 0 ? true : undefined),
    180_000,
    50,
  );
  return (performance.now() - t0) / 1000;
}

function count(sb: AmoSandbox): { inSandbox: number; duplicated: number } {
  const names = new Map<string, number>();
  for (const l of sb.leads()) names.set(l.name, (names.get(l.name) ?? 0) + 1);
  return { inSandbox: names.size, duplicated: [...names.values()].filter((c) => c > 1).length };
}

async function outageCase(
  app: RecoveryApp,
  sb: AmoSandbox,
  deps: RecoveryDeps,
  property: string,
  leads: number,
  outageMs: number,
): Promise<DrainFigure> {
  const before = count(sb).inSandbox;
  sb.setOutage(true);
  await postLeads(app, deps, property, leads);
  await waitFor(
    'the outage to be noticed',
    async () => ((await view(app)).outage ? true : undefined),
    30_000,
    50,
  );
  deps.log(`amoCRM down with ${leads} leads queued; answering again in ${outageMs / 1000} s`);
  await sleep(outageMs);
  sb.setOutage(false);
  const drainSec = await drainFrom(app, performance.now());
  const c = count(sb);
  return {
    leads,
    outageSec: outageMs / 1000,
    drainSec,
    leadsPerSec: leads / drainSec,
    inSandbox: c.inSandbox - before,
    duplicated: c.duplicated,
  };
}

export async function recoveryBench(deps: RecoveryDeps): Promise<RecoveryResult> {
  const sandboxes: AmoSandbox[] = [];
  const apps: RecoveryApp[] = [];
  try {
    // retry_after is not what is measured here: keep a stray 429 short
    const sb = await startSandbox({
      strictRefresh: true,
      rateLimitPerSecond: 7,
      rateLimitRetryAfterSec: 1,
    });
    sandboxes.push(sb);
    await deps.resetDb();
    const app = await deps.startApp('app (outage)', 'recovery-outage', sb);
    apps.push(app);
    await deps.connect(app, sb);
    const property = await deps.createProperty(app);
    const outage20 = await outageCase(app, sb, deps, property, 20, deps.quick ? 5_000 : 20_000);
    const outage300 = await outageCase(app, sb, deps, property, 300, deps.quick ? 3_000 : 5_000);
    await app.child.stop();
    apps.splice(0);

    // SIGKILL mid-batch, restart at once, with the default lease of 120 s
    const sb2 = await startSandbox({
      strictRefresh: true,
      rateLimitPerSecond: 7,
      rateLimitRetryAfterSec: 1,
    });
    sandboxes.push(sb2);
    await deps.resetDb();
    const victim = await deps.startApp('app (to be killed)', 'recovery-crash', sb2);
    apps.push(victim);
    await deps.connect(victim, sb2);
    const property2 = await deps.createProperty(victim);
    sb2.setOutage(true);
    await postLeads(victim, deps, property2, 300);
    // amoCRM answers slowly, so the kill lands while a create batch is in flight
    sb2.setLatency(500);
    sb2.setOutage(false);
    await waitFor(
      'a create batch in flight',
      async () =>
        sb2.leads().length > 0 && (await view(victim)).jobs.RUNNING > 0 ? true : undefined,
      60_000,
      20,
    );
    victim.child.proc.kill('SIGKILL');
    const killedAt = performance.now();
    const createdBeforeKill = sb2.leads().length;
    await waitFor(
      'the killed app to exit',
      async () => (victim.child.exited() ? true : undefined),
      10_000,
      10,
    );
    apps.splice(0);
    sb2.setLatency(0);
    deps.log(`killed the app with ${createdBeforeKill} leads created; restarting at once`);
    const restarted = await deps.startApp('app (restarted)', 'recovery-crash', sb2);
    apps.push(restarted);
    const drainSec = await drainFrom(restarted, killedAt);
    const c = count(sb2);
    return {
      outage20,
      outage300,
      crash: {
        leads: 300,
        outageSec: 0,
        drainSec,
        leadsPerSec: 300 / drainSec,
        createdBeforeKill,
        inSandbox: c.inSandbox,
        duplicated: c.duplicated,
      },
    };
  } finally {
    for (const a of apps) await a.child.stop();
    for (const s of sandboxes) await s.stop().catch(() => undefined);
  }
}
