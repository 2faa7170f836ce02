import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  it('grows the ceiling exponentially up to the cap', () => {
    const top = (n: number) => backoffDelayMs(n, 1000, 60_000, () => 0.999999);
    expect(top(1)).toBe(999);
    expect(top(2)).toBe(1999);
    expect(top(5)).toBe(15_999);
    expect(top(20)).toBe(59_999);
  });

  it('spreads delays over the whole range (full jitter)', () => {
    expect(backoffDelayMs(6, 1000, 60_000, () => 0)).toBe(0);
    expect(backoffDelayMs(6, 1000, 60_000, () => 0.5)).toBe(16_000);
  });
});
