import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoCrmError, describeError } from '../client/amo-crm.error';
import { SyncRecoveryRepository } from './sync-recovery.repository';

/** First probe right away, then at doubling intervals up to this cap. */
const PROBE_FIRST_MS = 250;
export const PROBE_CAP_MS = 1_000;

export interface OutageView {
  since: string;
  reason: string;
}

/**
 * Tells "amoCRM is down" from "this job is bad". A failure that says amoCRM itself did not
 * answer (5xx, 408, timeout, reset) closes the gate: the dispatcher stops claiming, and one
 * cheap request (the account read) probes at a short, capped interval instead of every job
 * retrying on its own backoff. When a probe succeeds after a failed one, the jobs that failed
 * since the outage began are released at once with their attempt given back. When the first
 * probe already succeeds, amoCRM is up and the failure was the job's own: its backoff stands.
 */
@Injectable()
export class AmoOutageGate implements OnApplicationShutdown {
  private readonly logger = new Logger(AmoOutageGate.name);
  private since: Date | null = null;
  private reason = '';
  private confirmed = false;
  private intervalMs = PROBE_FIRST_MS;
  private nextProbeAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly api: AmoCrmApiService,
    private readonly recovery: SyncRecoveryRepository,
  ) {}

  /** Called with every failed attempt; true when it is amoCRM that is unavailable. */
  report(err: unknown): boolean {
    if (!(err instanceof AmoCrmError) || !err.unavailable) return false;
    if (!this.since) {
      this.since = new Date(Date.now() - 1000);
      this.reason = describeError(err);
      this.confirmed = false;
      this.intervalMs = PROBE_FIRST_MS;
      this.nextProbeAt = 0;
    }
    return true;
  }

  /** Set while amoCRM is known to be down (shown in the admin sync view). */
  get outage(): OutageView | null {
    return this.since && this.confirmed
      ? { since: this.since.toISOString(), reason: this.reason }
      : null;
  }

  /** May the dispatcher claim jobs? Probes when due; `wake` is called when the next probe is. */
  async passable(wake: () => void): Promise<boolean> {
    if (!this.since) return true;
    const now = Date.now();
    if (now < this.nextProbeAt) {
      this.arm(wake, this.nextProbeAt - now);
      return false;
    }
    try {
      await this.api.probe();
    } catch (err) {
      if (err instanceof AmoCrmError && err.unavailable) {
        if (!this.confirmed) {
          this.logger.error(
            `amoCRM is unavailable; sync waits behind a probe every ≤ ${PROBE_CAP_MS} ms: ${describeError(err)}`,
          );
        }
        this.confirmed = true;
        this.reason = describeError(err);
        this.nextProbeAt = Date.now() + this.intervalMs;
        this.intervalMs = Math.min(this.intervalMs * 2, PROBE_CAP_MS);
        this.arm(wake, this.nextProbeAt - Date.now());
        return false;
      }
      // amoCRM answered (401, 429, …): it is up; the jobs meet that answer themselves
    }
    await this.open();
    return true;
  }

  onApplicationShutdown(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private async open(): Promise<void> {
    const since = this.since as Date;
    if (this.confirmed) {
      const released = await this.recovery.releaseAfterOutage(since);
      const sec = ((Date.now() - since.getTime()) / 1000).toFixed(1);
      this.logger.log(`amoCRM answers again after ${sec} s; ${released} jobs released`);
    }
    this.since = null;
    this.confirmed = false;
  }

  private arm(wake: () => void, ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        wake();
      },
      Math.max(ms, 1),
    );
    this.timer.unref();
  }
}
