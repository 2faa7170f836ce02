import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AmoConnectionState } from '../amo-crm/auth/amo-token.entity';
import { HealthReport, PublicHealth } from './health.service';

/** OpenAPI descriptions of the health answers (the same body on 200 and 503). */
export class PublicHealthSchema implements PublicHealth {
  @ApiProperty({ enum: ['up', 'down'] })
  status!: 'up' | 'down';
}

export class DatabaseHealthSchema {
  @ApiProperty({ enum: ['up', 'down'] })
  status!: 'up' | 'down';

  @ApiPropertyOptional({ type: 'integer' })
  latencyMs?: number;

  @ApiPropertyOptional()
  error?: string;
}

export class AmoHealthSchema {
  @ApiProperty({
    enum: [...Object.values(AmoConnectionState), 'NOT_CONNECTED', 'NOT_CONFIGURED', 'UNKNOWN'],
  })
  state!: HealthReport['amoCrm']['state'];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt!: string | null;
}

export class HealthReportSchema implements HealthReport {
  @ApiProperty({ enum: ['ok', 'error'] })
  status!: 'ok' | 'error';

  @ApiProperty({ type: DatabaseHealthSchema })
  database!: DatabaseHealthSchema;

  @ApiProperty({ type: AmoHealthSchema })
  amoCrm!: AmoHealthSchema;
}
