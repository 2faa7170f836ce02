import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { returningRows } from '../../database/returning-rows';
import { Lead } from '../../leads/lead.entity';
import { LeadSyncState, ResponsibleSource } from '../../leads/lead.enums';
import { AmoSyncJob, FrozenWrite } from '../outbox/amo-sync-job.entity';

/** One TASK job per lead, written in the caller's transaction (that of the create's result). */
export async function enqueueCallbackTasks(em: EntityManager, leadIds: string[]): Promise<void> {
  if (!leadIds.length) return;
  await em.query(
    `INSERT INTO amo_sync_jobs (lead_id, kind) SELECT unnest($1::uuid[]), 'TASK'
     ON CONFLICT (lead_id) WHERE kind = 'TASK' DO NOTHING`,
    [leadIds],
  );
}

/**
 * The statements of managers, callback tasks and repeat requests: the shared round-robin
 * cursor, the decision kept on the lead, and the TASK / REPEAT jobs' own transitions.
 */
@Injectable()
export class TaskJobsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes `n` consecutive round-robin turns; returns the first. One row, one UPDATE: every
   * instance and every restart continues the same sequence.
   */
  async takeTurns(n: number): Promise<number> {
    const rows = returningRows<{ turns: string }>(
      await this.dataSource.query(
        `INSERT INTO amo_manager_rotation (id, turns) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET turns = amo_manager_rotation.turns + EXCLUDED.turns
         RETURNING turns`,
        [n],
      ),
    );
    return Number(rows[0]?.turns) - n;
  }

  async saveDecisions(
    decisions: { leadId: string; userId: number | null; source: ResponsibleSource }[],
  ): Promise<void> {
    if (!decisions.length) return;
    await this.dataSource.query(
      `UPDATE leads l SET amo_responsible_user_id = v.user_id, amo_responsible_source = v.source
         FROM unnest($1::uuid[], $2::bigint[], $3::varchar[]) AS v(id, user_id, source)
        WHERE l.id = v.id`,
      [
        decisions.map((d) => d.leadId),
        decisions.map((d) => d.userId),
        decisions.map((d) => d.source),
      ],
    );
  }

  /** Fixes what each job will send and marks it "outcome unknown" before the request. */
  async freeze(jobs: { job: AmoSyncJob; write: FrozenWrite }[]): Promise<void> {
    if (!jobs.length) return;
    await this.dataSource.query(
      `UPDATE amo_sync_jobs j SET payload = jsonb_build_object('write', v.write), outcome_unknown = true
         FROM unnest($1::bigint[], $2::jsonb[]) AS v(id, write) WHERE j.id = v.id`,
      [jobs.map((j) => j.job.id), jobs.map((j) => JSON.stringify(j.write))],
    );
    for (const j of jobs) {
      j.job.payload = { write: j.write };
      j.job.outcomeUnknown = true;
    }
  }

  /**
   * The job is done and its lead synced; `then` writes the follow-up (a REPEAT's TASK) in the
   * same transaction, so a crash never leaves one without the other.
   */
  async done(
    job: AmoSyncJob,
    write: FrozenWrite,
    then?: (em: EntityManager) => Promise<void>,
  ): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `UPDATE amo_sync_jobs SET state = 'DONE', payload = jsonb_build_object('write', $2::jsonb),
                last_error = NULL, lease_until = NULL, updated_at = now() WHERE id = $1`,
        [job.id, JSON.stringify(write)],
      );
      await em
        .getRepository(Lead)
        .update(
          { id: job.leadId },
          { syncState: LeadSyncState.SYNCED, syncError: null, syncedAt: new Date() },
        );
      if (then) await then(em);
    });
  }

  /**
   * Not yet possible (a repeat whose original is not in amoCRM yet): tried again after
   * `delayMs` without counting the attempt; the lead says why it waits.
   */
  async defer(job: AmoSyncJob, delayMs: number, reason: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query(
        `UPDATE amo_sync_jobs SET state = 'PENDING', attempts = GREATEST(attempts - 1, 0), lease_until = NULL,
                next_attempt_at = now() + make_interval(secs => $2), last_error = $3, updated_at = now()
          WHERE id = $1`,
        [job.id, delayMs / 1000, reason],
      );
      await em
        .getRepository(Lead)
        .update({ id: job.leadId }, { syncState: LeadSyncState.PENDING, syncError: reason });
    });
  }

  async leadsByIds(ids: string[]): Promise<Map<string, Lead>> {
    if (!ids.length) return new Map();
    const rows = await this.dataSource.getRepository(Lead).findBy({ id: In(ids) });
    return new Map(rows.map((l) => [l.id, l]));
  }

  /** A repeat takes over its original's manager, so the lead shows who calls back. */
  async copyDecision(em: EntityManager, repeat: Lead, original: Lead): Promise<void> {
    await em.getRepository(Lead).update(
      { id: repeat.id },
      {
        amoResponsibleUserId: original.amoResponsibleUserId,
        amoResponsibleSource: original.amoResponsibleSource,
      },
    );
  }
}
