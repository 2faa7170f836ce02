import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfig, SyncSettings } from '../../config/configuration';
import { AmoCrmError } from '../client/amo-crm.error';
import { AmoSyncJob } from '../outbox/amo-sync-job.entity';
import { AmoOutageGate } from './amo-outage.gate';
import { decideRetry } from './retry-policy';
import { SyncJobsRepository } from './sync-jobs.repository';
import { SyncPauseStore } from './sync-pause.store';

/**
 * Records a failed attempt as the retry policy decides, and passes on what a failure tells the
 * whole dispatcher: amoCRM is down (the outage gate), asks everyone to wait (`retry_after`) or
 * blocks API access (a stored pause for all instances), or the grant is gone (held jobs must be
 * released once it is back). Every move of a lead to FAILED or DEAD is one log line.
 */
@Injectable()
export class SyncJobFailures {
  private readonly logger = new Logger(SyncJobFailures.name);
  private readonly settings: SyncSettings;
  /** Set when a job was held for want of a grant; the next connected pass releases it. */
  heldForGrant = false;

  constructor(
    private readonly jobs: SyncJobsRepository,
    private readonly pauses: SyncPauseStore,
    private readonly gate: AmoOutageGate,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('sync', { infer: true });
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
    if (err instanceof AmoCrmError && err.kind === 'rate_limited' && err.retryAfterMs) {
      // amoCRM asked the whole account to wait: not this job's fault, no attempt is used
      const untilMs = Date.now() + err.retryAfterMs;
      const until = new Date(untilMs).toISOString();
      const message = `${decision.message}; all sync paused until ${until}`;
      const number = await this.jobs.reschedule(job, {
        message,
        outcomeUnknown: decision.outcomeUnknown,
        delayMs: err.retryAfterMs,
        refund: true,
      });
      this.logger.warn(`Lead #${number ?? '?'} sync FAILED (${job.kind}, waits): ${message}`);
      await this.pauses.pause(untilMs, decision.message);
      return;
    }
    const outage = this.gate.report(err);
    if (decision.state === 'DEAD') {
      const number = await this.jobs.markDead(job, decision);
      this.logger.warn(
        `Lead #${number ?? '?'} sync DEAD (${job.kind}, attempt ${job.attempts}): ${decision.message}`,
      );
    } else {
      const number = await this.jobs.reschedule(job, decision);
      this.logger.warn(
        `Lead #${number ?? '?'} sync FAILED (${job.kind}, attempt ${job.attempts} of ${this.settings.maxAttempts}, ` +
          `retry in ${Math.round(decision.delayMs)} ms${outage ? ', or as soon as amoCRM answers again' : ''}): ${decision.message}`,
      );
    }
    // after the job's row is written, so the sync view never shows a pause beside a RUNNING job
    if (decision.pauseMs !== null) {
      await this.pauses.pause(Date.now() + decision.pauseMs, decision.message);
      this.logger.error(
        `amoCRM blocks API access; sync paused for ${decision.pauseMs / 60_000} min: ${decision.message}`,
      );
    }
  }
}
