import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AmoAuthMode } from '../../config/amo-connection-mode';
import { AmoSettings, AppConfig } from '../../config/configuration';
import { expiryWarning } from '../../config/long-lived-token';
import { AmoCrmError, describeError } from '../client/amo-crm.error';
import { AmoCrmHttpClient, TokenPair } from '../client/amo-crm-http.client';
import { AmoNotConfiguredError, AmoNotConnectedError } from './amo-connection.errors';
import { AmoConnectionState, AmoToken } from './amo-token.entity';
import { LongLivedTokenStore } from './long-lived-token.store';
import { TokenCipher, tokenContext } from './token-cipher';

/** Refresh when less than this is left of the access token. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** Refresh an idle grant after this long; refresh tokens die after 3 months unused. */
export const KEEP_ALIVE_AFTER_MS = 7 * 24 * 3600_000;

export interface ConnectionStatus {
  configured: boolean;
  state: AmoConnectionState | 'NOT_CONNECTED' | 'NOT_CONFIGURED';
  /** How access is held: OAuth (refreshed pair) or a long-lived token; null when not configured. */
  authMode: AmoAuthMode | null;
  accountId: number | null;
  baseDomain: string | null;
  /** Expiry of the access token in use (OAuth: the 24-hour token; long-lived: the token itself). */
  expiresAt: string | null;
  /** The same expiry under the name the console reads. */
  tokenExpiresAt: string | null;
  /** Set from 14 days before a long-lived token expires. */
  tokenExpiryWarning: string | null;
  lastError: string | null;
}

type RefreshOutcome = { token: string } | { reauth: string };

/**
 * Owns OAuth: `getAccessToken()` is the only way in. amoCRM refresh tokens are single-use, so
 * a refresh runs under `SELECT … FOR UPDATE` on the token row and re-reads it after the lock:
 * whoever waited finds the new pair and never sends the spent refresh token again, across
 * any number of processes. Within a process, concurrent callers share one refresh.
 */
@Injectable()
export class AmoTokenService {
  private readonly logger = new Logger(AmoTokenService.name);
  private readonly settings: AmoSettings;
  private readonly cipher: TokenCipher | null;
  private inFlight: Promise<string> | null = null;

  constructor(
    @InjectRepository(AmoToken) private readonly tokens: Repository<AmoToken>,
    private readonly dataSource: DataSource,
    private readonly client: AmoCrmHttpClient,
    private readonly longLived: LongLivedTokenStore,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('amo', { infer: true });
    this.cipher = this.settings.encryptionKey ? new TokenCipher(this.settings.encryptionKey) : null;
  }

  get configured(): boolean {
    return this.settings.configured;
  }

  async getAccessToken(): Promise<string> {
    const row = await this.loadConnected();
    if (row.authMode === 'LONG_LIVED') {
      // Known to be dead: held without asking amoCRM. Otherwise only amoCRM's 401 says so.
      if (row.expiresAt!.getTime() <= Date.now()) {
        return this.longLived.rejected(
          this.decrypt(row, 'access'),
          `the long-lived token expired at ${row.expiresAt!.toISOString()}`,
        );
      }
      return this.decrypt(row, 'access');
    }
    if (row.expiresAt!.getTime() - Date.now() > REFRESH_MARGIN_MS) {
      return this.decrypt(row, 'access');
    }
    return this.singleFlight(() => this.refreshUnderLock(null));
  }

  /** After a 401: refresh unless someone already replaced the token that was rejected. */
  async forceRefresh(rejectedAccessToken: string): Promise<string> {
    if (this.settings.authMode === 'LONG_LIVED') {
      return this.longLived.rejected(
        rejectedAccessToken,
        'amoCRM rejected the long-lived token (expired or revoked)',
      );
    }
    return this.singleFlight(() => this.refreshUnderLock(rejectedAccessToken));
  }

  /** Stores a freshly exchanged pair for the verified account. */
  async saveGrant(accountId: number, baseDomain: string, pair: TokenPair): Promise<AmoToken> {
    const cipher = this.requireCipher();
    return this.dataSource.transaction(async (em) => {
      const repo = em.getRepository(AmoToken);
      await em.query('DELETE FROM amo_tokens');
      const row = repo.create({
        accountId,
        baseDomain,
        authMode: 'OAUTH',
        state: AmoConnectionState.CONNECTED,
        lastError: null,
        refreshedAt: new Date(),
      });
      this.applyPair(row, pair, cipher);
      return repo.save(row);
    });
  }

  async markDisconnected(reason: string): Promise<void> {
    await this.tokens.update(
      { accountId: this.settings.accountId },
      {
        state: AmoConnectionState.DISCONNECTED,
        accessTokenEnc: null,
        refreshTokenEnc: null,
        expiresAt: null,
        lastError: reason,
      },
    );
  }

  async status(): Promise<ConnectionStatus> {
    if (!this.settings.configured) {
      return {
        configured: false,
        state: 'NOT_CONFIGURED',
        authMode: null,
        accountId: null,
        baseDomain: null,
        expiresAt: null,
        tokenExpiresAt: null,
        tokenExpiryWarning: null,
        lastError: null,
      };
    }
    const row = await this.tokens.findOneBy({ accountId: this.settings.accountId });
    const expiresAt = row?.expiresAt?.toISOString() ?? null;
    const longLived = row?.authMode === 'LONG_LIVED' && row.expiresAt;
    return {
      configured: true,
      state: row?.state ?? 'NOT_CONNECTED',
      authMode: row?.authMode ?? this.settings.authMode,
      accountId: row?.accountId ?? null,
      baseDomain: row?.baseDomain ?? null,
      expiresAt,
      tokenExpiresAt: expiresAt,
      tokenExpiryWarning: longLived ? expiryWarning(row.expiresAt!) : null,
      lastError: row?.lastError ?? null,
    };
  }

  /** Keeps an idle grant alive well inside the refresh token's 3-month lifetime. */
  @Cron(CronExpression.EVERY_6_HOURS)
  async keepAlive(): Promise<void> {
    if (!this.settings.configured || this.settings.authMode !== 'OAUTH') return;
    const row = await this.tokens.findOneBy({ accountId: this.settings.accountId });
    if (row?.state !== AmoConnectionState.CONNECTED || row.authMode !== 'OAUTH') return;
    const last = (row.refreshedAt ?? row.connectedAt).getTime();
    if (Date.now() - last < KEEP_ALIVE_AFTER_MS) return;
    try {
      await this.singleFlight(() => this.refreshUnderLock(null, true));
      this.logger.log('Keep-alive refresh of the amoCRM grant done');
    } catch (err) {
      this.logger.warn(`Keep-alive refresh failed: ${describeError(err)}`);
    }
  }

  private async loadConnected(): Promise<AmoToken> {
    if (!this.settings.configured) throw new AmoNotConfiguredError();
    const row = await this.tokens.findOneBy({ accountId: this.settings.accountId });
    const mode = this.settings.authMode;
    if (!row) throw new AmoNotConnectedError('NOT_CONNECTED', mode);
    if (row.state !== AmoConnectionState.CONNECTED) throw new AmoNotConnectedError(row.state, mode);
    return row;
  }

  private singleFlight(run: () => Promise<string>): Promise<string> {
    if (!this.inFlight) {
      this.inFlight = run().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async refreshUnderLock(rejected: string | null, force = false): Promise<string> {
    if (!this.settings.configured) throw new AmoNotConfiguredError();
    const outcome = await this.dataSource.transaction(async (em): Promise<RefreshOutcome> => {
      const row = await this.lockRow(em);
      const current = this.decrypt(row, 'access');
      const stillGood =
        rejected !== null
          ? current !== rejected
          : !force && row.expiresAt!.getTime() - Date.now() > REFRESH_MARGIN_MS;
      if (stillGood) return { token: current };
      if (row.authMode !== 'OAUTH') return { reauth: 'a long-lived token cannot be refreshed' };
      let pair: TokenPair;
      try {
        pair = await this.client.refresh(this.decrypt(row, 'refresh'));
      } catch (err) {
        if (err instanceof AmoCrmError && err.kind === 'permanent') {
          const reason = `refresh refused by amoCRM: ${err.hint ?? err.message}`;
          row.state = AmoConnectionState.REAUTH_REQUIRED;
          row.lastError = reason;
          await em.getRepository(AmoToken).save(row);
          return { reauth: reason };
        }
        throw err;
      }
      this.applyPair(row, pair, this.requireCipher());
      row.refreshedAt = new Date();
      row.lastError = null;
      await em.getRepository(AmoToken).save(row);
      return { token: pair.accessToken };
    });
    if ('reauth' in outcome) {
      this.logger.error(
        `amoCRM grant is no longer valid; re-authorization required (${outcome.reauth})`,
      );
      throw new AmoNotConnectedError(AmoConnectionState.REAUTH_REQUIRED);
    }
    return outcome.token;
  }

  private async lockRow(em: EntityManager): Promise<AmoToken> {
    const row = await em.getRepository(AmoToken).findOne({
      where: { accountId: this.settings.accountId },
      lock: { mode: 'pessimistic_write' },
    });
    const mode = this.settings.authMode;
    if (!row) throw new AmoNotConnectedError('NOT_CONNECTED', mode);
    if (row.state !== AmoConnectionState.CONNECTED) throw new AmoNotConnectedError(row.state, mode);
    return row;
  }

  private applyPair(row: AmoToken, pair: TokenPair, cipher: TokenCipher): void {
    row.accessTokenEnc = cipher.encrypt(pair.accessToken, tokenContext(row.accountId, 'access'));
    row.refreshTokenEnc = cipher.encrypt(pair.refreshToken, tokenContext(row.accountId, 'refresh'));
    row.expiresAt = new Date(Date.now() + pair.expiresInSec * 1000);
  }

  private decrypt(row: AmoToken, which: 'access' | 'refresh'): string {
    const stored = which === 'access' ? row.accessTokenEnc : row.refreshTokenEnc;
    if (!stored) throw new AmoNotConnectedError(row.state);
    return this.requireCipher().decrypt(stored, tokenContext(row.accountId, which));
  }

  private requireCipher(): TokenCipher {
    if (!this.cipher) throw new AmoNotConfiguredError();
    return this.cipher;
  }
}
