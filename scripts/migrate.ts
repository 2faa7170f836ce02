/**
 * `npm run migration:run|revert`: applies or reverts migrations on DATABASE_URL, or on the
 * embedded database folder when DATABASE_URL is unset.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfigFromProcess } from '../src/config/configuration';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';

async function main(): Promise<void> {
  const action = process.argv[2];
  if (action !== 'run' && action !== 'revert') throw new Error('usage: migrate.ts run|revert');
  const { database } = loadConfigFromProcess();
  const embedded = database.url
    ? null
    : await startEmbeddedPostgres({ dataDir: database.embeddedDir, maxConnections: 4 });
  const ds = new DataSource(buildDataSourceOptions(database.url ?? embedded!.url, 2));
  try {
    await ds.initialize();
    if (action === 'run') {
      const applied = await ds.runMigrations({ transaction: 'each' });
      console.log(
        applied.length
          ? applied.map((m) => `applied ${m.name}`).join('\n')
          : 'no pending migrations',
      );
    } else {
      await ds.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
    }
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
