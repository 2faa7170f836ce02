import { Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { DataSource } from 'typeorm';

const SWEEP_EVERY_MS = 60_000;

export type ThrottleRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Throttle counters in PostgreSQL, so every instance on one database counts a client once:
 * the in-memory default gives each of N instances its own budget, N times the limit in total.
 *
 * Fixed windows keyed by (key, window number): one atomic upsert per hit, on the database's
 * clock so instances with skewed clocks agree. A client over the limit stays refused until its
 * window ends. Rows of past windows are deleted at most once a minute per process.
 */
@Injectable()
export class PostgresThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(PostgresThrottlerStorage.name);
  private lastSweep = Date.now();
  /**
   * Keys this process has seen over their limit, until their window ends: a client that keeps
   * posting after its 429 is answered from memory, so a flood from one address costs the
   * database one statement per window rather than one per request.
   */
  private readonly blockedUntil = new Map<string, number>();

  constructor(private readonly dataSource: DataSource) {}

  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    _blockDurationMs: number,
    throttlerName: string,
  ): Promise<ThrottleRecord> {
    const fullKey = `${throttlerName}:${key}`.slice(0, 200);
    const until = this.blockedUntil.get(fullKey);
    if (until !== undefined) {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left > 0) {
        return {
          totalHits: limit + 1,
          timeToExpire: left,
          isBlocked: true,
          timeToBlockExpire: left,
        };
      }
      this.blockedUntil.delete(fullKey);
    }
    const rows: { hits: number; seconds_left: number }[] = await this.dataSource.query(
      `WITH w AS (SELECT floor(extract(epoch FROM clock_timestamp()) * 1000 / $2)::bigint AS id)
       INSERT INTO throttle_hits (key, window_id, hits, expires_at)
       SELECT $1, w.id, 1, to_timestamp((w.id + 1) * $2 / 1000.0) FROM w
       ON CONFLICT ON CONSTRAINT pk_throttle_hits
         DO UPDATE SET hits = throttle_hits.hits + 1
       RETURNING hits,
         GREATEST(1, ceil(extract(epoch FROM expires_at - clock_timestamp())))::int AS seconds_left`,
      [fullKey, ttlMs],
    );
    this.sweepSometimes();
    const hits = Number(rows[0].hits);
    const secondsLeft = Number(rows[0].seconds_left);
    const isBlocked = hits > limit;
    if (isBlocked) this.blockedUntil.set(fullKey, Date.now() + secondsLeft * 1000);
    return {
      totalHits: hits,
      timeToExpire: secondsLeft,
      isBlocked,
      timeToBlockExpire: isBlocked ? secondsLeft : 0,
    };
  }

  private sweepSometimes(): void {
    if (Date.now() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = Date.now();
    for (const [k, until] of this.blockedUntil)
      if (until <= this.lastSweep) this.blockedUntil.delete(k);
    this.dataSource
      .query(`DELETE FROM throttle_hits WHERE expires_at < now()`)
      .catch((err: unknown) =>
        this.logger.warn(`Could not sweep old throttle counters: ${(err as Error).message}`),
      );
  }
}
