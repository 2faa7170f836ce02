import { randomBytes } from 'node:crypto';
import { TokenCipher } from './token-cipher';

describe('TokenCipher', () => {
  const cipher = new TokenCipher(randomBytes(32));

  it('round-trips and never stores the plain text', () => {
    const stored = cipher.encrypt('eyJ0eXAiOiJKV1Qi.secret.token', 'acc:1:access');
    expect(stored).not.toContain('secret');
    expect(cipher.decrypt(stored, 'acc:1:access')).toBe('eyJ0eXAiOiJKV1Qi.secret.token');
  });

  it('uses a fresh IV for every write', () => {
    expect(cipher.encrypt('same', 'ctx')).not.toBe(cipher.encrypt('same', 'ctx'));
  });

  it('refuses a value moved to another context, a tampered value, or another key', () => {
    const stored = cipher.encrypt('token', 'acc:1:access');
    expect(() => cipher.decrypt(stored, 'acc:1:refresh')).toThrow();
    const parts = stored.split(':');
    const ct = Buffer.from(parts[3], 'base64');
    ct[0] ^= 1;
    expect(() =>
      cipher.decrypt([...parts.slice(0, 3), ct.toString('base64')].join(':'), 'acc:1:access'),
    ).toThrow();
    expect(() => new TokenCipher(randomBytes(32)).decrypt(stored, 'acc:1:access')).toThrow();
  });
});
