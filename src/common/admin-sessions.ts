import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';

/** The console's session cookie. Path=/api: the page itself never needs it. */
export const SESSION_COOKIE = 'admin_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface AdminSession {
  csrfToken: string;
  expiresAt: Date;
}

const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Constant-time comparison of two strings of any length. */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** The value of one cookie in a `Cookie` header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/**
 * Admin console sessions in PostgreSQL (`admin_sessions`), so every instance behind a balancer
 * knows them and a restart keeps them. The cookie's value is 32 random bytes; only its digest
 * is stored. Expired rows are swept whenever a session is created.
 */
@Injectable()
export class AdminSessions {
  constructor(private readonly dataSource: DataSource) {}

  async create(ttlMin: number): Promise<AdminSession & { token: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    await this.dataSource.query(`DELETE FROM admin_sessions WHERE expires_at <= now()`);
    const rows: { expires_at: Date }[] = await this.dataSource.query(
      `INSERT INTO admin_sessions (token_hash, csrf_token, expires_at)
       VALUES ($1, $2, now() + make_interval(mins => $3)) RETURNING expires_at`,
      [hashOf(token), csrfToken, ttlMin],
    );
    return { token, csrfToken, expiresAt: new Date(rows[0].expires_at) };
  }

  /** The live session for a cookie value, or null when unknown, signed out or expired. */
  async find(token: string): Promise<AdminSession | null> {
    const rows: { csrf_token: string; expires_at: Date }[] = await this.dataSource.query(
      `SELECT csrf_token, expires_at FROM admin_sessions WHERE token_hash = $1 AND expires_at > now()`,
      [hashOf(token)],
    );
    const row = rows[0];
    return row ? { csrfToken: row.csrf_token, expiresAt: new Date(row.expires_at) } : null;
  }

  async delete(token: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM admin_sessions WHERE token_hash = $1`, [
      hashOf(token),
    ]);
  }
}
