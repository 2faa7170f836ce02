import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox, SANDBOX_FIXTURES } from '../sandbox';
import { SyncDispatcherService } from '../src/amo-crm/outbound/sync-dispatcher.service';
import {
  amoEnv,
  connectAmo,
  maxRequestsInAnySecond,
  startAmo,
  startAmoApp,
  stopAmoApp,
} from './helpers/amo';
import { admin, createProperty, leadBody } from './helpers/factories';
import { createTestApp, TestApp, truncateAll } from './helpers/test-app';
import { eventually } from './helpers/wait';

const F = SANDBOX_FIXTURES;
const MAPPING = JSON.stringify({
  fields: {
    ourLeadId: F.leadFields.ourLeadId,
    property: F.leadFields.property,
    contactMethod: F.leadFields.contactMethod,
    contactTime: F.leadFields.contactTime,
    source: F.leadFields.source,
  },
});

/** An access token of the sandbox's own, to act in amoCRM the way a manager's tools would. */
async function sandboxToken(sb: AmoSandbox): Promise<string> {
  const res = await fetch(`${sb.url}/oauth2/access_token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_id: sb.clientId,
      client_secret: sb.clientSecret,
      grant_type: 'authorization_code',
      code: sb.issueAuthCode(),
      redirect_uri: sb.redirectUri,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('Outbound sync to amoCRM', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let server: App;
  let property: { id: string; title: string; price: number };
  let baseline = 0;
  /** amoCRM leads created by the current test (the sandbox keeps earlier tests' leads). */
  const newAmoLeads = () => sb.leads().slice(baseline);

  const jobsIn = async (state: string) =>
    (
      await t.dataSource.query(`SELECT count(*)::int AS n FROM amo_sync_jobs WHERE state = $1`, [
        state,
      ])
    )[0].n as number;
  const allDone = async () =>
    (await jobsIn('PENDING')) + (await jobsIn('RUNNING')) + (await jobsIn('HELD')) === 0;

  beforeAll(async () => {
    ({ sb, t, server } = await startAmoApp({
      env: {
        AMO_MAPPING_JSON: MAPPING,
        SYNC_POLL_INTERVAL_MS: '200',
        SYNC_BACKOFF_BASE_MS: '50',
        SYNC_BACKOFF_CAP_MS: '300',
        SYNC_CONTACTS_FRESH_MS: '0',
      },
    }));
  });
  afterAll(async () => stopAmoApp({ sb, t }));
  beforeEach(async () => {
    await truncateAll(t.dataSource);
    sb.clearFaults();
    await connectAmo(server, sb);
    sb.resetLog();
    baseline = sb.leads().length;
    property = await createProperty(server, { title: 'Loft on Arbat', price: 25_000_000 });
  });

  it('creates the lead in amoCRM with name, price, stage, contact, fields and the comment as a note', async () => {
    const created = (
      await request(server)
        .post('/api/leads')
        .send(
          leadBody(property.id, {
            guestPhone: '+7 912 345-67-89',
            guestEmail: 'ivan@example.com',
            guestName: 'Ivan',
          }),
        )
        .expect(201)
    ).body;
    expect(created.sync.state).toBe('PENDING');
    await eventually(allDone);
    const lead = (await request(server).get(`/api/leads/${created.id}`).set(admin)).body;
    const amoLead = sb.leads().find((l) => l.id === lead.amoLeadId)!;
    expect(amoLead).toMatchObject({
      name: `Lead #${created.number} - Loft on Arbat`,
      price: 25_000_000,
      pipeline_id: F.mainPipelineId,
      status_id: F.stages.firstContact,
    });
    const marker = amoLead.custom_fields_values?.find((f) => f.field_id === F.leadFields.ourLeadId);
    expect(marker?.values[0].value).toBe(created.id);
    const contact = sb.contacts().find((c) => c.id === lead.amoContactId)!;
    expect(contact.name).toBe('Ivan');
    const values = (contact.custom_fields_values ?? []).flatMap((f) =>
      f.values.map((v) => v.value),
    );
    expect(values).toEqual(expect.arrayContaining(['+79123456789', 'ivan@example.com']));
    // the comment is a job of its own after the create: wait for the note itself
    const notesOfLead = () =>
      sb
        .notes()
        .filter((n) => n.entity_id === lead.amoLeadId)
        .map((n) => n.params?.text);
    await eventually(() => notesOfLead().length > 0);
    await eventually(allDone);
    expect(notesOfLead()).toEqual([
      `Guest's comment (lead #${created.number}): Is the flat still available?`,
    ]);
  });

  it('pushes a status change to the mapped stage', async () => {
    const { id } = (
      await request(server).post('/api/leads').send(leadBody(property.id)).expect(201)
    ).body;
    await eventually(allDone);
    await request(server)
      .patch(`/api/leads/${id}/status`)
      .set(admin)
      .send({ status: 'WON' })
      .expect(200);
    await eventually(allDone);
    const lead = (await request(server).get(`/api/leads/${id}`).set(admin)).body;
    expect(sb.leads().find((l) => l.id === lead.amoLeadId)?.status_id).toBe(142);
  });

  it('reuses the amoCRM contact for a second lead with the same phone', async () => {
    const phone = '+7 903 111-22-33';
    const a = (
      await request(server)
        .post('/api/leads')
        .send(leadBody(property.id, { guestPhone: phone }))
        .expect(201)
    ).body;
    await eventually(allDone);
    // another listing, so it is a new deal rather than a repeat request of the first
    const other = await createProperty(server, { title: 'Studio on Arbat', price: 9_000_000 });
    const b = (
      await request(server)
        .post('/api/leads')
        .send(leadBody(other.id, { guestPhone: phone }))
        .expect(201)
    ).body;
    await eventually(allDone);
    const [la, lb] = await Promise.all(
      [a, b].map(async (x) => (await request(server).get(`/api/leads/${x.id}`).set(admin)).body),
    );
    expect(lb.amoContactId).toBe(la.amoContactId);
    expect(
      sb.contacts().filter((c) => JSON.stringify(c.custom_fields_values).includes('+79031112233')),
    ).toHaveLength(1);
  });

  it('reuses a contact that already exists in amoCRM with the phone written another way', async () => {
    const token = await sandboxToken(sb);
    const created = await fetch(`${sb.url}/api/v4/contacts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([
        {
          name: 'Maria (typed in by a manager)',
          custom_fields_values: [
            { field_code: 'PHONE', values: [{ value: '8 (916) 555-44-33', enum_code: 'WORK' }] },
          ],
        },
      ]),
    });
    expect(created.status).toBe(200);
    const contactId = ((await created.json()) as { _embedded: { contacts: { id: number }[] } })
      ._embedded.contacts[0].id;
    const { id } = (
      await request(server)
        .post('/api/leads')
        .send(leadBody(property.id, { guestPhone: '+7 916 555 44 33' }))
        .expect(201)
    ).body;
    await eventually(allDone);
    const lead = (await request(server).get(`/api/leads/${id}`).set(admin)).body;
    expect(lead.amoContactId).toBe(contactId);
    expect(
      sb.contacts().filter((c) => JSON.stringify(c.custom_fields_values).includes('555')),
    ).toHaveLength(1);
  });

  it('answers 201 during an amoCRM outage and delivers every lead once afterwards', async () => {
    sb.setOutage(true);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++)
      ids.push(
        (await request(server).post('/api/leads').send(leadBody(property.id)).expect(201)).body.id,
      );
    await new Promise((r) => setTimeout(r, 500));
    sb.setOutage(false);
    await eventually(allDone);
    const rows: { amo_lead_id: string }[] = await t.dataSource.query(
      'SELECT amo_lead_id FROM leads',
    );
    expect(rows.every((r) => r.amo_lead_id !== null)).toBe(true);
    expect(newAmoLeads()).toHaveLength(10);
  });

  it('creates exactly one lead when amoCRM applies the write but the answer is lost', async () => {
    sb.dropAfterCommit({ method: 'POST', path: '/api/v4/leads/complex', count: 1 });
    const { id } = (
      await request(server).post('/api/leads').send(leadBody(property.id)).expect(201)
    ).body;
    await eventually(
      async () =>
        (await request(server).get(`/api/leads/${id}`).set(admin)).body.sync.state === 'SYNCED',
    );
    expect(newAmoLeads()).toHaveLength(1);
    expect((await request(server).get(`/api/leads/${id}`).set(admin)).body.amoLeadId).toBe(
      newAmoLeads()[0].id,
    );
  });

  it('marks a lead DEAD with the validation errors kept when amoCRM refuses it', async () => {
    sb.failNext({
      method: 'POST',
      path: '/api/v4/leads/complex',
      count: 1,
      status: 400,
      body: {
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
      },
    });
    const { id } = (
      await request(server).post('/api/leads').send(leadBody(property.id)).expect(201)
    ).body;
    await eventually(async () => (await jobsIn('DEAD')) === 1);
    const lead = (await request(server).get(`/api/leads/${id}`).set(admin)).body;
    expect(lead.sync.state).toBe('DEAD');
    expect(lead.sync.error).toContain('NotSupportedChoice');
    const view = (
      await request(server).get('/api/integrations/amo-crm/sync').set(admin).expect(200)
    ).body;
    expect(view.jobs.DEAD).toBe(1);
    expect(view.recentDead[0]).toMatchObject({
      leadId: id,
      kind: 'CREATE',
      error: expect.stringContaining('NotSupportedChoice'),
    });

    const redriven = await request(server)
      .post('/api/integrations/amo-crm/sync/retry')
      .set(admin)
      .send({ leadId: id })
      .expect(202);
    expect(redriven.body).toEqual({ requeued: 1 });
    await eventually(
      async () =>
        (await request(server).get(`/api/leads/${id}`).set(admin)).body.sync.state === 'SYNCED',
    );
    expect(newAmoLeads()).toHaveLength(1);
  });

  it('backfills leads made before the integration once, however often bulk runs', async () => {
    await t.dataSource.query(`DELETE FROM amo_sync_jobs`);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await request(server).post('/api/leads').send(leadBody(property.id)).expect(201)).body.id,
      );
    await eventually(allDone);
    await t.dataSource.query(`UPDATE leads SET amo_lead_id = NULL, sync_state = 'NOT_CONFIGURED'`);
    await t.dataSource.query(`DELETE FROM amo_sync_jobs`);
    sb.setOutage(true);
    const first = await request(server)
      .post('/api/integrations/amo-crm/sync/bulk')
      .set(admin)
      .expect(202);
    const second = await request(server)
      .post('/api/integrations/amo-crm/sync/bulk')
      .set(admin)
      .expect(202);
    expect(first.body).toEqual({ enqueued: 3 });
    expect(second.body).toEqual({ enqueued: 0 });
    sb.setOutage(false);
    await eventually(allDone);
    const rows: { amo_lead_id: string | null }[] = await t.dataSource.query(
      'SELECT amo_lead_id FROM leads',
    );
    expect(rows.every((r) => r.amo_lead_id !== null)).toBe(true);
  });

  it('bulk-syncs 1,000 leads made before the integration', async () => {
    await t.dataSource.query(
      `INSERT INTO leads (property_id, guest_name, guest_phone, contact_method, contact_time)
       SELECT $1, 'Guest ' || g, '+7926' || lpad(g::text, 7, '0'), 'PHONE', 'ANY_TIME' FROM generate_series(1, 1000) AS g`,
      [property.id],
    );
    const res = await request(server)
      .post('/api/integrations/amo-crm/sync/bulk')
      .set(admin)
      .expect(202);
    expect(res.body).toEqual({ enqueued: 1000 });
    await eventually(allDone, 60_000);
    expect(newAmoLeads()).toHaveLength(1000);
    const [{ n }]: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM leads WHERE amo_lead_id IS NULL`,
    );
    expect(n).toBe(0);
    expect(maxRequestsInAnySecond(sb)).toBeLessThanOrEqual(7);
  });

  it('coalesces queued edits of one lead into one job per kind and ends on the latest values', async () => {
    sb.setOutage(true);
    const { id } = (
      await request(server).post('/api/leads').send(leadBody(property.id)).expect(201)
    ).body;
    for (const status of ['IN_PROGRESS', 'VIEWING_SCHEDULED', 'NEGOTIATION']) {
      await request(server)
        .patch(`/api/leads/${id}/status`)
        .set(admin)
        .send({ status })
        .expect(200);
    }
    await request(server)
      .patch(`/api/leads/${id}`)
      .set(admin)
      .send({ contactTime: 'MORNING' })
      .expect(200);
    await request(server)
      .patch(`/api/leads/${id}`)
      .set(admin)
      .send({ contactMethod: 'TELEGRAM' })
      .expect(200);
    const jobs: { kind: string; payload: { fields: string[] } }[] = await t.dataSource.query(
      `SELECT kind, payload FROM amo_sync_jobs WHERE lead_id = $1 ORDER BY id`,
      [id],
    );
    expect(jobs.map((j) => j.kind)).toEqual(['CREATE', 'STATUS', 'UPDATE']);
    expect(jobs[2].payload.fields.sort()).toEqual(['contactMethod', 'contactTime']);
    sb.setOutage(false);
    await eventually(allDone);
    const lead = (await request(server).get(`/api/leads/${id}`).set(admin)).body;
    const amoLead = sb.leads().find((l) => l.id === lead.amoLeadId)!;
    expect(amoLead.status_id).toBe(F.stages.decision);
    const method = amoLead.custom_fields_values?.find(
      (f) => f.field_id === F.leadFields.contactMethod.id,
    );
    expect(method?.values[0].enum_id).toBe(F.leadFields.contactMethod.enums.TELEGRAM);
  });

  it('shows the effective mapping with names', async () => {
    const res = await request(server)
      .get('/api/integrations/amo-crm/mapping')
      .set(admin)
      .expect(200);
    expect(res.body.statuses.NEW).toMatchObject({
      pipelineId: F.mainPipelineId,
      statusId: F.stages.firstContact,
      statusName: expect.any(String),
    });
    expect(res.body.statuses.WON.statusId).toBe(142);
    expect(res.body.problems).toEqual([]);
  });

  it('holds jobs while the grant is revoked and drains them after reconnecting', async () => {
    sb.revokeGrant();
    await t.dataSource.query(`UPDATE amo_tokens SET expires_at = now()`);
    const { id } = (
      await request(server).post('/api/leads').send(leadBody(property.id)).expect(201)
    ).body;
    await eventually(async () => (await jobsIn('HELD')) === 1);
    expect(newAmoLeads()).toHaveLength(0);
    await connectAmo(server, sb);
    await eventually(
      async () =>
        (await request(server).get(`/api/leads/${id}`).set(admin)).body.sync.state === 'SYNCED',
    );
    expect(newAmoLeads()).toHaveLength(1);
  });

  it('syncs 200 leads in batches without exceeding 7 requests per rolling second', async () => {
    for (let i = 0; i < 200; i++)
      await request(server)
        .post('/api/leads')
        .send(leadBody(property.id, { comment: undefined }));
    await eventually(allDone, 60_000);
    await t.app.get(SyncDispatcherService).idle();
    expect(newAmoLeads()).toHaveLength(200);
    expect(maxRequestsInAnySecond(sb)).toBeLessThanOrEqual(7);
    const complexCalls = sb.requestLog().filter((r) => r.path === '/api/v4/leads/complex').length;
    expect(complexCalls).toBeLessThan(200);
  });
});

describe('Outbound sync with a status that has no amoCRM stage', () => {
  it('does not push the status and records why on the lead', async () => {
    const sb = await startAmo();
    const mapping = JSON.stringify({ statuses: { NEGOTIATION: { pipelineId: 1, statusId: 2 } } });
    const t = await createTestApp(
      amoEnv(sb, { AMO_MAPPING_JSON: mapping, SYNC_POLL_INTERVAL_MS: '200' }),
    );
    try {
      const server = t.app.getHttpServer() as App;
      await truncateAll(t.dataSource);
      await connectAmo(server, sb);
      const problems = (
        await request(server).get('/api/integrations/amo-crm/mapping').set(admin).expect(200)
      ).body.problems;
      expect(problems).toEqual([expect.stringContaining('NEGOTIATION')]);
      const property = await createProperty(server);
      const { id } = (
        await request(server).post('/api/leads').send(leadBody(property.id)).expect(201)
      ).body;
      const idle = async () =>
        (
          await t.dataSource.query(
            `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE state <> 'DONE'`,
          )
        )[0].n === 0;
      await eventually(idle);
      sb.resetLog();
      await request(server)
        .patch(`/api/leads/${id}/status`)
        .set(admin)
        .send({ status: 'NEGOTIATION' })
        .expect(200);
      await eventually(idle);
      const lead = (await request(server).get(`/api/leads/${id}`).set(admin)).body;
      expect(lead.status).toBe('NEGOTIATION');
      expect(lead.sync.error).toContain('not mapped');
      expect(sb.requestLog().filter((r) => r.method === 'PATCH')).toEqual([]);
      expect(sb.leads().find((l) => l.id === lead.amoLeadId)?.status_id).toBe(
        F.stages.firstContact,
      );
    } finally {
      await t.close();
      await sb.stop();
    }
  });
});

describe('Outbound sync when amoCRM blocks API access', () => {
  it('pauses all sync, keeps the jobs and reports the pause in the sync view', async () => {
    const sb = await startAmo();
    const t = await createTestApp(amoEnv(sb, { SYNC_POLL_INTERVAL_MS: '200' }));
    try {
      const server = t.app.getHttpServer() as App;
      await truncateAll(t.dataSource);
      await connectAmo(server, sb);
      const property = await createProperty(server);
      sb.setBlocked(true);
      await request(server).post('/api/leads').send(leadBody(property.id)).expect(201);
      await eventually(
        async () =>
          (await request(server).get('/api/integrations/amo-crm/sync').set(admin)).body.paused !==
          null,
      );
      const view = (await request(server).get('/api/integrations/amo-crm/sync').set(admin)).body;
      expect(view.paused.reason).toContain('403');
      expect(new Date(view.paused.until).getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
      expect(view.jobs).toMatchObject({ PENDING: 1, DEAD: 0 });
      const requestsWhilePaused = sb.requestLog().length;
      await new Promise((r) => setTimeout(r, 600));
      expect(sb.requestLog().length).toBe(requestsWhilePaused);
    } finally {
      await t.close();
      await sb.stop();
    }
  });
});
