import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A single-use OAuth `state`; kept in the database so any app instance can take the callback. */
@Entity({ name: 'amo_oauth_states' })
export class AmoOAuthState {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  state: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
