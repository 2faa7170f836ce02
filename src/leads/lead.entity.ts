import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { bigintToNumber } from '../common/bigint.transformer';
import { Property } from '../properties/property.entity';
import {
  AmoIncomingState,
  ContactMethod,
  ContactTime,
  LeadSource,
  LeadStatus,
  LeadSyncState,
  ResponsibleSource,
} from './lead.enums';
import type { LeadTracking } from './lead-tracking';

@Entity({ name: 'leads' })
export class Lead {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Human-facing number, also used in the amoCRM lead name. */
  @Column({ type: 'integer', generated: 'identity', generatedIdentity: 'ALWAYS', update: false })
  number: number;

  @Column({ name: 'property_id', type: 'uuid', nullable: true })
  propertyId: string | null;

  @ManyToOne(() => Property, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'property_id' })
  property?: Property | null;

  @Column({ name: 'guest_name', type: 'varchar', length: 200 })
  guestName: string;

  @Column({ name: 'guest_phone', type: 'varchar', length: 20, nullable: true })
  guestPhone: string | null;

  @Column({ name: 'guest_email', type: 'varchar', length: 254, nullable: true })
  guestEmail: string | null;

  @Column({ name: 'contact_method', type: 'varchar', length: 16 })
  contactMethod: ContactMethod;

  @Column({ name: 'contact_time', type: 'varchar', length: 16 })
  contactTime: ContactTime;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  comment: string | null;

  /** First-touch attribution from the form: only the keys sent. */
  @Column({ type: 'jsonb', nullable: true })
  tracking: LeadTracking | null;

  /** The form's page: `pageUrl` from the form, else the request's Referer. */
  @Column({ name: 'page_url', type: 'varchar', length: 2000, nullable: true })
  pageUrl: string | null;

  /** The visitor's address as Express sees it (through TRUST_PROXY). */
  @Column({ name: 'client_ip', type: 'varchar', length: 45, nullable: true })
  clientIp: string | null;

  @Column({ type: 'varchar', length: 24, default: LeadStatus.NEW })
  status: LeadStatus;

  @Column({ type: 'varchar', length: 16, default: LeadSource.SITE })
  source: LeadSource;

  @Column({ name: 'amo_lead_id', type: 'bigint', nullable: true, transformer: bigintToNumber })
  amoLeadId: number | null;

  @Column({ name: 'amo_contact_id', type: 'bigint', nullable: true, transformer: bigintToNumber })
  amoContactId: number | null;

  /** The incoming-leads entry this lead was sent as (AMO_LEAD_TARGET=incoming). */
  @Column({ name: 'amo_unsorted_uid', type: 'varchar', length: 64, nullable: true })
  amoUnsortedUid: string | null;

  @Column({ name: 'amo_incoming_state', type: 'varchar', length: 16, nullable: true })
  amoIncomingState: AmoIncomingState | null;

  @Column({
    name: 'sync_state',
    type: 'varchar',
    length: 16,
    default: LeadSyncState.NOT_CONFIGURED,
  })
  syncState: LeadSyncState;

  @Column({ name: 'sync_error', type: 'text', nullable: true })
  syncError: string | null;

  /** Last amoCRM `updated_at` (unix seconds) applied here; older events change nothing. */
  @Column({ name: 'amo_updated_at', type: 'bigint', nullable: true, transformer: bigintToNumber })
  amoUpdatedAt: number | null;

  /** Set while the linked amoCRM lead is deleted there; a restore clears it. */
  @Column({ name: 'amo_deleted_at', type: 'timestamptz', nullable: true })
  amoDeletedAt: Date | null;

  /** The amoCRM stage the lead sits on when the mapping has no status for it (else null). */
  @Column({
    name: 'unmapped_pipeline_id',
    type: 'bigint',
    nullable: true,
    transformer: bigintToNumber,
  })
  unmappedPipelineId: number | null;

  @Column({
    name: 'unmapped_status_id',
    type: 'bigint',
    nullable: true,
    transformer: bigintToNumber,
  })
  unmappedStatusId: number | null;

  @Column({ name: 'unmapped_since', type: 'timestamptz', nullable: true })
  unmappedSince: Date | null;

  /** The amoCRM user responsible for the lead, decided once before its first send. */
  @Column({
    name: 'amo_responsible_user_id',
    type: 'bigint',
    nullable: true,
    transformer: bigintToNumber,
  })
  amoResponsibleUserId: number | null;

  @Column({ name: 'amo_responsible_source', type: 'varchar', length: 16, nullable: true })
  amoResponsibleSource: ResponsibleSource | null;

  /** A repeat request: the open lead (same guest, same property) whose deal it joined. */
  @Column({ name: 'repeat_of', type: 'uuid', nullable: true })
  repeatOf: string | null;

  @Column({ name: 'synced_at', type: 'timestamptz', nullable: true })
  syncedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
