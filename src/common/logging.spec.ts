import { redactUrl } from './logging';

describe('redactUrl', () => {
  it('masks the webhook secret and OAuth code but keeps other parameters', () => {
    expect(redactUrl('/api/integrations/amo-crm/webhook?secret=abc&x=1')).toBe(
      '/api/integrations/amo-crm/webhook?secret=%5BREDACTED%5D&x=1',
    );
    expect(redactUrl('/cb?code=def502&state=s1&referer=a.amocrm.ru')).toBe(
      '/cb?code=%5BREDACTED%5D&state=%5BREDACTED%5D&referer=a.amocrm.ru',
    );
  });

  it('leaves a URL without a query alone', () => {
    expect(redactUrl('/api/leads')).toBe('/api/leads');
  });
});

describe('redactUrl with disguised parameter names', () => {
  const masked = (url: string): string => decodeURIComponent(redactUrl(url));

  it.each([
    ['secret[]', '/w?secret[]=s3cr3tvalue'],
    ['secret[0]', '/w?secret%5B0%5D=s3cr3tvalue'],
    ['upper case', '/w?SECRET=s3cr3tvalue'],
    ['access_token', '/w?access_token=s3cr3tvalue'],
    ['accessToken', '/w?accessToken=s3cr3tvalue'],
    ['refresh-token', '/w?refresh-token=s3cr3tvalue'],
    ['key', '/w?key=s3cr3tvalue'],
    ['api_key', '/w?api_key=s3cr3tvalue'],
    ['password', '/w?password=s3cr3tvalue'],
    ['token', '/w?token=s3cr3tvalue'],
    ['client_uuid', '/w?client_uuid=s3cr3tvalue'],
  ])('masks %s', (_name, url) => {
    const out = masked(url);
    expect(out).not.toContain('s3cr3tvalue');
    expect(out).toContain('[REDACTED]');
  });

  it('masks every repetition of a parameter and keeps harmless ones', () => {
    const out = masked('/w?secret=one1&secret=two2&page=3&referer=a.amocrm.ru');
    expect(out).not.toMatch(/one1|two2/);
    expect(out).toContain('page=3');
    expect(out).toContain('referer=a.amocrm.ru');
  });
});
