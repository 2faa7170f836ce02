import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox, SANDBOX_FIXTURES } from '../sandbox';
import { AmoReconciliationService } from '../src/amo-crm/inbound/amo-reconciliation.service';
import { AmoWebhookWorker } from '../src/amo-crm/inbound/amo-webhook.worker';
import { connectAmo, startAmoApp, stopAmoApp } from './helpers/amo';
import { admin, createProperty, leadBody } from './helpers/factories';
import { TestApp, truncateAll } from './helpers/test-app';
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

interface ApiLead {
  id: string;
  number: number;
  status: string;
  amoLeadId: number | null;
  incoming: { uid: string | null; state: string } | null;
  sync: { state: string; error: string | null };
}

describe('Incoming-leads mode (AMO_LEAD_TARGET=incoming)', () => {
  let sb: AmoSandbox;
  let t: TestApp & { url: string };
  let server: App;
  let propertyId: string;

  const getLead = async (id: string): Promise<ApiLead> =>
    (await request(server).get(`/api/leads/${id}`).set(admin).expect(200)).body as ApiLead;
  const openJobs = async (leadId: string) =>
    t.dataSource.query<{ kind: string; state: string; last_error: string | null }[]>(
      `SELECT kind, state, last_error FROM amo_sync_jobs WHERE lead_id = $1 AND state <> 'DONE' ORDER BY id`,
      [leadId],
    );
  const settle = async () => {
    await sb.flushWebhooks();
    await t.app.get(AmoWebhookWorker).idle();
  };
  /** Posts a lead and waits until it waits in amoCRM's incoming leads. */
  const postWaiting = async (extra: Record<string, unknown> = {}): Promise<ApiLead> => {
    const { id } = (
      await request(server).post('/api/leads').send(leadBody(propertyId, extra)).expect(201)
    ).body as ApiLead;
    // the entry's state is written just before the create is recorded: wait for both
    await eventually(async () => {
      const l = await getLead(id);
      return l.incoming?.state === 'WAITING' && l.amoLeadId !== null && l.sync.state === 'SYNCED';
    });
    return getLead(id);
  };
  const entryOf = (lead: ApiLead) => sb.incomingLeads().find((e) => e.uid === lead.incoming?.uid);

  beforeAll(async () => {
    ({ sb, t, server } = await startAmoApp({
      listen: true,
      env: {
        AMO_LEAD_TARGET: 'incoming',
        AMO_MAPPING_JSON: MAPPING,
        SYNC_POLL_INTERVAL_MS: '200',
        SYNC_INCOMING_RECHECK_MS: '200',
        SYNC_BACKOFF_BASE_MS: '50',
        SYNC_BACKOFF_CAP_MS: '300',
        AMO_RECONCILE_INTERVAL_MS: '0',
      },
    }));
  });
  afterAll(async () => stopAmoApp({ sb, t }));
  beforeEach(async () => {
    // the app's background passes may hold a lock a TRUNCATE deadlocks with: try again
    await eventually(async () => {
      await truncateAll(t.dataSource);
      return true;
    });
    await t.dataSource.query(`DELETE FROM amo_sync_state WHERE key = 'leads_reconciled_until'`);
    sb.clearFaults();
    await connectAmo(server, sb);
    sb.resetLog();
    propertyId = (await createProperty(server, { title: 'Loft on Arbat', price: 9_000_000 })).id;
  });

  it('sends a new lead as an incoming entry with form metadata, tracking fields, tags and contact', async () => {
    const lead = await postWaiting({
      guestName: 'Ivan',
      guestPhone: '+7 912 345-67-89',
      tracking: { utmSource: 'yandex', referrer: 'https://ya.ru/', gclid: 'g-1' },
      pageUrl: 'https://flats.example/loft',
    });
    expect(lead.sync.state).toBe('SYNCED');
    expect(lead.incoming?.uid).toMatch(/^[0-9a-f]{40}$/);
    const entry = entryOf(lead);
    expect(entry).toMatchObject({
      source_uid: lead.id,
      source_name: 'Property site',
      pipeline_id: F.mainPipelineId,
      leadId: lead.amoLeadId,
      metadata: {
        form_id: 'lead-form',
        form_name: 'Property site lead form',
        form_page: 'https://flats.example/loft',
        ip: '127.0.0.1',
        referer: 'https://ya.ru/',
        form_sent_at: expect.any(Number),
      },
    });
    const amoLead = sb.leads().find((l) => l.id === lead.amoLeadId)!;
    expect(amoLead).toMatchObject({
      name: `Lead #${lead.number} - Loft on Arbat`,
      price: 9_000_000,
      status_id: F.unsortedStatusId,
    });
    const codes = Object.fromEntries(
      (amoLead.custom_fields_values ?? [])
        .filter((f) => f.field_code)
        .map((f) => [f.field_code, f.values[0].value]),
    );
    expect(codes).toMatchObject({
      UTM_SOURCE: 'yandex',
      UTM_REFERRER: 'https://ya.ru/',
      GCLID: 'g-1',
    });
    expect(amoLead._embedded?.tags?.map((x) => x.name)).toEqual(['site']);
    const contact = sb.contacts().find((c) => c.id === entry?.contactId);
    expect(contact?.name).toBe('Ivan');
    // the comment waits: amoCRM takes no notes on an incoming lead
    expect(sb.notes().filter((n) => n.entity_id === lead.amoLeadId)).toHaveLength(0);
    await eventually(async () =>
      (await openJobs(lead.id)).some((j) => j.kind === 'NOTE' && j.last_error?.includes('accept')),
    );
  });

  it('follows a manager accepting into a stage, then adds the comment as a note', async () => {
    const lead = await postWaiting();
    sb.acceptIncoming(lead.incoming!.uid!, { statusId: F.stages.viewingScheduled });
    await settle();
    await eventually(async () => (await getLead(lead.id)).incoming?.state === 'ACCEPTED');
    expect((await getLead(lead.id)).status).toBe('VIEWING_SCHEDULED');
    await eventually(() => sb.notes().filter((n) => n.entity_id === lead.amoLeadId).length === 1);
    expect(sb.notes().find((n) => n.entity_id === lead.amoLeadId)?.params?.text).toContain(
      'Is the flat still available?',
    );
  });

  it('applies a status set here while the lead waited once a manager accepts it', async () => {
    const lead = await postWaiting();
    await request(server)
      .patch(`/api/leads/${lead.id}/status`)
      .set(admin)
      .send({ status: 'NEGOTIATION' })
      .expect(200);
    // queued behind the comment's note, which waits for acceptance
    await eventually(async () => {
      const jobs = await openJobs(lead.id);
      return jobs.some((j) => j.kind === 'STATUS') && !!jobs[0].last_error?.includes('accept');
    });
    expect(sb.requestLog().filter((r) => r.method === 'PATCH')).toHaveLength(0);

    sb.acceptIncoming(lead.incoming!.uid!); // into the first stage
    await settle();
    const mapping = (
      await request(server).get('/api/integrations/amo-crm/mapping').set(admin).expect(200)
    ).body as { statuses: Record<string, { statusId: number }> };
    const negotiation = mapping.statuses.NEGOTIATION.statusId;
    expect(negotiation).not.toBe(F.stages.firstContact);
    await eventually(
      () => sb.leads().find((l) => l.id === lead.amoLeadId)?.status_id === negotiation,
    );
    const after = await getLead(lead.id);
    expect(after).toMatchObject({ status: 'NEGOTIATION', incoming: { state: 'ACCEPTED' } });
    await eventually(async () => (await openJobs(lead.id)).length === 0);
  });

  it('marks a lead a manager declined as LOST and drops its queued changes', async () => {
    const lead = await postWaiting();
    sb.declineIncoming(lead.incoming!.uid!);
    await settle();
    await eventually(async () => (await getLead(lead.id)).incoming?.state === 'DECLINED');
    const after = await getLead(lead.id);
    expect(after.status).toBe('LOST');
    expect(after.sync.error).toBe('declined in amoCRM incoming leads');
    await eventually(async () => (await openJobs(lead.id)).length === 0);
    expect(sb.notes().filter((n) => n.entity_id === lead.amoLeadId)).toHaveLength(0);
  });

  it('finds an acceptance whose webhook was lost by reconciliation', async () => {
    const lead = await postWaiting();
    const amoLead = sb.leads().find((l) => l.id === lead.amoLeadId)!;
    await eventually(() => Math.floor(Date.now() / 1000) > amoLead.updated_at);
    sb.suppressNextWebhooks(1);
    sb.acceptIncoming(lead.incoming!.uid!, { statusId: F.stages.negotiation });
    await settle();
    expect((await getLead(lead.id)).incoming?.state).toBe('WAITING');
    await t.app.get(AmoReconciliationService).reconcileNow();
    await t.app.get(AmoWebhookWorker).idle();
    expect(await getLead(lead.id)).toMatchObject({
      status: 'IN_PROGRESS',
      incoming: { state: 'ACCEPTED' },
    });
  });

  it('sends many new leads as one batch of incoming entries', async () => {
    const before = sb.incomingLeads().length;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push(
        (
          (await request(server).post('/api/leads').send(leadBody(propertyId)).expect(201))
            .body as ApiLead
        ).id,
      );
    }
    await eventually(async () => {
      const rows = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM leads WHERE amo_incoming_state = 'WAITING'`,
      );
      return rows[0].n === 12;
    });
    expect(sb.incomingLeads()).toHaveLength(before + 12);
    const posts = sb.requestLog().filter((r) => r.path === '/api/v4/leads/unsorted/forms');
    expect(posts.length).toBeLessThan(12);
  });

  it('refuses bad tracking with a 400 in this mode too', async () => {
    const res = await request(server)
      .post('/api/leads')
      .send(leadBody(propertyId, { tracking: { utmSource: 'x', campaign: 'y' } }))
      .expect(400);
    expect(res.body.message).toContain('tracking.campaign');
  });
});
