import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createConnection, createServer, Server, Socket } from 'node:net';
import { DataSource } from 'typeorm';
import { AmoSandbox } from '../../sandbox';

/**
 * A TCP relay between an app and PostgreSQL that a test can cut: every open connection is
 * destroyed and new ones are refused until it is restored — a database blip seen by one
 * process only, without touching the shared server.
 */
export interface DbRelay {
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startDbRelay(databaseUrl: string): Promise<DbRelay> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = createConnection(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    cut: () => {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => {
      down = false;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * An HTTP relay in front of the sandbox that holds every `slowEvery`-th API request for
 * `slowMs` before passing it on: requests then reach amoCRM bunched up, unlike the order in
 * which they were sent — what a slow network does to a limiter that counts only starts.
 */
export interface HttpRelay {
  url: string;
  /** Requests passed on to the sandbox whose answer has not come back yet. */
  inFlight(): number;
  /** Requests to this path that reached the relay so far. */
  received(path: string): number;
  close(): Promise<void>;
}

export async function startSlowRelay(
  sb: AmoSandbox,
  slowEvery: number,
  slowMs: number,
): Promise<HttpRelay> {
  const target = new URL(sb.url);
  let n = 0;
  let pending = 0;
  const seen = new Map<string, number>();
  const server = createHttpServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    seen.set(path, (seen.get(path) ?? 0) + 1);
    pending++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const slow = slowEvery > 0 && path.startsWith('/api/v4') && ++n % slowEvery === 0;
      setTimeout(
        () => {
          const up = httpRequest(
            {
              host: target.hostname,
              port: target.port,
              method: req.method,
              path: req.url,
              headers: { ...req.headers, host: target.host },
            },
            (answer) => {
              answer.on('end', () => pending--);
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          up.on('error', () => {
            pending--;
            res.destroy();
          });
          up.end(Buffer.concat(chunks));
        },
        slow ? slowMs : 0,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    inFlight: () => pending,
    received: (p) => seen.get(p) ?? 0,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Inserts `count` leads with a CREATE job each (and a comment when asked), oldest first. */
export async function queueLeads(
  ds: DataSource,
  count: number,
  opts: { comment?: boolean; phonePrefix?: string } = {},
): Promise<string[]> {
  const [{ id: propertyId }]: { id: string }[] = await ds.query(
    `INSERT INTO properties (title, price, currency) VALUES ('Edge-case flat', 1000000, 'RUB') RETURNING id`,
  );
  const rows: { id: string }[] = await ds.query(
    `WITH l AS (
       INSERT INTO leads (property_id, guest_name, guest_phone, contact_method, contact_time, comment, sync_state)
       SELECT $1, 'Guest ' || g, $4 || lpad(g::text, 7, '0'), 'PHONE', 'ANY_TIME',
              CASE WHEN $3 THEN 'Comment of guest ' || g ELSE NULL END, 'PENDING'
         FROM generate_series(1, $2) AS g
       RETURNING id, number),
     j AS (INSERT INTO amo_sync_jobs (lead_id, kind) SELECT id, 'CREATE' FROM l ORDER BY number)
     SELECT id FROM l ORDER BY number`,
    [propertyId, count, !!opts.comment, opts.phonePrefix ?? '+7916'],
  );
  return rows.map((r) => r.id);
}

/** Comments of our leads in amoCRM: how many never arrived and how many arrived twice. */
export async function countNotes(
  name: string,
  ds: DataSource,
  sb: AmoSandbox,
): Promise<{ comments: number; lost: number; duplicated: number }> {
  const leads: { number: number; amo_lead_id: string | null; comment: string | null }[] =
    await ds.query(`SELECT number, amo_lead_id, comment FROM leads WHERE comment IS NOT NULL`);
  const texts = new Map<string, number>();
  for (const n of sb.notes()) {
    const key = `${n.entity_id}|${String(n.params?.text ?? '')}`;
    texts.set(key, (texts.get(key) ?? 0) + 1);
  }
  let lost = 0;
  let duplicated = 0;
  for (const l of leads) {
    const key = `${l.amo_lead_id}|Guest's comment (lead #${l.number}): ${l.comment}`;
    const seen = texts.get(key) ?? 0;
    if (seen === 0) lost++;
    if (seen > 1) duplicated++;
  }
  const report = { comments: leads.length, lost, duplicated };
  process.stdout.write(
    `[fault] ${name}: comments ${report.comments}, lost ${report.lost}, duplicated ${report.duplicated}\n`,
  );
  return report;
}
