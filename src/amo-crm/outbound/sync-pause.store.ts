import { Injectable } from '@nestjs/common';
import { AmoSyncStateStore } from '../../database/amo-sync-state.repository';

const KEY = 'outbound_paused_until';

export interface SyncPause {
  until: string;
  reason: string;
}

/**
 * A pause of the whole account's outbound sync (amoCRM's `retry_after` on a 429, or a block),
 * kept in PostgreSQL so every instance — whichever holds the dispatcher lock now or later —
 * waits for the same end. Each pass reads it once; a pause only ever gets longer.
 */
@Injectable()
export class SyncPauseStore {
  private untilMs = 0;
  private reason = '';

  constructor(private readonly state: AmoSyncStateStore) {}

  /** Re-reads the stored pause; returns its end (epoch ms, 0 = none). */
  async refresh(): Promise<number> {
    const raw = await this.state.get(KEY);
    const stored = parse(raw);
    this.untilMs = stored.untilMs;
    this.reason = stored.reason;
    return this.untilMs;
  }

  async pause(untilMs: number, reason: string): Promise<void> {
    const stored = parse(await this.state.get(KEY));
    if (stored.untilMs >= untilMs) return;
    this.untilMs = untilMs;
    this.reason = reason;
    await this.state.set(KEY, JSON.stringify({ untilMs, reason }));
  }

  /** The pause as the sync view shows it, read from the database. */
  async current(): Promise<SyncPause | null> {
    const stored = parse(await this.state.get(KEY));
    return stored.untilMs > Date.now()
      ? { until: new Date(stored.untilMs).toISOString(), reason: stored.reason }
      : null;
  }
}

function parse(raw: string | null): { untilMs: number; reason: string } {
  if (!raw) return { untilMs: 0, reason: '' };
  try {
    const v = JSON.parse(raw) as { untilMs?: unknown; reason?: unknown };
    return {
      untilMs: typeof v.untilMs === 'number' ? v.untilMs : 0,
      reason: typeof v.reason === 'string' ? v.reason : '',
    };
  } catch {
    return { untilMs: 0, reason: '' };
  }
}
