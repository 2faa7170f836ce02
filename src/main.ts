import 'reflect-metadata';
import { ConfigService } from '@nestjs/config';
import { BootFailedError, createApp, reportBootFailure } from './app.create';
import { configureApp } from './app.setup';
import { AppConfig } from './config/configuration';

async function bootstrap(): Promise<void> {
  const { app, bootLogger } = await createApp();
  try {
    configureApp(app);
  } catch (err) {
    reportBootFailure(bootLogger, err);
    throw new BootFailedError('configure', { cause: err });
  }
  const { port, host } = app.get<ConfigService<AppConfig, true>>(ConfigService).get('app', {
    infer: true,
  });
  // Graceful stop: close the HTTP server, let the dispatcher finish its batch, close the pool
  // and the embedded database (which releases its folder lock), then exit 0.
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    process.stdout.write(`${signal} received; shutting down\n`);
    setTimeout(() => {
      process.stderr.write('Shutdown took longer than 20 s; exiting\n');
      process.exit(1);
    }, 20_000).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(
          `Shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  try {
    await app.listen(port, host);
  } catch (err) {
    reportBootFailure(bootLogger, err);
    await app.close().catch(() => undefined);
    throw new BootFailedError('listen', { cause: err });
  }
  const url = await app.getUrl();
  process.stdout.write(`Leads API listening on ${url}/api (docs: ${url}/api/docs)\n`);
}

bootstrap().catch((err: unknown) => {
  // a BootFailedError was already logged as one JSON line
  if (!(err instanceof BootFailedError)) {
    process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
});
