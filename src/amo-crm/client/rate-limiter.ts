/** A request's place in the window: from its start until `marginMs` after its answer. */
interface Slot {
  /** When the answer arrived; null while the request is in flight. */
  end: number | null;
}

/**
 * At most `limit` requests in any rolling window, shared by every caller in the process.
 * amoCRM counts a request when it arrives, which is somewhere between our start and the
 * answer; a request that took long on the wire may land right next to the ones after it.
 * So a request holds its place in the window from its start until `windowMs + marginMs`
 * after its answer arrived: however the arrivals bunch up, amoCRM never sees one too many.
 * `pauseUntil` holds everyone back after a 429.
 */
export class RollingWindowLimiter {
  private readonly slots: Slot[] = [];
  private pausedUntil = 0;
  private chain: Promise<void> = Promise.resolve();
  private released: (() => void) | null = null;

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1000,
    private readonly marginMs = 50,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((r) => setTimeout(r, ms)),
  ) {}

  /**
   * Resolves when the caller may send one request, with the function to call once its answer
   * (or failure) is in. Callers are served in arrival order.
   */
  acquire(): Promise<() => void> {
    const turn = this.chain.then(() => this.waitForSlot());
    this.chain = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  pauseUntil(epochMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, epochMs);
  }

  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** Requests still counted in the window (in flight, or answered less than a window ago). */
  get occupied(): number {
    this.prune(this.now());
    return this.slots.length;
  }

  private async waitForSlot(): Promise<() => void> {
    for (;;) {
      const now = this.now();
      if (this.pausedUntil > now) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      this.prune(now);
      if (this.slots.length < this.limit) {
        const slot: Slot = { end: null };
        this.slots.push(slot);
        let done = false;
        return () => {
          if (done) return;
          done = true;
          slot.end = this.now();
          this.released?.();
        };
      }
      const ends = this.slots.map((s) => s.end).filter((e): e is number => e !== null);
      if (ends.length) {
        await this.sleep(Math.min(...ends) + this.span - now + 1);
      } else {
        // every place is taken by a request still in flight: the next answer frees one later
        await new Promise<void>((resolve) => (this.released = resolve));
        this.released = null;
      }
    }
  }

  private get span(): number {
    return this.windowMs + this.marginMs;
  }

  private prune(now: number): void {
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const end = this.slots[i].end;
      if (end !== null && end <= now - this.span) this.slots.splice(i, 1);
    }
  }
}
