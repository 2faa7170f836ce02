/** Public shapes of the sandbox: its options and the amoCRM read shapes returned by inspection. */
import type { RateLimitScope, RefreshMode } from './settings';

export interface SandboxOptions {
  /** 0 = ephemeral. */
  port?: number;
  host?: string;
  accountId?: number;
  /** The account lives at `<subdomain>.<platform's host>`; that is what the consent redirect puts in `referer`. */
  subdomain?: string;
  /** Answer as an amoCRM (`*.amocrm.ru`, default) or a Kommo (`*.kommo.com`) account. */
  platform?: 'amocrm' | 'kommo';
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
  /** Requests per access token in any rolling 1000 ms window. */
  rateLimitPerSecond?: number;
  /** `retry_after` in the 429 body, seconds (amoCRM's documented example: 300). */
  rateLimitRetryAfterSec?: number;
  /** Whose budget a request spends: its own token's, or the whole integration's (default). */
  rateLimitScope?: RateLimitScope;
  /** After this many 429s within `blockWindowMs`, the account is blocked (403 on everything); 0 = never. */
  blockAfter429s?: number;
  blockWindowMs?: number;
  /** true: a refresh token works once. false: the previous one stays valid until its successor is used. */
  strictRefresh?: boolean;
  /** Overrides `strictRefresh`; `until-access-used` is Kommo's documented grace. */
  refreshMode?: RefreshMode;
  /** Complex creates matching an open lead's contact by phone/e-mail answer `merged: true`. */
  duplicateControl?: boolean;
  /** The account's time zone (IANA name); default `Europe/Moscow`. */
  timezone?: string;
  /** Keep the account's state in this JSON file and continue from it on the next start. */
  stateFile?: string;
  accessTokenTtlSec?: number;
  authCodeTtlSec?: number;
  webhookTimeoutMs?: number;
  /** Delay before the 2nd, 3rd, 4th and 5th delivery attempt. */
  webhookRetryDelaysMs?: number[];
  /** Events for one destination within this window go out in one POST. 0 = one POST per change. */
  webhookBatchWindowMs?: number;
}

export interface FaultState {
  outage: boolean;
  blocked: boolean;
  latencyMs: number;
  rateLimit: number;
}

export interface LinkHref {
  href: string;
}

export interface CustomFieldValueItem {
  value: string | number | boolean;
  enum_id?: number;
  enum_code?: string | null;
}

export interface CustomFieldValue {
  field_id: number;
  field_name: string;
  field_code: string | null;
  field_type: string;
  values: CustomFieldValueItem[];
}

export interface SandboxTag {
  id: number;
  name: string;
  color: null;
}

export interface SandboxLead {
  id: number;
  name: string;
  price: number;
  responsible_user_id: number;
  group_id: number;
  status_id: number;
  pipeline_id: number;
  loss_reason_id: number | null;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  closest_task_at: null;
  is_deleted: boolean;
  custom_fields_values: CustomFieldValue[] | null;
  score: null;
  account_id: number;
  labor_cost: null;
  is_price_modified_by_robot: boolean;
  _links: { self: LinkHref };
  _embedded: {
    tags: SandboxTag[];
    companies: never[];
    contacts?: { id: number; is_main: boolean; _links: { self: LinkHref } }[];
  };
}

export interface SandboxContact {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  responsible_user_id: number;
  group_id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  closest_task_at: null;
  is_deleted: boolean;
  is_unsorted: boolean;
  custom_fields_values: CustomFieldValue[] | null;
  account_id: number;
  _links: { self: LinkHref };
  _embedded: {
    tags: SandboxTag[];
    companies: never[];
    leads?: { id: number; _links: { self: LinkHref } }[];
  };
}

export interface SandboxNote {
  id: number;
  entity_id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  responsible_user_id: number;
  group_id: number;
  note_type: string;
  params: { text: string };
  account_id: number;
  _links: { self: LinkHref };
}

export interface SandboxLink {
  entity_id: number;
  entity_type: 'leads';
  to_entity_id: number;
  to_entity_type: 'contacts';
  metadata: { main_contact: boolean };
}

export interface SandboxWebhook {
  id: number;
  destination: string;
  created_at: number;
  updated_at: number;
  account_id: number;
  created_by: number;
  sort: number;
  disabled: boolean;
  settings: string[];
}

export type DeliveryStatus = number | 'timeout' | 'error';

export interface WebhookDelivery {
  destination: string;
  body: string;
  status: DeliveryStatus;
  /** ms epoch when the attempt started */
  at: number;
  attempt: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  /** ms epoch when the request was admitted (after any injected latency) */
  at: number;
  /** short hash of the bearer token; never the token itself */
  token?: string;
  /** JSON request body of /api/v4 writes, parsed; absent when empty or not JSON */
  body?: unknown;
  /** true when the response was never sent (dropAfterCommit) */
  dropped?: boolean;
}

export interface RefreshLogEntry {
  refreshToken: string;
  outcome: 'ok' | 'reused' | 'invalid';
}

export interface PathMatcher {
  method?: string;
  path: string | RegExp;
}

export interface FailNextRule extends PathMatcher {
  count: number;
  status: number;
  body?: unknown;
}

export interface DropRule extends PathMatcher {
  count: number;
}

export interface SandboxTask {
  id: number;
  entity_id: number | null;
  entity_type: 'leads' | 'contacts' | 'companies' | null;
  text: string;
  complete_till: number;
  task_type_id: number;
  responsible_user_id: number;
  duration: number;
  is_completed: boolean;
  created_by: number;
  created_at: number;
  updated_at: number;
  account_id: number;
}
