import { Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { loadConfigFromProcess } from './configuration';

/** Settings are parsed and validated once; `ConfigService.get(namespace, { infer: true })` reads them. */
@Module({
  imports: [
    NestConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: false,
      envFilePath: ['.env'],
      load: [loadConfigFromProcess],
    }),
  ],
})
export class AppConfigModule {}
