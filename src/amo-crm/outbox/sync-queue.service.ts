import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { AmoSyncJob, SyncJobKind, SyncJobState } from './amo-sync-job.entity';
import { returningRows } from '../../database/returning-rows';

/**
 * Writes outbox rows inside the caller's transaction and wakes the dispatcher after commit.
 * The leads module uses only this; it knows nothing about amoCRM itself.
 */
@Injectable()
export class SyncQueueService {
  private readonly listeners = new Set<() => void>();
  readonly enabled: boolean;

  constructor(config: ConfigService<AppConfig, true>) {
    this.enabled = config.get('sync', { infer: true }).active;
  }

  async enqueueCreate(em: EntityManager, leadId: string): Promise<void> {
    await em.query(
      `INSERT INTO amo_sync_jobs (lead_id, kind) VALUES ($1, 'CREATE')
       ON CONFLICT (lead_id) WHERE kind = 'CREATE' AND state <> 'DONE' DO NOTHING`,
      [leadId],
    );
  }

  /** A repeat request: joins its original's deal instead of creating one (docs/MANAGERS.md). */
  async enqueueRepeat(em: EntityManager, leadId: string): Promise<void> {
    await em.getRepository(AmoSyncJob).insert({
      leadId,
      kind: SyncJobKind.REPEAT,
      payload: {},
      state: SyncJobState.PENDING,
      nextAttemptAt: new Date(),
    });
  }

  /** Queued changes of one lead coalesce into one pending job carrying the union of fields. */
  async enqueueUpdate(
    em: EntityManager,
    leadId: string,
    kind: SyncJobKind.UPDATE | SyncJobKind.STATUS,
    fields: string[],
  ): Promise<void> {
    const merged: unknown = await em.query(
      `UPDATE amo_sync_jobs
          SET payload = jsonb_build_object('fields',
                (SELECT jsonb_agg(DISTINCT f) FROM jsonb_array_elements_text(
                   COALESCE(payload->'fields', '[]'::jsonb) || $3::jsonb) AS f)),
              updated_at = now()
        WHERE id = (SELECT id FROM amo_sync_jobs WHERE lead_id = $1 AND kind = $2
                      AND state IN ('PENDING', 'HELD') ORDER BY id DESC LIMIT 1)
        RETURNING id`,
      [leadId, kind, JSON.stringify(fields)],
    );
    const rows = returningRows(merged);
    if (rows.length) return;
    await em.getRepository(AmoSyncJob).insert({
      leadId,
      kind,
      payload: { fields },
      state: SyncJobState.PENDING,
      nextAttemptAt: new Date(),
    });
  }

  onEnqueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Call after commit. */
  wake(): void {
    for (const l of this.listeners) l();
  }
}
