import { NextFunction, Request, RequestHandler, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { normalizeIp } from '@nestjs/throttler';
import { AmoNotConfiguredError } from '../auth/amo-connection.errors';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Failed secrets one client address may send per window before it is refused unchecked. */
export const WEBHOOK_FAILURE_LIMIT = { attempts: 10, windowMs: 60_000, maxTracked: 10_000 };

/**
 * Counts failed secrets per client address in this process. Deliberately in memory, not in
 * the shared PostgreSQL counters: it sits in front of the body parser to make a refusal cheaper
 * than the request, and a database write per refusal would undo that. With N instances an
 * address gets N × the limit, which is still nowhere near guessing a 32-character secret.
 */
export class WebhookFailureCounter {
  private readonly byAddress = new Map<string, { count: number; resetAt: number }>();

  isBlocked(address: string, now = Date.now()): number | null {
    const entry = this.byAddress.get(address);
    if (!entry || entry.resetAt <= now) return null;
    return entry.count >= WEBHOOK_FAILURE_LIMIT.attempts
      ? Math.ceil((entry.resetAt - now) / 1000)
      : null;
  }

  fail(address: string, now = Date.now()): void {
    const entry = this.byAddress.get(address);
    if (entry && entry.resetAt > now) {
      entry.count++;
      return;
    }
    if (this.byAddress.size >= WEBHOOK_FAILURE_LIMIT.maxTracked) this.forgetExpired(now);
    this.byAddress.set(address, { count: 1, resetAt: now + WEBHOOK_FAILURE_LIMIT.windowMs });
  }

  private forgetExpired(now: number): void {
    for (const [k, v] of this.byAddress) if (v.resetAt <= now) this.byAddress.delete(k);
    // a flood from more addresses than we track: start over rather than grow without bound
    if (this.byAddress.size >= WEBHOOK_FAILURE_LIMIT.maxTracked) this.byAddress.clear();
  }
}

/** Bodies above this are not drained after a refusal: the connection is closed instead. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

function refuse(req: Request, res: Response, statusCode: number, message: string): void {
  // Node reads and discards an unread body to keep the connection alive; for a flood of
  // multi-megabyte bodies that reading is the whole cost. Closing the connection after the
  // answer stops it. amoCRM's own deliveries are far smaller and keep the normal path.
  const length = Number(req.headers['content-length'] ?? Number.POSITIVE_INFINITY);
  if (!(length <= DRAIN_LIMIT_BYTES)) {
    res.setHeader('Connection', 'close');
    res.once('finish', () => req.socket.destroy());
  }
  res.status(statusCode).json({ statusCode, message });
}

/**
 * Runs ahead of the webhook's body parser, so a POST without the right secret is answered
 * before a byte of its body is read or parsed (a multi-megabyte body with no secret used to
 * cost 150–200 ms of parsing before its 401). The guard on the route checks again after
 * parsing; this gate only makes refusals cheap. Answers use the API's one error shape.
 */
export function webhookSecretGate(
  secret: string | null,
  failures: WebhookFailureCounter = new WebhookFailureCounter(),
): RequestHandler {
  const expected = secret ? digest(secret) : null;
  return (req: Request, res: Response, next: NextFunction): void => {
    // only the receiver's POST has a body worth guarding; anything else meets the router (404)
    if (req.method !== 'POST') {
      next();
      return;
    }
    if (!expected) {
      refuse(req, res, 503, new AmoNotConfiguredError().message);
      return;
    }
    const address = normalizeIp(req.ip ?? '');
    const blockedFor = failures.isBlocked(address);
    if (blockedFor !== null) {
      res.setHeader('Retry-After', String(blockedFor));
      refuse(req, res, 429, 'Too many requests with a wrong webhook secret from this address');
      return;
    }
    const given = req.query.secret;
    if (!timingSafeEqual(digest(typeof given === 'string' ? given : ''), expected)) {
      failures.fail(address);
      refuse(req, res, 401, 'Missing or wrong webhook secret');
      return;
    }
    next();
  };
}
