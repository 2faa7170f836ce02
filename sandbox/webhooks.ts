/**
 * Account webhooks: the registry behind `/api/v4/webhooks` and the sender that POSTs events to
 * each destination the way amoCRM does (form-encoded, 2 s timeout, retries, auto-disable).
 */
import http from 'node:http';
import https from 'node:https';
import { encodeWebhookBody, type AccountBlock, type WebhookEvent } from './webhook-events';
import type { DeliveryStatus, SandboxWebhook, WebhookDelivery } from './types';

export interface WebhookSenderConfig {
  accountId: number;
  subdomain: string;
  accountUrl: string;
  timeoutMs: number;
  retryDelaysMs: number[];
  batchWindowMs: number;
}

/** amoCRM disables a webhook after more than this many invalid responses within two hours. */
const DISABLE_AFTER_FAILURES = 100;
const DISABLE_WINDOW_MS = 2 * 3600 * 1000;

interface Batch {
  events: WebhookEvent[];
  release: () => void;
}

export class WebhookSender {
  private readonly hooks = new Map<string, SandboxWebhook>();
  private readonly failures = new Map<string, number[]>();
  private readonly deliveries: WebhookDelivery[] = [];
  private readonly batches = new Map<string, Batch>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests = new Set<http.ClientRequest>();
  private nextId = 50000001;
  private suppressCount = 0;
  private stopped = false;
  /** the `account[...]` block of account-webhook bodies; `subdomain-only` as in older payloads */
  accountBlock: AccountBlock = 'full';

  constructor(private readonly config: WebhookSenderConfig) {}

  // ---- registry ----

  /** Registering a destination that already exists replaces its settings. */
  register(
    input: { destination: string; settings: string[]; sort?: number },
    userId: number,
  ): SandboxWebhook {
    const now = Math.floor(Date.now() / 1000);
    const existing = this.hooks.get(input.destination);
    if (existing) {
      existing.settings = [...input.settings];
      existing.sort = input.sort ?? existing.sort;
      existing.updated_at = now;
      existing.disabled = false;
      this.failures.delete(input.destination);
      return { ...existing, settings: [...existing.settings] };
    }
    const hook: SandboxWebhook = {
      id: this.nextId++,
      destination: input.destination,
      created_at: now,
      updated_at: now,
      account_id: this.config.accountId,
      created_by: userId,
      sort: input.sort ?? 1,
      disabled: false,
      settings: [...input.settings],
    };
    this.hooks.set(hook.destination, hook);
    return { ...hook, settings: [...hook.settings] };
  }

  unregister(destination: string): boolean {
    return this.hooks.delete(destination);
  }

  list(): SandboxWebhook[] {
    return [...this.hooks.values()].map((h) => ({ ...h, settings: [...h.settings] }));
  }

  deliveryLog(): WebhookDelivery[] {
    return this.deliveries.map((d) => ({ ...d }));
  }

  clearDeliveryLog(): void {
    this.deliveries.length = 0;
  }

  suppressNext(count: number): void {
    this.suppressCount += count;
  }

  /** Forgets suppressions not used yet. */
  clearSuppression(): void {
    this.suppressCount = 0;
  }

  // ---- sending ----

  /** Events of one change; each subscribed destination gets those it asked for. */
  emit(events: WebhookEvent[]): void {
    if (this.stopped || events.length === 0) return;
    for (const hook of this.hooks.values()) {
      if (hook.disabled) continue;
      const wanted = events.filter((e) => hook.settings.includes(e.setting));
      if (wanted.length === 0) continue;
      if (this.config.batchWindowMs <= 0) {
        this.track(this.firstAttempt(hook.destination, wanted));
        continue;
      }
      const batch = this.batches.get(hook.destination);
      if (batch) {
        batch.events.push(...wanted);
        continue;
      }
      this.openBatch(hook.destination, wanted);
    }
  }

  private openBatch(destination: string, events: WebhookEvent[]): void {
    const batch: Batch = { events: [...events], release: () => undefined };
    this.track(
      new Promise<void>((resolve) => {
        batch.release = resolve;
      }),
    );
    this.batches.set(destination, batch);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.batches.get(destination) === batch) this.batches.delete(destination);
      void this.firstAttempt(destination, batch.events).finally(batch.release);
    }, this.config.batchWindowMs);
    timer.unref();
    this.timers.add(timer);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves once nothing is being sent or waiting in a batch; scheduled retries do not count. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) {
      await Promise.all([...this.inFlight]);
    }
  }

  private async firstAttempt(destination: string, events: WebhookEvent[]): Promise<void> {
    if (this.suppressCount > 0) {
      this.suppressCount--;
      return;
    }
    const body = encodeWebhookBody(events, {
      subdomain: this.config.subdomain,
      id: this.config.accountId,
      selfUrl: this.config.accountUrl,
      block: this.accountBlock,
    });
    await this.attempt(destination, body, 1);
  }

  /**
   * A hook that is not an account webhook (Digital Pipeline): one POST of a ready body to each
   * destination, logged like any delivery, never retried. Resolves when all were answered.
   */
  async sendOnce(destinations: string[], body: string): Promise<void> {
    const sends = destinations.map(async (destination) => {
      const at = Date.now();
      const status = await this.post(destination, body);
      if (!this.stopped) this.deliveries.push({ destination, body, status, at, attempt: 1 });
    });
    const all = Promise.all(sends).then(() => undefined);
    this.track(all);
    await all;
  }

  /** The registrations, for a saved state. */
  exportState(): { hooks: SandboxWebhook[]; nextId: number } {
    return { hooks: this.list(), nextId: this.nextId };
  }

  importState(state: { hooks: SandboxWebhook[]; nextId: number }): void {
    this.hooks.clear();
    for (const h of state.hooks) this.hooks.set(h.destination, { ...h, settings: [...h.settings] });
    this.nextId = state.nextId;
  }

  private async attempt(destination: string, body: string, attempt: number): Promise<void> {
    const hook = this.hooks.get(destination);
    if (this.stopped || !hook || hook.disabled) return;
    const at = Date.now();
    const status = await this.post(destination, body);
    if (this.stopped) return;
    this.deliveries.push({ destination, body, status, at, attempt });
    if (typeof status === 'number' && status >= 100 && status < 300) return;
    this.recordFailure(hook);
    this.scheduleRetry(destination, body, attempt, status);
  }

  /**
   * amoCRM retries twice after any invalid answer, and twice more only when the previous answer
   * was 499 or 5xx; `retryDelaysMs[n]` is the pause before attempt n + 2.
   */
  private scheduleRetry(
    destination: string,
    body: string,
    attempt: number,
    status: DeliveryStatus,
  ): void {
    const delayMs = this.config.retryDelaysMs[attempt - 1];
    if (delayMs === undefined) return;
    const serverSide = typeof status === 'number' && (status === 499 || status >= 500);
    if (attempt >= 3 && !serverSide) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(this.attempt(destination, body, attempt + 1));
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private recordFailure(hook: SandboxWebhook): void {
    const now = Date.now();
    const recent = (this.failures.get(hook.destination) ?? []).filter(
      (t) => t > now - DISABLE_WINDOW_MS,
    );
    recent.push(now);
    this.failures.set(hook.destination, recent);
    if (recent.length > DISABLE_AFTER_FAILURES) hook.disabled = true;
  }

  private post(destination: string, body: string): Promise<DeliveryStatus> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (status: DeliveryStatus): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.requests.delete(req);
        resolve(status);
      };
      const url = new URL(destination);
      const transport = url.protocol === 'https:' ? https : http;
      const req = transport.request(url, {
        method: 'POST',
        agent: false,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          'User-Agent': 'amoCRM-WebHook-client/1.0',
          Accept: '*/*',
          Connection: 'close',
        },
      });
      const timer = setTimeout(() => {
        finish('timeout');
        req.destroy();
      }, this.config.timeoutMs);
      this.requests.add(req);
      req.on('response', (res) => {
        res.resume();
        finish(res.statusCode ?? 0);
      });
      req.on('error', () => finish('error'));
      req.end(body);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.requests) r.destroy();
    this.requests.clear();
    for (const b of this.batches.values()) b.release();
    this.batches.clear();
  }
}
