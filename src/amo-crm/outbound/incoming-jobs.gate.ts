import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { AmoIncomingState } from '../../leads/lead.enums';
import { AmoSyncJob, SyncJobKind } from '../outbox/amo-sync-job.entity';
import { SyncJobsRepository } from './sync-jobs.repository';

/** Kept on a job while its lead waits in amoCRM's incoming leads (not a failure). */
export const WAITING_FOR_ACCEPTANCE =
  'waiting for a manager to accept the lead in amoCRM incoming leads';

/**
 * amoCRM refuses notes and stage changes on a lead that waits in its incoming leads, so every
 * later job of such a lead (status, edits, the comment's note) is put off, without using an
 * attempt, and looked at again every SYNC_INCOMING_RECHECK_MS; once a manager accepts (seen by
 * webhook or reconciliation) they run in their order. A declined lead's jobs end: amoCRM has
 * deleted the lead, and the decline is recorded on ours.
 */
@Injectable()
export class IncomingJobsGate {
  /** True in incoming-leads mode; CREATE jobs then go to CreateIncomingLeadsStep. */
  readonly enabled: boolean;
  private readonly recheckMs: number;

  constructor(
    private readonly jobs: SyncJobsRepository,
    private readonly dataSource: DataSource,
    config: ConfigService<AppConfig, true>,
  ) {
    this.enabled = config.get('amo', { infer: true }).leadTarget === 'incoming';
    this.recheckMs = config.get('sync', { infer: true }).incomingRecheckMs;
  }

  /** The jobs that may run now. Leads sent in incoming mode wait in either mode. */
  async admit(jobs: AmoSyncJob[]): Promise<AmoSyncJob[]> {
    const later = jobs.filter((j) => j.kind !== SyncJobKind.CREATE);
    if (!later.length) return jobs;
    const leads = await this.jobs.loadLeads(later);
    const waiting: AmoSyncJob[] = [];
    const declined: AmoSyncJob[] = [];
    for (const j of later) {
      const state = leads.get(j.leadId)?.amoIncomingState;
      if (state === AmoIncomingState.WAITING) waiting.push(j);
      else if (state === AmoIncomingState.DECLINED) declined.push(j);
    }
    if (waiting.length) {
      await this.dataSource.query(
        `UPDATE amo_sync_jobs
            SET state = 'PENDING', attempts = greatest(attempts - 1, 0), lease_until = NULL,
                last_error = $2, next_attempt_at = now() + make_interval(secs => $3)
          WHERE id = ANY($1::bigint[])`,
        [waiting.map((j) => j.id), WAITING_FOR_ACCEPTANCE, this.recheckMs / 1000],
      );
    }
    for (const j of declined) await this.jobs.markDone(j);
    const held = new Set([...waiting, ...declined]);
    return jobs.filter((j) => !held.has(j));
  }
}
