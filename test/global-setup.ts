import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';

/**
 * E2E tests run against TEST_DATABASE_URL or DATABASE_URL when set (CI's PostgreSQL), else
 * against a fresh embedded PostgreSQL in a temporary folder. Migrations run once here.
 */
export default async function globalSetup(): Promise<void> {
  let url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) {
    const embedded = await startEmbeddedPostgres({
      dataDir: mkdtempSync(join(tmpdir(), 'leads-e2e-pg-')),
      maxConnections: 100,
    });
    (globalThis as { __embeddedPg?: typeof embedded }).__embeddedPg = embedded;
    // the folder is removed again in global-teardown
    url = embedded.url;
    process.env.TEST_DB_KIND = 'embedded';
  } else {
    process.env.TEST_DB_KIND = 'server';
  }
  process.env.DATABASE_URL = url;
  const ds = new DataSource(buildDataSourceOptions(url, 2));
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}
