import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddAmoTokenAuthMode1766400000000 implements MigrationInterface {
  name = 'AddAmoTokenAuthMode1766400000000';

  async up(q: QueryRunner): Promise<void> {
    // A private integration's long-lived token has no refresh token: a connected row needs one
    // only when it came from OAuth.
    await q.query(`
      ALTER TABLE amo_tokens
        ADD COLUMN auth_mode varchar(16) NOT NULL DEFAULT 'OAUTH',
        ADD CONSTRAINT ck_amo_tokens_auth_mode CHECK (auth_mode IN ('OAUTH','LONG_LIVED'))`);
    await q.query(`ALTER TABLE amo_tokens DROP CONSTRAINT ck_amo_tokens_connected_has_tokens`);
    await q.query(`
      ALTER TABLE amo_tokens ADD CONSTRAINT ck_amo_tokens_connected_has_tokens CHECK (
        state <> 'CONNECTED' OR (access_token_enc IS NOT NULL AND expires_at IS NOT NULL
          AND (auth_mode = 'LONG_LIVED' OR refresh_token_enc IS NOT NULL)))`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Long-lived rows cannot satisfy the old rule; the token is still in the environment.
    await q.query(`DELETE FROM amo_tokens WHERE auth_mode = 'LONG_LIVED'`);
    await q.query(`ALTER TABLE amo_tokens DROP CONSTRAINT ck_amo_tokens_connected_has_tokens`);
    await q.query(`
      ALTER TABLE amo_tokens ADD CONSTRAINT ck_amo_tokens_connected_has_tokens CHECK (
        state <> 'CONNECTED' OR (access_token_enc IS NOT NULL AND refresh_token_enc IS NOT NULL AND expires_at IS NOT NULL))`);
    await q.query(`ALTER TABLE amo_tokens DROP CONSTRAINT ck_amo_tokens_auth_mode`);
    await q.query(`ALTER TABLE amo_tokens DROP COLUMN auth_mode`);
  }
}
