import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export enum SyncJobKind {
  CREATE = 'CREATE',
  UPDATE = 'UPDATE',
  STATUS = 'STATUS',
  NOTE = 'NOTE',
  /** the callback task for the lead's manager (docs/MANAGERS.md) */
  TASK = 'TASK',
  /** a repeat request joining an open deal: a note there, then a TASK */
  REPEAT = 'REPEAT',
}

/** What a TASK or REPEAT job sends, fixed at its first attempt so a look-up can recognise it. */
export interface FrozenWrite {
  text: string;
  /** TASK: due time, unix seconds */
  completeTill?: number;
  /** amoCRM's id once confirmed */
  amoId?: number;
}

export enum SyncJobState {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  DEAD = 'DEAD',
  HELD = 'HELD',
}

/** The transactional outbox: written in the same transaction as the lead change it carries. */
@Entity({ name: 'amo_sync_jobs' })
export class AmoSyncJob {
  /** bigint, kept as a string as pg returns it. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'lead_id', type: 'uuid' })
  leadId: string;

  @Column({ type: 'varchar', length: 8 })
  kind: SyncJobKind;

  /**
   * UPDATE: `{ fields: string[] }` names what changed; values are read from the lead when sent.
   * TASK / REPEAT: `{ write }`, what was sent.
   */
  @Column({ type: 'jsonb', default: {} })
  payload: { fields?: string[]; write?: FrozenWrite };

  @Column({ type: 'varchar', length: 8, default: SyncJobState.PENDING })
  state: SyncJobState;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  /** A previous attempt may have reached amoCRM: look for our lead before creating again. */
  @Column({ name: 'outcome_unknown', type: 'boolean', default: false })
  outcomeUnknown: boolean;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
