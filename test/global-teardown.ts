import { rmSync } from 'node:fs';
import { EmbeddedPostgres } from '../src/database/embedded-postgres';

/** Stops the embedded database of this run, if any, and removes its temporary folder. */
export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __embeddedPg?: EmbeddedPostgres }).__embeddedPg;
  if (!embedded) return;
  await embedded.stop();
  rmSync(embedded.dataDir, { recursive: true, force: true });
}
