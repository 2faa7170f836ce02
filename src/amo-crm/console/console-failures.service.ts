import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../../common/domain-errors';
import { returningRows } from '../../database/returning-rows';
import { AmoNotConfiguredError } from '../auth/amo-connection.errors';
import { AmoWebhookWorker } from '../inbound/amo-webhook.worker';
import { SyncQueueService } from '../outbox/sync-queue.service';
import { SyncAdminService } from '../outbound/sync-admin.service';
import {
  ActivityResponse,
  FailuresResponse,
  RetryFailuresResponse,
} from './dto/console-lists.response';
import { splitStoredError } from './stored-error';
import { readFailedInboxEvents } from '../outbound/failed-inbox-events';

/** The console's failures page and activity counts; every lever is one SQL statement. */
@Injectable()
export class ConsoleFailuresService {
  private readonly logger = new Logger(ConsoleFailuresService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly sync: SyncAdminService,
    private readonly queue: SyncQueueService,
    private readonly worker: AmoWebhookWorker,
  ) {}

  async failures(): Promise<FailuresResponse> {
    const jobs: {
      id: string;
      lead_id: string;
      number: number | null;
      guest_name: string | null;
      kind: string;
      attempts: number;
      last_error: string | null;
      updated_at: Date;
    }[] = await this.dataSource.query(
      `SELECT j.id, j.lead_id, l.number, l.guest_name, j.kind, j.attempts, j.last_error, j.updated_at
         FROM amo_sync_jobs j LEFT JOIN leads l ON l.id = j.lead_id
        WHERE j.state = 'DEAD' ORDER BY j.updated_at DESC, j.id DESC LIMIT 100`,
    );
    const events = await readFailedInboxEvents(this.dataSource, 100);
    return {
      deadJobs: jobs.map((j) => ({
        jobId: String(j.id),
        leadId: j.lead_id,
        leadNumber: j.number === null ? null : Number(j.number),
        guestName: j.guest_name,
        kind: j.kind,
        attempts: j.attempts,
        error: j.last_error,
        ...splitStoredError(j.last_error),
        at: new Date(j.updated_at).toISOString(),
      })),
      failedEvents: events.map((e) => ({
        eventId: String(e.id),
        entity: e.entity,
        action: e.action,
        amoId: e.amo_id === null ? null : Number(e.amo_id),
        state: e.state,
        attempts: e.attempts,
        error: e.last_error,
        receivedAt: new Date(e.received_at).toISOString(),
      })),
    };
  }

  /** One DEAD job, one DEAD event, or (neither given) all of both, with fresh attempts. */
  async retry(jobId?: string, eventId?: string): Promise<RetryFailuresResponse> {
    if (!this.queue.enabled) throw new AmoNotConfiguredError();
    const all = jobId === undefined && eventId === undefined;
    let requeuedJobs = 0;
    let requeuedEvents = 0;
    if (all || jobId !== undefined) {
      const res: unknown = await this.dataSource.query(
        `WITH r AS (
           UPDATE amo_sync_jobs SET state = 'PENDING', attempts = 0, next_attempt_at = now(), updated_at = now()
            WHERE state = 'DEAD' AND ($1::bigint IS NULL OR id = $1::bigint)
            RETURNING lead_id)
         UPDATE leads SET sync_state = 'PENDING' FROM r WHERE leads.id = r.lead_id RETURNING leads.id`,
        [jobId ?? null],
      );
      requeuedJobs = returningRows(res).length;
      if (jobId !== undefined && requeuedJobs === 0) throw new NotFoundError('DEAD job', jobId);
    }
    if (all || eventId !== undefined) {
      const res: unknown = await this.dataSource.query(
        `UPDATE amo_webhook_events SET state = 'PENDING', attempts = 0, next_attempt_at = now()
          WHERE state = 'DEAD' AND ($1::bigint IS NULL OR id = $1::bigint) RETURNING id`,
        [eventId ?? null],
      );
      requeuedEvents = returningRows(res).length;
      if (eventId !== undefined && requeuedEvents === 0) {
        throw new NotFoundError('DEAD inbox event', eventId);
      }
    }
    this.logger.log(`Re-drove ${requeuedJobs} DEAD jobs and ${requeuedEvents} DEAD inbox events`);
    this.queue.wake();
    this.worker.wake();
    return { requeuedJobs, requeuedEvents };
  }

  async activity(): Promise<ActivityResponse> {
    const overview = await this.sync.overview();
    const [synced]: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM leads WHERE synced_at > now() - interval '1 hour'`,
    );
    return {
      jobs: overview.jobs,
      inbox: overview.inbox,
      oldestPendingAgeSec: overview.oldestPendingAgeSec,
      leadsSyncedLastHour: synced?.n ?? 0,
      paused: overview.paused,
    };
  }
}
