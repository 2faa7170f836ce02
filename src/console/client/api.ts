/** The admin API as the console uses it. The CSRF token lives in memory only, never in storage. */

export interface Session {
  enabled: boolean;
  signedIn: boolean;
  csrfToken: string | null;
  expiresAt: string | null;
}

export interface Pause {
  until: string;
  reason: string;
}

export interface ConnectionDetails {
  configured: boolean;
  state: 'CONNECTED' | 'REAUTH_REQUIRED' | 'DISCONNECTED' | 'NOT_CONNECTED' | 'NOT_CONFIGURED';
  authMode: 'OAUTH' | 'LONG_LIVED' | null;
  accountId: number | null;
  accountName: string | null;
  domain: string | null;
  tokenExpiresAt: string | null;
  tokenExpiryWarning: string | null;
  lastError: string | null;
  webhook: {
    registered: boolean;
    checkedAt: string | null;
    error: string | null;
    manual: { url: string; events: string[]; reason: string } | null;
  };
  paused: Pause | null;
  rateLimitedUntil: string | null;
  authorizePath: string;
}

export interface Activity {
  jobs: Record<'PENDING' | 'RUNNING' | 'DONE' | 'DEAD' | 'HELD', number>;
  inbox: Record<'PENDING' | 'RUNNING' | 'DONE' | 'IGNORED' | 'DEAD', number>;
  oldestPendingAgeSec: number | null;
  leadsSyncedLastHour: number;
  paused: Pause | null;
}

export interface ValidationError {
  path: string;
  code: string;
  detail: string;
}

export interface DeadJob {
  jobId: string;
  leadId: string;
  leadNumber: number | null;
  guestName: string | null;
  kind: string;
  attempts: number;
  error: string | null;
  reason: string | null;
  validationErrors: ValidationError[];
  at: string;
}

export interface FailedEvent {
  eventId: string;
  entity: string;
  action: string;
  amoId: number | null;
  state: string;
  attempts: number;
  error: string | null;
  receivedAt: string;
}

export interface Failures {
  deadJobs: DeadJob[];
  failedEvents: FailedEvent[];
}

export const LEAD_STATUSES = [
  'NEW',
  'IN_PROGRESS',
  'VIEWING_SCHEDULED',
  'NEGOTIATION',
  'WON',
  'LOST',
] as const;
export const SYNC_STATES = ['NOT_CONFIGURED', 'PENDING', 'SYNCED', 'FAILED', 'DEAD'] as const;

/** The amoCRM stage a lead is on when our mapping has no status for it. */
export interface UnmappedStage {
  pipelineId: number | null;
  statusId: number;
  since: string;
}

export interface Lead {
  id: string;
  number: number;
  propertyId: string | null;
  guestName: string;
  status: (typeof LEAD_STATUSES)[number];
  source: string;
  amoLeadId: number | null;
  sync: { state: (typeof SYNC_STATES)[number]; error: string | null; syncedAt: string | null };
  createdAt: string;
  /** Set while the lead sits in an amoCRM stage our mapping does not know. */
  unmappedStage: UnmappedStage | null;
  /** When amoCRM reported the linked lead deleted. */
  amoDeletedAt: string | null;
}

export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
}

export interface Property {
  id: string;
  title: string;
}

export interface MappingView {
  statuses: {
    status: string;
    pipelineId: number | null;
    pipelineName: string | null;
    statusId: number | null;
    statusName: string | null;
  }[];
  fields: {
    field: string;
    fieldId: number | null;
    fieldName: string | null;
    options: { value: string; enumId: number; enumName: string | null }[];
  }[];
  tags: string[];
  problems: string[];
}

/** An answer other than 2xx, with the API's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onSignedOut: () => void = () => undefined;

export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Is the backend running?');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const message =
      data && typeof data === 'object' && 'message' in data
        ? String(data.message)
        : `HTTP ${res.status}`;
    if (res.status === 401 && path !== '/api/admin/session') {
      csrfToken = null;
      onSignedOut();
    }
    throw new ApiError(res.status, message);
  }
  return data as T;
}

export const api = {
  async session(): Promise<Session> {
    const s = await call<Session>('GET', '/api/admin/session');
    csrfToken = s.csrfToken;
    return s;
  },
  async signIn(key: string): Promise<Session> {
    const s = await call<Session>('POST', '/api/admin/session', { key });
    csrfToken = s.csrfToken;
    return s;
  },
  async signOut(): Promise<void> {
    await call<void>('DELETE', '/api/admin/session');
    csrfToken = null;
  },
  connection: () => call<ConnectionDetails>('GET', '/api/integrations/amo-crm/connection'),
  disconnect: () =>
    call<{ state: string }>('POST', '/api/integrations/amo-crm/connection/disconnect', {
      confirm: true,
    }),
  activity: () => call<Activity>('GET', '/api/integrations/amo-crm/activity'),
  failures: () => call<Failures>('GET', '/api/integrations/amo-crm/failures'),
  retry: (target: { jobId?: string; eventId?: string }) =>
    call<{ requeuedJobs: number; requeuedEvents: number }>(
      'POST',
      '/api/integrations/amo-crm/failures/retry',
      target,
    ),
  mapping: () => call<MappingView>('GET', '/api/integrations/amo-crm/mapping/view'),
  leads(q: { page: number; status: string; syncState: string }): Promise<Page<Lead>> {
    const params = new URLSearchParams({ page: String(q.page), limit: '20' });
    if (q.status) params.set('status', q.status);
    if (q.syncState) params.set('syncState', q.syncState);
    return call<Page<Lead>>('GET', `/api/leads?${params.toString()}`);
  },
  properties: () => call<Page<Property>>('GET', '/api/properties?limit=100'),
};
