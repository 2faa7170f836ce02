import { PassRunner } from './pass-runner';

describe('PassRunner', () => {
  it('never runs two passes at once and runs once more for a wake-up during a pass', async () => {
    let active = 0;
    let maxActive = 0;
    let passes = 0;
    let release: () => void = () => undefined;
    const runner = new PassRunner(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        passes++;
        if (passes === 1) await new Promise<void>((r) => (release = r));
        active--;
      },
      () => undefined,
    );
    runner.wake();
    runner.wake();
    runner.wake();
    release();
    await runner.idle();
    expect(maxActive).toBe(1);
    expect(passes).toBe(2);
  });

  it('reports a failed pass and keeps working', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const runner = new PassRunner(
      async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
      },
      (e) => errors.push(e),
    );
    runner.wake();
    await runner.idle();
    runner.wake();
    await runner.idle();
    expect(errors).toHaveLength(1);
    expect(calls).toBe(2);
  });

  it('does nothing once stopped', async () => {
    let calls = 0;
    const runner = new PassRunner(
      async () => {
        calls++;
      },
      () => undefined,
    );
    await runner.stop();
    runner.wake();
    await runner.idle();
    expect(calls).toBe(0);
  });
});
