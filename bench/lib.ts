import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export { freePort } from '../scripts/free-port';

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    await sleep(everyMs);
  }
  const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${why}`);
}

/**
 * Settings the bench's own environment may carry that must not leak into a child: each child
 * gets exactly the configuration its phase describes.
 */
const APP_VARS =
  /^(AMO_|SYNC_|DB_|EMBEDDED_|LEAD_FORM_|DATABASE_URL$|TEST_DATABASE_URL$|TEST_DB_KIND$|PORT$|HOST$|ADMIN_API_KEY$|TOKEN_ENCRYPTION_KEY$|LOG_LEVEL$|NODE_ENV$|MIGRATIONS_RUN$|CORS_ORIGINS$|PHONE_DEFAULT_REGION$|DEFAULT_CURRENCY$)/;

export function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!APP_VARS.test(k)) env[k] = v;
  return { ...env, ...vars };
}

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The last lines the child printed, for error messages. */
  tail(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

const running = new Set<Child>();

/**
 * Runs an entry point in its own Node process (compiled JavaScript as is, TypeScript through
 * ts-node without type checking), so the load generator never shares an event loop with it.
 */
export function spawnTs(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): Child {
  // compiled JavaScript (the app, as `npm start` runs it) needs no ts-node
  const loader = script.endsWith('.js') ? [] : ['-r', 'ts-node/register/transpile-only'];
  const proc = spawn(process.execPath, [...loader, ...nodeArgs, script], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line.slice(0, 500));
      if (lines.length > 40) lines.shift();
    }
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let done = false;
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      done = true;
      resolve();
    }),
  );
  const child: Child = {
    name,
    proc,
    pid: proc.pid ?? -1,
    tail: () => lines.join('\n'),
    exited: () => done,
    async stop() {
      running.delete(child);
      if (done) return;
      proc.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        proc.kill('SIGKILL');
        await Promise.race([exit, sleep(5_000)]);
      }
    },
  };
  running.add(child);
  return child;
}

/** Last resort on an abort: every child this process started, by its own handle. */
export function killAllChildren(): void {
  for (const c of running) if (!c.exited()) c.proc.kill('SIGKILL');
  running.clear();
}

/** Waits for a child's HTTP server to answer `path` with 200. */
export async function waitHttpReady(child: Child, url: string, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exited()) throw new Error(`${child.name} exited during start:\n${child.tail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs} ms:\n${child.tail()}`);
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Largest number of timestamps within any rolling 1000 ms. */
export function maxInAnySecond(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < t.length; end++) {
    while (t[end] - t[start] >= 1000) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** A field of /proc/<pid>/status in MB (VmRSS, VmHWM), or NaN when the process is gone. */
export function procMemMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Samples a process's resident set every `everyMs` until stopped. */
export function sampleRss(
  pid: number,
  everyMs = 100,
): { stop(): { peakMb: number; samples: number } } {
  let peak = 0;
  let samples = 0;
  const timer = setInterval(() => {
    const mb = procMemMb(pid, 'VmRSS');
    if (Number.isFinite(mb)) {
      peak = Math.max(peak, mb);
      samples++;
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakMb: peak, samples };
    },
  };
}

/** A small JSON client for one base URL, with the admin key and a per-request timeout. */
export class Api {
  constructor(
    readonly base: string,
    private readonly adminKey: string,
  ) {}

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    admin = true,
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (admin) headers.authorization = `Bearer ${this.adminKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T };
  }

  async ok<T>(method: string, path: string, body?: unknown, admin = true): Promise<T> {
    const r = await this.call<T>(method, path, body, admin);
    if (r.status < 200 || r.status > 299) {
      throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    }
    return r.body;
  }
}

export const fmt = (n: number, digits = 1): string =>
  Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
