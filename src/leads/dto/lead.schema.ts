import { ApiProperty } from '@nestjs/swagger';
import {
  AmoIncomingState,
  ContactMethod,
  ContactTime,
  LeadSource,
  LeadStatus,
  LeadSyncState,
  ResponsibleSource,
} from '../lead.enums';
import { LeadTrackingDto } from './lead-tracking.dto';
import { LeadResponse } from './lead.response';

/** OpenAPI description of a lead as the API answers it; `implements` keeps it in step. */
export class LeadSyncSchema {
  @ApiProperty({ enum: LeadSyncState, enumName: 'LeadSyncState' })
  state!: LeadSyncState;

  @ApiProperty({ type: String, nullable: true, description: 'Why the last sync attempt failed' })
  error!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  syncedAt!: string | null;
}

export class UnmappedStageSchema {
  @ApiProperty({ type: 'integer', nullable: true })
  pipelineId!: number | null;

  @ApiProperty({ type: 'integer' })
  statusId!: number;

  @ApiProperty({ format: 'date-time' })
  since!: string;
}

export class LeadIncomingSchema {
  @ApiProperty({ type: String, nullable: true, description: "The incoming-leads entry's uid" })
  uid!: string | null;

  @ApiProperty({ enum: AmoIncomingState, enumName: 'AmoIncomingState' })
  state!: AmoIncomingState;
}

export class LeadResponsibleSchema {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: "amoCRM user id; null = amoCRM's default user",
  })
  userId!: number | null;

  @ApiProperty({ enum: ResponsibleSource, enumName: 'ResponsibleSource' })
  source!: ResponsibleSource;
}

export class LeadSchema implements LeadResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: 'integer', example: 1, description: 'Human-friendly number' })
  number!: number;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  propertyId!: string | null;

  @ApiProperty({ example: 'Ivan' })
  guestName!: string;

  @ApiProperty({ type: String, nullable: true, example: '+79123456789', description: 'E.164' })
  guestPhone!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'ivan@example.com' })
  guestEmail!: string | null;

  @ApiProperty({ enum: ContactMethod, enumName: 'ContactMethod' })
  contactMethod!: ContactMethod;

  @ApiProperty({ enum: ContactTime, enumName: 'ContactTime' })
  contactTime!: ContactTime;

  @ApiProperty({ type: String, nullable: true })
  comment!: string | null;

  @ApiProperty({
    type: LeadTrackingDto,
    nullable: true,
    description: 'First-touch ad attribution, only the keys sent',
  })
  tracking!: LeadTrackingDto | null;

  @ApiProperty({ type: String, nullable: true, description: 'The form page (else the Referer)' })
  pageUrl!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The client address (TRUST_PROXY)' })
  clientIp!: string | null;

  @ApiProperty({ enum: LeadStatus, enumName: 'LeadStatus' })
  status!: LeadStatus;

  @ApiProperty({ enum: LeadSource, enumName: 'LeadSource' })
  source!: LeadSource;

  @ApiProperty({ type: 'integer', nullable: true })
  amoLeadId!: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  amoContactId!: number | null;

  @ApiProperty({
    type: LeadIncomingSchema,
    nullable: true,
    description: "Set when the lead went to amoCRM's incoming leads (AMO_LEAD_TARGET=incoming)",
  })
  incoming!: LeadIncomingSchema | null;

  @ApiProperty({
    type: LeadResponsibleSchema,
    nullable: true,
    description: 'Who is responsible in amoCRM and which rule chose them; null until sent',
  })
  responsible!: LeadResponsibleSchema | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'A repeat request: the lead whose amoCRM deal it joined',
  })
  repeatOf!: string | null;

  @ApiProperty({ type: LeadSyncSchema })
  sync!: LeadSyncSchema;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When amoCRM reported the linked lead deleted; null while it exists',
  })
  amoDeletedAt!: string | null;

  @ApiProperty({
    type: UnmappedStageSchema,
    nullable: true,
    description: 'The amoCRM stage the lead is on when the mapping has no status for it',
  })
  unmappedStage!: UnmappedStageSchema | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}
