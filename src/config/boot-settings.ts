/**
 * The few settings the entry point needs before (or without) the validated configuration:
 * the log level for lines written while the app is created, and the database a failed boot
 * was trying to reach. Read from the process environment, which by the time a boot fails
 * also holds what ConfigModule loaded from `.env`.
 */
const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function bootLogLevel(): string {
  const level = process.env.LOG_LEVEL?.trim();
  if (level && LEVELS.has(level)) return level;
  return process.env.NODE_ENV === 'test' ? 'silent' : 'info';
}

export function bootDatabaseUrl(): string | null {
  const url = process.env.DATABASE_URL?.trim();
  return url ? url : null;
}
