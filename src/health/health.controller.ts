import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { AdminGuard } from '../common/admin.guard';
import { ApiAdmin } from '../common/openapi';
import { HealthReportSchema, PublicHealthSchema } from './health.schema';
import { HealthReport, HealthService, PublicHealth } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /**
   * For load balancers and uptime checks: 200 `up` while the database answers, 503 `down`
   * otherwise, and nothing more — error texts name hosts and ports, token expiry tells an
   * attacker when to try, so the details are behind the admin key.
   */
  @Get()
  @ApiOkResponse({ type: PublicHealthSchema, description: 'The database answers' })
  @ApiServiceUnavailableResponse({ type: PublicHealthSchema, description: 'It does not' })
  async check(@Res({ passthrough: true }) res: Response): Promise<PublicHealth> {
    const report = await this.health.check();
    res.status(report.status === 'ok' ? 200 : 503);
    return { status: report.status === 'ok' ? 'up' : 'down' };
  }

  /** The same check with the database error and latency and the amoCRM connection state. */
  @Get('details')
  @UseGuards(AdminGuard)
  @ApiAdmin()
  @ApiOkResponse({ type: HealthReportSchema })
  @ApiServiceUnavailableResponse({ type: HealthReportSchema, description: 'Database down' })
  async details(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
