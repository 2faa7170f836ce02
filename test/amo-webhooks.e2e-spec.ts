import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox, SANDBOX_FIXTURES } from '../sandbox';
import { SyncDispatcherService } from '../src/amo-crm/outbound/sync-dispatcher.service';
import { AmoReconciliationService } from '../src/amo-crm/inbound/amo-reconciliation.service';
import { AmoWebhookWorker } from '../src/amo-crm/inbound/amo-webhook.worker';
import {
  amoEnv,
  connectAmo,
  postWebhook,
  startAmo,
  startAmoApp,
  stopAmoApp,
  TEST_WEBHOOK_SECRET,
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
const MAIN = String(F.mainPipelineId);
const ACCOUNT_ID = 31_000_077;

/** A status item shaped like amoCRM's current payloads, for a lead of the main pipeline. */
function statusItem(
  prefix: string,
  amoId: number,
  statusId: number,
  updatedAt: number,
): Record<string, string> {
  return {
    [`${prefix}[id]`]: String(amoId),
    [`${prefix}[name]`]: `Lead ${amoId}`,
    [`${prefix}[status_id]`]: String(statusId),
    [`${prefix}[old_status_id]`]: String(F.stages.firstContact),
    [`${prefix}[price]`]: '1000',
    [`${prefix}[responsible_user_id]`]: '9000001',
    [`${prefix}[last_modified]`]: String(updatedAt),
    [`${prefix}[modified_user_id]`]: '9000002',
    [`${prefix}[created_user_id]`]: '9000002',
    [`${prefix}[date_create]`]: String(updatedAt - 100),
    [`${prefix}[pipeline_id]`]: MAIN,
    [`${prefix}[account_id]`]: String(ACCOUNT_ID),
    [`${prefix}[created_at]`]: String(updatedAt - 100),
    [`${prefix}[updated_at]`]: String(updatedAt),
  };
}

const account = (id: number = ACCOUNT_ID) => ({
  'account[subdomain]': 'sandbox',
  'account[id]': String(id),
  'account[_links][self]': 'https://sandbox.amocrm.ru',
});

describe('amoCRM webhooks (inbound sync)', () => {
  let sb: AmoSandbox;
  let t: TestApp & { url: string };
  let server: App;
  let propertyId: string;
  let nextAmoId = 91_000_000;

  const worker = () => t.app.get(AmoWebhookWorker);
  const settle = async () => {
    await sb.flushWebhooks();
    await worker().idle();
  };
  interface LeadRow {
    id: string;
    status: string;
    source: string;
    guest_name: string;
    amo_updated_at: string | null;
    sync_error: string | null;
  }
  const leadRow = async (amoId: number): Promise<LeadRow> =>
    (
      await t.dataSource.query<LeadRow[]>(
        `SELECT id, status, source, guest_name, amo_updated_at, sync_error FROM leads WHERE amo_lead_id = $1`,
        [amoId],
      )
    )[0];
  const inbox = async () =>
    t.dataSource.query<{ entity: string; action: string; state: string; outcome: string | null }[]>(
      `SELECT entity, action, state, outcome, last_error FROM amo_webhook_events ORDER BY id`,
    );
  /** A local site lead already linked to an (invented) amoCRM lead. */
  const linkedLead = async (status = 'NEW'): Promise<number> => {
    const amoId = ++nextAmoId;
    await t.dataSource.query(
      `INSERT INTO leads (property_id, guest_name, contact_method, contact_time, status, source, amo_lead_id, sync_state)
       VALUES ($1, 'Guest', 'PHONE', 'ANY_TIME', $2, 'SITE', $3, 'SYNCED')`,
      [propertyId, status, amoId],
    );
    return amoId;
  };

  beforeAll(async () => {
    ({ sb, t, server } = await startAmoApp({
      sandbox: { accountId: ACCOUNT_ID },
      listen: true,
      env: {
        AMO_MAPPING_JSON: MAPPING,
        SYNC_POLL_INTERVAL_MS: '200',
        SYNC_BACKOFF_BASE_MS: '50',
        SYNC_BACKOFF_CAP_MS: '300',
        AMO_RECONCILE_INTERVAL_MS: '0',
      },
    }));
  });
  afterAll(async () => stopAmoApp({ sb, t }));
  beforeEach(async () => {
    await truncateAll(t.dataSource);
    await t.dataSource.query(`DELETE FROM amo_sync_state WHERE key = 'leads_reconciled_until'`);
    sb.clearFaults();
    await connectAmo(server, sb);
    sb.resetLog();
    propertyId = (await createProperty(server, { title: 'Loft on Arbat' })).id;
  });

  it('registers the webhook with the secret and the lead events on connect', () => {
    const hooks = sb.webhooks().filter((h) => h.destination.startsWith(t.url));
    expect(hooks).toHaveLength(1);
    expect(hooks[0].destination).toBe(
      `${t.url}/api/integrations/amo-crm/webhook?secret=${TEST_WEBHOOK_SECRET}`,
    );
    expect(hooks[0].disabled).toBe(false);
    expect(hooks[0].settings.sort()).toEqual(
      ['add_lead', 'delete_lead', 'restore_lead', 'status_lead', 'update_lead'].sort(),
    );
  });

  it('applies the old format without account[id], checked by subdomain', async () => {
    const amoId = await linkedLead();
    const item = statusItem('leads[status][0]', amoId, F.stages.viewingScheduled, 1_456_820_780);
    delete item['leads[status][0][updated_at]'];
    delete item['leads[status][0][created_at]'];
    await postWebhook(server, { ...item, 'account[subdomain]': 'sandbox' }).expect(200);
    await worker().idle();
    expect(await leadRow(amoId)).toMatchObject({
      status: 'VIEWING_SCHEDULED',
      amo_updated_at: '1456820780',
    });
  });

  it('applies a current-format batch of several status items, every one of them', async () => {
    const ids = [await linkedLead(), await linkedLead(), await linkedLead()];
    const stages = [F.stages.decision, 142, 143];
    const body = Object.assign(
      {},
      ...ids.map((id, i) => statusItem(`leads[status][${i}]`, id, stages[i], 1_726_572_758)),
      account(),
    ) as Record<string, string>;
    const res = await postWebhook(server, body).expect(200);
    expect(res.body).toEqual({ received: 3, stored: 3 });
    await worker().idle();
    expect((await Promise.all(ids.map(leadRow))).map((l) => l.status)).toEqual([
      'NEGOTIATION',
      'WON',
      'LOST',
    ]);
  });

  it('applies a minimal Digital Pipeline status hook that carries no timestamp', async () => {
    const amoId = await linkedLead();
    await postWebhook(
      server,
      `leads[status][0][id]=${amoId}&leads[status][0][status_id]=142&leads[status][0][pipeline_id]=${MAIN}` +
        `&leads[status][0][old_status_id]=${F.stages.firstContact}&leads[status][0][old_pipeline_id]=${MAIN}` +
        `&account[id]=${sb.accountId}&account[subdomain]=sandbox`,
    ).expect(200);
    await worker().idle();
    expect(await leadRow(amoId)).toMatchObject({ status: 'WON', amo_updated_at: null });
  });

  it('creates a local AMO_CRM lead from leads[add] with custom fields, the date quirk, tags and an empty name', async () => {
    const amoId = ++nextAmoId;
    await postWebhook(server, {
      ...statusItem('leads[add][0]', amoId, F.stages.viewingScheduled, 1_700_000_100),
      'leads[add][0][name]': '',
      'leads[add][0][tags][0][id]': '60000001',
      'leads[add][0][tags][0][name]': 'vip',
      'leads[add][0][custom_fields][0][id]': '8000006',
      'leads[add][0][custom_fields][0][name]': 'Viewing date',
      'leads[add][0][custom_fields][0][values][0]': '1700000000',
      'leads[add][0][custom_fields][1][id]': String(F.leadFields.contactMethod.id),
      'leads[add][0][custom_fields][1][name]': 'Contact method',
      'leads[add][0][custom_fields][1][values][0][value]': 'EMAIL',
      'leads[add][0][custom_fields][1][values][0][enum]': String(
        F.leadFields.contactMethod.enums.EMAIL,
      ),
      ...account(),
    }).expect(200);
    await worker().idle();
    const lead = (
      await request(server)
        .get(`/api/leads/${(await leadRow(amoId)).id}`)
        .set(admin)
    ).body;
    expect(lead).toMatchObject({
      guestName: `amoCRM lead ${amoId}`,
      status: 'VIEWING_SCHEDULED',
      contactMethod: 'EMAIL',
      contactTime: 'ANY_TIME',
      amoLeadId: amoId,
    });
    expect((await leadRow(amoId)).source).toBe('AMO_CRM');
    expect(lead.sync.state).toBe('SYNCED');
  });

  it('acknowledges a contacts event and records it as ignored', async () => {
    await postWebhook(server, {
      'contacts[update][0][id]': '30000001',
      'contacts[update][0][name]': 'Ivan',
      'contacts[update][0][type]': 'contact',
      'contacts[update][0][custom_fields][0][id]': '8000101',
      'contacts[update][0][custom_fields][0][code]': 'PHONE',
      'contacts[update][0][custom_fields][0][values][0][value]': '+79123456789',
      'contacts[update][0][linked_leads_id][20000001][ID]': '20000001',
      'contacts[update][0][last_modified]': '1700000000',
      ...account(),
    }).expect(200);
    await worker().idle();
    expect(await inbox()).toEqual([
      expect.objectContaining({ entity: 'contacts', action: 'update', state: 'IGNORED' }),
    ]);
    expect(await t.dataSource.query(`SELECT 1 FROM leads WHERE source = 'AMO_CRM'`)).toHaveLength(
      0,
    );
  });

  it('stores and applies the same body sent five times once', async () => {
    const amoId = await linkedLead();
    const body = { ...statusItem('leads[status][0]', amoId, 142, 1_700_000_200), ...account() };
    for (let i = 0; i < 5; i++) await postWebhook(server, body).expect(200);
    await worker().idle();
    const rows = await inbox();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'DONE', outcome: 'status NEW → WON' });
    expect(await leadRow(amoId)).toMatchObject({ status: 'WON', amo_updated_at: '1700000200' });
  });

  it('applies the rest of a batch when one event in it fails, and retries that one', async () => {
    const good = await linkedLead();
    const poisoned = await linkedLead();
    // the database refuses any change to one lead, as a broken row or constraint would
    await t.dataSource.query(`
      CREATE FUNCTION refuse_poisoned_lead() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.amo_lead_id = ${poisoned} THEN RAISE EXCEPTION 'refused for the test'; END IF;
        RETURN NEW;
      END $$`);
    await t.dataSource.query(
      `CREATE TRIGGER refuse_poisoned_lead BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION refuse_poisoned_lead()`,
    );
    try {
      const body = {
        ...statusItem('leads[status][0]', poisoned, 142, 1_700_000_300),
        ...statusItem('leads[status][1]', good, 142, 1_700_000_300),
        ...account(),
      };
      await postWebhook(server, body).expect(200);
      await eventually(async () => (await leadRow(good)).status === 'WON');
      const rows = await t.dataSource.query<
        { amo_id: string; state: string; last_error: string | null }[]
      >(`SELECT amo_id, state, last_error FROM amo_webhook_events ORDER BY amo_id`);
      expect(rows.find((r) => Number(r.amo_id) === good)?.state).toBe('DONE');
      const failed = rows.find((r) => Number(r.amo_id) === poisoned);
      expect(['PENDING', 'RUNNING']).toContain(failed?.state);
      expect(failed?.last_error).toContain('refused for the test');
      expect((await leadRow(poisoned)).status).toBe('NEW');
    } finally {
      await t.dataSource.query(`DROP TRIGGER IF EXISTS refuse_poisoned_lead ON leads`);
      await t.dataSource.query(`DROP FUNCTION IF EXISTS refuse_poisoned_lead()`);
    }
    await eventually(async () => (await leadRow(poisoned)).status === 'WON');
  });

  it('keeps the newest change when two events arrive in reverse order', async () => {
    const amoId = await linkedLead();
    await postWebhook(server, {
      ...statusItem('leads[status][0]', amoId, 142, 1_700_000_300),
      ...account(),
    }).expect(200);
    await worker().idle();
    await postWebhook(server, {
      ...statusItem('leads[status][0]', amoId, 143, 1_700_000_299),
      ...account(),
    }).expect(200);
    // and within one body, the older item listed after the newer one
    await postWebhook(server, {
      ...statusItem('leads[status][0]', amoId, F.stages.decision, 1_700_000_310),
      ...statusItem('leads[status][1]', amoId, 143, 1_700_000_305),
      ...account(),
    }).expect(200);
    await worker().idle();
    expect(await leadRow(amoId)).toMatchObject({
      status: 'NEGOTIATION',
      amo_updated_at: '1700000310',
    });
    // only the event older than an applied one is stale; the batch is applied oldest first
    expect((await inbox()).filter((r) => r.outcome?.startsWith('not newer'))).toHaveLength(1);
  });

  it('marks a lead deleted in amoCRM without losing anything, and restore undoes it', async () => {
    const amoId = await linkedLead('IN_PROGRESS');
    await postWebhook(server, { 'leads[delete][0][id]': String(amoId), ...account() }).expect(200);
    await worker().idle();
    expect(await leadRow(amoId)).toMatchObject({
      status: 'IN_PROGRESS',
      sync_error: 'deleted in amoCRM',
    });
    await postWebhook(server, {
      ...statusItem('leads[restore][0]', amoId, F.stages.decision, 1_700_000_400),
      ...account(),
    }).expect(200);
    await worker().idle();
    expect(await leadRow(amoId)).toMatchObject({ status: 'NEGOTIATION', sync_error: null });
  });

  it.each([
    [
      'a wrong secret',
      401,
      (b: Record<string, string>) => postWebhook(server, b, 'wrong-secret-wrong-secret'),
    ],
    [
      'no secret',
      401,
      (b: Record<string, string>) =>
        request(server)
          .post('/api/integrations/amo-crm/webhook')
          .type('form')
          .send(new URLSearchParams(b).toString()),
    ],
    [
      'a foreign account',
      403,
      (b: Record<string, string>) => postWebhook(server, { ...b, ...account(99) }),
    ],
    [
      'a foreign subdomain in the old format',
      403,
      (b: Record<string, string>) => {
        const rest: Record<string, string> = { ...b, 'account[subdomain]': 'intruder' };
        delete rest['account[id]'];
        return postWebhook(server, rest);
      },
    ],
    [
      'a malformed body',
      400,
      (b: Record<string, string>) =>
        postWebhook(server, `${new URLSearchParams(b).toString()}&leads[status][x][id]=1`),
    ],
    [
      'a nested JSON body',
      400,
      (b: Record<string, string>) =>
        request(server)
          .post('/api/integrations/amo-crm/webhook')
          .query({ secret: TEST_WEBHOOK_SECRET })
          .send({
            leads: { status: [{ id: Number(b['leads[status][0][id]']), status_id: 142 }] },
            account: { id: ACCOUNT_ID },
          }),
    ],
    [
      'an oversized body',
      413,
      (b: Record<string, string>) =>
        postWebhook(server, { ...b, 'leads[status][0][name]': 'x'.repeat(4_300_000) }),
    ],
    [
      'too many parameters',
      413,
      (b: Record<string, string>) => {
        const many: Record<string, string> = { ...b };
        for (let i = 0; i < 50_001; i++) many[`leads[update][0][f${i}]`] = '1';
        return postWebhook(server, many);
      },
    ],
  ])('refuses %s with %i and changes nothing', async (_name, status, send) => {
    const amoId = await linkedLead();
    const body = { ...statusItem('leads[status][0]', amoId, 142, 1_700_000_500), ...account() };
    const res = await send(body);
    expect(res.status).toBe(status);
    expect(JSON.stringify(res.body)).not.toContain(TEST_WEBHOOK_SECRET);
    await worker().idle();
    expect(await inbox()).toHaveLength(0);
    expect((await leadRow(amoId)).status).toBe('NEW');
  });

  it('follows a manager moving our lead in amoCRM and sends nothing back; our create echo adds no lead', async () => {
    const { id } = (await request(server).post('/api/leads').send(leadBody(propertyId)).expect(201))
      .body;
    await eventually(
      async () =>
        (await request(server).get(`/api/leads/${id}`).set(admin)).body.sync.state === 'SYNCED',
    );
    // the note follows the create in the same pass: let the pass finish before counting
    await t.app.get(SyncDispatcherService).idle();
    await settle();
    const amoId = (await request(server).get(`/api/leads/${id}`).set(admin)).body
      .amoLeadId as number;
    expect(await inbox()).toContainEqual(expect.objectContaining({ action: 'add', state: 'DONE' }));
    expect(await t.dataSource.query(`SELECT id FROM leads`)).toHaveLength(1);

    // amoCRM times are whole seconds: move in a later second than the create
    const created = sb.leads().find((l) => l.id === amoId)!.updated_at;
    await eventually(async () => Math.floor(Date.now() / 1000) > created);
    sb.resetLog();
    sb.moveLead(amoId, { statusId: F.stages.viewingScheduled });
    await settle();
    expect((await request(server).get(`/api/leads/${id}`).set(admin)).body.status).toBe(
      'VIEWING_SCHEDULED',
    );
    await new Promise((r) => setTimeout(r, 400));
    await t.app.get(SyncDispatcherService).idle();
    expect(sb.requestLog().filter((r) => r.method === 'PATCH' || r.method === 'POST')).toEqual([]);
    expect(
      await t.dataSource.query(`SELECT 1 FROM amo_sync_jobs WHERE state <> 'DONE'`),
    ).toHaveLength(0);
  });

  it('repairs a webhook amoCRM never delivered by reconciliation', async () => {
    const reconciliation = t.app.get(AmoReconciliationService);
    const amoLead = sb.createLead({ name: 'Walk-in client' });
    await settle();
    expect(await leadRow(amoLead.id)).toMatchObject({
      source: 'AMO_CRM',
      status: 'NEW',
      guest_name: 'Walk-in client',
    });

    await eventually(async () => Math.floor(Date.now() / 1000) > amoLead.updated_at);
    sb.suppressNextWebhooks(1);
    sb.moveLead(amoLead.id, { statusId: 142 });
    await settle();
    expect((await leadRow(amoLead.id)).status).toBe('NEW');

    const result = await reconciliation.reconcileNow();
    expect(result.fetched).toBeGreaterThanOrEqual(1);
    await worker().idle();
    expect((await leadRow(amoLead.id)).status).toBe('WON');
    expect(sb.requestLog().some((r) => r.method === 'GET' && r.path === '/api/v4/leads')).toBe(
      true,
    );
    // a second pull finds the same change already applied
    await reconciliation.reconcileNow();
    await worker().idle();
    expect((await leadRow(amoLead.id)).status).toBe('WON');
  });

  it('shows inbox counts and failures in the admin sync view', async () => {
    const amoId = await linkedLead();
    await postWebhook(server, {
      ...statusItem('leads[status][0]', amoId, 142, 1_700_000_600),
      'contacts[add][0][id]': '30000009',
      ...account(),
    }).expect(200);
    await worker().idle();
    const view = (
      await request(server).get('/api/integrations/amo-crm/sync').set(admin).expect(200)
    ).body;
    expect(view.inbox).toEqual({ PENDING: 0, RUNNING: 0, DONE: 1, IGNORED: 1, DEAD: 0 });
    expect(view.recentInboxFailures).toEqual([]);
    expect(view.jobs).toBeDefined();
  });
});

describe('amoCRM webhook receiver without the integration', () => {
  it('answers 503 with a clear message when amoCRM or the secret is not configured', async () => {
    const sb = await startAmo();
    const apps = [
      await createTestApp({}),
      await createTestApp(amoEnv(sb, { AMO_WEBHOOK_SECRET: undefined })),
    ];
    try {
      for (const app of apps) {
        const res = await postWebhook(app.app.getHttpServer(), {
          'leads[add][0][id]': '1',
          'account[id]': '1',
        });
        expect(res.status).toBe(503);
        expect(res.body.message).toMatch(/not configured/);
      }
    } finally {
      for (const app of apps) await app.close();
      await sb.stop();
    }
  });
});
