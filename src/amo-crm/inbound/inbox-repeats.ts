import { EntityManager } from 'typeorm';
import { WebhookEventState } from './amo-webhook-event.entity';
import { WebhookItem } from './webhook-body.parser';

export interface InboxRow {
  /** Final for rows keyed by content alone; webhook items of an entity get theirs in `store`. */
  dedupeKey: string;
  contentHash: string;
  entity: string;
  action: string;
  amoId: number | null;
  amoUpdatedAt: number | null;
  item: WebhookItem;
  state: WebhookEventState.PENDING | WebhookEventState.IGNORED;
  outcome: string | null;
}

interface TailRow {
  entity: string;
  amo_id: string;
  content_hash: string | null;
  apply_order: string;
}

/**
 * Tells a repeated delivery from a new event that looks the same. amoCRM retries a body it got
 * no 2xx for, unchanged.
 *
 * An item with amoCRM's `updated_at` is one change of one entity: its key is the entity, the
 * time and a digest of its content, so a repeat is skipped by the unique index whenever it
 * comes (two different changes in one second are both stored; the second one is then not newer
 * and changes nothing, visibly).
 *
 * Items without a time (deletes, Digital Pipeline hooks) are harder: a lead deleted, restored
 * and deleted again, or moved A → B → A → B by Digital Pipeline hooks, sends items identical
 * to earlier ones. Content alone cannot tell them apart; what can is what came in between. So
 * a body's untimed items for one entity are a repeat when the latest rows stored for that
 * entity are the same items in the same order, and new otherwise. Their key says where in
 * that entity's history they were stored (after the row with apply_order `anchor`, at position
 * `k`), so two copies of one body received at the same moment land on one key and the second
 * is skipped by the unique index.
 *
 * Reconciliation rows and items without an id keep their content key (`dedupeKey`), and are
 * left out of the comparison: they say nothing about what amoCRM sent in between.
 *
 * Returns the rows to insert, with their final keys, in the order given.
 */
export async function keyRepeats(
  em: EntityManager,
  accountId: number,
  rows: InboxRow[],
): Promise<InboxRow[]> {
  const keyed = (r: InboxRow) => r.amoId !== null && r.action !== 'reconcile';
  const groups = new Map<string, InboxRow[]>();
  for (const row of rows.filter(keyed)) {
    if (row.amoUpdatedAt !== null) {
      row.dedupeKey = `${accountId}:${row.entity}:${row.action}:${row.amoId}:${row.amoUpdatedAt}:${row.contentHash.slice(0, 32)}`;
      continue;
    }
    const key = `${row.entity}:${row.amoId}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  if (!groups.size) return rows;
  const heads = [...groups.values()].map((g) => g[0]);
  const longest = Math.max(...[...groups.values()].map((g) => g.length));
  const tails: TailRow[] = await em.query(
    `SELECT t.entity, t.amo_id, t.content_hash, t.apply_order
       FROM (SELECT e.entity, e.amo_id, e.content_hash, e.apply_order,
                    row_number() OVER (PARTITION BY e.entity, e.amo_id
                                       ORDER BY e.apply_order DESC) AS r
               FROM amo_webhook_events e
               JOIN unnest($1::varchar[], $2::bigint[]) AS k(entity, amo_id)
                 ON e.entity = k.entity AND e.amo_id = k.amo_id
              WHERE e.action <> 'reconcile') t
      WHERE t.r <= $3
      ORDER BY t.entity, t.amo_id, t.apply_order`,
    [heads.map((h) => h.entity), heads.map((h) => h.amoId), longest],
  );
  const stored = new Map<string, TailRow[]>();
  for (const t of tails) {
    const key = `${t.entity}:${Number(t.amo_id)}`;
    stored.set(key, [...(stored.get(key) ?? []), t]);
  }
  const skip = new Set<InboxRow>();
  for (const [key, group] of groups) {
    const tail = stored.get(key) ?? [];
    const last = tail.slice(-group.length);
    const repeat =
      last.length === group.length && last.every((t, i) => t.content_hash === group[i].contentHash);
    if (repeat) {
      group.forEach((row) => skip.add(row));
      continue;
    }
    const anchor = tail.length ? tail[tail.length - 1].apply_order : '0';
    group.forEach((row, k) => {
      row.dedupeKey = `${accountId}:${row.entity}:${row.action}:${row.amoId}:${row.contentHash.slice(0, 32)}@${anchor}.${k}`;
    });
  }
  return rows.filter((r) => !skip.has(r));
}
