import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AmoTokenService, ConnectionStatus } from '../amo-crm/auth/amo-token.service';

export interface HealthReport {
  status: 'ok' | 'error';
  database: { status: 'up' | 'down'; latencyMs?: number; error?: string };
  amoCrm: { state: ConnectionStatus['state'] | 'UNKNOWN'; expiresAt: string | null };
}

const DB_CHECK_TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly amoTokens: AmoTokenService,
  ) {}

  async check(): Promise<HealthReport> {
    const database = await this.checkDatabase();
    const amoCrm =
      database.status === 'up'
        ? await this.checkAmo()
        : { state: 'UNKNOWN' as const, expiresAt: null };
    return { status: database.status === 'up' ? 'ok' : 'error', database, amoCrm };
  }

  /** Informational: a disconnected amoCRM does not make the service unhealthy; leads still flow in. */
  private async checkAmo(): Promise<HealthReport['amoCrm']> {
    try {
      const s = await this.amoTokens.status();
      return { state: s.state, expiresAt: s.expiresAt };
    } catch {
      return { state: 'UNKNOWN', expiresAt: null };
    }
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
