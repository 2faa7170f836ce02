import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAmoTokens1764234000000 implements MigrationInterface {
  name = 'CreateAmoTokens1764234000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE amo_tokens (
        account_id bigint NOT NULL,
        base_domain varchar(255) NOT NULL,
        access_token_enc text,
        refresh_token_enc text,
        expires_at timestamptz,
        state varchar(16) NOT NULL,
        last_error text,
        refreshed_at timestamptz,
        connected_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_amo_tokens PRIMARY KEY (account_id),
        CONSTRAINT ck_amo_tokens_state CHECK (state IN ('CONNECTED','REAUTH_REQUIRED','DISCONNECTED')),
        CONSTRAINT ck_amo_tokens_connected_has_tokens CHECK (
          state <> 'CONNECTED' OR (access_token_enc IS NOT NULL AND refresh_token_enc IS NOT NULL AND expires_at IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE amo_oauth_states (
        state varchar(64) NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT pk_amo_oauth_states PRIMARY KEY (state)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE amo_oauth_states`);
    await q.query(`DROP TABLE amo_tokens`);
  }
}
