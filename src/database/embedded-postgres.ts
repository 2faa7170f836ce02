import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * Embedded PostgreSQL for a first run, the demo and tests on a machine without a server:
 * PGlite (PostgreSQL compiled to WebAssembly) served to the ordinary `pg` driver over a
 * loopback socket.
 *
 * PGlite is a single session with no locking of its own: two processes opening one folder
 * silently lose rows, hence the lock file. The app itself uses one connection (PGlite is one
 * session); `maxConnections` leaves room beside it for a migration runner and a psql.
 */
export interface EmbeddedPostgres {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port?: number;
  maxConnections: number;
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder's lock, replacing a stale one whose process is gone. */
function acquireLock(lockPath: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(lockPath, 'utf8') === String(process.pid)) unlinkSync(lockPath);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidIsAlive(holder)) {
        throw new Error(
          `The embedded database folder ${dirname(lockPath)} is in use by process ${holder}; ` +
            'stop it, or set EMBEDDED_DB_DIR to another folder, or set DATABASE_URL',
        );
      }
      unlinkSync(lockPath);
    }
  }
  throw new Error(`Could not lock the embedded database folder (${lockPath})`);
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  mkdirSync(options.dataDir, { recursive: true });
  const release = acquireLock(join(options.dataDir, '.lock'));
  let db: PGlite | undefined;
  try {
    const isNew = !existsSync(join(options.dataDir, 'PG_VERSION'));
    db = await PGlite.create({ dataDir: options.dataDir });
    if (isNew) await db.exec('SELECT 1');
    const server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: options.port ?? 0,
      maxConnections: options.maxConnections,
    });
    await server.start();
    const conn = server.getServerConn();
    const pglite = db;
    let stopped = false;
    return {
      url: `postgresql://postgres@${conn}/postgres?sslmode=disable`,
      dataDir: options.dataDir,
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await server.stop();
          await pglite.close();
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    await db?.close().catch(() => undefined);
    release();
    throw err;
  }
}
