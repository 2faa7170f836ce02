import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { AmoSettings, AppConfig } from '../../config/configuration';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoLeadRead } from '../api/amo-crm.types';
import { describeError } from '../client/amo-crm.error';
import { AmoConnectionState } from '../auth/amo-token.entity';
import { AmoTokenService } from '../auth/amo-token.service';
import { AmoSyncStateStore } from '../../database/amo-sync-state.repository';
import { AmoWebhookInboxService, inboxRow } from './amo-webhook-inbox.service';
import { AmoConnectionEvents } from '../connection/amo-connection.events';
import { AmoWebhookWorker } from './amo-webhook.worker';
import { WebhookItem } from './webhook-body.parser';

export const RECONCILE_WATERMARK_KEY = 'leads_reconciled_until';

export interface ReconcileResult {
  /** Leads amoCRM reported as changed since the watermark. */
  fetched: number;
  /** Of those, rows new to the inbox (the rest were already seen through webhooks). */
  queued: number;
  /** unix seconds the next pull starts from; null when skipped. */
  watermark: number | null;
  skipped?: string;
}

/** A lead from the API in the shape of a webhook item, so one code path applies both. */
export function leadAsItem(lead: AmoLeadRead): WebhookItem {
  const item: WebhookItem = { id: String(lead.id), name: lead.name ?? '' };
  if (lead.status_id !== undefined) item.status_id = String(lead.status_id);
  if (lead.pipeline_id !== undefined) item.pipeline_id = String(lead.pipeline_id);
  if (lead.price !== undefined && lead.price !== null) item.price = String(lead.price);
  if (lead.created_at !== undefined) item.created_at = String(lead.created_at);
  if (lead.updated_at !== undefined) item.updated_at = String(lead.updated_at);
  const fields: WebhookItem = {};
  (lead.custom_fields_values ?? []).forEach((f, i) => {
    const values: WebhookItem = {};
    (f.values ?? []).forEach((v, j) => {
      const value: WebhookItem = {};
      if (
        typeof v.value === 'string' ||
        typeof v.value === 'number' ||
        typeof v.value === 'boolean'
      )
        value.value = String(v.value);
      if (v.enum_id !== undefined && v.enum_id !== null) value.enum = String(v.enum_id);
      values[String(j)] = value;
    });
    fields[String(i)] = { id: String(f.field_id), values };
  });
  if (Object.keys(fields).length) item.custom_fields = fields;
  return item;
}

/**
 * Repairs lost webhooks: pulls the leads amoCRM changed since a stored watermark (paged, through
 * the rate-limited client) and puts them through the inbox as `leads.reconcile` items, which
 * the worker applies exactly like `leads.update`. A change already applied from a webhook has
 * the same `updated_at` and changes nothing. The watermark starts at the first connect: older
 * amoCRM leads are not imported.
 */
@Injectable()
export class AmoReconciliationService
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(AmoReconciliationService.name);
  private readonly settings: AmoSettings;
  private readonly enabled: boolean;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ReconcileResult> | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly api: AmoCrmApiService,
    private readonly tokens: AmoTokenService,
    private readonly state: AmoSyncStateStore,
    private readonly inbox: AmoWebhookInboxService,
    private readonly worker: AmoWebhookWorker,
    private readonly connection: AmoConnectionEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('amo', { infer: true });
    this.enabled = this.worker.enabled;
  }

  /** Changes are followed from the first connect on; older amoCRM leads are not imported. */
  onModuleInit(): void {
    this.unsubscribe = this.connection.onConnected(() => this.startWatermark());
  }

  onApplicationBootstrap(): void {
    if (!this.enabled || this.settings.reconcileIntervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.reconcileNow().catch((err: unknown) => {
        const message = describeError(err);
        this.logger.warn(
          `amoCRM reconciliation failed; next run in the usual interval: ${message}`,
        );
      });
    }, this.settings.reconcileIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running?.catch(() => undefined);
  }

  /** Called on connect: from now on changes are followed; an existing watermark is kept. */
  async startWatermark(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO amo_sync_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
      [RECONCILE_WATERMARK_KEY, String(Math.floor(Date.now() / 1000))],
    );
  }

  /** One pull now; concurrent callers share the run in progress. */
  async reconcileNow(): Promise<ReconcileResult> {
    if (this.running) return this.running;
    this.running = this.pull().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pull(): Promise<ReconcileResult> {
    if (!this.enabled) return { fetched: 0, queued: 0, watermark: null, skipped: 'not enabled' };
    if ((await this.tokens.status()).state !== AmoConnectionState.CONNECTED) {
      return { fetched: 0, queued: 0, watermark: null, skipped: 'not connected' };
    }
    const stored = await this.state.get(RECONCILE_WATERMARK_KEY);
    if (stored === null) {
      await this.startWatermark();
      return {
        fetched: 0,
        queued: 0,
        watermark: Number(await this.state.get(RECONCILE_WATERMARK_KEY)),
      };
    }
    const from = Number(stored);
    // `from` is inclusive: changes later in the same second as the last pull are not missed.
    const leads = await this.api.leadsUpdatedSince(from);
    const rows = leads.map((l) =>
      inboxRow(this.settings.accountId, 'leads', 'reconcile', leadAsItem(l), true),
    );
    const watermark = leads.reduce((max, l) => Math.max(max, l.updated_at ?? 0), from);
    const queued = await this.dataSource.transaction(async (em) => {
      const n = await this.inbox.store(rows, em);
      await this.state.set(RECONCILE_WATERMARK_KEY, String(watermark), em);
      return n;
    });
    if (queued) this.worker.wake();
    return { fetched: leads.length, queued, watermark };
  }
}
