import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddInboxOrderAndLeadAmoFlags1766100000000 implements MigrationInterface {
  name = 'AddInboxOrderAndLeadAmoFlags1766100000000';

  async up(q: QueryRunner): Promise<void> {
    // Inbox rows are applied in the order they arrived (apply_order), one lead's rows strictly
    // one after another. A body takes one number from the sequence and its items follow it
    // (number * 100000 + position), so the order is fixed by the receiver, not by how the
    // database assigns ids. Rows stored before this migration keep their id as their order.
    await q.query(`CREATE SEQUENCE amo_webhook_bodies_seq`);
    await q.query(`ALTER TABLE amo_webhook_events
      ADD COLUMN apply_order bigint,
      ADD COLUMN content_hash varchar(64),
      ADD COLUMN claimed_by integer`);
    await q.query(`UPDATE amo_webhook_events SET apply_order = id`);
    await q.query(
      `SELECT setval('amo_webhook_bodies_seq', coalesce(max(id), 0) / 100000 + 1) FROM amo_webhook_events`,
    );
    await q.query(`ALTER TABLE amo_webhook_events ALTER COLUMN apply_order SET NOT NULL`);
    await q.query(`DROP INDEX ix_amo_webhook_events_due`);
    await q.query(`DROP INDEX ix_amo_webhook_events_amo_id`);
    await q.query(
      `CREATE INDEX ix_amo_webhook_events_due ON amo_webhook_events (apply_order) WHERE state IN ('PENDING','RUNNING')`,
    );
    await q.query(
      `CREATE INDEX ix_amo_webhook_events_amo_id ON amo_webhook_events (entity, amo_id, apply_order)`,
    );
    // What amoCRM says about a linked lead that has no local status of its own: deleted there
    // (until restored), or on a stage the mapping does not know (until it moves to one it does).
    await q.query(`ALTER TABLE leads
      ADD COLUMN amo_deleted_at timestamptz,
      ADD COLUMN unmapped_pipeline_id bigint,
      ADD COLUMN unmapped_status_id bigint,
      ADD COLUMN unmapped_since timestamptz`);
    await q.query(
      `CREATE INDEX ix_leads_unmapped_since ON leads (unmapped_since DESC) WHERE unmapped_status_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_leads_unmapped_since`);
    await q.query(`ALTER TABLE leads
      DROP COLUMN amo_deleted_at,
      DROP COLUMN unmapped_pipeline_id,
      DROP COLUMN unmapped_status_id,
      DROP COLUMN unmapped_since`);
    await q.query(`DROP INDEX ix_amo_webhook_events_due`);
    await q.query(`DROP INDEX ix_amo_webhook_events_amo_id`);
    await q.query(
      `CREATE INDEX ix_amo_webhook_events_due ON amo_webhook_events (amo_updated_at, id) WHERE state IN ('PENDING','RUNNING')`,
    );
    await q.query(
      `CREATE INDEX ix_amo_webhook_events_amo_id ON amo_webhook_events (entity, amo_id)`,
    );
    await q.query(`ALTER TABLE amo_webhook_events
      DROP COLUMN apply_order, DROP COLUMN content_hash, DROP COLUMN claimed_by`);
    await q.query(`DROP SEQUENCE amo_webhook_bodies_seq`);
  }
}
