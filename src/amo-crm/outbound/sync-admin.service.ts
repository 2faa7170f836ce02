import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AmoTokenService, ConnectionStatus } from '../auth/amo-token.service';
import { AmoNotConfiguredError } from '../auth/amo-connection.errors';
import { SyncQueueService } from '../outbox/sync-queue.service';
import { returningRows } from '../../database/returning-rows';
import { SyncDispatcherService } from './sync-dispatcher.service';
import { readUnmappedStages, UnmappedStagesView } from './sync-view-stages';
import { readFailedInboxEvents } from './failed-inbox-events';

export interface SyncOverview {
  connection: ConnectionStatus;
  /**
   * Non-null while all outbound sync waits: amoCRM's `retry_after` on a 429 or a block. Stored
   * in PostgreSQL, so every instance shows and keeps the same pause.
   */
  paused: { until: string; reason: string } | null;
  /** Non-null while amoCRM does not answer and only a probe is sent. */
  outage: { since: string; reason: string } | null;
  jobs: Record<'PENDING' | 'RUNNING' | 'DONE' | 'DEAD' | 'HELD', number>;
  oldestPendingAgeSec: number | null;
  recentDead: {
    jobId: string;
    leadId: string;
    kind: string;
    attempts: number;
    error: string | null;
    at: string;
  }[];
  /** Inbound: webhook and reconciliation items per state. */
  inbox: Record<'PENDING' | 'RUNNING' | 'DONE' | 'IGNORED' | 'DEAD', number>;
  /** Inbound items that are DEAD or failed their last attempt, newest first. */
  recentInboxFailures: {
    eventId: string;
    entity: string;
    action: string;
    amoId: number | null;
    state: string;
    attempts: number;
    error: string | null;
    receivedAt: string;
  }[];
  /** Leads amoCRM moved to a stage the mapping does not know. */
  unmappedStages: UnmappedStagesView;
}

/** What an admin sees of the sync, and the two levers: backfill and re-drive. */
@Injectable()
export class SyncAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: AmoTokenService,
    private readonly queue: SyncQueueService,
    private readonly dispatcher: SyncDispatcherService,
  ) {}

  async overview(): Promise<SyncOverview> {
    const counts: { state: keyof SyncOverview['jobs']; n: number }[] = await this.dataSource.query(
      `SELECT state, count(*)::int AS n FROM amo_sync_jobs GROUP BY state`,
    );
    const jobs = { PENDING: 0, RUNNING: 0, DONE: 0, DEAD: 0, HELD: 0 };
    for (const c of counts) jobs[c.state] = c.n;
    const [oldest]: { age: number | null }[] = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::int AS age FROM amo_sync_jobs WHERE state IN ('PENDING','HELD','RUNNING')`,
    );
    const dead: {
      id: string;
      lead_id: string;
      kind: string;
      attempts: number;
      last_error: string | null;
      updated_at: Date;
    }[] = await this.dataSource.query(
      `SELECT id, lead_id, kind, attempts, last_error, updated_at FROM amo_sync_jobs WHERE state = 'DEAD' ORDER BY updated_at DESC LIMIT 20`,
    );
    const inboxCounts: { state: keyof SyncOverview['inbox']; n: number }[] =
      await this.dataSource.query(
        `SELECT state, count(*)::int AS n FROM amo_webhook_events GROUP BY state`,
      );
    const inbox = { PENDING: 0, RUNNING: 0, DONE: 0, IGNORED: 0, DEAD: 0 };
    for (const c of inboxCounts) inbox[c.state] = c.n;
    const failures = await readFailedInboxEvents(this.dataSource, 20);
    return {
      connection: await this.tokens.status(),
      paused: await this.dispatcher.pause(),
      outage: this.dispatcher.outage,
      jobs,
      oldestPendingAgeSec: oldest?.age ?? null,
      recentDead: dead.map((d) => ({
        jobId: String(d.id),
        leadId: d.lead_id,
        kind: d.kind,
        attempts: d.attempts,
        error: d.last_error,
        at: new Date(d.updated_at).toISOString(),
      })),
      inbox,
      recentInboxFailures: failures.map((f) => ({
        eventId: String(f.id),
        entity: f.entity,
        action: f.action,
        amoId: f.amo_id === null ? null : Number(f.amo_id),
        state: f.state,
        attempts: f.attempts,
        error: f.last_error,
        receivedAt: new Date(f.received_at).toISOString(),
      })),
      unmappedStages: await readUnmappedStages(this.dataSource),
    };
  }

  /** Enqueues every lead not yet in amoCRM; a second run finds them queued and adds nothing. */
  async bulk(): Promise<{ enqueued: number }> {
    this.requireEnabled();
    const res: unknown = await this.dataSource.query(
      `WITH ins AS (
         INSERT INTO amo_sync_jobs (lead_id, kind)
         SELECT id, 'CREATE' FROM leads WHERE amo_lead_id IS NULL AND repeat_of IS NULL
         ON CONFLICT (lead_id) WHERE kind = 'CREATE' AND state <> 'DONE' DO NOTHING
         RETURNING lead_id)
       UPDATE leads SET sync_state = 'PENDING', sync_error = NULL FROM ins WHERE leads.id = ins.lead_id
       RETURNING leads.id`,
    );
    const rows = returningRows(res);
    this.queue.wake();
    return { enqueued: rows.length };
  }

  /** Puts DEAD jobs (all, or one lead's) back in the queue with a fresh attempt count. */
  async retry(leadId?: string): Promise<{ requeued: number }> {
    this.requireEnabled();
    const res: unknown = await this.dataSource.query(
      `WITH r AS (
         UPDATE amo_sync_jobs SET state = 'PENDING', attempts = 0, next_attempt_at = now(), updated_at = now()
          WHERE state = 'DEAD' AND ($1::uuid IS NULL OR lead_id = $1::uuid)
          RETURNING lead_id)
       UPDATE leads SET sync_state = 'PENDING' FROM r WHERE leads.id = r.lead_id RETURNING leads.id`,
      [leadId ?? null],
    );
    const rows = returningRows(res);
    this.queue.wake();
    return { requeued: rows.length };
  }

  private requireEnabled(): void {
    if (!this.queue.enabled) throw new AmoNotConfiguredError();
  }
}
