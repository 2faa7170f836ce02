import { AmoNotConfiguredError, AmoNotConnectedError } from '../auth/amo-connection.errors';
import { AmoConnectionState } from '../auth/amo-token.entity';
import { AmoCrmError } from '../client/amo-crm.error';
import { BLOCK_PAUSE_MS, decideRetry } from './retry-policy';

const settings = { maxAttempts: 5, backoffBaseMs: 1000, backoffCapMs: 60_000 };
const fresh = { attempts: 1, outcomeUnknown: false };
const half = () => 0.5;

describe('decideRetry', () => {
  it('holds a job without a usable grant instead of spending its attempts', () => {
    expect(decideRetry(new AmoNotConnectedError('NOT_CONNECTED'), fresh, settings).state).toBe(
      'HELD',
    );
    expect(
      decideRetry(new AmoNotConnectedError(AmoConnectionState.REAUTH_REQUIRED), fresh, settings)
        .state,
    ).toBe('HELD');
    expect(decideRetry(new AmoNotConfiguredError(), fresh, settings).state).toBe('HELD');
  });

  it('kills a job on a permanent refusal at once, knowing nothing was written', () => {
    const d = decideRetry(
      new AmoCrmError('permanent', 'bad field', { status: 400 }),
      fresh,
      settings,
    );
    expect(d).toMatchObject({ state: 'DEAD', outcomeUnknown: false, pauseMs: null });
    expect(d.message).toContain('bad field');
  });

  it('kills a job whose last attempt failed, whatever the kind', () => {
    const d = decideRetry(
      new AmoCrmError('transient', 'timeout'),
      { attempts: 5, outcomeUnknown: false },
      settings,
    );
    expect(d.state).toBe('DEAD');
  });

  it('retries a transient failure after a jittered exponential backoff', () => {
    const d = decideRetry(
      new AmoCrmError('transient', '502'),
      { attempts: 3, outcomeUnknown: false },
      settings,
      half,
    );
    expect(d).toEqual({
      state: 'PENDING',
      message: expect.stringContaining('502') as string,
      outcomeUnknown: false,
      delayMs: 2000,
      pauseMs: null,
    });
  });

  it("waits exactly amoCRM's retry_after on a 429", () => {
    const err = new AmoCrmError('rate_limited', 'too many', { retryAfterMs: 42_000 });
    expect(decideRetry(err, fresh, settings, half)).toMatchObject({
      state: 'PENDING',
      delayMs: 42_000,
    });
  });

  it('pauses all sync and waits the pause out when amoCRM blocks API access', () => {
    const d = decideRetry(new AmoCrmError('blocked', '403 blocked'), fresh, settings, half);
    expect(d).toMatchObject({ state: 'PENDING', delayMs: BLOCK_PAUSE_MS, pauseMs: BLOCK_PAUSE_MS });
  });

  it('marks the outcome unknown when the failure may have reached amoCRM', () => {
    const timeout = new AmoCrmError('transient', 'no answer', { outcomeUnknown: true });
    expect(decideRetry(timeout, fresh, settings, half)).toMatchObject({ outcomeUnknown: true });
    expect(decideRetry(new Error('socket hang up'), fresh, settings, half)).toMatchObject({
      outcomeUnknown: true,
      message: 'socket hang up',
    });
    const before = { attempts: 2, outcomeUnknown: true };
    expect(decideRetry(new AmoCrmError('transient', '503'), before, settings, half)).toMatchObject({
      outcomeUnknown: true,
    });
  });
});
