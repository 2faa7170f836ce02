import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddLeadAttribution1766500000000 implements MigrationInterface {
  name = 'AddLeadAttribution1766500000000';

  async up(q: QueryRunner): Promise<void> {
    // What the form said about where the visitor came from: the tracking keys as sent (only
    // those present), the form page, and the client address the request came from.
    await q.query(`
      ALTER TABLE leads
        ADD COLUMN tracking jsonb NULL,
        ADD COLUMN page_url varchar(2000) NULL,
        ADD COLUMN client_ip varchar(45) NULL,
        ADD CONSTRAINT ck_leads_tracking_object
          CHECK (tracking IS NULL OR jsonb_typeof(tracking) = 'object')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE leads
        DROP CONSTRAINT ck_leads_tracking_object,
        DROP COLUMN client_ip,
        DROP COLUMN page_url,
        DROP COLUMN tracking`);
  }
}
