import { MigrationInterface, QueryRunner } from 'typeorm';

export class AllowSharedAmoLead1766000000000 implements MigrationInterface {
  name = 'AllowSharedAmoLead1766000000000';

  async up(q: QueryRunner): Promise<void> {
    // amoCRM's duplicate control may answer a create with a lead that another local lead
    // already carries (`merged: true`): both local leads then follow that one amoCRM lead.
    await q.query(`ALTER TABLE leads DROP CONSTRAINT uq_leads_amo_lead_id`);
    await q.query(
      `CREATE INDEX ix_leads_amo_lead_id ON leads (amo_lead_id) WHERE amo_lead_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_leads_amo_lead_id`);
    await q.query(`ALTER TABLE leads ADD CONSTRAINT uq_leads_amo_lead_id UNIQUE (amo_lead_id)`);
  }
}
