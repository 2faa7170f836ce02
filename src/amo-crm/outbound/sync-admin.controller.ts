import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../../common/admin.guard';
import { ApiAdmin, ApiErrors } from '../../common/openapi';
import {
  EffectiveMappingSchema,
  EnqueuedSchema,
  RequeuedSchema,
  SyncOverviewSchema,
} from './dto/sync.schema';
import { RetrySyncDto } from './dto/retry-sync.dto';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { AmoMappingService } from '../mapping/amo-mapping.service';
import { ManagerAssignmentService } from './manager-assignment.service';
import { SyncAdminService, SyncOverview } from './sync-admin.service';

@ApiTags('amoCRM')
@ApiAdmin()
@ApiErrors(503)
@UseGuards(AdminGuard)
@Controller('integrations/amo-crm')
export class SyncAdminController {
  constructor(
    private readonly sync: SyncAdminService,
    private readonly mapping: AmoMappingService,
    private readonly managers: ManagerAssignmentService,
  ) {}

  @Get('sync')
  @ApiOkResponse({ type: SyncOverviewSchema })
  async overview(): Promise<SyncOverview> {
    return this.sync.overview();
  }

  @Post('sync/bulk')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: EnqueuedSchema })
  async bulk(): Promise<{ enqueued: number }> {
    return this.sync.bulk();
  }

  @Post('sync/retry')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: RequeuedSchema })
  @ApiErrors(400, 413)
  async retry(@Body() dto: RetrySyncDto): Promise<{ requeued: number }> {
    return this.sync.retry(dto.leadId);
  }

  @Get('mapping')
  @ApiOkResponse({ type: EffectiveMappingSchema })
  @ApiErrors(409, 502)
  async getMapping(): Promise<EffectiveMapping> {
    return this.managers.withProblems(await this.mapping.get(true));
  }
}
