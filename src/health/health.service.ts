import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface HealthReport {
  status: 'ok' | 'error';
  database: { status: 'up' | 'down'; latencyMs?: number; error?: string };
}

const DB_CHECK_TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
  constructor(private readonly dataSource: DataSource) {}

  async check(): Promise<HealthReport> {
    const database = await this.checkDatabase();
    return { status: database.status === 'up' ? 'ok' : 'error', database };
  }

  private async checkDatabase(): Promise<HealthReport['database']> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), DB_CHECK_TIMEOUT_MS);
        }),
      ]);
      return { status: 'up', latencyMs: Date.now() - started };
    } catch (err) {
      return { status: 'down', error: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
