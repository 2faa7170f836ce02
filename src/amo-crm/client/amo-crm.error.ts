/** How a failed amoCRM call should be treated by whoever made it. */
export type AmoCrmErrorKind =
  'unauthorized' | 'rate_limited' | 'transient' | 'permanent' | 'blocked';

export interface AmoValidationError {
  requestId: string | null;
  code: string;
  path: string;
  detail: string;
}

export interface AmoCrmErrorDetails {
  status?: number;
  /** OAuth problem hint, e.g. "Authorization code has expired". */
  hint?: string;
  validationErrors?: AmoValidationError[];
  retryAfterMs?: number;
  /** True when a write may have been applied although no answer came back. */
  outcomeUnknown?: boolean;
  /** amoCRM itself did not answer properly (5xx, 408, timeout, reset): not this request's fault. */
  unavailable?: boolean;
  cause?: unknown;
}

/** The one error type of the amoCRM client; `kind` decides retries, holds and alerts. */
export class AmoCrmError extends Error {
  readonly status?: number;
  readonly hint?: string;
  readonly validationErrors: AmoValidationError[];
  readonly retryAfterMs?: number;
  readonly outcomeUnknown: boolean;
  readonly unavailable: boolean;

  constructor(
    readonly kind: AmoCrmErrorKind,
    message: string,
    details: AmoCrmErrorDetails = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'AmoCrmError';
    this.status = details.status;
    this.hint = details.hint;
    this.validationErrors = details.validationErrors ?? [];
    this.retryAfterMs = details.retryAfterMs;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    this.unavailable = details.unavailable ?? false;
  }

  /** A short, log-safe description (no tokens, no personal data). */
  describe(): string {
    const parts = [`${this.kind}${this.status ? ` ${this.status}` : ''}: ${this.message}`];
    if (this.hint) parts.push(`hint: ${this.hint}`);
    for (const v of this.validationErrors.slice(0, 5)) {
      parts.push(`[${v.requestId ?? '-'}] ${v.path}: ${v.code} ${v.detail}`);
    }
    return parts.join('; ');
  }
}

/** Any failure as one log-safe line: amoCRM's own description, else the error's message. */
export function describeError(err: unknown): string {
  if (err instanceof AmoCrmError) return err.describe();
  return err instanceof Error ? err.message : String(err);
}
