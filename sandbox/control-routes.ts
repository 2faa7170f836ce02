/**
 * `/_sandbox/...`: inspection, faults and manager actions over HTTP for tests that drive a
 * sandbox in another process, and the target of the front page's forms. Not rate-limited and
 * not recorded in the API request log.
 */
import { SANDBOX_FIXTURES } from './fixtures';
import { isRecord, jsonReply, redirectReply, type Reply } from './http';
import type { SandboxHost } from './hosts';
import type { IssuedLongLivedToken } from './long-lived-tokens';
import { SandboxError, type ManagerLeadPatch } from './manager-actions';
import { readSettingsPatch, type RealismSettings } from './settings';
import type { AccountBlock } from './webhook-events';
import type {
  DropRule,
  FailNextRule,
  FaultState,
  RefreshLogEntry,
  RequestLogEntry,
  SandboxContact,
  SandboxLead,
  SandboxLink,
  SandboxNote,
  SandboxWebhook,
  WebhookDelivery,
} from './types';

/**
 * What the control routes drive. Declared here rather than imported from sandbox.ts so the
 * server depends on its control routes and not the other way round.
 */
export interface SandboxControl {
  readonly url: string;
  readonly baseDomain: string;
  readonly accountId: number;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly host: SandboxHost;
  leads(): SandboxLead[];
  contacts(): SandboxContact[];
  notes(): SandboxNote[];
  links(): SandboxLink[];
  webhooks(): SandboxWebhook[];
  webhookDeliveries(): WebhookDelivery[];
  requestLog(): RequestLogEntry[];
  refreshLog(): RefreshLogEntry[];
  faultState(): FaultState;
  issueAuthCode(): string;
  issueLongLivedToken(ttlSec?: number): IssuedLongLivedToken;
  revokeLongLivedToken(token?: string): number;
  setOutage(on: boolean): void;
  setBlocked(on: boolean): void;
  setLatency(ms: number): void;
  setRateLimit(n: number): void;
  failNext(rule: FailNextRule): void;
  dropAfterCommit(rule: DropRule): void;
  expireAccessTokens(): void;
  revokeGrant(): void;
  clearFaults(): void;
  resetLog(): void;
  suppressNextWebhooks(count: number): void;
  flushWebhooks(): Promise<void>;
  moveLead(id: number, to: { statusId: number; pipelineId?: number }): SandboxLead;
  updateLead(id: number, patch: ManagerLeadPatch): SandboxLead;
  deleteLead(id: number): void;
  restoreLead(id: number): SandboxLead;
  digitalPipelineMove(
    id: number,
    to: { statusId: number; pipelineId?: number },
    destination?: string,
  ): Promise<SandboxLead>;
  deleteContact(id: number): void;
  mergeContacts(keepId: number, loseId: number): SandboxContact;
  settingsState(): RealismSettings & { webhookAccountBlock: AccountBlock };
  configure(patch: Partial<RealismSettings> & { webhookAccountBlock?: AccountBlock }): void;
  createLead(input: {
    name: string;
    price?: number;
    statusId?: number;
    pipelineId?: number;
  }): SandboxLead;
}

interface ControlRequest {
  method: string;
  path: string;
  body: string;
  contentType: string;
}

function fail(status: number, error: string): Reply {
  return jsonReply(status, { error });
}

function parseBody(req: ControlRequest): { form: boolean; data: Record<string, unknown> } {
  if (req.contentType.includes('application/x-www-form-urlencoded')) {
    return { form: true, data: Object.fromEntries(new URLSearchParams(req.body)) };
  }
  if (req.body.trim() === '') return { form: false, data: {} };
  const parsed: unknown = JSON.parse(req.body);
  if (!isRecord(parsed)) throw new SandboxError(400, 'body must be a JSON object');
  return { form: false, data: parsed };
}

function optionalInt(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw new SandboxError(400, `${name} must be an integer`);
  return n;
}

/** `path` is an exact pathname; `pathPattern` a regular expression source (JSON has no RegExp). */
function readMatcher(raw: unknown): { method?: string; path: string | RegExp; count: number } {
  if (!isRecord(raw)) throw new SandboxError(400, 'rule must be an object');
  const path =
    typeof raw.pathPattern === 'string'
      ? new RegExp(raw.pathPattern)
      : typeof raw.path === 'string'
        ? raw.path
        : undefined;
  if (path === undefined) throw new SandboxError(400, 'rule needs path or pathPattern');
  const method = typeof raw.method === 'string' ? raw.method : undefined;
  return { method, path, count: optionalInt(raw.count, 'count') ?? 1 };
}

function asList(raw: unknown): unknown[] {
  return Array.isArray(raw) ? raw : [raw];
}

function applyFaults(sandbox: SandboxControl, data: Record<string, unknown>): void {
  if (data.clear === true) sandbox.clearFaults();
  if (typeof data.outage === 'boolean') sandbox.setOutage(data.outage);
  if (typeof data.blocked === 'boolean') sandbox.setBlocked(data.blocked);
  const latency = optionalInt(data.latencyMs, 'latencyMs');
  if (latency !== undefined) sandbox.setLatency(latency);
  const rate = optionalInt(data.rateLimit, 'rateLimit');
  if (rate !== undefined) sandbox.setRateLimit(rate);
  if (data.failNext !== undefined) {
    for (const raw of asList(data.failNext)) {
      const rule: FailNextRule = {
        ...readMatcher(raw),
        status: optionalInt(isRecord(raw) ? raw.status : undefined, 'status') ?? 500,
      };
      if (isRecord(raw) && 'body' in raw) rule.body = raw.body;
      sandbox.failNext(rule);
    }
  }
  if (data.dropAfterCommit !== undefined) {
    for (const raw of asList(data.dropAfterCommit)) {
      const rule: DropRule = readMatcher(raw);
      sandbox.dropAfterCommit(rule);
    }
  }
  if (data.expireAccessTokens === true) sandbox.expireAccessTokens();
  if (data.revokeGrant === true) sandbox.revokeGrant();
  const suppress = optionalInt(data.suppressNextWebhooks, 'suppressNextWebhooks');
  if (suppress !== undefined) sandbox.suppressNextWebhooks(suppress);
}

export async function handleControl(sandbox: SandboxControl, req: ControlRequest): Promise<Reply> {
  try {
    return await route(sandbox, req);
  } catch (err) {
    if (err instanceof SandboxError) return fail(err.status, err.message);
    if (err instanceof SyntaxError) return fail(400, `invalid JSON: ${err.message}`);
    throw err;
  }
}

async function route(sandbox: SandboxControl, req: ControlRequest): Promise<Reply> {
  const { method, path } = req;
  const contactMatch = /^\/_sandbox\/contacts\/(\d+)$/.exec(path);
  if (contactMatch && method === 'DELETE') {
    sandbox.deleteContact(Number(contactMatch[1]));
    return { status: 204, headers: {} };
  }
  const leadAction = /^\/_sandbox\/leads\/(\d+)\/(restore|digital-pipeline)$/.exec(path);
  if (leadAction && method === 'POST') {
    const id = Number(leadAction[1]);
    if (leadAction[2] === 'restore') return jsonReply(200, sandbox.restoreLead(id));
    const { data } = parseBody(req);
    const statusId = optionalInt(data.statusId, 'statusId');
    if (statusId === undefined) throw new SandboxError(400, 'statusId is required');
    if (data.destination !== undefined && typeof data.destination !== 'string') {
      throw new SandboxError(400, 'destination must be a string');
    }
    const to = { statusId, pipelineId: optionalInt(data.pipelineId, 'pipelineId') };
    return jsonReply(200, await sandbox.digitalPipelineMove(id, to, data.destination));
  }
  const leadMatch = /^\/_sandbox\/leads\/(\d+)(\/move)?$/.exec(path);
  if (leadMatch) {
    const id = Number(leadMatch[1]);
    if (!leadMatch[2] && method === 'DELETE') {
      sandbox.deleteLead(id);
      return { status: 204, headers: {} };
    }
    const { form, data } = parseBody(req);
    if (leadMatch[2] && method === 'POST') {
      let statusId = optionalInt(data.statusId, 'statusId');
      let pipelineId = optionalInt(data.pipelineId, 'pipelineId');
      if (typeof data.stage === 'string') {
        const [p, s] = data.stage.split(':');
        pipelineId = optionalInt(p, 'pipelineId');
        statusId = optionalInt(s, 'statusId');
      }
      if (statusId === undefined) throw new SandboxError(400, 'statusId is required');
      const lead = sandbox.moveLead(id, { statusId, pipelineId });
      return form ? redirectReply('/', 303) : jsonReply(200, lead);
    }
    if (!leadMatch[2] && method === 'PATCH') {
      const patch: ManagerLeadPatch = {};
      if (data.name !== undefined) {
        if (typeof data.name !== 'string') throw new SandboxError(400, 'name must be a string');
        patch.name = data.name;
      }
      const price = data.price === null ? null : optionalInt(data.price, 'price');
      if (price !== undefined) patch.price = price;
      if (data.customFields !== undefined) patch.customFields = data.customFields;
      return jsonReply(200, sandbox.updateLead(id, patch));
    }
    return fail(405, 'method not allowed');
  }

  const key = `${method} ${path}`;
  switch (key) {
    case 'GET /_sandbox/state':
      return jsonReply(200, {
        leads: sandbox.leads(),
        contacts: sandbox.contacts(),
        notes: sandbox.notes(),
        links: sandbox.links(),
        webhooks: sandbox.webhooks(),
        deliveries: sandbox.webhookDeliveries(),
        refreshLog: sandbox.refreshLog(),
      });
    case 'GET /_sandbox/info':
      return jsonReply(200, {
        url: sandbox.url,
        baseDomain: sandbox.baseDomain,
        accountId: sandbox.accountId,
        clientId: sandbox.clientId,
        clientSecret: sandbox.clientSecret,
        redirectUri: sandbox.redirectUri,
        platform: sandbox.host.platform,
        consentPage: sandbox.host.consentPage,
        fixtures: SANDBOX_FIXTURES,
      });
    case 'GET /_sandbox/requests':
      return jsonReply(200, sandbox.requestLog());
    case 'GET /_sandbox/refresh-log':
      return jsonReply(200, sandbox.refreshLog());
    case 'POST /_sandbox/auth-code':
      return jsonReply(200, { code: sandbox.issueAuthCode() });
    case 'POST /_sandbox/long-lived-token': {
      const ttlSec = optionalInt(parseBody(req).data.ttlSec, 'ttlSec');
      try {
        return jsonReply(201, sandbox.issueLongLivedToken(ttlSec));
      } catch (err) {
        if (err instanceof RangeError) throw new SandboxError(400, err.message);
        throw err;
      }
    }
    case 'POST /_sandbox/long-lived-token/revoke': {
      const { token } = parseBody(req).data;
      if (token !== undefined && typeof token !== 'string') {
        throw new SandboxError(400, 'token must be a string');
      }
      return jsonReply(200, { revoked: sandbox.revokeLongLivedToken(token) });
    }
    case 'POST /_sandbox/faults':
      applyFaults(sandbox, parseBody(req).data);
      return jsonReply(200, sandbox.faultState());
    case 'GET /_sandbox/settings':
      return jsonReply(200, sandbox.settingsState());
    case 'POST /_sandbox/settings': {
      const { webhookAccountBlock, ...rest } = parseBody(req).data;
      const patch: Partial<RealismSettings> & { webhookAccountBlock?: AccountBlock } =
        readSettingsPatch(rest);
      if (webhookAccountBlock !== undefined) {
        if (webhookAccountBlock !== 'full' && webhookAccountBlock !== 'subdomain-only') {
          throw new SandboxError(400, 'webhookAccountBlock must be one of full, subdomain-only');
        }
        patch.webhookAccountBlock = webhookAccountBlock;
      }
      sandbox.configure(patch);
      return jsonReply(200, sandbox.settingsState());
    }
    case 'POST /_sandbox/contacts/merge': {
      const { data } = parseBody(req);
      const keepId = optionalInt(data.keepId, 'keepId');
      const loseId = optionalInt(data.loseId, 'loseId');
      if (keepId === undefined || loseId === undefined) {
        throw new SandboxError(400, 'keepId and loseId are required');
      }
      return jsonReply(200, sandbox.mergeContacts(keepId, loseId));
    }
    case 'POST /_sandbox/reset-log':
      sandbox.resetLog();
      return { status: 204, headers: {} };
    case 'POST /_sandbox/webhooks/suppress': {
      const count = optionalInt(parseBody(req).data.count, 'count') ?? 1;
      sandbox.suppressNextWebhooks(count);
      return { status: 204, headers: {} };
    }
    case 'POST /_sandbox/webhooks/flush':
      await sandbox.flushWebhooks();
      return { status: 204, headers: {} };
    case 'POST /_sandbox/leads': {
      const { form, data } = parseBody(req);
      if (typeof data.name !== 'string') throw new SandboxError(400, 'name is required');
      const lead = sandbox.createLead({
        name: data.name,
        price: optionalInt(data.price, 'price'),
        statusId: optionalInt(data.statusId, 'statusId'),
        pipelineId: optionalInt(data.pipelineId, 'pipelineId'),
      });
      return form ? redirectReply('/', 303) : jsonReply(201, lead);
    }
    default:
      return fail(404, `no control route ${key}`);
  }
}
