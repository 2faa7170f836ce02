import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AmoSettings, AppConfig } from '../../config/configuration';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { describeError } from '../client/amo-crm.error';
import { AmoConnectionState } from '../auth/amo-token.entity';
import { AmoTokenService } from '../auth/amo-token.service';
import { AmoConnectionEvents } from '../connection/amo-connection.events';
import { AmoSyncStateStore } from '../../database/amo-sync-state.repository';
import {
  failureRecordOf,
  recordOf,
  WEBHOOK_REGISTRATION_KEY,
  WebhookRegistrationRecord,
} from './webhook-registration.record';

export const WEBHOOK_PATH = '/api/integrations/amo-crm/webhook';
export const WEBHOOK_SETTINGS = [
  'add_lead',
  'update_lead',
  'status_lead',
  'delete_lead',
  'restore_lead',
] as const;
const CHECK_INTERVAL_MS = 10 * 60_000;

export type RegistrationResult = 'registered' | 'present' | 'skipped';

/**
 * Keeps our webhook registered in amoCRM: once right after connecting, then a check every
 * 10 minutes, because amoCRM disables a destination after repeated failures and an admin can
 * delete it. The destination carries the secret, so it is never logged.
 */
@Injectable()
export class AmoWebhookRegistrationService
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(AmoWebhookRegistrationService.name);
  private readonly settings: AmoSettings;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly api: AmoCrmApiService,
    private readonly tokens: AmoTokenService,
    private readonly connection: AmoConnectionEvents,
    private readonly store: AmoSyncStateStore,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('amo', { infer: true });
  }

  /**
   * Registers right after a connect. A failure is logged and left to the scheduled check,
   * never thrown: the connect itself succeeded.
   */
  onModuleInit(): void {
    this.unsubscribe = this.connection.onConnected(async () => {
      await this.check();
    });
  }

  onApplicationBootstrap(): void {
    if (!this.destination()) return;
    this.timer = setInterval(() => void this.check(), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running;
  }

  /** Null when webhooks cannot be received (integration or secret not configured). */
  destination(): string | null {
    if (!this.settings.configured || !this.settings.webhookSecret) return null;
    const secret = encodeURIComponent(this.settings.webhookSecret);
    return `${this.settings.webhookBaseUrl}${WEBHOOK_PATH}?secret=${secret}`;
  }

  /** Scheduled: re-registers when the webhook is missing, disabled or lacks an event. */
  async check(): Promise<RegistrationResult | null> {
    if (this.running) return null;
    const run = this.ensureRegistered().then(
      async (result) => {
        if (result !== 'skipped') await this.record(recordOf(result));
        return result;
      },
      async (err: unknown) => {
        const message = describeError(err);
        this.logger.warn(`Could not register the amoCRM webhook; will retry: ${message}`);
        await this.record(failureRecordOf(err));
        return null;
      },
    );
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = null;
    }
  }

  /** Kept for the console; losing it costs only a stale display, so a failure is logged. */
  private async record(value: WebhookRegistrationRecord): Promise<void> {
    try {
      await this.store.set(WEBHOOK_REGISTRATION_KEY, JSON.stringify(value));
    } catch (err) {
      this.logger.warn(`Could not record the webhook check: ${describeError(err)}`);
    }
  }

  async ensureRegistered(): Promise<RegistrationResult> {
    const destination = this.destination();
    if (!destination) return 'skipped';
    if ((await this.tokens.status()).state !== AmoConnectionState.CONNECTED) return 'skipped';
    const hooks = await this.api.webhooks(destination);
    const hook = hooks.find((h) => h.destination === destination);
    const complete = WEBHOOK_SETTINGS.every((s) => hook?.settings?.includes(s));
    if (hook && !hook.disabled && complete) return 'present';
    await this.api.subscribeWebhook(destination, [...WEBHOOK_SETTINGS]);
    this.logger.log(
      hook
        ? 'amoCRM webhook was disabled or incomplete; registered again'
        : 'amoCRM webhook registered',
    );
    return 'registered';
  }
}
