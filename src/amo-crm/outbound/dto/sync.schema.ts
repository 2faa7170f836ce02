import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AmoConnectionState } from '../../auth/amo-token.entity';
import { ConnectionStatus } from '../../auth/amo-token.service';
import { AmoAuthMode } from '../../../config/amo-connection-mode';
import { EffectiveMapping } from '../../mapping/amo-mapping';
import { SyncOverview } from '../sync-admin.service';
import { UnmappedStagesView } from '../sync-view-stages';
import { EffectiveManagersSchema, TaskSettingsSchema } from './managers.schema';

/** OpenAPI descriptions of the sync admin routes' answers. */
const counts = (states: string[]): Record<string, unknown> => ({
  type: 'object',
  required: states,
  properties: Object.fromEntries(states.map((s) => [s, { type: 'integer' }])),
});

export class ConnectionStatusSchema implements ConnectionStatus {
  @ApiProperty()
  configured!: boolean;

  @ApiProperty({
    enum: [...Object.values(AmoConnectionState), 'NOT_CONNECTED', 'NOT_CONFIGURED'],
  })
  state!: ConnectionStatus['state'];

  @ApiProperty({
    enum: ['OAUTH', 'LONG_LIVED'],
    nullable: true,
    description: 'How access is held; null when not configured',
  })
  authMode!: AmoAuthMode | null;

  @ApiProperty({ type: 'integer', nullable: true })
  accountId!: number | null;

  @ApiProperty({ type: String, nullable: true })
  baseDomain!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Same as expiresAt',
  })
  tokenExpiresAt!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Set from 14 days before a long-lived token expires',
  })
  tokenExpiryWarning!: string | null;

  @ApiProperty({ type: String, nullable: true })
  lastError!: string | null;
}

export class SyncPauseSchema {
  @ApiProperty({ format: 'date-time' })
  until!: string;

  @ApiProperty()
  reason!: string;
}

export class SyncOutageSchema {
  @ApiProperty({ format: 'date-time', description: 'When amoCRM stopped answering' })
  since!: string;

  @ApiProperty({ description: 'The last failure of the probe' })
  reason!: string;
}

export class DeadJobSchema {
  @ApiProperty() jobId!: string;
  @ApiProperty({ format: 'uuid' }) leadId!: string;
  @ApiProperty({ example: 'CREATE' }) kind!: string;
  @ApiProperty({ type: 'integer' }) attempts!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class InboxFailureSchema {
  @ApiProperty() eventId!: string;
  @ApiProperty({ example: 'leads' }) entity!: string;
  @ApiProperty({ example: 'status' }) action!: string;
  @ApiProperty({ type: 'integer', nullable: true }) amoId!: number | null;
  @ApiProperty({ example: 'DEAD' }) state!: string;
  @ApiProperty({ type: 'integer' }) attempts!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
}

export class UnmappedStageLeadSchema {
  @ApiProperty({ format: 'uuid' }) leadId!: string;
  @ApiProperty({ type: 'integer' }) number!: number;
  @ApiProperty({ type: 'integer', nullable: true }) amoLeadId!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) pipelineId!: number | null;
  @ApiProperty({ type: 'integer' }) statusId!: number;
  @ApiProperty({ format: 'date-time' }) since!: string;
}

export class UnmappedStagesSchema implements UnmappedStagesView {
  @ApiProperty({ type: 'integer', description: 'Leads on an amoCRM stage the mapping lacks' })
  count!: number;

  @ApiProperty({ type: [UnmappedStageLeadSchema], description: 'The latest of them' })
  leads!: UnmappedStageLeadSchema[];
}

export class SyncOverviewSchema implements SyncOverview {
  @ApiProperty({ type: ConnectionStatusSchema })
  connection!: ConnectionStatusSchema;

  @ApiProperty({
    type: SyncPauseSchema,
    nullable: true,
    description:
      "Set while all outbound sync waits for amoCRM's retry_after (429) or a block; stored, so every instance shows it",
  })
  paused!: SyncPauseSchema | null;

  @ApiProperty({
    type: SyncOutageSchema,
    nullable: true,
    description: 'Set while amoCRM does not answer and only a probe is sent',
  })
  outage!: SyncOutageSchema | null;

  @ApiProperty(counts(['PENDING', 'RUNNING', 'DONE', 'DEAD', 'HELD']))
  jobs!: SyncOverview['jobs'];

  @ApiProperty({ type: 'integer', nullable: true })
  oldestPendingAgeSec!: number | null;

  @ApiProperty({ type: [DeadJobSchema] })
  recentDead!: DeadJobSchema[];

  @ApiProperty(counts(['PENDING', 'RUNNING', 'DONE', 'IGNORED', 'DEAD']))
  inbox!: SyncOverview['inbox'];

  @ApiProperty({ type: [InboxFailureSchema] })
  recentInboxFailures!: InboxFailureSchema[];

  @ApiProperty({ type: UnmappedStagesSchema })
  unmappedStages!: UnmappedStagesSchema;
}

export class EnqueuedSchema {
  @ApiProperty({ type: 'integer', description: 'Leads without an amoCRM id now queued' })
  enqueued!: number;
}

export class RequeuedSchema {
  @ApiProperty({ type: 'integer', description: 'DEAD jobs put back in the queue' })
  requeued!: number;
}

const stage = {
  type: 'object',
  required: ['pipelineId', 'statusId', 'pipelineName', 'statusName'],
  properties: {
    pipelineId: { type: 'integer' },
    statusId: { type: 'integer' },
    pipelineName: { type: 'string' },
    statusName: { type: 'string' },
  },
};
export class SelectFieldSchema {
  @ApiProperty({ type: 'integer', description: 'amoCRM custom field id' })
  id!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Our value → amoCRM enum id',
  })
  enums!: Record<string, number>;
}

export class MappedFieldsSchema {
  @ApiPropertyOptional({ type: 'integer', description: 'Field holding our lead id (the marker)' })
  ourLeadId?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Field holding the property title' })
  property?: number;

  @ApiPropertyOptional({ type: SelectFieldSchema })
  contactMethod?: SelectFieldSchema;

  @ApiPropertyOptional({ type: SelectFieldSchema })
  contactTime?: SelectFieldSchema;

  @ApiPropertyOptional({ type: SelectFieldSchema })
  source?: SelectFieldSchema;
}

export class EffectiveMappingSchema implements EffectiveMapping {
  @ApiProperty({
    type: 'object',
    description: 'Our status → amoCRM pipeline and stage',
    additionalProperties: stage,
  })
  statuses!: EffectiveMapping['statuses'];

  @ApiProperty({
    type: MappedFieldsSchema,
    description: 'Lead attributes → amoCRM custom field ids (none by default)',
  })
  fields!: EffectiveMapping['fields'];

  @ApiProperty({ type: [String] })
  tags!: string[];

  @ApiProperty({ type: EffectiveManagersSchema })
  managers!: EffectiveManagersSchema;

  @ApiProperty({ type: TaskSettingsSchema })
  tasks!: TaskSettingsSchema;

  @ApiProperty({ example: 'Europe/Moscow', description: "The account's time zone (IANA)" })
  timezone!: string;

  @ApiProperty({
    type: [String],
    description: 'Ids that do not exist in amoCRM (dropped), and manager ids skipped',
  })
  problems!: string[];
}
