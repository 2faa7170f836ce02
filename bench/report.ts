import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, ROOT } from './lib';
import { LoadResult } from './load';
import { RecoveryResult } from './recovery';

export interface Report {
  /** Drain after an amoCRM outage, and after a SIGKILL with an immediate restart. */
  recovery: RecoveryResult;
  command: string;
  quick: boolean;
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  database: string;
  databaseKind: 'postgres' | 'embedded';
  config: Record<string, number>;
  intake: { off: LoadResult; on: LoadResult; floor: LoadResult; backlogAfterOn: number };
  bulk: {
    leads: number;
    complete: boolean;
    drainSec: number;
    leadsPerSec: number;
    requests: number;
    apiRequests: number;
    requestsPerLead: number;
    rateLimited: number;
    maxPerSecond: number;
    byPath: [string, number][];
    inSandbox: number;
    duplicated: number;
    dead: number;
    /** RSS with the bulk leads held, just before the drain starts. */
    idleRssMb: number;
    rssPeakMb: number;
    rssSamples: number;
    hwmMb: number;
  };
  lag: { count: number; missing: number; p50: number; p95: number; max: number };
  webhooks:
    | { available: false }
    | {
        available: true;
        sent: number;
        ok: number;
        non2xx: number;
        errors: number;
        rate: number;
        p50: number;
        p99: number;
        max: number;
        stored: number;
        applied: number;
        appliedPerSec: number;
        inboxView: boolean;
      };
  /** Ack latency of the sync-off app, whose webhook worker does not run. */
  receiverOnly: LoadResult | null;
  totalSec: number;
}

interface Row {
  section: string;
  metric: string;
  value: string;
  target: string;
  verdict: '' | 'met' | 'MISSED';
}

const verdict = (ok: boolean): 'met' | 'MISSED' => (ok ? 'met' : 'MISSED');

/** amoCRM's limit and batch size: the most any client can push, and the naive client's rate. */
const RATE = 7;
const BATCH = 50;

function rows(r: Report): Row[] {
  const { off, on, floor } = r.intake;
  const ratio = on.rps / off.rps;
  const out: Row[] = [];
  const intakeRow = (name: string, x: LoadResult) =>
    out.push({
      section: '1. intake',
      metric: `${name}: req/s, p50 / p99 ms`,
      value: `${fmt(x.rps, 0)} req/s, ${fmt(x.p50, 1)} / ${fmt(x.p99, 1)} ms${x.non2xx || x.errors ? ` (${x.non2xx} non-2xx, ${x.errors} errors)` : ''}`,
      target: '',
      verdict: '',
    });
  intakeRow('sync OFF', off);
  intakeRow('sync ON', on);
  intakeRow('floor (node:http + pg)', floor);
  out.push({
    section: '1. intake',
    metric: 'ratio sync ON / OFF',
    value: fmt(ratio, 2),
    target: '>= 0.90',
    verdict: verdict(ratio >= 0.9),
  });
  out.push({
    section: '1. intake',
    metric: 'ratio app (sync OFF) / floor',
    value: fmt(off.rps / floor.rps, 2),
    target: '',
    verdict: '',
  });
  out.push({
    section: '1. intake',
    metric: 'outbox backlog when the sync-ON run ended',
    value: `${r.intake.backlogAfterOn} jobs`,
    target: '',
    verdict: '',
  });

  const b = r.bulk;
  out.push({
    section: '2. bulk sync',
    metric: `${b.leads} held leads drained after reconnect`,
    value: `${fmt(b.drainSec, 1)} s, ${fmt(b.leadsPerSec, 1)} leads/s${b.complete ? '' : ' (INCOMPLETE: timed out)'}`,
    target: '>= 150 leads/s',
    verdict: verdict(b.complete && b.leadsPerSec >= 150),
  });
  out.push({
    section: '2. bulk sync',
    metric: 'bound: 7 req/s x 50 leads; one request per entity',
    value: `${RATE * BATCH} leads/s; ${fmt(RATE / 3, 1)} leads/s`,
    target: '',
    verdict: '',
  });
  out.push({
    section: '2. bulk sync',
    metric: 'amoCRM requests (per lead)',
    value: `${b.requests} (${fmt(b.requestsPerLead, 3)})`,
    target: '',
    verdict: '',
  });
  out.push({
    section: '2. bulk sync',
    metric: '429 answers; most requests in any 1000 ms',
    value: `${b.rateLimited}; ${b.maxPerSecond}`,
    target: '0; <= 7',
    verdict: verdict(b.rateLimited === 0 && b.maxPerSecond <= RATE),
  });
  out.push({
    section: '2. bulk sync',
    metric: 'in amoCRM exactly once; duplicated; DEAD jobs',
    value: `${b.inSandbox} of ${b.leads}; ${b.duplicated}; ${b.dead}`,
    target: `${b.leads}; 0; 0`,
    verdict: verdict(b.inSandbox === b.leads && b.duplicated === 0 && b.dead === 0),
  });

  out.push({
    section: '3. lag',
    metric: `created -> in amoCRM, idle (${r.lag.count} leads): p50 / p95 / max ms`,
    value: `${fmt(r.lag.p50, 0)} / ${fmt(r.lag.p95, 0)} / ${fmt(r.lag.max, 0)}${r.lag.missing ? ` (${r.lag.missing} never arrived)` : ''}`,
    target: 'p50 <= 250 ms',
    verdict: verdict(r.lag.missing === 0 && r.lag.p50 <= 250),
  });

  const w = r.webhooks;
  if (!w.available) {
    out.push({
      section: '4. webhooks',
      metric: 'acknowledgement latency',
      value: 'not available (the route answered 404)',
      target: 'p99 <= 25 ms',
      verdict: '',
    });
  } else {
    out.push({
      section: '4. webhooks',
      metric: `ack at ${fmt(w.rate, 0)} req/s: p50 / p99 / max ms`,
      value: `${fmt(w.p50, 1)} / ${fmt(w.p99, 1)} / ${fmt(w.max, 0)}${w.non2xx || w.errors ? ` (${w.non2xx} non-2xx, ${w.errors} errors)` : ''}`,
      target: 'p99 <= 25 ms',
      verdict: verdict(w.p99 <= 25 && w.non2xx === 0 && w.errors === 0),
    });
    if (r.receiverOnly) {
      const o = r.receiverOnly;
      out.push({
        section: '4. webhooks',
        metric: `diagnostic: ack with the worker off, ${fmt(o.rps, 0)} req/s: p50 / p99 ms`,
        value: `${fmt(o.p50, 1)} / ${fmt(o.p99, 1)}`,
        target: '',
        verdict: '',
      });
    }
    out.push({
      section: '4. webhooks',
      metric: 'events stored; applied; applied per second',
      value: w.inboxView
        ? `${w.stored}; ${w.applied}; ${fmt(w.appliedPerSec, 0)}/s`
        : `${w.stored}; n/a (no inbox counts in the sync view)`,
      target: '',
      verdict: '',
    });
  }

  const rc = r.recovery;
  const clean = (f: { inSandbox: number; leads: number; duplicated: number }) =>
    f.inSandbox === f.leads && f.duplicated === 0;
  out.push({
    section: '6. recovery',
    metric: `drain after outage: ${rc.outage20.leads} leads, amoCRM down ${fmt(rc.outage20.outageSec, 0)} s; s after recovery`,
    value: `${fmt(rc.outage20.drainSec, 1)} s (${rc.outage20.inSandbox} in amoCRM, ${rc.outage20.duplicated} duplicated)`,
    target: '<= 10 s',
    verdict: verdict(rc.outage20.drainSec <= 10 && clean(rc.outage20)),
  });
  out.push({
    section: '6. recovery',
    metric: `drain after outage: ${rc.outage300.leads} leads queued; s after recovery, leads/s (bound 350)`,
    value: `${fmt(rc.outage300.drainSec, 1)} s, ${fmt(rc.outage300.leadsPerSec, 0)} leads/s (${rc.outage300.inSandbox} in amoCRM, ${rc.outage300.duplicated} duplicated)`,
    target: '>= 50 leads/s, aim 150',
    verdict: verdict(rc.outage300.leadsPerSec >= 50 && clean(rc.outage300)),
  });
  out.push({
    section: '6. recovery',
    metric: `recovery after crash: ${rc.crash.leads} leads, SIGKILL mid-batch (${rc.crash.createdBeforeKill} created), restart at once; s after the kill, leads/s (bound 350)`,
    value: `${fmt(rc.crash.drainSec, 1)} s, ${fmt(rc.crash.leadsPerSec, 0)} leads/s (${rc.crash.inSandbox} in amoCRM, ${rc.crash.duplicated} duplicated)`,
    target: '<= 30 s, no duplicate',
    verdict: verdict(rc.crash.drainSec <= 30 && clean(rc.crash)),
  });

  out.push({
    section: '5. memory',
    metric: 'app RSS: before the drain; peak sampled during it / VmHWM',
    value: `${fmt(b.idleRssMb, 0)} MB; ${fmt(b.rssPeakMb, 0)} MB / ${fmt(b.hwmMb, 0)} MB (${b.rssSamples} samples)`,
    target: '<= 200 MB',
    verdict: verdict(b.rssPeakMb <= 200),
  });
  return out;
}

function table(list: Row[]): string {
  const head = ['section', 'metric', 'value', 'target', 'verdict'] as const;
  const widths = head.map((h) => Math.max(h.length, ...list.map((r) => r[h].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  return [
    line([...head]),
    widths.map((w) => '-'.repeat(w)).join('-+-'),
    ...list.map((r) => line(head.map((h) => r[h]))),
  ].join('\n');
}

function header(r: Report): string {
  const m = r.machine;
  return [
    `command:  ${r.command}`,
    `date:     ${r.date}`,
    `machine:  ${m.cpus} cores (${m.cpuModel}), ${fmt(m.memoryGb, 1)} GB RAM, ${m.platform}, Node ${m.node}`,
    `database: ${r.database}`,
    `run:      ${fmt(r.totalSec, 0)} s in total`,
  ].join('\n');
}

export function printReport(r: Report): void {
  const out = [
    '',
    header(r),
    '',
    table(rows(r)),
    '',
    'amoCRM requests during the bulk drain, by route:',
    ...r.bulk.byPath.map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`),
    '',
  ];
  process.stdout.write(out.join('\n') + '\n');
}

const BEGIN = '<!-- bench:results:begin -->';
const END = '<!-- bench:results:end -->';

function markdown(r: Report): string {
  const md = (s: string) => s.replace(/\|/g, '\\|');
  return [
    BEGIN,
    '',
    '```',
    header(r),
    '```',
    '',
    '| section | metric | value | target | verdict |',
    '|---|---|---|---|---|',
    ...rows(r).map(
      (x) =>
        `| ${md(x.section)} | ${md(x.metric)} | ${md(x.value)} | ${md(x.target)} | ${x.verdict === 'MISSED' ? '**MISSED**' : x.verdict} |`,
    ),
    '',
    'amoCRM requests during the bulk drain, by route:',
    '',
    '| requests | route |',
    '|---:|---|',
    ...r.bulk.byPath.map(([k, n]) => `| ${n} | \`${k}\` |`),
    '',
    END,
  ].join('\n');
}

/**
 * Replaces the generated block of docs/BENCHMARKS.md and keeps the hand-written text around it
 * (the explanation of each figure and of each missed target).
 */
export function writeDocs(r: Report): string {
  const dir = join(ROOT, 'docs');
  const file = join(dir, 'BENCHMARKS.md');
  mkdirSync(dir, { recursive: true });
  const block = markdown(r);
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a >= 0 && b > a) {
    text = text.slice(0, a) + block + text.slice(b + END.length);
  } else {
    text = `# Benchmarks\n\n## Last run\n\n${block}\n${text ? `\n${text}` : ''}`;
  }
  writeFileSync(file, text);
  return file;
}
