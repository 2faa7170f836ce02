import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import { backoffDelayMs } from '../../common/backoff';
import { AmoSettings, AppConfig } from '../../config/configuration';
import { expiryWarning } from '../../config/long-lived-token';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoConnectionState } from '../auth/amo-token.entity';
import { AmoTokenService } from '../auth/amo-token.service';
import { LongLivedTokenStore } from '../auth/long-lived-token.store';
import { AmoCrmError, describeError } from '../client/amo-crm.error';
import { AmoConnectionEvents } from './amo-connection.events';

/** Retries of the account check while amoCRM cannot be reached: 5 s doubling up to 5 min. */
const RETRY_BASE_MS = 5_000;
const RETRY_CAP_MS = 5 * 60_000;

/**
 * Connects with a private integration's long-lived token (AMO_LONG_LIVED_TOKEN) at boot: no
 * consent, no code exchange, no refresh, no keep-alive. A token not seen before is checked
 * against AMO_ACCOUNT_ID by reading the account with it (a foreign account never gets our leads),
 * stored encrypted, and "connected" is published, so held jobs drain and the webhook is
 * registered. The same token at the next boot changes nothing: one amoCRM rejected stays
 * rejected until a new value is configured. In OAuth mode a stored long-lived token is retired.
 */
@Injectable()
export class LongLivedTokenConnector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LongLivedTokenConnector.name);
  private readonly settings: AmoSettings;
  private running: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private stopped = false;

  constructor(
    private readonly store: LongLivedTokenStore,
    private readonly tokens: AmoTokenService,
    private readonly api: AmoCrmApiService,
    private readonly events: AmoConnectionEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('amo', { infer: true });
  }

  onApplicationBootstrap(): void {
    if (!this.settings.configured) return;
    // Not awaited: the API serves leads while amoCRM is checked (or unreachable).
    this.run(() => (this.settings.authMode === 'OAUTH' ? this.retireStored() : this.connect()));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.running;
  }

  /** Resolves when the boot-time check (and any retry already started) has finished. */
  async settled(): Promise<void> {
    await this.running;
  }

  /** Daily, and once after connecting: a warning from 14 days before the token expires. */
  @Cron(CronExpression.EVERY_DAY_AT_9AM)
  async warnIfExpiring(): Promise<void> {
    if (!this.settings.configured || this.settings.authMode !== 'LONG_LIVED') return;
    const status = await this.tokens.status();
    if (status.state !== AmoConnectionState.CONNECTED || !status.tokenExpiresAt) return;
    const warning = expiryWarning(new Date(status.tokenExpiresAt));
    if (warning) this.logger.warn(warning);
  }

  private run(task: () => Promise<void>): void {
    this.running = task().catch((err: unknown) => {
      this.logger.error(`Connecting with the long-lived token failed: ${describeError(err)}`);
    });
  }

  private async retireStored(): Promise<void> {
    if (await this.store.retire()) {
      this.logger.warn(
        'A long-lived token was stored but AMO_LONG_LIVED_TOKEN is no longer set; ' +
          'connect through /api/integrations/amo-crm/authorize',
      );
    }
  }

  private async connect(): Promise<void> {
    const configured = this.settings.longLivedToken!;
    const stored = await this.store.stored();
    if (stored && stored.token === configured.value) {
      if (stored.state === AmoConnectionState.CONNECTED) {
        this.logger.log(
          `amoCRM connected with a long-lived token valid until ${configured.expiresAt.toISOString()}`,
        );
        await this.warnIfExpiring();
        return;
      }
      if (stored.state === AmoConnectionState.REAUTH_REQUIRED) {
        this.logger.error(`amoCRM sync is held: ${stored.lastError ?? 'the token was rejected'}`);
        return;
      }
    }
    await this.check(configured.value, configured.expiresAt);
  }

  private async check(token: string, expiresAt: Date): Promise<void> {
    const save = (state: AmoConnectionState, lastError: string | null, keep = true) =>
      this.store.save({
        baseDomain: this.settings.domain,
        token: keep ? token : null,
        expiresAt,
        state,
        lastError,
      });
    if (expiresAt.getTime() <= Date.now()) {
      const why = `the configured long-lived token expired at ${expiresAt.toISOString()}; generate a new one in amoCRM and set AMO_LONG_LIVED_TOKEN`;
      await save(AmoConnectionState.REAUTH_REQUIRED, why);
      this.logger.error(`amoCRM sync is held: ${why}`);
      return;
    }
    let account;
    try {
      account = await this.api.accountOf(token);
    } catch (err) {
      if (err instanceof AmoCrmError && err.kind === 'unauthorized') {
        const why =
          'amoCRM rejected the configured long-lived token (expired or revoked); generate a new one and set AMO_LONG_LIVED_TOKEN';
        await save(AmoConnectionState.REAUTH_REQUIRED, why);
        this.logger.error(`amoCRM sync is held: ${why}`);
        return;
      }
      const delayMs = backoffDelayMs(this.attempts++, RETRY_BASE_MS, RETRY_CAP_MS, () => 1);
      const why = `could not check the long-lived token with amoCRM yet (${describeError(err)}); next try in ${Math.round(delayMs / 1000)} s`;
      await save(AmoConnectionState.DISCONNECTED, why);
      this.logger.warn(why);
      this.scheduleRetry(delayMs);
      return;
    }
    if (!account || Number(account.id) !== this.settings.accountId) {
      const why = `the long-lived token belongs to amoCRM account ${account?.id ?? 'unknown'}, not AMO_ACCOUNT_ID ${this.settings.accountId}; it is not kept`;
      await save(AmoConnectionState.REAUTH_REQUIRED, why, false);
      this.logger.error(`amoCRM sync is held: ${why}`);
      return;
    }
    await save(AmoConnectionState.CONNECTED, null);
    this.attempts = 0;
    this.logger.log(
      `amoCRM account ${account.id} (${account.subdomain}) connected with a long-lived token valid until ${expiresAt.toISOString()}`,
    );
    await this.warnIfExpiring();
    await this.events.publishConnected();
  }

  private scheduleRetry(delayMs: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.run(() => this.connect());
    }, delayMs);
    this.retryTimer.unref();
  }
}
