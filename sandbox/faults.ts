/** Injected failures and the per-token rate limit, applied in front of /api/v4 and /oauth2. */
import type { DropRule, FailNextRule, PathMatcher } from './types';

function matches(rule: PathMatcher, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  return typeof rule.path === 'string' ? rule.path === path : rule.path.test(path);
}

export class Faults {
  outage = false;
  blocked = false;
  latencyMs = 0;
  private failRules: FailNextRule[] = [];
  private dropRules: DropRule[] = [];

  failNext(rule: FailNextRule): void {
    if (rule.count > 0) this.failRules.push({ ...rule });
  }

  dropAfterCommit(rule: DropRule): void {
    if (rule.count > 0) this.dropRules.push({ ...rule });
  }

  takeFailure(method: string, path: string): FailNextRule | undefined {
    return this.take(this.failRules, method, path);
  }

  takeDrop(method: string, path: string): boolean {
    return this.take(this.dropRules, method, path) !== undefined;
  }

  private take<T extends PathMatcher & { count: number }>(
    rules: T[],
    method: string,
    path: string,
  ): T | undefined {
    const rule = rules.find((r) => matches(r, method, path));
    if (!rule) return undefined;
    rule.count--;
    if (rule.count <= 0) rules.splice(rules.indexOf(rule), 1);
    return rule;
  }

  clear(): void {
    this.outage = false;
    this.blocked = false;
    this.latencyMs = 0;
    this.failRules = [];
    this.dropRules = [];
  }
}

/** Sliding-log limiter: at most `limit` admitted requests per token in any rolling 1000 ms. */
export class RateLimiter {
  private readonly admitted = new Map<string, number[]>();

  constructor(public limit: number) {}

  allow(key: string, now: number): boolean {
    const recent = (this.admitted.get(key) ?? []).filter((t) => t > now - 1000);
    if (recent.length >= this.limit) {
      this.admitted.set(key, recent);
      return false;
    }
    recent.push(now);
    this.admitted.set(key, recent);
    return true;
  }
}

/** Recent 429s, for escalating repeated violations to the account block. */
export class RateLimitStrikes {
  private times: number[] = [];

  /** Records one 429; true when `threshold` (> 0) were reached within `windowMs`. */
  strike(now: number, threshold: number, windowMs: number): boolean {
    this.times = this.times.filter((t) => t > now - windowMs);
    this.times.push(now);
    return threshold > 0 && this.times.length >= threshold;
  }

  clear(): void {
    this.times = [];
  }
}
