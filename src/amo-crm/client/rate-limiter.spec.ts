import { RollingWindowLimiter } from './rate-limiter';

/** A fake clock: sleeping advances time instantly, so the schedule is exact. */
function fakeClock() {
  let t = 0;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  let best = 0;
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    let n = 0;
    for (let j = i; j < sorted.length && sorted[j] < sorted[i] + windowMs; j++) n++;
    best = Math.max(best, n);
  }
  return best;
}

describe('RollingWindowLimiter', () => {
  it('never lets more than the limit start in any rolling second', async () => {
    const clock = fakeClock();
    const limiter = new RollingWindowLimiter(7, 1000, 0, clock.now, clock.sleep);
    const starts: number[] = [];
    for (let i = 0; i < 50; i++) {
      const done = await limiter.acquire();
      starts.push(clock.now());
      done();
    }
    expect(maxInAnyWindow(starts, 1000)).toBe(7);
    // and it is not needlessly slow: 50 requests fit in about 7 windows
    expect(starts[49]).toBeLessThanOrEqual(7 * 1000 + 10);
  });

  it('serves concurrent callers in order without exceeding the limit', async () => {
    const clock = fakeClock();
    const limiter = new RollingWindowLimiter(3, 1000, 0, clock.now, clock.sleep);
    const order: number[] = [];
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limiter.acquire().then((done) => {
          order.push(i);
          starts.push(clock.now());
          done();
        }),
      ),
    );
    expect(order).toEqual([...Array(10).keys()]);
    expect(maxInAnyWindow(starts, 1000)).toBeLessThanOrEqual(3);
  });

  it('holds everyone back while paused', async () => {
    const clock = fakeClock();
    const limiter = new RollingWindowLimiter(7, 1000, 0, clock.now, clock.sleep);
    limiter.pauseUntil(5000);
    const done = await limiter.acquire();
    done();
    expect(clock.now()).toBeGreaterThanOrEqual(5000);
  });

  it('keeps a slow request in the window until its answer, so late arrivals never make one too many', async () => {
    // Each request reaches amoCRM somewhere between its start and its answer. Here every
    // third request is slow on the wire and arrives just before its answer, next to the
    // requests that started after it.
    const clock = fakeClock();
    const limiter = new RollingWindowLimiter(7, 1000, 0, clock.now, clock.sleep);
    const arrivals: number[] = [];
    const inFlight: { answerAt: number; done: () => void }[] = [];
    for (let i = 0; i < 70; i++) {
      // answers due by now come in before the next request is asked for
      const settle = () => {
        for (const f of inFlight.splice(0).sort((a, b) => a.answerAt - b.answerAt)) {
          if (f.answerAt <= clock.now()) f.done();
          else inFlight.push(f);
        }
      };
      settle();
      let acquired: (() => void) | null = null;
      const waiting = limiter.acquire().then((d) => (acquired = d));
      // let the limiter run; when every place is in flight, time passes until the first answer
      for (let spins = 0; acquired === null; spins++) {
        await Promise.resolve();
        if (spins > 5 && acquired === null && inFlight.length) {
          const next = inFlight.sort((a, b) => a.answerAt - b.answerAt)[0];
          if (next.answerAt > clock.now()) clock.advance(next.answerAt - clock.now());
          settle();
          spins = 0;
        }
      }
      await waiting;
      const start = clock.now();
      const wire = i % 3 === 0 ? 400 : 5;
      arrivals.push(start + wire - 1);
      inFlight.push({ answerAt: start + wire, done: acquired });
    }
    expect(maxInAnyWindow(arrivals, 1000)).toBeLessThanOrEqual(7);
  });

  it('counts answered requests out of the window only a window and the margin after the answer', async () => {
    const clock = fakeClock();
    const limiter = new RollingWindowLimiter(2, 1000, 50, clock.now, clock.sleep);
    const a = await limiter.acquire();
    const b = await limiter.acquire();
    clock.advance(300);
    a();
    b();
    expect(limiter.occupied).toBe(2);
    const c = await limiter.acquire();
    // started only when a's answer was 1050 ms old
    expect(clock.now()).toBeGreaterThanOrEqual(300 + 1050);
    c();
  });
});
