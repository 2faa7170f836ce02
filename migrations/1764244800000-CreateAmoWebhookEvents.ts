import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAmoWebhookEvents1764244800000 implements MigrationInterface {
  name = 'CreateAmoWebhookEvents1764244800000';

  async up(q: QueryRunner): Promise<void> {
    // The inbox: one row per webhook item (and per reconciliation item). The receiver only
    // inserts; a worker applies rows in amoCRM's order. The dedupe key makes amoCRM's retries
    // and repeated deliveries land on the row already stored.
    await q.query(`
      CREATE TABLE amo_webhook_events (
        id bigint GENERATED ALWAYS AS IDENTITY,
        dedupe_key varchar(300) NOT NULL,
        entity varchar(32) NOT NULL,
        action varchar(32) NOT NULL,
        amo_id bigint,
        amo_updated_at bigint,
        item jsonb NOT NULL,
        state varchar(8) NOT NULL DEFAULT 'PENDING',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        last_error text,
        outcome text,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        CONSTRAINT pk_amo_webhook_events PRIMARY KEY (id),
        CONSTRAINT uq_amo_webhook_events_dedupe_key UNIQUE (dedupe_key),
        CONSTRAINT ck_amo_webhook_events_state CHECK (state IN
          ('PENDING','RUNNING','DONE','IGNORED','DEAD')),
        CONSTRAINT ck_amo_webhook_events_attempts CHECK (attempts >= 0)
      )`);
    await q.query(
      `CREATE INDEX ix_amo_webhook_events_due ON amo_webhook_events (amo_updated_at, id) WHERE state IN ('PENDING','RUNNING')`,
    );
    await q.query(
      `CREATE INDEX ix_amo_webhook_events_amo_id ON amo_webhook_events (entity, amo_id)`,
    );
    await q.query(
      `CREATE INDEX ix_amo_webhook_events_state_received ON amo_webhook_events (state, received_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE amo_webhook_events`);
  }
}
