import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, Matches } from 'class-validator';
import { PauseDto } from './connection-details.response';

export class ValidationErrorDto {
  @ApiProperty({ example: 'custom_fields_values.0.field_id' })
  path: string;

  @ApiProperty({ example: 'NotSupportedChoice' })
  code: string;

  @ApiProperty({ example: 'The value you selected is not a valid choice.' })
  detail: string;
}

export class DeadJobDto {
  @ApiProperty() jobId: string;
  @ApiProperty() leadId: string;
  @ApiProperty({ type: Number, nullable: true }) leadNumber: number | null;
  @ApiProperty({ type: String, nullable: true }) guestName: string | null;
  @ApiProperty({ enum: ['CREATE', 'UPDATE', 'STATUS', 'NOTE'] }) kind: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, nullable: true, description: 'The stored error, as logged' })
  error: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The error without amoCRM’s list' })
  reason: string | null;
  @ApiProperty({ type: [ValidationErrorDto] }) validationErrors: ValidationErrorDto[];
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class FailedEventDto {
  @ApiProperty() eventId: string;
  @ApiProperty({ example: 'leads' }) entity: string;
  @ApiProperty({ example: 'status' }) action: string;
  @ApiProperty({ type: Number, nullable: true }) amoId: number | null;
  @ApiProperty({ enum: ['DEAD', 'PENDING'] }) state: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
}

export class FailuresResponse {
  @ApiProperty({ type: [DeadJobDto], description: 'DEAD outbox jobs, newest first (100 at most)' })
  deadJobs: DeadJobDto[];

  @ApiProperty({
    type: [FailedEventDto],
    description: 'Inbox events DEAD or failing, newest first',
  })
  failedEvents: FailedEventDto[];
}

export class RetryFailuresDto {
  @ApiPropertyOptional({ description: 'One DEAD job; with neither id, every DEAD job and event' })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,17}$/, { message: 'jobId must be a job number' })
  jobId?: string;

  @ApiPropertyOptional({ description: 'One DEAD inbox event' })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,17}$/, { message: 'eventId must be an event number' })
  eventId?: string;
}

export class RetryFailuresResponse {
  @ApiProperty() requeuedJobs: number;
  @ApiProperty() requeuedEvents: number;
}

export class DisconnectDto {
  @ApiProperty({ description: 'Must be true: disconnecting stops the sync until reconnected' })
  @IsBoolean()
  confirm: boolean;
}

export class JobCountsDto {
  @ApiProperty() PENDING: number;
  @ApiProperty() RUNNING: number;
  @ApiProperty() DONE: number;
  @ApiProperty() DEAD: number;
  @ApiProperty() HELD: number;
}

export class InboxCountsDto {
  @ApiProperty() PENDING: number;
  @ApiProperty() RUNNING: number;
  @ApiProperty() DONE: number;
  @ApiProperty() IGNORED: number;
  @ApiProperty() DEAD: number;
}

export class ActivityResponse {
  @ApiProperty({ type: JobCountsDto, description: 'Outbox jobs per state' }) jobs: JobCountsDto;
  @ApiProperty({ type: InboxCountsDto, description: 'Inbox events per state' })
  inbox: InboxCountsDto;
  @ApiProperty({ type: Number, nullable: true }) oldestPendingAgeSec: number | null;
  @ApiProperty({ description: 'Leads whose last push to amoCRM succeeded within the hour' })
  leadsSyncedLastHour: number;
  @ApiProperty({ type: PauseDto, nullable: true }) paused: PauseDto | null;
}
