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
