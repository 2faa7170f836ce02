import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddLeadIncomingState1766500001000 implements MigrationInterface {
  name = 'AddLeadIncomingState1766500001000';

  async up(q: QueryRunner): Promise<void> {
    // Leads sent to amoCRM's incoming leads (AMO_LEAD_TARGET=incoming): the entry's uid and
    // whether a manager has accepted or declined it yet. Null for leads created in a stage.
    await q.query(`
      ALTER TABLE leads
        ADD COLUMN amo_unsorted_uid varchar(64) NULL,
        ADD COLUMN amo_incoming_state varchar(16) NULL,
        ADD CONSTRAINT ck_leads_amo_incoming_state
          CHECK (amo_incoming_state IN ('WAITING', 'ACCEPTED', 'DECLINED'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE leads
        DROP CONSTRAINT ck_leads_amo_incoming_state,
        DROP COLUMN amo_incoming_state,
        DROP COLUMN amo_unsorted_uid`);
  }
}
