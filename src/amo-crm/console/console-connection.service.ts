import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InvalidInputError } from '../../common/domain-errors';
import { AmoSettings, AppConfig } from '../../config/configuration';
import { AmoSyncStateStore } from '../../database/amo-sync-state.repository';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoNotConfiguredError } from '../auth/amo-connection.errors';
import { AmoConnectionState } from '../auth/amo-token.entity';
import { AmoTokenService } from '../auth/amo-token.service';
import { describeError } from '../client/amo-crm.error';
import { AmoCrmHttpClient } from '../client/amo-crm-http.client';
import { AmoConnectionEvents } from '../connection/amo-connection.events';
import {
  AmoWebhookRegistrationService,
  WEBHOOK_SETTINGS,
} from '../inbound/amo-webhook-registration.service';
import { parseRecord, WEBHOOK_REGISTRATION_KEY } from '../inbound/webhook-registration.record';
import { SyncDispatcherService } from '../outbound/sync-dispatcher.service';
import {
  ConnectionDetailsResponse,
  DisconnectResponse,
  WebhookStateDto,
} from './dto/connection-details.response';

const NAME_CACHE_MS = 60_000;

/** The console's connection card: what is connected, the webhook, and the disconnect lever. */
@Injectable()
export class ConsoleConnectionService {
  private readonly logger = new Logger(ConsoleConnectionService.name);
  private readonly settings: AmoSettings;
  private name: { at: number; value: string } | null = null;

  constructor(
    private readonly tokens: AmoTokenService,
    private readonly api: AmoCrmApiService,
    private readonly store: AmoSyncStateStore,
    private readonly registration: AmoWebhookRegistrationService,
    private readonly dispatcher: SyncDispatcherService,
    private readonly events: AmoConnectionEvents,
    private readonly http: AmoCrmHttpClient,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('amo', { infer: true });
  }

  async details(): Promise<ConnectionDetailsResponse> {
    const status = await this.tokens.status();
    const connected = status.state === AmoConnectionState.CONNECTED;
    const account = connected ? await this.accountName() : { name: null, error: null };
    return {
      configured: status.configured,
      state: status.state,
      authMode: status.authMode,
      accountId: status.accountId ?? (this.settings.configured ? this.settings.accountId : null),
      accountName: account.name,
      domain: status.baseDomain ?? (this.settings.configured ? this.settings.domain : null),
      tokenExpiresAt: status.expiresAt,
      tokenExpiryWarning: status.tokenExpiryWarning,
      lastError: status.lastError ?? account.error,
      webhook: connected ? await this.webhook() : this.webhookUnknown(),
      paused: await this.dispatcher.pause(),
      rateLimitedUntil: this.rateLimitedUntil(),
      authorizePath: '/api/integrations/amo-crm/authorize',
    };
  }

  /** Drops our tokens: sync holds its jobs until an admin connects again. */
  async disconnect(confirm: boolean): Promise<DisconnectResponse> {
    if (!this.settings.configured) throw new AmoNotConfiguredError();
    if (!confirm) {
      throw new InvalidInputError(
        'Disconnecting needs {"confirm": true}: sync stops until reconnected',
      );
    }
    await this.tokens.markDisconnected('disconnected by an admin');
    this.name = null;
    await this.events.publishDisconnected();
    this.logger.warn('amoCRM disconnected by an admin; jobs are held until reconnected');
    return { state: 'DISCONNECTED' };
  }

  private async accountName(): Promise<{ name: string | null; error: string | null }> {
    if (this.name && Date.now() - this.name.at < NAME_CACHE_MS) {
      return { name: this.name.value, error: null };
    }
    try {
      const account = await this.api.account();
      this.name = { at: Date.now(), value: account.name };
      return { name: account.name, error: null };
    } catch (err) {
      const message = describeError(err);
      this.logger.warn(`Could not read the amoCRM account for the console: ${message}`);
      return { name: null, error: `could not read the account: ${message}` };
    }
  }

  private async webhook(): Promise<WebhookStateDto> {
    const destination = this.registration.destination();
    if (!destination) {
      return {
        registered: false,
        checkedAt: null,
        error: 'AMO_WEBHOOK_SECRET is not set: webhooks are neither registered nor received',
        manual: null,
      };
    }
    const record = parseRecord(await this.store.get(WEBHOOK_REGISTRATION_KEY));
    const registered = record?.outcome === 'registered' || record?.outcome === 'present';
    const failed = record?.outcome === 'failed';
    return {
      registered,
      checkedAt: record?.at ?? null,
      error: record?.error ?? null,
      manual: failed
        ? {
            url: destination,
            events: [...WEBHOOK_SETTINGS],
            reason: record.refusedByAmo
              ? 'amoCRM refused to register the webhook through the API (its plan may not allow it): ' +
                'enter it in amoCRM → Settings → Integrations → Web hooks'
              : 'Registering the webhook failed; it is retried every 10 minutes, or enter it by hand',
          }
        : null,
    };
  }

  private rateLimitedUntil(): string | null {
    const until = this.http.limiter.pausedUntilMs;
    return until > Date.now() ? new Date(until).toISOString() : null;
  }

  private webhookUnknown(): WebhookStateDto {
    return { registered: false, checkedAt: null, error: null, manual: null };
  }
}
