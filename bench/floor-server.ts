/**
 * The floor for the intake benchmark: the least a server can do per lead — parse the JSON body
 * and run one INSERT into `leads` with the same columns the app writes, on the same database.
 *
 * What it skips, compared with POST /api/leads: DTO validation (class-validator), phone
 * normalization (libphonenumber) and e-mail lower-casing, the explicit transaction
 * (BEGIN/COMMIT round trips), the outbox row when sync is on, the middleware (helmet, the
 * per-IP throttler, request logging) and response serialization. The property foreign key is
 * still checked, by PostgreSQL.
 *
 * Settings: PORT, DATABASE_URL (a server) or EMBEDDED_DB_DIR (an existing embedded folder,
 * opened in this process the way the app opens its own), DB_POOL_SIZE.
 */
import http from 'node:http';
import { Pool } from 'pg';
import { EmbeddedPostgres, startEmbeddedPostgres } from '../src/database/embedded-postgres';

interface LeadBody {
  propertyId?: unknown;
  guestName?: unknown;
  guestPhone?: unknown;
  guestEmail?: unknown;
  contactMethod?: unknown;
  contactTime?: unknown;
  comment?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

async function main(): Promise<void> {
  const poolSize = Number(process.env.DB_POOL_SIZE ?? 10);
  let embedded: EmbeddedPostgres | null = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    const dataDir = process.env.EMBEDDED_DB_DIR;
    if (!dataDir) throw new Error('set DATABASE_URL or EMBEDDED_DB_DIR');
    embedded = await startEmbeddedPostgres({ dataDir, maxConnections: poolSize + 2 });
    url = embedded.url;
  }
  const pool = new Pool({ connectionString: url, max: poolSize });

  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    if (req.method === 'GET' && req.url === '/health') return reply(200, { status: 'ok' });
    if (req.method !== 'POST' || req.url !== '/api/leads') return reply(404, {});
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let b: LeadBody;
      try {
        b = JSON.parse(Buffer.concat(chunks).toString('utf8')) as LeadBody;
      } catch {
        return reply(400, { message: 'bad JSON' });
      }
      pool
        .query(
          `INSERT INTO leads (property_id, guest_name, guest_phone, guest_email, contact_method,
                              contact_time, comment, status, source, sync_state)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'NEW', 'SITE', 'NOT_CONFIGURED')
           RETURNING *`,
          [
            str(b.propertyId),
            str(b.guestName),
            str(b.guestPhone),
            str(b.guestEmail),
            str(b.contactMethod),
            str(b.contactTime) ?? 'ANY_TIME',
            str(b.comment),
          ],
        )
        .then(
          (r) => reply(201, r.rows[0]),
          (err: unknown) => reply(500, { message: err instanceof Error ? err.message : 'error' }),
        );
    });
  });

  const stop = () => {
    server.close();
    void pool
      .end()
      .then(() => embedded?.stop())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  server.listen(Number(process.env.PORT ?? 3999), '127.0.0.1', () => {
    process.stdout.write(`floor server on ${process.env.PORT}\n`);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `floor server failed: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
