import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional } from 'class-validator';
import { PaginationQueryDto } from '../../common/pagination.dto';
import { LeadStatus, LeadSyncState } from '../lead.enums';

export class ListLeadsQuery extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: LeadStatus })
  @IsOptional()
  @IsEnum(LeadStatus)
  status?: LeadStatus;

  @ApiPropertyOptional({ enum: LeadSyncState })
  @IsOptional()
  @IsEnum(LeadSyncState)
  syncState?: LeadSyncState;
}
