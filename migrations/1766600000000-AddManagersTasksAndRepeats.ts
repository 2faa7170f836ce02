import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Responsible managers (the property's agent, the decision kept on the lead), the round-robin
 * cursor shared by every instance, callback-task and repeat-request jobs, and `repeat_of`.
 */
export class AddManagersTasksAndRepeats1766600000000 implements MigrationInterface {
  name = 'AddManagersTasksAndRepeats1766600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE properties ADD COLUMN amo_responsible_user_id bigint`);
    await q.query(`
      ALTER TABLE leads
        ADD COLUMN amo_responsible_user_id bigint,
        ADD COLUMN amo_responsible_source varchar(16),
        ADD COLUMN repeat_of uuid,
        ADD CONSTRAINT fk_leads_repeat_of FOREIGN KEY (repeat_of) REFERENCES leads (id) ON DELETE SET NULL,
        ADD CONSTRAINT ck_leads_responsible_source
          CHECK (amo_responsible_source IN ('PROPERTY','CONTACT','ROUND_ROBIN','DEFAULT'))`);
    await q.query(
      `CREATE INDEX ix_leads_repeat_phone ON leads (property_id, guest_phone, created_at) WHERE repeat_of IS NULL`,
    );
    await q.query(
      `CREATE INDEX ix_leads_repeat_email ON leads (property_id, guest_email, created_at) WHERE repeat_of IS NULL`,
    );
    await q.query(`
      CREATE TABLE amo_manager_rotation (
        id smallint NOT NULL DEFAULT 1,
        turns bigint NOT NULL DEFAULT 0,
        CONSTRAINT pk_amo_manager_rotation PRIMARY KEY (id),
        CONSTRAINT ck_amo_manager_rotation_one CHECK (id = 1)
      )`);
    await q.query(`INSERT INTO amo_manager_rotation (id, turns) VALUES (1, 0)`);
    await q.query(`ALTER TABLE amo_sync_jobs DROP CONSTRAINT ck_amo_sync_jobs_kind`);
    await q.query(
      `ALTER TABLE amo_sync_jobs ADD CONSTRAINT ck_amo_sync_jobs_kind
         CHECK (kind IN ('CREATE','UPDATE','STATUS','NOTE','TASK','REPEAT'))`,
    );
    // one callback task per lead, however often its create is recorded
    await q.query(
      `CREATE UNIQUE INDEX uq_amo_sync_jobs_task ON amo_sync_jobs (lead_id) WHERE kind = 'TASK'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX uq_amo_sync_jobs_task`);
    await q.query(`DELETE FROM amo_sync_jobs WHERE kind IN ('TASK','REPEAT')`);
    await q.query(`ALTER TABLE amo_sync_jobs DROP CONSTRAINT ck_amo_sync_jobs_kind`);
    await q.query(
      `ALTER TABLE amo_sync_jobs ADD CONSTRAINT ck_amo_sync_jobs_kind CHECK (kind IN ('CREATE','UPDATE','STATUS','NOTE'))`,
    );
    await q.query(`DROP TABLE amo_manager_rotation`);
    await q.query(`DROP INDEX ix_leads_repeat_email`);
    await q.query(`DROP INDEX ix_leads_repeat_phone`);
    await q.query(`
      ALTER TABLE leads
        DROP CONSTRAINT ck_leads_responsible_source,
        DROP CONSTRAINT fk_leads_repeat_of,
        DROP COLUMN repeat_of,
        DROP COLUMN amo_responsible_source,
        DROP COLUMN amo_responsible_user_id`);
    await q.query(`ALTER TABLE properties DROP COLUMN amo_responsible_user_id`);
  }
}
