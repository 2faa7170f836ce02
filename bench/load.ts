import autocannon from 'autocannon';

export interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  durationSec: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
}

export type BodyFor = (i: number) => string;

export interface LoadOptions {
  url: string;
  path: string;
  contentType: string;
  body: BodyFor;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  durationSec?: number;
  amount?: number;
  /** Requests per second across all connections (open-loop pacing). */
  overallRate?: number;
  onResponse?: (status: number, body: string) => void;
}

/**
 * One autocannon run. Each request gets its own body from `body(i)`, so no two leads share a
 * phone and no two webhooks share a dedupe key. Bounded by duration or amount, and by a
 * per-request timeout.
 */
export async function load(o: LoadOptions): Promise<LoadResult> {
  let i = 0;
  const r = await autocannon({
    url: o.url,
    connections: o.connections,
    ...(o.amount !== undefined ? { amount: o.amount } : { duration: o.durationSec ?? 10 }),
    ...(o.overallRate !== undefined ? { overallRate: o.overallRate } : {}),
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: o.path,
        headers: { 'content-type': o.contentType },
        setupRequest: (req) => ({ ...req, body: o.body(i++) }),
        onResponse: o.onResponse ? (status, body) => o.onResponse!(status, body) : undefined,
      },
    ],
  });
  return {
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    durationSec: r.duration,
    rps: r['2xx'] / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
  };
}
