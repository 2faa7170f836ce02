import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePropertiesAndLeads1764230400000 implements MigrationInterface {
  name = 'CreatePropertiesAndLeads1764230400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE properties (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        title varchar(200) NOT NULL,
        price integer NOT NULL,
        currency char(3) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_properties PRIMARY KEY (id),
        CONSTRAINT ck_properties_price CHECK (price >= 0),
        CONSTRAINT ck_properties_currency CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    await q.query(`
      CREATE TABLE leads (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        number integer GENERATED ALWAYS AS IDENTITY,
        property_id uuid,
        guest_name varchar(200) NOT NULL,
        guest_phone varchar(20),
        guest_email varchar(254),
        contact_method varchar(16) NOT NULL,
        contact_time varchar(16) NOT NULL,
        comment varchar(2000),
        status varchar(24) NOT NULL DEFAULT 'NEW',
        source varchar(16) NOT NULL DEFAULT 'SITE',
        amo_lead_id bigint,
        amo_contact_id bigint,
        sync_state varchar(16) NOT NULL DEFAULT 'NOT_CONFIGURED',
        sync_error text,
        amo_updated_at bigint,
        synced_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_leads PRIMARY KEY (id),
        CONSTRAINT uq_leads_number UNIQUE (number),
        CONSTRAINT uq_leads_amo_lead_id UNIQUE (amo_lead_id),
        CONSTRAINT fk_leads_property FOREIGN KEY (property_id)
          REFERENCES properties (id) ON DELETE RESTRICT,
        CONSTRAINT ck_leads_status CHECK (status IN
          ('NEW','IN_PROGRESS','VIEWING_SCHEDULED','NEGOTIATION','WON','LOST')),
        CONSTRAINT ck_leads_source CHECK (source IN ('SITE','AMO_CRM')),
        CONSTRAINT ck_leads_contact_method CHECK (contact_method IN
          ('PHONE','EMAIL','WHATSAPP','TELEGRAM')),
        CONSTRAINT ck_leads_contact_time CHECK (contact_time IN
          ('ANY_TIME','MORNING','AFTERNOON','EVENING')),
        CONSTRAINT ck_leads_sync_state CHECK (sync_state IN
          ('NOT_CONFIGURED','PENDING','SYNCED','FAILED','DEAD')),
        CONSTRAINT ck_leads_site_lead_has_property CHECK (source <> 'SITE' OR property_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX ix_leads_status_created ON leads (status, created_at DESC)`);
    await q.query(`CREATE INDEX ix_leads_property ON leads (property_id)`);
    await q.query(`CREATE INDEX ix_leads_created ON leads (created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE leads`);
    await q.query(`DROP TABLE properties`);
  }
}
