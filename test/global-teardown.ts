import { EmbeddedPostgres } from '../src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __embeddedPg?: EmbeddedPostgres }).__embeddedPg;
  await embedded?.stop();
}
