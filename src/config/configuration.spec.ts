import { randomBytes } from 'node:crypto';
import { loadConfig } from './configuration';

const amo = {
  AMO_DOMAIN: 'agency.amocrm.ru',
  AMO_CLIENT_ID: 'client-id',
  AMO_CLIENT_SECRET: 'client-secret',
  AMO_REDIRECT_URI: 'https://api.example.com/api/integrations/amo-crm/callback',
  AMO_ACCOUNT_ID: '123',
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

describe('loadConfig', () => {
  it('applies defaults for an empty environment and leaves amoCRM unconfigured', () => {
    const c = loadConfig({});
    expect(c.app.port).toBe(3000);
    expect(c.database.url).toBeNull();
    expect(c.amo.configured).toBe(false);
    expect(c.amo.rateLimit).toBe(7);
  });

  it('builds the amoCRM settings with the base URL defaulting to the account host', () => {
    const c = loadConfig(amo);
    expect(c.amo).toMatchObject({
      configured: true,
      accountId: 123,
      baseUrl: 'https://agency.amocrm.ru',
    });
    expect(c.amo.encryptionKey).toHaveLength(32);
  });

  it('derives the webhook base URL from the redirect URI unless AMO_WEBHOOK_BASE_URL is set', () => {
    expect(loadConfig(amo).amo.webhookBaseUrl).toBe('https://api.example.com');
    expect(loadConfig(amo).amo.reconcileIntervalMs).toBe(300_000);
    const c = loadConfig({ ...amo, AMO_WEBHOOK_BASE_URL: 'https://hooks.example.com/' });
    expect(c.amo.webhookBaseUrl).toBe('https://hooks.example.com');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ ADMIN_API_KEY: 'short' }, 'ADMIN_API_KEY'],
    [{ MIGRATIONS_RUN: 'maybe' }, 'MIGRATIONS_RUN'],
    [{ DEFAULT_CURRENCY: 'rub' }, 'DEFAULT_CURRENCY'],
    [{ AMO_DOMAIN: 'agency.amocrm.ru' }, 'AMO_CLIENT_ID'],
    [{ ...amo, TOKEN_ENCRYPTION_KEY: undefined }, 'TOKEN_ENCRYPTION_KEY'],
    [{ ...amo, TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' }, 'TOKEN_ENCRYPTION_KEY'],
    [{ ...amo, AMO_ACCOUNT_ID: '12x' }, 'AMO_ACCOUNT_ID'],
    [{ ...amo, AMO_RATE_LIMIT: '0' }, 'AMO_RATE_LIMIT'],
    [{ ...amo, AMO_WEBHOOK_BASE_URL: 'hooks.example.com' }, 'AMO_WEBHOOK_BASE_URL'],
    [{ ...amo, AMO_RECONCILE_INTERVAL_MS: '-1' }, 'AMO_RECONCILE_INTERVAL_MS'],
  ])('refuses %j naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(name);
  });
});

describe('shared secrets', () => {
  it.each([
    ['the .env.example admin placeholder', 'ADMIN_API_KEY', 'replace-with-a-long-random-string'],
    [
      'the .env.example webhook placeholder',
      'AMO_WEBHOOK_SECRET',
      'replace-with-another-long-random-string',
    ],
    ['the README example', 'ADMIN_API_KEY', 'change-me-to-a-long-random-key'],
    ['16 characters', 'ADMIN_API_KEY', 'k'.repeat(8) + 'Zq81-xYw'],
    ['31 random characters', 'AMO_WEBHOOK_SECRET', randomBytes(24).toString('base64').slice(0, 31)],
    ['a repeated character', 'ADMIN_API_KEY', 'a'.repeat(40)],
    ['a short repeated pattern', 'AMO_WEBHOOK_SECRET', 'abcd'.repeat(10)],
  ])('refuses %s with a hint how to generate one', (_what, name, value) => {
    const env = name === 'AMO_WEBHOOK_SECRET' ? { ...amo, [name]: value } : { [name]: value };
    expect(() => loadConfig(env)).toThrow(name);
    expect(() => loadConfig(env)).toThrow('openssl rand -base64 32');
  });

  it.each([
    ['openssl rand -base64 32', randomBytes(32).toString('base64')],
    ['openssl rand -hex 32', randomBytes(32).toString('hex')],
    ['24 bytes base64url (32 characters)', randomBytes(24).toString('base64url')],
  ])('accepts the output of %s', (_what, value) => {
    expect(
      loadConfig({ ...amo, ADMIN_API_KEY: value, AMO_WEBHOOK_SECRET: value }).app.adminApiKey,
    ).toBe(value);
  });
});
