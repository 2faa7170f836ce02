import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox } from '../sandbox';
import { connectAmo, startAmoApp, stopAmoApp } from './helpers/amo';
import { admin, createProperty, leadBody } from './helpers/factories';
import { TestApp, createTestApp, truncateAll } from './helpers/test-app';
import { eventually } from './helpers/wait';

const TRACKING = {
  utmSource: 'yandex',
  utmMedium: 'cpc',
  utmCampaign: 'spring-flats',
  utmContent: 'banner-2',
  utmTerm: '2-room flat',
  referrer: 'https://yandex.ru/search/?text=flat',
  gclid: 'Cj0KCQiA-gclid',
  yclid: '4815162342',
  fbclid: 'IwAR2x-fbclid',
  ymUid: '1700000000123456789',
};

/** The tracking values of an amoCRM lead, by field code. */
function trackingOf(sb: AmoSandbox, amoLeadId: number): Record<string, unknown> {
  const lead = sb.leads().find((l) => l.id === amoLeadId);
  const out: Record<string, unknown> = {};
  for (const f of lead?.custom_fields_values ?? []) {
    if (f.field_type === 'tracking_data' && f.field_code) out[f.field_code] = f.values[0]?.value;
  }
  return out;
}

describe('Lead attribution: tracking, form page, client address', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let server: App;
  let propertyId: string;

  const synced = async (id: string): Promise<{ amoLeadId: number }> => {
    const get = async () => (await request(server).get(`/api/leads/${id}`).set(admin)).body;
    await eventually(async () => (await get()).sync.state === 'SYNCED');
    return get();
  };

  beforeAll(async () => {
    ({ sb, t, server } = await startAmoApp({
      env: { SYNC_POLL_INTERVAL_MS: '200', SYNC_CONTACTS_FRESH_MS: '0' },
    }));
  });
  afterAll(async () => stopAmoApp({ sb, t }));
  beforeEach(async () => {
    // the app's background passes may hold a lock a TRUNCATE deadlocks with: try again
    await eventually(async () => {
      await truncateAll(t.dataSource);
      return true;
    });
    sb.clearFaults();
    sb.configure({ absentTrackingFields: [] });
    await connectAmo(server, sb);
    propertyId = (await createProperty(server)).id;
  });

  it('stores tracking, page and address, shows them, and writes amoCRM tracking fields by code', async () => {
    const created = (
      await request(server)
        .post('/api/leads')
        .set('Referer', 'https://example.com/ignored-when-pageUrl-given')
        .send(
          leadBody(propertyId, {
            tracking: TRACKING,
            pageUrl: 'https://example.com/flats/7',
          }),
        )
        .expect(201)
    ).body;
    expect(created.tracking).toEqual(TRACKING);
    expect(created.pageUrl).toBe('https://example.com/flats/7');
    expect(created.clientIp).toBe('127.0.0.1');
    const shown = (await request(server).get(`/api/leads/${created.id}`).set(admin)).body;
    expect(shown.tracking).toEqual(TRACKING);

    const lead = await synced(created.id);
    expect(trackingOf(sb, lead.amoLeadId)).toEqual({
      UTM_SOURCE: 'yandex',
      UTM_MEDIUM: 'cpc',
      UTM_CAMPAIGN: 'spring-flats',
      UTM_CONTENT: 'banner-2',
      UTM_TERM: '2-room flat',
      UTM_REFERRER: 'https://yandex.ru/search/?text=flat',
      GCLID: 'Cj0KCQiA-gclid',
      YCLID: '4815162342',
      FBCLID: 'IwAR2x-fbclid',
      _YM_UID: '1700000000123456789',
    });
  });

  it('takes the form page from the Referer header when the form sends none', async () => {
    const created = (
      await request(server)
        .post('/api/leads')
        .set('Referer', 'https://example.com/flats/9?utm_source=vk')
        .send(leadBody(propertyId))
        .expect(201)
    ).body;
    expect(created.pageUrl).toBe('https://example.com/flats/9?utm_source=vk');
    expect(created.tracking).toBeNull();
  });

  it('syncs the lead without the tracking fields the account lacks and lists them in the mapping', async () => {
    sb.configure({ absentTrackingFields: ['GCLID', 'FBCLID'] });
    const mapping = (
      await request(server).get('/api/integrations/amo-crm/mapping').set(admin).expect(200)
    ).body;
    expect(mapping.tracking.missing).toEqual(['GCLID', 'FBCLID']);
    expect(mapping.tracking.fields.utmSource).toEqual({
      id: expect.any(Number),
      code: 'UTM_SOURCE',
    });
    const created = (
      await request(server)
        .post('/api/leads')
        .send(
          leadBody(propertyId, { tracking: { utmSource: 'google', gclid: 'abc', fbclid: 'x' } }),
        )
        .expect(201)
    ).body;
    const lead = await synced(created.id);
    expect(trackingOf(sb, lead.amoLeadId)).toEqual({ UTM_SOURCE: 'google' });
    // kept here even though amoCRM has nowhere to put them
    expect(
      (await request(server).get(`/api/leads/${created.id}`).set(admin)).body.tracking,
    ).toEqual({ utmSource: 'google', gclid: 'abc', fbclid: 'x' });
  });

  it.each([
    ['an unknown key', { utm_source: 'x' }, 'tracking.utm_source'],
    ['a line break', { utmSource: 'a\nb' }, 'tracking.utmSource'],
    ['a value over the cap', { utmCampaign: 'c'.repeat(256) }, 'tracking.utmCampaign'],
    ['a number', { gclid: 12345 }, 'tracking.gclid'],
    ['a nested object', { utmTerm: { a: 1 } }, 'tracking.utmTerm'],
  ])('refuses tracking with %s with a 400 naming the field', async (_what, tracking, field) => {
    const res = await request(server)
      .post('/api/leads')
      .send(leadBody(propertyId, { tracking }))
      .expect(400);
    expect(res.body.message).toContain(field);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    const count = await t.dataSource.query(`SELECT count(*)::int AS n FROM leads`);
    expect(count[0].n).toBe(0);
  });

  it.each([
    ['tracking that is not an object', { tracking: 'utm_source=x' }, 'tracking'],
    ['tracking that is an array', { tracking: ['x'] }, 'tracking'],
    ['a pageUrl over 2000 characters', { pageUrl: `https://e.com/${'p'.repeat(2000)}` }, 'pageUrl'],
    ['a pageUrl with a line break', { pageUrl: 'https://e.com/\r\nX: y' }, 'pageUrl'],
  ])('refuses %s with a 400', async (_what, extra, field) => {
    const res = await request(server).post('/api/leads').send(leadBody(propertyId, extra));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});

describe('Lead client address behind a proxy', () => {
  let t: TestApp;
  let server: App;

  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: '1' });
    server = t.app.getHttpServer();
  });
  afterAll(async () => t.close());

  it("stores the visitor's address from X-Forwarded-For when TRUST_PROXY trusts the hop", async () => {
    await truncateAll(t.dataSource);
    const { id } = await createProperty(server);
    const created = (
      await request(server)
        .post('/api/leads')
        .set('X-Forwarded-For', '203.0.113.7')
        .send(leadBody(id))
        .expect(201)
    ).body;
    expect(created.clientIp).toBe('203.0.113.7');
  });
});
