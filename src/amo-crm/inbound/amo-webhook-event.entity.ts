import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from '../../common/bigint.transformer';
import { WebhookItem } from './webhook-body.parser';

export enum WebhookEventState {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  IGNORED = 'IGNORED',
  DEAD = 'DEAD',
}

/** One item of an amoCRM webhook (or of a reconciliation pull), waiting to be applied. */
@Entity({ name: 'amo_webhook_events' })
export class AmoWebhookEvent {
  /** bigint, kept as a string as pg returns it. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'dedupe_key', type: 'varchar', length: 300 })
  dedupeKey: string;

  @Column({ type: 'varchar', length: 32 })
  entity: string;

  @Column({ type: 'varchar', length: 32 })
  action: string;

  @Column({ name: 'amo_id', type: 'bigint', nullable: true, transformer: bigintToNumber })
  amoId: number | null;

  /** amoCRM `updated_at` (or `last_modified`) of the item, unix seconds; orders the worker. */
  @Column({ name: 'amo_updated_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  amoUpdatedAt: number | null;

  /** Arrival order: the worker applies rows by it, one lead's rows one after another. */
  @Column({ name: 'apply_order', type: 'bigint', transformer: bigintToNumber })
  applyOrder: number;

  /** Digest of entity, action and item: a repeated delivery has the same one. */
  @Column({ name: 'content_hash', type: 'varchar', length: 64, nullable: true })
  contentHash: string | null;

  /** The worker instance holding the row while RUNNING (its presence key, see worker-presence.ts). */
  @Column({ name: 'claimed_by', type: 'integer', nullable: true })
  claimedBy: number | null;

  /** The item as parsed from the form body: nested objects of strings. */
  @Column({ type: 'jsonb' })
  item: WebhookItem;

  @Column({ type: 'varchar', length: 8, default: WebhookEventState.PENDING })
  state: WebhookEventState;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  /** What applying it did, for people reading the inbox (e.g. an unmapped stage). */
  @Column({ type: 'text', nullable: true })
  outcome: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
