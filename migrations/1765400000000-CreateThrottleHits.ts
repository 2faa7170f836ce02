import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateThrottleHits1765400000000 implements MigrationInterface {
  name = 'CreateThrottleHits1765400000000';

  async up(q: QueryRunner): Promise<void> {
    // Request counters shared by every instance on this database: one row per throttle key and
    // fixed window, incremented with one upsert, so two instances behind a balancer count one
    // client once. Rows of past windows are swept by expires_at.
    await q.query(`
      CREATE TABLE throttle_hits (
        key varchar(200) NOT NULL,
        window_id bigint NOT NULL,
        hits integer NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT pk_throttle_hits PRIMARY KEY (key, window_id),
        CONSTRAINT ck_throttle_hits_positive CHECK (hits > 0)
      )`);
    await q.query(`CREATE INDEX ix_throttle_hits_expires_at ON throttle_hits (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE throttle_hits`);
  }
}
