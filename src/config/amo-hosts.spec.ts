import { randomBytes } from 'node:crypto';
import { isOwnSubdomain, presetFor, resolveAmoHosts } from './amo-hosts';
import { loadConfig } from './configuration';

const oauth = {
  AMO_CLIENT_ID: 'client-id',
  AMO_CLIENT_SECRET: 'client-secret',
  AMO_REDIRECT_URI: 'https://api.example.com/api/integrations/amo-crm/callback',
  AMO_ACCOUNT_ID: '123',
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

describe('amoCRM host presets', () => {
  it.each([
    ['agency.amocrm.ru', 'amocrm', 'https://www.amocrm.ru/oauth', false],
    ['agency.kommo.com', 'kommo', 'https://www.kommo.com/oauth', false],
    ['agency.amocrm.com', 'kommo', 'https://www.kommo.com/oauth', true],
    ['Agency.Kommo.COM', 'kommo', 'https://www.kommo.com/oauth', false],
  ])('%s consents on its platform', (domain, platform, authUrl, legacy) => {
    expect(presetFor(domain)).toMatchObject({ platform, authUrl, legacy });
    const c = loadConfig({ ...oauth, AMO_DOMAIN: domain });
    expect(c.amo).toMatchObject({ platform, authUrl, baseUrl: `https://${domain}` });
  });

  it('lets AMO_AUTH_URL and AMO_BASE_URL win over the preset', () => {
    const c = loadConfig({
      ...oauth,
      AMO_DOMAIN: 'agency.kommo.com',
      AMO_AUTH_URL: 'http://127.0.0.1:3100/oauth',
      AMO_BASE_URL: 'http://127.0.0.1:3100/',
    });
    expect(c.amo).toMatchObject({
      platform: 'kommo',
      authUrl: 'http://127.0.0.1:3100/oauth',
      baseUrl: 'http://127.0.0.1:3100',
    });
  });

  it('does not take a look-alike host for a preset', () => {
    expect(presetFor('kommo.com')).toBeNull();
    expect(presetFor('agency.notkommo.com')).toBeNull();
    expect(presetFor('agency.amocrm.ru.example.org')).toBeNull();
    expect(resolveAmoHosts('crm.example.org', {})).toMatchObject({ preset: null, authUrl: null });
  });

  it('refuses an unknown host in OAuth mode unless AMO_AUTH_URL says where consent is', () => {
    expect(() => loadConfig({ ...oauth, AMO_DOMAIN: 'crm.example.org' })).toThrow(
      /AMO_DOMAIN crm\.example\.org is on none of the known hosts.*set AMO_AUTH_URL/,
    );
    const c = loadConfig({
      ...oauth,
      AMO_DOMAIN: 'crm.example.org',
      AMO_AUTH_URL: 'https://crm.example.org/oauth',
    });
    expect(c.amo).toMatchObject({ platform: null, authUrl: 'https://crm.example.org/oauth' });
  });

  it.each([
    ['agency', 'agency.kommo.com', true],
    ['AGENCY', 'agency.kommo.com', true],
    ['agency.amocrm.ru', 'agency.kommo.com', true],
    ['agency.amocrm.com', 'agency.kommo.com', true],
    ['agency.kommo.com', 'agency.amocrm.ru', true],
    ['other', 'agency.kommo.com', false],
    ['other.kommo.com', 'agency.kommo.com', false],
    ['agency.example.org', 'agency.kommo.com', false],
    ['', 'agency.kommo.com', false],
  ])('webhook subdomain %j for %s → %s', (value, domain, expected) => {
    expect(isOwnSubdomain(value, domain)).toBe(expected);
  });
});
