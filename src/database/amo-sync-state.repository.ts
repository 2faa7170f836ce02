import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** Small key/value integration state (watermarks) in `amo_sync_state`. */
@Injectable()
export class AmoSyncStateStore {
  constructor(private readonly dataSource: DataSource) {}

  async get(key: string, em: EntityManager = this.dataSource.manager): Promise<string | null> {
    const rows: { value: string }[] = await em.query(
      `SELECT value FROM amo_sync_state WHERE key = $1`,
      [key],
    );
    return rows[0]?.value ?? null;
  }

  async set(
    key: string,
    value: string,
    em: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await em.query(
      `INSERT INTO amo_sync_state (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, value],
    );
  }
}
