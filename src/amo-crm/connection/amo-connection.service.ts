import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LessThan, Repository } from 'typeorm';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  UpstreamError,
} from '../../common/domain-errors';
import { AmoAuthMode } from '../../config/amo-connection-mode';
import { AmoSettings, AppConfig } from '../../config/configuration';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoCrmError } from '../client/amo-crm.error';
import { AmoCrmHttpClient } from '../client/amo-crm-http.client';
import { CallbackQuery } from './dto/callback.query';
import { DisconnectHookQuery } from './dto/disconnect-hook.query';
import { AmoNotConfiguredError } from '../auth/amo-connection.errors';
import { AmoOAuthState } from '../auth/amo-oauth-state.entity';
import { AmoTokenService } from '../auth/amo-token.service';
import { AmoConnectionEvents } from './amo-connection.events';
import { returningRows } from '../../database/returning-rows';

const STATE_TTL_MS = 10 * 60_000;

export interface ConnectedAccount {
  connected: true;
  accountId: number;
  name: string;
  subdomain: string;
  authMode: AmoAuthMode;
  tokenExpiresAt: string | null;
  /** Set from 14 days before a long-lived token expires. */
  tokenExpiryWarning: string | null;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Connecting, checking and disconnecting the amoCRM account. */
@Injectable()
export class AmoConnectionService {
  private readonly logger = new Logger(AmoConnectionService.name);
  private readonly settings: AmoSettings;

  constructor(
    @InjectRepository(AmoOAuthState) private readonly states: Repository<AmoOAuthState>,
    private readonly client: AmoCrmHttpClient,
    private readonly api: AmoCrmApiService,
    private readonly tokens: AmoTokenService,
    private readonly events: AmoConnectionEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('amo', { infer: true });
  }

  async createAuthorizeUrl(): Promise<string> {
    this.requireOAuth();
    await this.states.delete({ expiresAt: LessThan(new Date()) });
    const state = randomBytes(24).toString('base64url');
    await this.states.insert({ state, expiresAt: new Date(Date.now() + STATE_TTL_MS) });
    return this.client.authorizeUrl(state);
  }

  async handleCallback(q: CallbackQuery): Promise<ConnectedAccount> {
    this.requireOAuth();
    if (q.error) throw new InvalidInputError(`amoCRM authorization was not granted: ${q.error}`);
    if (!q.code) throw new InvalidInputError('The callback needs the `code` amoCRM sends');
    if (q.state !== undefined) await this.consumeState(q.state);
    if (q.referer !== undefined && q.referer.toLowerCase() !== this.settings.domain.toLowerCase()) {
      throw new ForbiddenError(
        `The authorization came from ${q.referer}, not from the configured account ${this.settings.domain}`,
      );
    }

    const pair = await this.upstream('exchange the authorization code', () =>
      this.client.exchangeCode(q.code!),
    );
    const account = await this.upstream('read the account', () =>
      this.api.accountOf(pair.accessToken),
    );
    if (!account || Number(account.id) !== this.settings.accountId) {
      // The pair is dropped unsaved: a foreign account must never receive our leads.
      this.logger.warn(
        `Refused amoCRM account ${account?.id ?? 'unknown'}: AMO_ACCOUNT_ID is ${this.settings.accountId}`,
      );
      throw new ForbiddenError(
        `amoCRM account ${account?.id ?? 'unknown'} is not the configured account ${this.settings.accountId}`,
      );
    }
    const row = await this.tokens.saveGrant(
      this.settings.accountId,
      q.referer ?? this.settings.domain,
      pair,
    );
    this.logger.log(`amoCRM account ${account.id} (${account.subdomain}) connected`);
    await this.events.publishConnected();
    return {
      connected: true,
      accountId: Number(account.id),
      name: account.name,
      subdomain: account.subdomain,
      authMode: 'OAUTH',
      tokenExpiresAt: row.expiresAt?.toISOString() ?? null,
      tokenExpiryWarning: null,
    };
  }

  async test(): Promise<ConnectedAccount> {
    this.requireConfigured();
    const account = await this.upstream('read the account', () => this.api.account());
    const status = await this.tokens.status();
    return {
      connected: true,
      accountId: Number(account.id),
      name: account.name,
      subdomain: account.subdomain,
      authMode: this.settings.authMode,
      tokenExpiresAt: status.tokenExpiresAt,
      tokenExpiryWarning: status.tokenExpiryWarning,
    };
  }

  /** amoCRM's access-revoked hook: signature = hex HMAC-SHA256(client_secret, "client_uuid|account_id"). */
  async handleDisconnectHook(q: DisconnectHookQuery): Promise<{ disconnected: true }> {
    this.requireOAuth();
    const expected = createHmac('sha256', this.settings.clientSecret)
      .update(`${q.client_uuid}|${q.account_id}`)
      .digest('hex');
    if (
      !sameText(q.client_uuid, this.settings.clientId) ||
      !sameText(q.signature.toLowerCase(), expected)
    ) {
      throw new ForbiddenError('Disconnect hook signature is not valid');
    }
    if (Number(q.account_id) !== this.settings.accountId) {
      throw new ForbiddenError(`Account ${q.account_id} is not the configured account`);
    }
    await this.tokens.markDisconnected('access revoked in amoCRM');
    await this.events.publishDisconnected();
    this.logger.warn(
      'amoCRM reported the integration was disabled; connection marked DISCONNECTED',
    );
    return { disconnected: true };
  }

  private async consumeState(state: string): Promise<void> {
    const res: unknown = await this.states.query(
      'DELETE FROM amo_oauth_states WHERE state = $1 AND expires_at > now() RETURNING state',
      [state],
    );
    const rows = returningRows(res);
    if (!rows.length)
      throw new InvalidInputError(
        'Unknown, used or expired OAuth state; start again from /authorize',
      );
  }

  private async upstream<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof AmoCrmError)) throw err;
      if (err.hint) throw new InvalidInputError(`amoCRM refused to ${what}: ${err.hint}`);
      if (err.kind === 'permanent')
        throw new InvalidInputError(`amoCRM refused to ${what}: ${err.message}`);
      if (err.kind === 'unauthorized')
        throw new UpstreamError(`amoCRM rejected the access token while trying to ${what}`);
      throw new UpstreamError(`Could not ${what}: ${err.message}`);
    }
  }

  private requireConfigured(): void {
    if (!this.settings.configured) throw new AmoNotConfiguredError();
  }

  /** Consent, callback and the access-revoked hook belong to OAuth mode only. */
  private requireOAuth(): void {
    this.requireConfigured();
    if (this.settings.authMode !== 'OAUTH') {
      throw new ConflictError(
        'This backend connects with a long-lived token (AMO_LONG_LIVED_TOKEN); OAuth consent is not used. ' +
          'To replace the token, set a new AMO_LONG_LIVED_TOKEN and restart',
      );
    }
  }
}
