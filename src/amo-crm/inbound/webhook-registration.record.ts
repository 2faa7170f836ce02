import { AmoCrmError, describeError } from '../client/amo-crm.error';

/** Key in `amo_sync_state` under which the last registration check's outcome is kept. */
export const WEBHOOK_REGISTRATION_KEY = 'webhook_registration';

/** What the last check found, for every instance and the console to read. */
export interface WebhookRegistrationRecord {
  outcome: 'registered' | 'present' | 'failed';
  at: string;
  error: string | null;
  /**
   * amoCRM answered 402/403 to the registration: its lower plans do not allow managing
   * webhooks through the API, so an admin must enter the webhook in amoCRM's settings by hand.
   */
  refusedByAmo: boolean;
}

export function recordOf(result: 'registered' | 'present'): WebhookRegistrationRecord {
  return { outcome: result, at: new Date().toISOString(), error: null, refusedByAmo: false };
}

export function failureRecordOf(err: unknown): WebhookRegistrationRecord {
  return {
    outcome: 'failed',
    at: new Date().toISOString(),
    error: describeError(err),
    refusedByAmo: err instanceof AmoCrmError && err.kind === 'blocked',
  };
}

export function parseRecord(value: string | null): WebhookRegistrationRecord | null {
  if (!value) return null;
  try {
    return JSON.parse(value) as WebhookRegistrationRecord;
  } catch {
    return null;
  }
}
