import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfig, SyncSettings } from '../../config/configuration';
import { AmoSyncJob } from '../outbox/amo-sync-job.entity';
import { decideRetry } from './retry-policy';
import { SyncJobsRepository } from './sync-jobs.repository';

/**
 * Records a failed attempt as the retry policy decides, and keeps the two facts a failure
 * tells the whole dispatcher: amoCRM blocked API access (all sync pauses), or the grant is
 * gone (held jobs must be released once it is back).
 */
@Injectable()
export class SyncJobFailures {
  private readonly logger = new Logger(SyncJobFailures.name);
  private readonly settings: SyncSettings;
  private pausedUntil = 0;
  private pauseReason = '';
  /** Set when a job was held for want of a grant; the next connected pass releases it. */
  heldForGrant = false;

  constructor(
    private readonly jobs: SyncJobsRepository,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('sync', { infer: true });
  }

  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** Set while sync is paused because amoCRM blocks API access (shown in the admin sync view). */
  get pause(): { until: string; reason: string } | null {
    return this.pausedUntil > Date.now()
      ? { until: new Date(this.pausedUntil).toISOString(), reason: this.pauseReason }
      : null;
  }

  async failAll(jobs: AmoSyncJob[], err: unknown): Promise<void> {
    for (const job of jobs) await this.fail(job, err);
  }

  async fail(job: AmoSyncJob, err: unknown): Promise<void> {
    const decision = decideRetry(err, job, this.settings);
    if (decision.state === 'HELD') {
      this.heldForGrant = true;
      await this.jobs.hold(job, decision.message);
      return;
    }
    if (decision.state === 'DEAD') {
      await this.jobs.markDead(job, decision);
      this.logger.warn(`Sync job ${job.id} (${job.kind}) is DEAD: ${decision.message}`);
    } else {
      await this.jobs.reschedule(job, decision);
    }
    // after the job's row is written, so the sync view never shows a pause beside a RUNNING job
    if (decision.pauseMs !== null) {
      this.pausedUntil = Date.now() + decision.pauseMs;
      this.pauseReason = decision.message;
      this.logger.error(
        `amoCRM blocks API access; sync paused for ${decision.pauseMs / 60_000} min: ${decision.message}`,
      );
    }
  }
}
