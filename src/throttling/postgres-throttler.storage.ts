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

  constructor(private readonly dataSource: DataSource) {}

  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    _blockDurationMs: number,
    throttlerName: string,
  ): Promise<ThrottleRecord> {
    const rows: { hits: number; seconds_left: number }[] = await this.dataSource.query(
      `WITH w AS (SELECT floor(extract(epoch FROM clock_timestamp()) * 1000 / $2)::bigint AS id)
       INSERT INTO throttle_hits (key, window_id, hits, expires_at)
       SELECT $1, w.id, 1, to_timestamp((w.id + 1) * $2 / 1000.0) FROM w
       ON CONFLICT ON CONSTRAINT pk_throttle_hits
         DO UPDATE SET hits = throttle_hits.hits + 1
       RETURNING hits,
         GREATEST(1, ceil(extract(epoch FROM expires_at - clock_timestamp())))::int AS seconds_left`,
      [`${throttlerName}:${key}`.slice(0, 200), ttlMs],
    );
    this.sweepSometimes();
    const hits = Number(rows[0].hits);
    const secondsLeft = Number(rows[0].seconds_left);
    const isBlocked = hits > limit;
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
    this.dataSource
      .query(`DELETE FROM throttle_hits WHERE expires_at < now()`)
      .catch((err: unknown) =>
        this.logger.warn(`Could not sweep old throttle counters: ${(err as Error).message}`),
      );
  }
}
