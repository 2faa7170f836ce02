import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { AmoCrmModule } from './amo-crm/amo-crm.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { ConsoleModule } from './console/console.module';
import { buildLoggerParams } from './common/logging';
import { AppConfigModule } from './config/config.module';
import { AppConfig } from './config/configuration';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LeadsModule } from './leads/leads.module';
import { PropertiesModule } from './properties/properties.module';
import { SnippetModule } from './snippet/snippet.module';
import { LeadFormThrottlerModule } from './throttling/throttling.module';

const fullConfig = (config: ConfigService<AppConfig, true>): AppConfig => ({
  app: config.get('app', { infer: true }),
  database: config.get('database', { infer: true }),
  amo: config.get('amo', { infer: true }),
  sync: config.get('sync', { infer: true }),
});

@Module({
  imports: [
    AppConfigModule,
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) => buildLoggerParams(fullConfig(config)),
    }),
    LeadFormThrottlerModule,
    ScheduleModule.forRoot(),
    DatabaseModule,
    HealthModule,
    PropertiesModule,
    LeadsModule,
    AmoCrmModule,
    ConsoleModule,
    SnippetModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
})
export class AppModule {}
