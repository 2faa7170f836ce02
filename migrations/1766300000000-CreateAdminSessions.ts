import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAdminSessions1766300000000 implements MigrationInterface {
  name = 'CreateAdminSessions1766300000000';

  async up(q: QueryRunner): Promise<void> {
    // Sessions of the admin console. Only a SHA-256 digest of the cookie's value is kept, so a
    // copy of this table signs nobody in; the CSRF token is per session and sent in a header.
    await q.query(`
      CREATE TABLE admin_sessions (
        token_hash char(64) NOT NULL,
        csrf_token varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CONSTRAINT pk_admin_sessions PRIMARY KEY (token_hash),
        CONSTRAINT ck_admin_sessions_expiry CHECK (expires_at > created_at)
      )`);
    await q.query(`CREATE INDEX ix_admin_sessions_expires_at ON admin_sessions (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE admin_sessions`);
  }
}
