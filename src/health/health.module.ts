import { Module } from '@nestjs/common';
import { AmoCrmModule } from '../amo-crm/amo-crm.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [AmoCrmModule],
  controllers: [HealthController],
  providers: [HealthService],
  exports: [HealthService],
})
export class HealthModule {}
