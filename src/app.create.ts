import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { describeBootFailure } from './common/boot-failure';
import { BootLogger } from './common/boot-logger';
import { bootDatabaseUrl, bootLogLevel } from './config/boot-settings';

/** A boot failure already explained in one log line; the caller only has to exit. */
export class BootFailedError extends Error {}

/**
 * Creates the app the way main.ts and the demo do. Until the request-aware logger takes over
 * (configureApp), Nest's own lines go out as the same JSON; if creation fails, one fatal line
 * says what to fix and BootFailedError is thrown.
 */
export async function createApp(logLevel = bootLogLevel()): Promise<{
  app: NestExpressApplication;
  bootLogger: BootLogger;
}> {
  const bootLogger = new BootLogger(logLevel);
  try {
    const app = await NestFactory.create<NestExpressApplication>(AppModule, {
      logger: bootLogger,
      bufferLogs: true,
      bodyParser: false,
      abortOnError: false,
    });
    return { app, bootLogger };
  } catch (err) {
    reportBootFailure(bootLogger, err);
    throw new BootFailedError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

export function reportBootFailure(logger: BootLogger, err: unknown): void {
  logger.pino.fatal({ context: 'Boot' }, describeBootFailure(err, bootDatabaseUrl()));
}
