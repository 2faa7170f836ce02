import { randomBytes } from 'node:crypto';
import { loadConfig } from './configuration';
import { expiryWarning, readLongLivedToken } from './long-lived-token';

function jwt(payload: object): string {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'RS256' })}.${part(payload)}.${randomBytes(32).toString('base64url')}`;
}

const DAY = 86_400_000;

describe('long-lived token', () => {
  it('reads the expiry from the exp claim', () => {
    const exp = 1_900_000_000;
    expect(readLongLivedToken(jwt({ exp, account_id: 1 })).expiresAt).toEqual(new Date(exp * 1000));
  });

  it.each([
    ['not a JWT', 'abc'],
    ['four parts', 'a.b.c.d'],
    ['a payload that is not JSON', `a.${Buffer.from('nope').toString('base64url')}.c`],
    ['no exp', jwt({ iat: 1 })],
    ['exp as a string', jwt({ exp: '1900000000' })],
  ])('refuses %s with a message naming the variable and not the value', (_, value) => {
    let message = '';
    try {
      readLongLivedToken(value);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^AMO_LONG_LIVED_TOKEN is not an amoCRM long-lived token/);
    expect(message).not.toContain(value);
  });

  it('warns from 14 days before the expiry, not earlier and not once expired', () => {
    const now = new Date('2027-01-01T00:00:00Z');
    const at = (ms: number) => new Date(now.getTime() + ms);
    expect(expiryWarning(at(15 * DAY), now)).toBeNull();
    expect(expiryWarning(at(14 * DAY), now)).toMatch(/expires in 14 days/);
    expect(expiryWarning(at(1 * DAY + 1), now)).toMatch(/expires in 1 day \(/);
    expect(expiryWarning(at(3_600_000), now)).toMatch(/in less than a day/);
    expect(expiryWarning(at(0), now)).toBeNull();
    expect(expiryWarning(at(-DAY), now)).toBeNull();
  });
});

describe('connection mode at boot', () => {
  const common = {
    AMO_DOMAIN: 'agency.amocrm.ru',
    AMO_ACCOUNT_ID: '123',
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  const oauth = {
    AMO_CLIENT_ID: 'client-id',
    AMO_CLIENT_SECRET: 'client-secret',
    AMO_REDIRECT_URI: 'https://api.example.com/api/integrations/amo-crm/callback',
  };
  const token = jwt({ exp: 1_900_000_000 });

  it('takes OAuth when its three settings are complete', () => {
    const c = loadConfig({ ...common, ...oauth });
    expect(c.amo).toMatchObject({ configured: true, authMode: 'OAUTH', longLivedToken: null });
  });

  it('takes the long-lived token alone, with its expiry', () => {
    const c = loadConfig({ ...common, AMO_LONG_LIVED_TOKEN: token });
    expect(c.amo).toMatchObject({ configured: true, authMode: 'LONG_LIVED' });
    expect(c.amo.longLivedToken).toEqual({ value: token, expiresAt: new Date(1_900_000_000_000) });
    expect(c.sync.active).toBe(true);
  });

  it('refuses both modes with one message saying which variables to unset', () => {
    expect(() => loadConfig({ ...common, ...oauth, AMO_LONG_LIVED_TOKEN: token })).toThrow(
      /configured twice: AMO_LONG_LIVED_TOKEN and the OAuth settings \(AMO_CLIENT_ID, AMO_CLIENT_SECRET, AMO_REDIRECT_URI\) are both set/,
    );
    expect(() =>
      loadConfig({ ...common, AMO_CLIENT_ID: 'x', AMO_LONG_LIVED_TOKEN: token }),
    ).toThrow(/both set.*unset AMO_CLIENT_ID/);
  });

  it('refuses a half-set configuration with what each mode still needs', () => {
    expect(() => loadConfig({ ...common, AMO_CLIENT_ID: 'x' })).toThrow(
      /neither connection mode is complete: for OAuth also set AMO_CLIENT_SECRET, AMO_REDIRECT_URI; for a private integration's long-lived token set AMO_LONG_LIVED_TOKEN and unset AMO_CLIENT_ID/,
    );
    expect(() => loadConfig(common)).toThrow(/neither connection mode is complete/);
    expect(() => loadConfig({ AMO_LONG_LIVED_TOKEN: token })).toThrow(
      /also set AMO_DOMAIN, AMO_ACCOUNT_ID/,
    );
  });

  it('refuses a malformed token and needs a webhook origin when webhooks are wanted', () => {
    expect(() => loadConfig({ ...common, AMO_LONG_LIVED_TOKEN: 'abc' })).toThrow(
      /AMO_LONG_LIVED_TOKEN is not an amoCRM long-lived token/,
    );
    expect(() =>
      loadConfig({
        ...common,
        AMO_LONG_LIVED_TOKEN: token,
        AMO_WEBHOOK_SECRET: 'wH4nR8xqT2bLm6ZcV0yKp9sJd3FgE7aU1iOe5',
      }),
    ).toThrow(/AMO_WEBHOOK_BASE_URL is required with AMO_LONG_LIVED_TOKEN/);
  });
});
