import { AmoNotConfiguredError, AmoNotConnectedError } from '../auth/amo-connection.errors';
import { AmoCrmError, describeError } from '../client/amo-crm.error';
import { backoffDelayMs } from '../../common/backoff';

/** How long all sync waits after amoCRM blocks API access. */
export const BLOCK_PAUSE_MS = 15 * 60_000;

export interface RetrySettings {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
}

export type RetryDecision =
  /** No usable grant: not the job's fault; it waits for the connection without using an attempt. */
  | { state: 'HELD'; message: string }
  | { state: 'DEAD'; message: string; outcomeUnknown: boolean; pauseMs: number | null }
  | {
      state: 'PENDING';
      message: string;
      outcomeUnknown: boolean;
      delayMs: number;
      pauseMs: number | null;
    };

/**
 * What a failed attempt means for its job: the error's kind and the attempts so far decide the
 * next state and the wait. A definite refusal from amoCRM means nothing was written; any other
 * failure may have been, so the job remembers that its outcome is unknown.
 */
export function decideRetry(
  err: unknown,
  job: { attempts: number; outcomeUnknown: boolean },
  settings: RetrySettings,
  random: () => number = Math.random,
): RetryDecision {
  const message = describeError(err);
  if (err instanceof AmoNotConnectedError || err instanceof AmoNotConfiguredError) {
    return { state: 'HELD', message };
  }
  const amo = err instanceof AmoCrmError ? err : null;
  const outcomeUnknown = job.outcomeUnknown || !amo || amo.outcomeUnknown;
  const pauseMs = amo?.kind === 'blocked' ? BLOCK_PAUSE_MS : null;
  if (amo?.kind === 'permanent' || job.attempts >= settings.maxAttempts) {
    return { state: 'DEAD', message, outcomeUnknown, pauseMs };
  }
  const delayMs =
    amo?.kind === 'rate_limited' && amo.retryAfterMs
      ? amo.retryAfterMs
      : amo?.kind === 'blocked'
        ? BLOCK_PAUSE_MS
        : backoffDelayMs(job.attempts, settings.backoffBaseMs, settings.backoffCapMs, random);
  return { state: 'PENDING', message, outcomeUnknown, delayMs, pauseMs };
}
