import { RollingWindowLimiter } from './rate-limiter';

/** A fake clock: sleeping advances time instantly, so the schedule is exact. */
function fakeClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0; i < times.length; i++) {
    let n = 0;
    for (let j = i; j < times.length && times[j] < times[i] + windowMs; j++) n++;
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
      await limiter.acquire();
      starts.push(clock.now());
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
        limiter.acquire().then(() => {
          order.push(i);
          starts.push(clock.now());
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
    await limiter.acquire();
    expect(clock.now()).toBeGreaterThanOrEqual(5000);
  });
});
