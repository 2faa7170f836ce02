import { Logger } from '@nestjs/common';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoCrmError } from '../client/amo-crm.error';
import { AmoOutageGate } from './amo-outage.gate';
import { SyncRecoveryRepository } from './sync-recovery.repository';

const down = () =>
  new AmoCrmError('transient', 'amoCRM failed with 503', { status: 503, unavailable: true });

function gateWith(probes: (() => Promise<void>)[]) {
  const released: Date[] = [];
  let calls = 0;
  const api = {
    probe: () => {
      const next = probes[Math.min(calls, probes.length - 1)];
      calls++;
      return next();
    },
  } as unknown as AmoCrmApiService;
  const recovery = {
    releaseAfterOutage: (since: Date) => {
      released.push(since);
      return Promise.resolve(3);
    },
  } as unknown as SyncRecoveryRepository;
  const gate = new AmoOutageGate(api, recovery);
  return { gate, released, probes: () => calls };
}

const ok = () => Promise.resolve();
const fail = () => Promise.reject(down());
const noop = () => undefined;

describe('AmoOutageGate', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.useRealTimers());

  it('lets everything through until amoCRM itself fails', async () => {
    const { gate, probes } = gateWith([ok]);
    expect(gate.report(new AmoCrmError('permanent', 'refused', { status: 400 }))).toBe(false);
    expect(gate.report(new Error('database'))).toBe(false);
    expect(await gate.passable(noop)).toBe(true);
    expect(probes()).toBe(0);
  });

  it('keeps a per-job failure per job: the first probe succeeds and nothing is released', async () => {
    const { gate, released } = gateWith([ok]);
    expect(gate.report(down())).toBe(true);
    expect(await gate.passable(noop)).toBe(true);
    expect(released).toEqual([]);
    expect(gate.outage).toBeNull();
  });

  it('holds the queue while probes fail and releases the failed jobs when one succeeds', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { gate, released, probes } = gateWith([fail, fail, ok]);
    gate.report(down());
    expect(await gate.passable(noop)).toBe(false);
    expect(gate.outage).not.toBeNull();
    // not yet due: no second probe
    expect(await gate.passable(noop)).toBe(false);
    expect(probes()).toBe(1);
    jest.setSystemTime(1_000_000 + 250);
    expect(await gate.passable(noop)).toBe(false);
    jest.setSystemTime(1_000_000 + 250 + 500);
    expect(await gate.passable(noop)).toBe(true);
    expect(probes()).toBe(3);
    expect(released).toHaveLength(1);
    expect(released[0].getTime()).toBeLessThanOrEqual(1_000_000);
    expect(gate.outage).toBeNull();
  });

  it('caps the probe interval', async () => {
    jest.useFakeTimers({ now: 0 });
    const { gate, probes } = gateWith([fail]);
    gate.report(down());
    let t = 0;
    for (let i = 0; i < 10; i++) {
      await gate.passable(noop);
      t += 1_000;
      jest.setSystemTime(t);
    }
    // 250, 500, then every 1 000 ms: one probe per second once capped
    expect(probes()).toBe(10);
  });

  it('takes any answer that is not an outage (a 401, a 429) as amoCRM being up', async () => {
    const { gate } = gateWith([
      () => Promise.reject(new AmoCrmError('unauthorized', 'token', { status: 401 })),
    ]);
    gate.report(down());
    expect(await gate.passable(noop)).toBe(true);
  });
});
