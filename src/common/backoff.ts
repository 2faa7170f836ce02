/**
 * Exponential backoff with full jitter: a uniformly random wait in [0, min(cap, base·2^(n-1))],
 * so retries of many jobs after an outage spread out instead of arriving together.
 */
export function backoffDelayMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
