import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';

/** A fixed test-only key (random, 32+ characters as the config demands); never used outside tests. */
export const ADMIN_KEY = 'tK7vQ2mXe9LpR4sWz8NbJ3cYh6GfD1aU5oVi0';

/** Settings every e2e app gets unless a test overrides them. */
const BASE_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  MIGRATIONS_RUN: 'false',
  ADMIN_API_KEY: ADMIN_KEY,
  LEAD_FORM_RATE_LIMIT: '100000',
  // one connection on the embedded database: its socket server cannot interleave sessions
  DB_POOL_SIZE: process.env.TEST_DB_KIND === 'embedded' ? '1' : '5',
};

export interface TestApp {
  app: NestExpressApplication;
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Boots the real AppModule on the test database. Settings are read from the environment at
 * compile time, so `env` is applied only while the module compiles; `undefined` removes a
 * variable.
 */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
): Promise<TestApp> {
  const overrides = { ...BASE_ENV, ...env };
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(overrides)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false });
    configureApp(app);
    await app.init();
    return { app, dataSource: app.get(DataSource), close: () => app.close() };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Empties every table the app owns (all but the migrations log), between tests. */
export async function truncateAll(ds: DataSource): Promise<void> {
  const rows: { tablename: string }[] = await ds.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
  );
  await ds.query(
    `TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`,
  );
}
