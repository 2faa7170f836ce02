import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { AdminGuard } from '../common/admin.guard';
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
  async check(@Res({ passthrough: true }) res: Response): Promise<PublicHealth> {
    const report = await this.health.check();
    res.status(report.status === 'ok' ? 200 : 503);
    return { status: report.status === 'ok' ? 'up' : 'down' };
  }

  /** The same check with the database error and latency and the amoCRM connection state. */
  @Get('details')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  async details(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
