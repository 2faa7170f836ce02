import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/configuration';
import { buildDataSourceOptions } from './data-source-options';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';

/** Where the database lives; the embedded one is started when no server is configured. */
export class DatabaseLocation {
  constructor(
    readonly url: string,
    readonly embedded: EmbeddedPostgres | null,
  ) {}
}

@Global()
@Module({
  providers: [
    {
      provide: DatabaseLocation,
      inject: [ConfigService],
      useFactory: async (config: ConfigService<AppConfig, true>) => {
        const db = config.get('database', { infer: true });
        if (db.url) return new DatabaseLocation(db.url, null);
        const embedded = await startEmbeddedPostgres({
          dataDir: db.embeddedDir,
          port: db.embeddedPort,
          // the app's one connection, a migration runner and a psql for a curious user
          maxConnections: 4,
        });
        new Logger('Database').log(`Embedded PostgreSQL (PGlite) in ${embedded.dataDir}`);
        return new DatabaseLocation(embedded.url, embedded);
      },
    },
  ],
  exports: [DatabaseLocation],
})
class DatabaseLocationModule implements OnApplicationShutdown {
  constructor(
    @Inject(DatabaseLocation) private readonly location: DatabaseLocation,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The pool must close before the embedded server it talks to. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.location.embedded) return;
    const ds = this.moduleRef.get(DataSource, { strict: false });
    if (ds.isInitialized) await ds.destroy();
    await this.location.embedded.stop();
  }
}

@Module({
  imports: [
    DatabaseLocationModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseLocationModule],
      inject: [ConfigService, DatabaseLocation],
      useFactory: (config: ConfigService<AppConfig, true>, location: DatabaseLocation) => ({
        // PGlite is one session: the socket server interleaves extended-protocol messages of
        // concurrent connections (one connection's unnamed statement replaces another's), so
        // the embedded mode uses a single connection and queues queries in the pool instead.
        ...buildDataSourceOptions(
          location.url,
          location.embedded ? 1 : config.get('database', { infer: true }).poolSize,
        ),
        autoLoadEntities: true,
        // a server that is still starting gets ~8 s; a wrong DATABASE_URL fails soon, in one line
        retryAttempts: 4,
        retryDelay: 2_000,
        migrationsRun: config.get('database', { infer: true }).migrationsRun,
        migrationsTransactionMode: 'each' as const,
      }),
    }),
  ],
})
export class DatabaseModule {}
