import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { returningRows } from '../../database/returning-rows';
import { Lead } from '../../leads/lead.entity';
import { LeadSyncState } from '../../leads/lead.enums';
import { Property } from '../../properties/property.entity';
import { AmoSyncJob, SyncJobState } from '../outbox/amo-sync-job.entity';
import { enqueueCallbackTasks } from './callback-task.jobs';

/** A job and the amoCRM ids its lead got: recorded together. */
export interface CreatedLead {
  job: AmoSyncJob;
  lead: Lead;
  amoLeadId: number;
  amoContactId: number | null;
}

/**
 * The dispatcher's statements on the outbox, one named method each. A write that changes a
 * job and its lead runs in one transaction, so a crash never leaves a lead SYNCED with its job
 * still due, or a job DEAD with its lead showing PENDING.
 */
@Injectable()
export class SyncJobsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes up to `limit` due jobs (or jobs whose lease ran out) with a lease of `leaseSec`,
   * skipping rows another dispatcher holds. A job waits while an earlier one of the same lead
   * is unfinished, or while its lead's CREATE is DEAD, so an UPDATE never overtakes its CREATE.
   * A job taken over from an expired or released lease keeps its own "outcome unknown" flag:
   * steps set it (committed) before sending, so a job without it never reached amoCRM and
   * needs no look-up.
   */
  async claimDue(limit: number, leaseSec: number): Promise<AmoSyncJob[]> {
    const rows: unknown = await this.dataSource.query(
      `WITH due AS (
         SELECT j.id FROM amo_sync_jobs j
          WHERE ((j.state = 'PENDING' AND j.next_attempt_at <= now())
                 OR (j.state = 'RUNNING' AND j.lease_until < now()))
            AND NOT EXISTS (SELECT 1 FROM amo_sync_jobs p
                             WHERE p.lead_id = j.lead_id AND p.id < j.id
                               AND (p.state IN ('PENDING', 'RUNNING', 'HELD')
                                    OR (p.state = 'DEAD' AND p.kind = 'CREATE')))
          ORDER BY j.id
          LIMIT $1
          FOR UPDATE SKIP LOCKED)
       UPDATE amo_sync_jobs s
          SET outcome_unknown = s.outcome_unknown,
              state = 'RUNNING', attempts = s.attempts + 1,
              lease_until = now() + make_interval(secs => $2), updated_at = now()
         FROM due WHERE s.id = due.id
       RETURNING s.id, s.lead_id AS "leadId", s.kind, s.payload, s.attempts, s.outcome_unknown AS "outcomeUnknown"`,
      [limit, leaseSec],
    );
    return returningRows<AmoSyncJob>(rows).sort((a, b) => Number(a.id) - Number(b.id));
  }

  /**
   * Without a usable grant: park every pending job rather than burn its attempts, and every
   * job whose lease ended (a dead dispatcher's, or one given back); they keep "outcome unknown".
   * The leads say why they wait.
   */
  async holdPending(reason: string): Promise<void> {
    await this.dataSource.query(
      `WITH held AS (
         UPDATE amo_sync_jobs SET state = 'HELD', lease_until = NULL, last_error = $1, updated_at = now()
          WHERE state = 'PENDING' OR (state = 'RUNNING' AND lease_until < now()) RETURNING lead_id)
       UPDATE leads SET sync_error = $1 WHERE id IN (SELECT lead_id FROM held)`,
      [reason],
    );
  }

  /** The grant is usable again: every parked job is due now. */
  async releaseHeld(): Promise<void> {
    await this.dataSource.query(
      `UPDATE amo_sync_jobs SET state = 'PENDING', next_attempt_at = now(), updated_at = now() WHERE state = 'HELD'`,
    );
  }

  async markDone(job: AmoSyncJob): Promise<void> {
    await this.dataSource
      .getRepository(AmoSyncJob)
      .update({ id: job.id }, { state: SyncJobState.DONE, leaseUntil: null, lastError: null });
  }

  /** The job is done and its lead synced (optionally with a note, e.g. an unmapped status). */
  async markDoneAndSynced(job: AmoSyncJob, note: string | null = null): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em
        .getRepository(AmoSyncJob)
        .update({ id: job.id }, { state: SyncJobState.DONE, leaseUntil: null, lastError: null });
      await em
        .getRepository(Lead)
        .update({ id: job.leadId }, { syncState: LeadSyncState.SYNCED, syncError: note });
    });
  }

  /** Stores amoCRM's ids for a batch: one transaction, two statements, whatever its size. */
  async markCreated(created: CreatedLead[], taskLeadIds: string[] = []): Promise<void> {
    if (!created.length) return;
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `UPDATE leads l
            SET amo_lead_id = v.amo_lead_id,
                amo_contact_id = COALESCE(v.amo_contact_id, l.amo_contact_id),
                sync_state = 'SYNCED', sync_error = NULL, synced_at = now(), updated_at = now()
           FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) AS v(id, amo_lead_id, amo_contact_id)
          WHERE l.id = v.id`,
        [
          created.map((c) => c.lead.id),
          created.map((c) => c.amoLeadId),
          created.map((c) => c.amoContactId),
        ],
      );
      await em.query(
        `UPDATE amo_sync_jobs SET state = 'DONE', last_error = NULL, lease_until = NULL, updated_at = now()
          WHERE id = ANY($1::bigint[])`,
        [created.map((c) => c.job.id)],
      );
      // the comment goes as a job of its own, written with the create's result: a crash
      // between the two can no longer lose it
      await em.query(
        `INSERT INTO amo_sync_jobs (lead_id, kind)
         SELECT id, 'NOTE' FROM leads
          WHERE id = ANY($1::uuid[]) AND comment IS NOT NULL AND comment <> ''
          ORDER BY number`,
        [created.map((c) => c.lead.id)],
      );
      await enqueueCallbackTasks(em, taskLeadIds);
    });
  }

  /** Jobs done and their leads synced, in one statement per table. */
  async markManyDoneAndSynced(jobs: AmoSyncJob[]): Promise<void> {
    if (!jobs.length) return;
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `UPDATE amo_sync_jobs SET state = 'DONE', last_error = NULL, lease_until = NULL, updated_at = now()
          WHERE id = ANY($1::bigint[])`,
        [jobs.map((j) => j.id)],
      );
      await em.query(
        `UPDATE leads SET sync_state = 'SYNCED', sync_error = NULL
          WHERE id = ANY($1::uuid[]) AND sync_state = 'FAILED'`,
        [jobs.map((j) => j.leadId)],
      );
    });
  }

  /** From here on a failure may leave the leads created in amoCRM. */
  async markOutcomeUnknown(jobs: AmoSyncJob[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE amo_sync_jobs SET outcome_unknown = true WHERE id = ANY($1::bigint[])`,
      [jobs.map((j) => j.id)],
    );
  }

  /**
   * Gives the claim back without counting the attempt: the job goes in the next pass (or at
   * `at`). Its "outcome unknown" flag goes back to what it was when claimed: use this only
   * when amoCRM refused the request or it was never sent.
   */
  async putBack(job: AmoSyncJob, at: Date = new Date()): Promise<void> {
    await this.dataSource.query(
      `UPDATE amo_sync_jobs SET state = 'PENDING', attempts = greatest(attempts - 1, 0), lease_until = NULL,
              next_attempt_at = $2, outcome_unknown = $3, updated_at = now()
        WHERE id = $1`,
      [job.id, at, job.outcomeUnknown],
    );
  }

  /** Parks one job until the grant is usable, without counting the attempt; the lead says why. */
  async hold(job: AmoSyncJob, message: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.getRepository(AmoSyncJob).update(
        { id: job.id },
        {
          state: SyncJobState.HELD,
          attempts: Math.max(0, job.attempts - 1),
          leaseUntil: null,
          lastError: message,
        },
      );
      await em.getRepository(Lead).update({ id: job.leadId }, { syncError: message });
    });
  }

  /**
   * Another attempt after `delayMs`; the lead shows the failure meanwhile. `refund` gives the
   * attempt back (a wait that is not the job's fault). Returns the lead's number for the log.
   */
  async reschedule(
    job: AmoSyncJob,
    failure: { message: string; outcomeUnknown: boolean; delayMs: number; refund?: boolean },
  ): Promise<number | null> {
    return this.dataSource.transaction(async (em) => {
      await em.query(
        `UPDATE amo_sync_jobs
            SET state = 'PENDING', lease_until = NULL, last_error = $2, outcome_unknown = $3,
                next_attempt_at = now() + make_interval(secs => $4::double precision / 1000),
                attempts = CASE WHEN $5 THEN greatest(attempts - 1, 0) ELSE attempts END,
                updated_at = now()
          WHERE id = $1`,
        [job.id, failure.message, failure.outcomeUnknown, failure.delayMs, !!failure.refund],
      );
      return this.leadFailed(em, job.leadId, LeadSyncState.FAILED, failure.message);
    });
  }

  /** No more attempts; an admin can re-drive it. Returns the lead's number for the log. */
  async markDead(
    job: AmoSyncJob,
    failure: { message: string; outcomeUnknown: boolean },
  ): Promise<number | null> {
    return this.dataSource.transaction(async (em) => {
      await em.getRepository(AmoSyncJob).update(
        { id: job.id },
        {
          state: SyncJobState.DEAD,
          leaseUntil: null,
          lastError: failure.message,
          outcomeUnknown: failure.outcomeUnknown,
        },
      );
      return this.leadFailed(em, job.leadId, LeadSyncState.DEAD, failure.message);
    });
  }

  private async leadFailed(
    em: EntityManager,
    leadId: string,
    state: LeadSyncState,
    message: string,
  ): Promise<number | null> {
    const rows: unknown = await em.query(
      `UPDATE leads SET sync_state = $2, sync_error = $3 WHERE id = $1 RETURNING number`,
      [leadId, state, message],
    );
    const [row] = returningRows<{ number: number | string }>(rows);
    return row ? Number(row.number) : null;
  }

  /** Records amoCRM's `updated_at` of our own change, so its webhook echo is "not newer". */
  async recordAmoUpdatedAt(amoLeadId: number, updatedAt: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE leads SET amo_updated_at = GREATEST(COALESCE(amo_updated_at, 0), $2) WHERE amo_lead_id = $1`,
      [amoLeadId, updatedAt],
    );
  }

  async recordLeadSyncNote(leadId: string, note: string): Promise<void> {
    await this.dataSource
      .getRepository(Lead)
      .update({ id: leadId }, { syncState: LeadSyncState.SYNCED, syncError: note });
  }

  async loadLeads(jobs: AmoSyncJob[]): Promise<Map<string, Lead>> {
    const rows = await this.dataSource
      .getRepository(Lead)
      .findBy({ id: In(jobs.map((j) => j.leadId)) });
    return new Map(rows.map((l) => [l.id, l]));
  }

  async loadProperties(leads: Iterable<Lead>): Promise<Map<string, Property>> {
    const ids = [...new Set([...leads].map((l) => l.propertyId).filter((x): x is string => !!x))];
    if (!ids.length) return new Map();
    const rows = await this.dataSource.getRepository(Property).findBy({ id: In(ids) });
    return new Map(rows.map((p) => [p.id, p]));
  }
}
