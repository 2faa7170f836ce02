import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { returningRows } from '../../database/returning-rows';

/**
 * The statements that give jobs back after something outside them went wrong: a dispatcher
 * that died holding leases, a database blip in the middle of a pass, amoCRM being down.
 * A released RUNNING job keeps its "outcome unknown" flag (written before its request was
 * sent), so a create that may have reached amoCRM is looked up before it is sent again.
 */
@Injectable()
export class SyncRecoveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The new dispatcher knows the previous holder of the lock is gone: its leases end now. */
  async releaseAllLeases(): Promise<number> {
    const rows: unknown = await this.dataSource.query(
      `UPDATE amo_sync_jobs SET lease_until = now() - interval '1 second', updated_at = now()
        WHERE state = 'RUNNING' AND lease_until >= now() RETURNING id`,
    );
    return returningRows(rows).length;
  }

  /** Jobs this process claimed in a pass that failed (e.g. the database went away). */
  async releaseLeases(ids: string[]): Promise<number> {
    if (!ids.length) return 0;
    const rows: unknown = await this.dataSource.query(
      `UPDATE amo_sync_jobs SET lease_until = now() - interval '1 second', updated_at = now()
        WHERE id = ANY($1::bigint[]) AND state = 'RUNNING' RETURNING id`,
      [ids],
    );
    return returningRows(rows).length;
  }

  /**
   * amoCRM answers again after an outage: the jobs that failed because of it are due now, and
   * the attempt the outage cost them is given back.
   */
  async releaseAfterOutage(since: Date): Promise<number> {
    const rows: unknown = await this.dataSource.query(
      `UPDATE amo_sync_jobs
          SET next_attempt_at = now(), attempts = greatest(attempts - 1, 0), updated_at = now()
        WHERE state = 'PENDING' AND last_error IS NOT NULL AND updated_at >= $1
        RETURNING id`,
      [since],
    );
    return returningRows(rows).length;
  }
}
