/**
 * The sandbox server: one instance = one amoCRM account with its own state, started on a
 * loopback port. /api/v4 and /oauth2 go through the front door (front-door.ts); the rest is
 * the control routes, the leads page and the consent screen.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiRoutes } from './api-routes';
import { SANDBOX_DEFAULTS, stripUndefined } from './defaults';
import { FrontDoor } from './front-door';
import { handleControl, type SandboxControl } from './control-routes';
import { Faults, RateLimiter, RateLimitStrikes } from './faults';
import { jsonReply, problemReply, readBody, sendReply, type Reply } from './http';
import { ManagerActions, type ManagerLeadPatch } from './manager-actions';
import { ManagerContacts } from './manager-contacts';
import { IncomingDesk, type UnsortedRecord } from './incoming';
import { unsortedEvents } from './incoming-webhooks';
import { accountLeadFields } from './fixtures';
import { StateFile, type PersistedParts } from './persistence';
import type { RealismSettings } from './settings';
import { sandboxHost, type SandboxHost } from './hosts';
import { LongLivedTokens, type IssuedLongLivedToken } from './long-lived-tokens';
import { OAuthServer } from './oauth';
import { SANDBOX_FIXTURES } from './fixtures';
import { renderPage } from './page';
import { SandboxStore, type Change } from './store';
import { TaskBook } from './tasks';
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
  SandboxOptions,
  SandboxTask,
  SandboxWebhook,
  WebhookDelivery,
} from './types';
import { eventsFor, type AccountBlock } from './webhook-events';
import { WebhookSender } from './webhooks';

export type { FaultState } from './types';

export class AmoSandbox implements SandboxControl {
  readonly url: string;
  readonly port: number;
  readonly baseDomain: string;
  readonly accountId: number;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly subdomain: string;
  /** amoCRM or Kommo: the hosts the account answers with (hosts.ts). */
  readonly host: SandboxHost;

  private readonly store: SandboxStore;
  private readonly taskBook = new TaskBook();
  private readonly oauth: OAuthServer;
  private readonly longLived: LongLivedTokens;
  private readonly sender: WebhookSender;
  private readonly faults = new Faults();
  private readonly limiter: RateLimiter;
  private readonly api: ApiRoutes;
  private readonly manager: ManagerActions;
  private readonly door: FrontDoor;
  private readonly contactsDesk: ManagerContacts;
  private readonly incoming: IncomingDesk;
  private readonly strikes = new RateLimitStrikes();
  private readonly stateFile?: StateFile;
  /** the realism switches, shared by reference with the parts that read them */
  private readonly settings: RealismSettings;
  private stopped = false;
  /** API requests received in full and not yet answered (e.g. waiting out injected latency). */
  private readonly pending = new Set<{ method: string; path: string }>();

  /** Use startSandbox() (start.ts); this wires an already listening server. */
  constructor(
    private readonly server: http.Server,
    opts: SandboxOptions,
  ) {
    const o = { ...SANDBOX_DEFAULTS, ...stripUndefined(opts) };
    const address = server.address() as AddressInfo;
    this.port = address.port;
    this.url = `http://${o.host}:${this.port}`;
    this.host = sandboxHost(opts.platform);
    this.baseDomain = `${o.subdomain}.${this.host.suffix}`;
    this.accountId = o.accountId;
    this.clientId = o.clientId;
    this.clientSecret = o.clientSecret;
    this.redirectUri = o.redirectUri;
    this.subdomain = o.subdomain;
    this.limiter = new RateLimiter(o.rateLimitPerSecond);
    this.settings = {
      rateLimitRetryAfterSec: o.rateLimitRetryAfterSec,
      rateLimitScope: o.rateLimitScope,
      blockAfter429s: o.blockAfter429s,
      blockWindowMs: o.blockWindowMs,
      refreshMode: opts.refreshMode ?? (o.strictRefresh ? 'strict' : 'until-successor-used'),
      duplicateControl: o.duplicateControl,
      absentTrackingFields: [],
      timezone: o.timezone,
    };
    this.store = new SandboxStore(o.accountId, this.url);
    this.oauth = new OAuthServer({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      redirectUri: o.redirectUri,
      accountId: o.accountId,
      subdomain: o.subdomain,
      baseDomain: this.baseDomain,
      host: this.host,
      accessTokenTtlSec: o.accessTokenTtlSec,
      authCodeTtlSec: o.authCodeTtlSec,
      settings: this.settings,
    });
    this.longLived = new LongLivedTokens({
      clientId: o.clientId,
      accountId: o.accountId,
      userId: SANDBOX_FIXTURES.users.admin,
      host: this.host,
    });
    this.sender = new WebhookSender({
      accountId: o.accountId,
      subdomain: o.subdomain,
      accountUrl: `https://${this.baseDomain}`,
      timeoutMs: o.webhookTimeoutMs,
      retryDelaysMs: [...o.webhookRetryDelaysMs],
      batchWindowMs: o.webhookBatchWindowMs,
    });
    const emit = (changes: Change[]): void => this.emit(changes);
    this.incoming = new IncomingDesk({
      store: this.store,
      accountId: o.accountId,
      baseUrl: this.url,
      leadFields: () => accountLeadFields(this.settings.absentTrackingFields),
      emit,
      emitUnsorted: (change) => this.sender.emit(unsortedEvents(change)),
      deleteLead: (id) => this.contactsDesk.deleteLead(id),
    });
    this.api = new ApiRoutes(
      {
        store: this.store,
        tasks: this.taskBook,
        webhooks: this.sender,
        baseUrl: this.url,
        accountId: o.accountId,
        subdomain: o.subdomain,
        settings: this.settings,
        isIncoming: (leadId) => this.incoming.entryOfLead(leadId) !== undefined,
        emit,
      },
      this.incoming,
    );
    this.manager = new ManagerActions(this.store, emit);
    this.contactsDesk = new ManagerContacts(this.store, emit, {
      manager: this.manager,
      sender: this.sender,
      account: { subdomain: o.subdomain, id: o.accountId },
    });
    this.door = new FrontDoor({
      baseUrl: this.url,
      faults: this.faults,
      limiter: this.limiter,
      oauth: this.oauth,
      longLived: this.longLived,
      api: this.api,
      strikes: this.strikes,
      settings: this.settings,
      integrationKey: `integration:${o.clientId}`,
      isStopped: () => this.stopped,
    });
    if (o.stateFile) {
      this.stateFile = new StateFile(o.stateFile);
      this.stateFile.load(this.persisted());
    }
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      void this.handle(req, res);
    });
  }

  issueAuthCode(): string {
    return this.oauth.issueAuthCode();
  }

  /** What an admin copies from the integration's "Keys and scopes" tab (long-lived-tokens.ts). */
  issueLongLivedToken(ttlSec?: number): IssuedLongLivedToken {
    return this.longLived.issue(ttlSec);
  }

  /** Revokes one long-lived token, or all of them; answers how many. */
  revokeLongLivedToken(token?: string): number {
    return this.longLived.revoke(token);
  }

  // ---- inspection ----

  leads(): SandboxLead[] {
    return [...this.store.leads.values()].map((l) => this.store.leadRead(l, true));
  }

  contacts(): SandboxContact[] {
    return [...this.store.contacts.values()].map((c) => this.store.contactRead(c, true));
  }

  notes(): SandboxNote[] {
    return [...this.store.notes.values()].map((n) => this.store.noteRead(n));
  }

  /** `/api/v4` and `/oauth2` requests whose body has arrived and whose answer is not yet sent. */
  inFlight(): { method: string; path: string }[] {
    return [...this.pending].map((c) => ({ ...c }));
  }

  /** Every task, as `GET /api/v4/tasks` reads it. */
  tasks(): SandboxTask[] {
    return [...this.taskBook.tasks.values()].map(
      (t) => this.taskBook.read(t, this.accountId, this.url) as SandboxTask,
    );
  }

  links(): SandboxLink[] {
    return this.store.links.map((l) => this.store.linkRead(l));
  }

  webhooks(): SandboxWebhook[] {
    return this.sender.list();
  }

  webhookDeliveries(): WebhookDelivery[] {
    return this.sender.deliveryLog();
  }

  requestLog(): RequestLogEntry[] {
    return this.door.log.map((e) => structuredClone(e));
  }

  refreshLog(): RefreshLogEntry[] {
    return this.oauth.refreshLog();
  }

  faultState(): FaultState {
    return {
      outage: this.faults.outage,
      blocked: this.faults.blocked,
      latencyMs: this.faults.latencyMs,
      rateLimit: this.limiter.limit,
    };
  }

  // ---- faults ----

  setOutage(on: boolean): void {
    this.faults.outage = on;
  }

  setBlocked(on: boolean): void {
    this.faults.blocked = on;
  }

  setLatency(ms: number): void {
    this.faults.latencyMs = Math.max(0, ms);
  }

  failNext(opts: FailNextRule): void {
    this.faults.failNext(opts);
  }

  dropAfterCommit(opts: DropRule): void {
    this.faults.dropAfterCommit(opts);
  }

  /** OAuth access tokens and long-lived tokens alike answer 401 from now on. */
  expireAccessTokens(): void {
    this.oauth.expireAccessTokens();
    this.longLived.expireAll();
  }

  /** Disabling the integration: its OAuth grants and its long-lived tokens stop working. */
  revokeGrant(): void {
    this.oauth.revokeGrants();
    this.longLived.revoke();
  }

  setRateLimit(n: number): void {
    this.limiter.limit = n;
  }

  /** Outage, block, latency and pending failNext/drop rules off; the rate limit is kept. */
  /** Ends every injected fault, including deliveries still to be suppressed. */
  clearFaults(): void {
    this.faults.clear();
    this.strikes.clear();
    this.sender.clearSuppression();
  }

  // ---- realism settings ----

  settingsState(): RealismSettings & { webhookAccountBlock: AccountBlock } {
    return { ...this.settings, webhookAccountBlock: this.sender.accountBlock };
  }

  /** Changes any of the realism switches of a running sandbox. */
  configure(patch: Partial<RealismSettings> & { webhookAccountBlock?: AccountBlock }): void {
    const { webhookAccountBlock, ...rest } = patch;
    Object.assign(this.settings, rest);
    if (webhookAccountBlock !== undefined) this.sender.accountBlock = webhookAccountBlock;
  }

  /** Clears the request log, the refresh log and the webhook delivery log. */
  resetLog(): void {
    this.door.log = [];
    this.oauth.clearLog();
    this.sender.clearDeliveryLog();
  }

  // ---- manager actions ----

  moveLead(id: number, to: { statusId: number; pipelineId?: number }): SandboxLead {
    return this.manager.moveLead(id, to);
  }

  updateLead(id: number, patch: ManagerLeadPatch): SandboxLead {
    return this.manager.updateLead(id, patch);
  }

  deleteLead(id: number): void {
    this.contactsDesk.deleteLead(id);
  }

  /** Waiting incoming entries (accepted and declined ones have left the list). */
  incomingLeads(): UnsortedRecord[] {
    return this.incoming.list();
  }

  /** A manager accepts an incoming lead, into `statusId` or the pipeline's first stage. */
  acceptIncoming(uid: string, opts: { statusId?: number } = {}): object {
    return this.incoming.accept(uid, opts);
  }

  /** A manager declines an incoming lead: its lead is deleted. */
  declineIncoming(uid: string): object {
    return this.incoming.decline(uid);
  }

  restoreLead(id: number): SandboxLead {
    return this.contactsDesk.restoreLead(id);
  }

  deleteContact(id: number): void {
    this.contactsDesk.deleteContact(id);
  }

  mergeContacts(keepId: number, loseId: number): SandboxContact {
    return this.contactsDesk.mergeContacts(keepId, loseId);
  }

  /** A move whose stage automation also sends a Digital Pipeline hook (manager-contacts.ts). */
  digitalPipelineMove(
    id: number,
    to: { statusId: number; pipelineId?: number },
    destination?: string,
  ): Promise<SandboxLead> {
    return this.contactsDesk.digitalPipelineMove(id, to, destination);
  }

  createLead(input: {
    name: string;
    price?: number;
    statusId?: number;
    pipelineId?: number;
  }): SandboxLead {
    return this.manager.createLead(input);
  }

  suppressNextWebhooks(count: number): void {
    this.sender.suppressNext(count);
  }

  flushWebhooks(): Promise<void> {
    return this.sender.flush();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.sender.stop();
    this.save();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- request handling ----

  private persisted(): PersistedParts {
    return {
      accountId: this.accountId,
      store: this.store,
      tasks: this.taskBook,
      oauth: this.oauth,
      longLived: this.longLived,
      sender: this.sender,
    };
  }

  private save(): void {
    this.stateFile?.save(this.persisted());
  }

  private emit(changes: Change[]): void {
    this.sender.emit(changes.flatMap((c) => eventsFor(c, this.store)));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', this.url);
      const method = (req.method ?? 'GET').toUpperCase();
      const path = url.pathname;
      const body = await readBody(req);
      if (path.startsWith('/api/v4/') || path.startsWith('/oauth2/')) {
        const call = { method, path };
        this.pending.add(call);
        try {
          await this.door.handle(req, res, url, method, body);
        } finally {
          this.pending.delete(call);
        }
      } else {
        sendReply(res, await this.handleLocal(req, url, method, body));
      }
      if (method !== 'GET') this.save();
    } catch (err) {
      if (!res.headersSent && !res.destroyed) {
        sendReply(res, problemReply(500, err instanceof Error ? err.message : 'internal error'));
      }
    }
  }

  private async handleLocal(
    req: http.IncomingMessage,
    url: URL,
    method: string,
    body: string,
  ): Promise<Reply> {
    if (url.pathname.startsWith('/_sandbox/')) {
      return handleControl(this, {
        method,
        path: url.pathname,
        body,
        contentType: req.headers['content-type'] ?? '',
      });
    }
    if (method === 'GET' && url.pathname === '/') {
      const html = renderPage({
        accountId: this.accountId,
        baseDomain: this.baseDomain,
        leads: this.leads(),
        contacts: this.contacts(),
        webhooks: this.webhooks(),
        deliveries: this.webhookDeliveries(),
      });
      return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: html };
    }
    if (method === 'GET' && url.pathname === '/oauth') return this.oauth.consent(url.searchParams);
    return jsonReply(404, { error: `nothing at ${method} ${url.pathname}` });
  }
}
