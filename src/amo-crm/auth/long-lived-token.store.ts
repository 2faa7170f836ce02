import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Not, Repository } from 'typeorm';
import { AmoSettings, AppConfig } from '../../config/configuration';
import { describeError } from '../client/amo-crm.error';
import { AmoNotConfiguredError, AmoNotConnectedError } from './amo-connection.errors';
import { AmoConnectionState, AmoToken } from './amo-token.entity';
import { TokenCipher, tokenContext } from './token-cipher';

export interface LongLivedRecord {
  state: AmoConnectionState;
  /** The stored token, decrypted; null when none is kept (refused, or unreadable). */
  token: string | null;
  lastError: string | null;
}

/**
 * The long-lived token in `amo_tokens`, encrypted like an OAuth pair (same cipher, same
 * associated data) but alone: no refresh token, and nothing here ever calls amoCRM. The token
 * service asks it what to do when such a token is rejected; the connector (connection/) puts
 * the configured token here at boot.
 */
@Injectable()
export class LongLivedTokenStore {
  private readonly logger = new Logger(LongLivedTokenStore.name);
  private readonly settings: AmoSettings;
  private readonly cipher: TokenCipher | null;

  constructor(
    @InjectRepository(AmoToken) private readonly tokens: Repository<AmoToken>,
    private readonly dataSource: DataSource,
    config: ConfigService<AppConfig, true>,
  ) {
    this.settings = config.get('amo', { infer: true });
    this.cipher = this.settings.encryptionKey ? new TokenCipher(this.settings.encryptionKey) : null;
  }

  /**
   * A long-lived token cannot be refreshed: the connection needs a new one. Marked under the
   * row lock, and only if the rejected token is still the stored one (an instance restarted
   * with a new token may have replaced it meanwhile; then that one is used).
   */
  async rejected(token: string, reason: string): Promise<string> {
    type Outcome =
      { token: string } | { state: AmoConnectionState | 'NOT_CONNECTED'; logged?: string };
    const outcome = await this.dataSource.transaction(async (em): Promise<Outcome> => {
      const row = await em.getRepository(AmoToken).findOne({
        where: { accountId: this.settings.accountId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) return { state: 'NOT_CONNECTED' as const };
      if (row.state !== AmoConnectionState.CONNECTED) return { state: row.state };
      const current = this.read(row);
      if (current !== null && current !== token) return { token: current };
      row.state = AmoConnectionState.REAUTH_REQUIRED;
      row.lastError = `${reason}; generate a new one in amoCRM and set AMO_LONG_LIVED_TOKEN`;
      await em.getRepository(AmoToken).save(row);
      return { state: row.state, logged: row.lastError };
    });
    if ('token' in outcome) return outcome.token;
    if ('logged' in outcome)
      this.logger.error(`amoCRM access is no longer valid: ${outcome.logged}`);
    throw new AmoNotConnectedError(outcome.state, 'LONG_LIVED');
  }

  /** The stored long-lived token and its state; null when the row is OAuth's or absent. */
  async stored(): Promise<LongLivedRecord | null> {
    const row = await this.tokens.findOneBy({ accountId: this.settings.accountId });
    if (!row || row.authMode !== 'LONG_LIVED') return null;
    return { state: row.state, token: this.read(row), lastError: row.lastError };
  }

  /** Replaces whatever is stored by the configured long-lived token, in the state given. */
  async save(entry: {
    baseDomain: string;
    token: string | null;
    expiresAt: Date;
    state: AmoConnectionState;
    lastError: string | null;
  }): Promise<void> {
    if (!this.cipher) throw new AmoNotConfiguredError();
    const accountId = this.settings.accountId;
    const tokenEnc = entry.token
      ? this.cipher.encrypt(entry.token, tokenContext(accountId, 'access'))
      : null;
    await this.dataSource.transaction(async (em) => {
      await em.query('DELETE FROM amo_tokens');
      await em.getRepository(AmoToken).insert({
        accountId,
        baseDomain: entry.baseDomain,
        authMode: 'LONG_LIVED',
        state: entry.state,
        accessTokenEnc: tokenEnc,
        refreshTokenEnc: null,
        expiresAt: entry.expiresAt,
        lastError: entry.lastError,
        refreshedAt: null,
      });
    });
  }

  /** In OAuth mode a stored long-lived token is not used: the admin connects through consent. */
  async retire(): Promise<boolean> {
    const res = await this.tokens.update(
      { authMode: 'LONG_LIVED', state: Not(AmoConnectionState.DISCONNECTED) },
      {
        state: AmoConnectionState.DISCONNECTED,
        accessTokenEnc: null,
        expiresAt: null,
        lastError:
          'the long-lived token is no longer configured; connect through /api/integrations/amo-crm/authorize',
      },
    );
    return (res.affected ?? 0) > 0;
  }

  private read(row: AmoToken): string | null {
    if (!row.accessTokenEnc || !this.cipher) return null;
    try {
      return this.cipher.decrypt(row.accessTokenEnc, tokenContext(row.accountId, 'access'));
    } catch (err) {
      // another key, or a damaged value: "not stored", so the configured token replaces it
      this.logger.warn(`The stored long-lived token cannot be read: ${describeError(err)}`);
      return null;
    }
  }
}
