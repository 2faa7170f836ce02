import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox, SANDBOX_FIXTURES } from '../sandbox';
import {
  connectAmo,
  postWebhook,
  startAmoApp,
  stopAmoApp,
  TEST_WEBHOOK_SECRET,
} from './helpers/amo';
import { admin, createProperty, leadBody } from './helpers/factories';
import { TestApp, truncateAll } from './helpers/test-app';
import { eventually } from './helpers/wait';

const F = SANDBOX_FIXTURES;
const BASE = '/api/integrations/amo-crm';
const VALIDATION_400 = {
  'validation-errors': [
    {
      request_id: '0',
      errors: [
        {
          code: 'NotSupportedChoice',
          path: 'custom_fields_values.0.field_id',
          detail: 'The value you selected is not a valid choice.',
        },
      ],
    },
  ],
  title: 'Bad Request',
  type: 'https://httpstatus.es/400',
  status: 400,
  detail: 'Request validation failed',
};

describe('Admin console endpoints', () => {
  let sb: AmoSandbox;
  let t: TestApp & { url: string };
  let server: App;

  beforeAll(async () => {
    ({ sb, t, server } = await startAmoApp({
      env: {
        AMO_MAPPING_JSON: JSON.stringify({
          statuses: { NEGOTIATION: { pipelineId: 999, statusId: 998 } },
          fields: {
            ourLeadId: F.leadFields.ourLeadId,
            contactMethod: { id: F.leadFields.contactMethod.id, enums: { PHONE: 1 } },
          },
        }),
        SYNC_POLL_INTERVAL_MS: '200',
        SYNC_BACKOFF_BASE_MS: '50',
        SYNC_BACKOFF_CAP_MS: '300',
      },
    }));
  });
  afterAll(async () => stopAmoApp({ sb, t }));
  beforeEach(async () => {
    await truncateAll(t.dataSource);
    sb.clearFaults();
  });

  const get = async (path: string) =>
    (await request(server).get(`${BASE}/${path}`).set(admin).expect(200)).body;

  it('shows the connected account with its name, domain, token expiry and the webhook registered', async () => {
    const before = await get('connection');
    expect(before).toMatchObject({ configured: true, state: 'NOT_CONNECTED', accountName: null });
    await connectAmo(server, sb);
    const c = await get('connection');
    expect(c).toMatchObject({
      configured: true,
      state: 'CONNECTED',
      authMode: 'OAUTH',
      tokenExpiryWarning: null,
      accountId: sb.accountId,
      accountName: expect.any(String),
      domain: sb.baseDomain,
      authorizePath: `${BASE}/authorize`,
      paused: null,
      webhook: { registered: true, error: null, manual: null },
    });
    expect(c.accountName.length).toBeGreaterThan(0);
    expect(new Date(c.tokenExpiresAt).getTime()).toBeGreaterThan(Date.now());
  });

  it('gives the URL and events to enter by hand when amoCRM refuses to register the webhook', async () => {
    // on lower plans amoCRM refuses managing webhooks through the API (the list comes first)
    sb.failNext({ path: '/api/v4/webhooks', count: 1, status: 403 });
    await connectAmo(server, sb);
    const c = await get('connection');
    expect(c.state).toBe('CONNECTED');
    expect(c.webhook.registered).toBe(false);
    expect(c.webhook.error).toContain('403');
    expect(c.webhook.manual).toEqual({
      url: expect.stringContaining(
        `/api/integrations/amo-crm/webhook?secret=${encodeURIComponent(TEST_WEBHOOK_SECRET)}`,
      ),
      events: ['add_lead', 'update_lead', 'status_lead', 'delete_lead', 'restore_lead'],
      reason: expect.stringMatching(/plan may not allow it/),
    });
  });

  it('lists a dead job with amoCRM validation errors readable, and re-drives just that job', async () => {
    await connectAmo(server, sb);
    const property = await createProperty(server);
    sb.failNext({
      method: 'POST',
      path: '/api/v4/leads/complex',
      count: 1,
      status: 400,
      body: VALIDATION_400,
    });
    const lead = (await request(server).post('/api/leads').send(leadBody(property.id)).expect(201))
      .body;
    await eventually(async () => (await get('failures')).deadJobs.length === 1);
    const { deadJobs, failedEvents } = await get('failures');
    expect(failedEvents).toEqual([]);
    expect(deadJobs[0]).toMatchObject({
      leadId: lead.id,
      leadNumber: lead.number,
      guestName: lead.guestName,
      kind: 'CREATE',
      reason: expect.stringMatching(/^permanent 400/),
      validationErrors: [
        {
          path: 'custom_fields_values.0.field_id',
          code: 'NotSupportedChoice',
          detail: 'The value you selected is not a valid choice.',
        },
      ],
    });
    expect((await get('activity')).jobs.DEAD).toBe(1);

    await request(server)
      .post(`${BASE}/failures/retry`)
      .set(admin)
      .send({ jobId: '999999' })
      .expect(404);
    await request(server)
      .post(`${BASE}/failures/retry`)
      .set(admin)
      .send({ jobId: 'x' })
      .expect(400);
    const retried = await request(server)
      .post(`${BASE}/failures/retry`)
      .set(admin)
      .send({ jobId: deadJobs[0].jobId })
      .expect(202);
    expect(retried.body).toEqual({ requeuedJobs: 1, requeuedEvents: 0 });
    await eventually(
      async () =>
        (await request(server).get(`/api/leads/${lead.id}`).set(admin)).body.sync.state ===
        'SYNCED',
    );
    expect((await get('failures')).deadJobs).toEqual([]);
    const activity = await get('activity');
    expect(activity).toMatchObject({ leadsSyncedLastHour: 1, paused: null });
    expect(activity.jobs.DEAD).toBe(0);
    expect(activity.inbox).toEqual(
      expect.objectContaining({ PENDING: expect.any(Number), DEAD: 0 }),
    );
  });

  it('re-drives a DEAD inbox event with retry all', async () => {
    // a real delivery, stored and applied (contacts are IGNORED), then made DEAD as if its
    // attempts had run out
    await postWebhook(server, {
      'contacts[add][0][id]': '424242',
      'account[id]': String(sb.accountId),
      'account[subdomain]': sb.baseDomain.split('.')[0],
    }).expect(200);
    const stateOf = async (): Promise<string | undefined> => {
      const rows: { state: string }[] = await t.dataSource.query(
        `SELECT state FROM amo_webhook_events WHERE entity = 'contacts' AND amo_id = 424242`,
      );
      return rows[0]?.state;
    };
    await eventually(async () => (await stateOf()) === 'IGNORED');
    await t.dataSource.query(
      `UPDATE amo_webhook_events SET state = 'DEAD', attempts = 10, last_error = 'database was restarting'
        WHERE entity = 'contacts' AND amo_id = 424242`,
    );
    const { failedEvents } = await get('failures');
    expect(failedEvents).toEqual([
      expect.objectContaining({
        entity: 'contacts',
        action: 'add',
        amoId: 424242,
        state: 'DEAD',
        error: 'database was restarting',
      }),
    ]);
    const res = await request(server)
      .post(`${BASE}/failures/retry`)
      .set(admin)
      .send({})
      .expect(202);
    expect(res.body).toEqual({ requeuedJobs: 0, requeuedEvents: 1 });
    // applied again
    await eventually(async () => (await stateOf()) === 'IGNORED');
    expect((await get('failures')).failedEvents).toEqual([]);
  });

  it('shows the mapping with amoCRM names and every problem found', async () => {
    await connectAmo(server, sb);
    const m = await get('mapping/view');
    const won = m.statuses.find((s: { status: string }) => s.status === 'WON');
    expect(won).toMatchObject({ statusId: 142, statusName: expect.any(String) });
    const negotiation = m.statuses.find((s: { status: string }) => s.status === 'NEGOTIATION');
    expect(negotiation).toMatchObject({ statusName: null });
    const ours = m.fields.find((f: { field: string }) => f.field === 'ourLeadId');
    expect(ours).toMatchObject({ fieldId: F.leadFields.ourLeadId, fieldName: expect.any(String) });
    expect(m.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('status NEGOTIATION: stage 998 of pipeline 999'),
        expect.stringContaining('option 1 for PHONE'),
      ]),
    );
  });

  it('shows the rate-limit pause with its end while amoCRM asks us to wait', async () => {
    await connectAmo(server, sb);
    expect((await get('connection')).rateLimitedUntil).toBeNull();
    const property = await createProperty(server);
    sb.failNext({
      method: 'POST',
      path: '/api/v4/leads/complex',
      count: 1,
      status: 429,
      body: { title: 'Too Many Requests', status: 429, retry_after: 3 },
    });
    const lead = (await request(server).post('/api/leads').send(leadBody(property.id)).expect(201))
      .body;
    let seen: { at: number; until: string | null } = { at: 0, until: null };
    await eventually(async () => {
      const at = Date.now();
      seen = { at, until: (await get('connection')).rateLimitedUntil };
      return seen.until !== null;
    });
    // the end of the wait amoCRM asked for, still ahead when it was read
    expect(new Date(seen.until!).getTime()).toBeGreaterThan(seen.at);
    await eventually(
      async () =>
        (await request(server).get(`/api/leads/${lead.id}`).set(admin)).body.sync.state ===
        'SYNCED',
    );
  });

  it('disconnects only with confirmation, and then holds new jobs', async () => {
    await connectAmo(server, sb);
    const refused = await request(server)
      .post(`${BASE}/connection/disconnect`)
      .set(admin)
      .send({ confirm: false })
      .expect(400);
    expect(refused.body.message).toMatch(/confirm/);
    await request(server).post(`${BASE}/connection/disconnect`).set(admin).send({}).expect(400);
    expect((await get('connection')).state).toBe('CONNECTED');
    const done = await request(server)
      .post(`${BASE}/connection/disconnect`)
      .set(admin)
      .send({ confirm: true })
      .expect(200);
    expect(done.body).toEqual({ state: 'DISCONNECTED' });
    const c = await get('connection');
    expect(c).toMatchObject({ state: 'DISCONNECTED', tokenExpiresAt: null });
    const property = await createProperty(server);
    await request(server).post('/api/leads').send(leadBody(property.id)).expect(201);
    await eventually(async () => (await get('activity')).jobs.HELD === 1);
  });
});
