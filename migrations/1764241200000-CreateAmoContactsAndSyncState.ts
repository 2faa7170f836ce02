import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAmoContactsAndSyncState1764241200000 implements MigrationInterface {
  name = 'CreateAmoContactsAndSyncState1764241200000';

  async up(q: QueryRunner): Promise<void> {
    // A local directory of amoCRM contacts by normalized phone and e-mail, kept current by an
    // incremental pull, so creating leads needs no contact search per lead.
    await q.query(`
      CREATE TABLE amo_contacts (
        kind varchar(8) NOT NULL,
        value varchar(254) NOT NULL,
        amo_contact_id bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_amo_contacts PRIMARY KEY (kind, value),
        CONSTRAINT ck_amo_contacts_kind CHECK (kind IN ('PHONE','EMAIL'))
      )`);
    await q.query(`CREATE INDEX ix_amo_contacts_contact ON amo_contacts (amo_contact_id)`);
    // Watermarks and other small integration state, one row per key.
    await q.query(`
      CREATE TABLE amo_sync_state (
        key varchar(64) NOT NULL,
        value text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_amo_sync_state PRIMARY KEY (key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE amo_sync_state`);
    await q.query(`DROP TABLE amo_contacts`);
  }
}
