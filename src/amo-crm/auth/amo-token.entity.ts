import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from '../../common/bigint.transformer';
import { AmoAuthMode } from '../../config/amo-connection-mode';

export enum AmoConnectionState {
  CONNECTED = 'CONNECTED',
  REAUTH_REQUIRED = 'REAUTH_REQUIRED',
  DISCONNECTED = 'DISCONNECTED',
}

/** The one connected amoCRM account; tokens are AES-256-GCM ciphertext, never plain. */
@Entity({ name: 'amo_tokens' })
export class AmoToken {
  @PrimaryColumn({ name: 'account_id', type: 'bigint', transformer: bigintToNumber })
  accountId: number;

  @Column({ name: 'base_domain', type: 'varchar', length: 255 })
  baseDomain: string;

  @Column({ name: 'access_token_enc', type: 'text', nullable: true })
  accessTokenEnc: string | null;

  @Column({ name: 'refresh_token_enc', type: 'text', nullable: true })
  refreshTokenEnc: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'varchar', length: 16 })
  state: AmoConnectionState;

  /** OAUTH: a refreshed pair; LONG_LIVED: the configured token alone, never refreshed. */
  @Column({ name: 'auth_mode', type: 'varchar', length: 16, default: 'OAUTH' })
  authMode: AmoAuthMode;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'refreshed_at', type: 'timestamptz', nullable: true })
  refreshedAt: Date | null;

  @CreateDateColumn({ name: 'connected_at', type: 'timestamptz' })
  connectedAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
