import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

export class RetrySyncDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only this lead; all DEAD jobs when omitted',
  })
  @IsOptional()
  @IsUUID()
  leadId?: string;
}
