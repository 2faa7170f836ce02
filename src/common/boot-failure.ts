/**
 * Turns what stopped the boot into one sentence a user can act on: which setting is wrong,
 * or which database host could not be reached and what to check. Never includes a password.
 */
interface ErrorFields {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
}

function describeTarget(databaseUrl: string | null): { where: string; db: string } {
  if (!databaseUrl) return { where: 'the embedded database', db: '' };
  try {
    const u = new URL(databaseUrl);
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
    return { where: `PostgreSQL at ${u.hostname}:${u.port || '5432'}`, db };
  } catch {
    return { where: 'the PostgreSQL server in DATABASE_URL', db: '' };
  }
}

const DB_HINTS: Record<string, string> = {
  ECONNREFUSED: 'connection refused; check that the server is running and listens there',
  ENOTFOUND: 'host name not found; check the host in DATABASE_URL',
  EAI_AGAIN: 'host name could not be resolved; check the host in DATABASE_URL and the DNS',
  ETIMEDOUT: 'connection timed out; check the host, the port and any firewall between',
  EHOSTUNREACH: 'host unreachable; check the host in DATABASE_URL and the network',
  ECONNRESET: 'the server closed the connection; check that it accepts this client (pg_hba.conf)',
  '28P01': 'password authentication failed; check the user and password in DATABASE_URL',
  '28000': 'the server refused this user; check the user in DATABASE_URL and pg_hba.conf',
  '3D000': 'the database does not exist; create it (createdb) or fix its name in DATABASE_URL',
};

export function describeBootFailure(err: unknown, databaseUrl: string | null): string {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('Invalid configuration:')) {
    const problems = message
      .slice('Invalid configuration:'.length)
      .split('\n')
      .map((line) => line.replace(/^\s*-\s*/, '').trim())
      .filter(Boolean);
    return `Invalid configuration: ${problems.join('; ')}. Check the environment and .env (see .env.example)`;
  }
  const fields = (err ?? {}) as ErrorFields;
  const code = typeof fields.code === 'string' ? fields.code : '';
  const hint = DB_HINTS[code];
  if (hint) {
    const { where, db } = describeTarget(databaseUrl);
    const source = databaseUrl ? 'DATABASE_URL' : 'EMBEDDED_DB_DIR';
    const dbPart = db ? `, database "${db}"` : '';
    const fallback = databaseUrl ? '; or unset DATABASE_URL to use the embedded database' : '';
    return `Cannot connect to ${where}${dbPart} (from ${source}): ${hint}${fallback}`;
  }
  if (code === 'EADDRINUSE') {
    return `The port is already in use (${message}); stop the other process or set PORT`;
  }
  return `Failed to start: ${message}`;
}
