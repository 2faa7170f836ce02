import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAmoSyncJobs1764237600000 implements MigrationInterface {
  name = 'CreateAmoSyncJobs1764237600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE amo_sync_jobs (
        id bigint GENERATED ALWAYS AS IDENTITY,
        lead_id uuid NOT NULL,
        kind varchar(8) NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        state varchar(8) NOT NULL DEFAULT 'PENDING',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        outcome_unknown boolean NOT NULL DEFAULT false,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_amo_sync_jobs PRIMARY KEY (id),
        CONSTRAINT fk_amo_sync_jobs_lead FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE,
        CONSTRAINT ck_amo_sync_jobs_kind CHECK (kind IN ('CREATE','UPDATE','STATUS','NOTE')),
        CONSTRAINT ck_amo_sync_jobs_state CHECK (state IN ('PENDING','RUNNING','DONE','DEAD','HELD'))
      )`);
    await q.query(
      `CREATE INDEX ix_amo_sync_jobs_due ON amo_sync_jobs (next_attempt_at, id) WHERE state IN ('PENDING','RUNNING')`,
    );
    await q.query(
      `CREATE INDEX ix_amo_sync_jobs_lead_open ON amo_sync_jobs (lead_id, id) WHERE state <> 'DONE'`,
    );
    // at most one unfinished CREATE per lead: a second bulk run enqueues nothing twice
    await q.query(
      `CREATE UNIQUE INDEX uq_amo_sync_jobs_open_create ON amo_sync_jobs (lead_id) WHERE kind = 'CREATE' AND state <> 'DONE'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE amo_sync_jobs`);
  }
}
