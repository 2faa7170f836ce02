import request from 'supertest';
import { SANDBOX_FIXTURES } from '../sandbox';
import { AmoWebhookWorker } from '../src/amo-crm/inbound/amo-webhook.worker';
import { AmoTestApp, connectAmo, postWebhook, startAmoApp, stopAmoApp } from './helpers/amo';
import { admin, createProperty, leadBody } from './helpers/factories';
import { truncateAll } from './helpers/test-app';
import { eventually } from './helpers/wait';

const F = SANDBOX_FIXTURES;

describe('a Kommo account (*.kommo.com)', () => {
  let ctx: AmoTestApp;

  beforeAll(async () => {
    ctx = await startAmoApp({
      sandbox: { platform: 'kommo', subdomain: 'agency' },
      listen: true,
      env: {
        // no AMO_AUTH_URL: the consent page must follow from AMO_DOMAIN
        AMO_AUTH_URL: undefined,
        AMO_MAPPING_JSON: JSON.stringify({ fields: { ourLeadId: F.leadFields.ourLeadId } }),
        SYNC_POLL_INTERVAL_MS: '200',
        SYNC_BACKOFF_BASE_MS: '50',
        SYNC_BACKOFF_CAP_MS: '300',
        AMO_RECONCILE_INTERVAL_MS: '0',
      },
    });
    // rows of earlier specs (contacts of another sandbox among them) must not meet this account
    await truncateAll(ctx.t.dataSource);
  });
  afterAll(async () => stopAmoApp(ctx));

  const localLeadsFromAmo = async (): Promise<{ guest_name: string }[]> =>
    ctx.t.dataSource.query(`SELECT guest_name FROM leads WHERE source = 'AMO_CRM' ORDER BY number`);
  const settle = async (): Promise<void> => {
    await ctx.sb.flushWebhooks();
    await ctx.t.app.get(AmoWebhookWorker).idle();
  };

  it('sends the admin to kommo.com to consent, connects, syncs both ways and accepts its webhooks', async () => {
    const { sb, server } = ctx;
    expect(sb.baseDomain).toBe('agency.kommo.com');
    const authorize = await request(server)
      .get('/api/integrations/amo-crm/authorize')
      .set(admin)
      .expect(302);
    const consent = new URL(authorize.headers.location);
    expect(`${consent.origin}${consent.pathname}`).toBe('https://www.kommo.com/oauth');
    expect(consent.searchParams.get('client_id')).toBe(sb.clientId);

    await connectAmo(server, sb); // the redirect's referer is agency.kommo.com
    const property = await createProperty(server);
    const lead = await request(server).post('/api/leads').send(leadBody(property.id)).expect(201);
    let sync: unknown = null;
    await eventually(async () => {
      const res = await request(server).get(`/api/leads/${lead.body.id}`).set(admin);
      sync = res.body.sync;
      return res.body.sync.state === 'SYNCED';
    }).catch((err: Error) => {
      throw new Error(`${err.message}; the lead's sync: ${JSON.stringify(sync)}`);
    });

    // today's account block: id, subdomain and _links.self on kommo.com
    sb.createLead({ name: 'Walk-in from Kommo' });
    await settle();
    const delivered = sb.webhookDeliveries().at(-1)!;
    expect(delivered.status).toBe(200);
    expect(new URLSearchParams(delivered.body).get('account[_links][self]')).toBe(
      'https://agency.kommo.com',
    );
    expect(await localLeadsFromAmo()).toEqual([{ guest_name: 'Walk-in from Kommo' }]);

    // the old subdomain-only block: the subdomain of AMO_DOMAIN on the Kommo host
    sb.configure({ webhookAccountBlock: 'subdomain-only' });
    sb.createLead({ name: 'Second walk-in' });
    await settle();
    expect(sb.webhookDeliveries().at(-1)!.status).toBe(200);
    expect(await localLeadsFromAmo()).toHaveLength(2);
  });

  it('refuses a subdomain-only webhook of another account', async () => {
    const res = await postWebhook(ctx.server, {
      'leads[add][0][id]': '20999999',
      'leads[add][0][name]': 'Foreign',
      'leads[add][0][status_id]': String(F.stages.firstContact),
      'leads[add][0][pipeline_id]': String(F.mainPipelineId),
      'leads[add][0][updated_at]': '1700000000',
      'account[subdomain]': 'other',
    }).expect(403);
    expect(res.body.message).toMatch(/another amoCRM account/);
  });
});
