/**
 * At most `limit` starts in any rolling window, shared by every caller in the process.
 * amoCRM counts requests on arrival, so the window carries a small margin for the time a
 * request spends on the wire. `pauseUntil` holds everyone back after a 429.
 */
export class RollingWindowLimiter {
  private readonly starts: number[] = [];
  private pausedUntil = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1000,
    private readonly marginMs = 30,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Resolves when the caller may send one request. Callers are served in arrival order. */
  acquire(): Promise<void> {
    const turn = this.chain.then(() => this.waitForSlot());
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  pauseUntil(epochMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, epochMs);
  }

  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (this.pausedUntil > now) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      const span = this.windowMs + this.marginMs;
      while (this.starts.length && this.starts[0] <= now - span) this.starts.shift();
      if (this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      await this.sleep(this.starts[0] + span - now + 1);
    }
  }
}
