import { DataSource } from 'typeorm';
import { returningRows } from '../../database/returning-rows';
import { AmoWebhookEvent } from './amo-webhook-event.entity';
import { PRESENCE_LOCK_CLASS, WorkerPresence } from './worker-presence';

export type ClaimedEvent = Pick<
  AmoWebhookEvent,
  'id' | 'entity' | 'action' | 'amoId' | 'amoUpdatedAt' | 'item' | 'attempts' | 'applyOrder'
>;

/**
 * Claims up to `limit` due inbox rows for this worker, in arrival order (`apply_order`), at most
 * the first unfinished row of each amoCRM entity: a later delete, restore or stage move never
 * overtakes an earlier one that is waiting for a retry.
 *
 * A RUNNING row is taken back before its lease ends when nobody can still be working on it:
 * claimed under this process's own key (passes never overlap, so a row of ours that is still
 * RUNNING was left by a pass that failed, e.g. on a database blip), or under the key of a
 * process whose presence lock is gone (it was killed, or stopped). On the embedded database
 * only one process runs, so any other key is a process that has ended.
 */
export async function claimDue(
  ds: DataSource,
  presence: WorkerPresence,
  limit: number,
  leaseSeconds: number,
): Promise<ClaimedEvent[]> {
  const gone = presence.shared
    ? `NOT EXISTS (SELECT 1 FROM pg_locks l
                    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                      AND l.classid = ${PRESENCE_LOCK_CLASS}::oid AND l.objid = e.claimed_by::oid)`
    : 'TRUE';
  const res: unknown = await ds.query(
    `WITH due AS (
       SELECT e.id FROM amo_webhook_events e
        WHERE ((e.state = 'PENDING' AND e.next_attempt_at <= now())
            OR (e.state = 'RUNNING' AND (e.lease_until < now() OR e.claimed_by = $3
                OR (e.claimed_by IS NOT NULL AND ${gone}))))
          AND NOT EXISTS (
            SELECT 1 FROM amo_webhook_events p
             WHERE p.entity = e.entity AND p.amo_id = e.amo_id
               AND p.apply_order < e.apply_order AND p.state IN ('PENDING', 'RUNNING'))
        ORDER BY e.apply_order
        LIMIT $1
        FOR UPDATE SKIP LOCKED)
     UPDATE amo_webhook_events e
        SET state = 'RUNNING', attempts = e.attempts + 1, claimed_by = $3,
            lease_until = now() + make_interval(secs => $2)
       FROM due WHERE e.id = due.id
     RETURNING e.id, e.entity, e.action, e.amo_id AS "amoId", e.amo_updated_at AS "amoUpdatedAt",
               e.item, e.attempts, e.apply_order AS "applyOrder"`,
    [limit, leaseSeconds, presence.key],
  );
  return returningRows<ClaimedEvent>(res)
    .map((r) => ({
      ...r,
      id: String(r.id),
      amoId: r.amoId === null ? null : Number(r.amoId),
      amoUpdatedAt: r.amoUpdatedAt === null ? null : Number(r.amoUpdatedAt),
      applyOrder: Number(r.applyOrder),
    }))
    .sort((a, b) => a.applyOrder - b.applyOrder);
}
