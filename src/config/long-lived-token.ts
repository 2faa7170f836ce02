/**
 * amoCRM's long-lived tokens are JWTs whose `exp` claim is their expiry (the official library
 * reads it the same way). The payload is read, never verified: the signature is amoCRM's to
 * check. Its expiry serves display, the expiry warning and not sending a token known to be
 * dead; whether the token works is only ever decided by amoCRM's answer.
 */
export interface LongLivedTokenInfo {
  expiresAt: Date;
}

const NOT_A_TOKEN =
  'AMO_LONG_LIVED_TOKEN is not an amoCRM long-lived token: expected a JWT (three dot-separated ' +
  "parts) whose payload carries a numeric `exp`; copy the whole token from the integration's " +
  '"Keys and scopes" tab';

/** Reads the expiry; throws a message naming the variable (never the value) when it cannot. */
export function readLongLivedToken(token: string): LongLivedTokenInfo {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
    throw new Error(NOT_A_TOKEN);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new Error(NOT_A_TOKEN);
  }
  const exp =
    typeof payload === 'object' && payload !== null ? (payload as { exp?: unknown }).exp : null;
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= 0) throw new Error(NOT_A_TOKEN);
  return { expiresAt: new Date(exp * 1000) };
}

/** Warn from this long before the expiry, once a day. */
export const EXPIRY_WARNING_DAYS = 14;

/** The daily warning's text, or null when the expiry is further away (or already past). */
export function expiryWarning(expiresAt: Date, now: Date = new Date()): string | null {
  const leftMs = expiresAt.getTime() - now.getTime();
  if (leftMs <= 0 || leftMs > EXPIRY_WARNING_DAYS * 86_400_000) return null;
  const days = Math.floor(leftMs / 86_400_000);
  const when = days === 0 ? 'in less than a day' : `in ${days} day${days === 1 ? '' : 's'}`;
  return (
    `The amoCRM long-lived token expires ${when} (${expiresAt.toISOString()}): generate a new ` +
    'one in amoCRM (the integration\'s "Keys and scopes" tab), set AMO_LONG_LIVED_TOKEN and restart'
  );
}
