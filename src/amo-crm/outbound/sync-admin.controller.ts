import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../../common/admin.guard';
import { RetrySyncDto } from './dto/retry-sync.dto';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { AmoMappingService } from '../mapping/amo-mapping.service';
import { ManagerAssignmentService } from './manager-assignment.service';
import { SyncAdminService, SyncOverview } from './sync-admin.service';

@ApiTags('amoCRM')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('integrations/amo-crm')
export class SyncAdminController {
  constructor(
    private readonly sync: SyncAdminService,
    private readonly mapping: AmoMappingService,
    private readonly managers: ManagerAssignmentService,
  ) {}

  @Get('sync')
  async overview(): Promise<SyncOverview> {
    return this.sync.overview();
  }

  @Post('sync/bulk')
  @HttpCode(202)
  async bulk(): Promise<{ enqueued: number }> {
    return this.sync.bulk();
  }

  @Post('sync/retry')
  @HttpCode(202)
  async retry(@Body() dto: RetrySyncDto): Promise<{ requeued: number }> {
    return this.sync.retry(dto.leadId);
  }

  @Get('mapping')
  async getMapping(): Promise<EffectiveMapping> {
    return this.managers.withProblems(await this.mapping.get(true));
  }
}
