import { SANDBOX_FIXTURES as F, startSandbox, type AmoSandbox } from './index';
import { WebhookReceiver, call, client, connect, formValue } from './spec-helpers';

const form = (over: Record<string, unknown> = {}, lead: Record<string, unknown> = {}) => ({
  source_uid: 'lead-1',
  source_name: 'Property site',
  pipeline_id: F.mainPipelineId,
  metadata: {
    form_id: 'lead-form',
    form_name: 'Lead form',
    form_page: 'https://flats.example/7',
    form_sent_at: 1767000000,
    ip: '203.0.113.7',
    referer: 'https://yandex.ru/',
  },
  _embedded: {
    leads: [
      {
        name: 'Lead #1',
        price: 100,
        custom_fields_values: [{ field_code: 'UTM_SOURCE', values: [{ value: 'yandex' }] }],
        _embedded: { tags: [{ name: 'site' }] },
        ...lead,
      },
    ],
    contacts: [
      {
        name: 'Ivan',
        custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+79990001122' }] }],
      },
    ],
  },
  request_id: 'r-1',
  ...over,
});

describe('sandbox incoming leads (unsorted forms)', () => {
  let sb: AmoSandbox;
  let api: ReturnType<typeof client>;
  let hooks: WebhookReceiver;

  beforeEach(async () => {
    sb = await startSandbox({ rateLimitPerSecond: 1000 });
    api = client(sb, (await connect(sb)).access);
    hooks = await WebhookReceiver.start();
    const sub = await api.post('/api/v4/webhooks', {
      destination: hooks.url,
      settings: ['add_unsorted', 'delete_unsorted', 'status_lead', 'delete_lead', 'add_lead'],
    });
    expect(sub.status).toBe(201);
  });
  afterEach(async () => {
    await sb.stop();
    await hooks.stop();
  });

  async function createEntry(): Promise<{ uid: string; leadId: number; contactId: number }> {
    const res = await api.post('/api/v4/leads/unsorted/forms', [form()]);
    expect(res.status).toBe(200);
    const entry = res.json._embedded.unsorted[0];
    return {
      uid: entry.uid as string,
      leadId: entry._embedded.leads[0].id as number,
      contactId: entry._embedded.contacts[0].id as number,
    };
  }

  it('creates an entry whose lead sits in the incoming stage, and fires unsorted[add] only', async () => {
    const res = await api.post('/api/v4/leads/unsorted/forms', [form()]);
    expect(res.json).toMatchObject({
      _total_items: 1,
      _embedded: { unsorted: [{ request_id: 'r-1', account_id: sb.accountId }] },
    });
    const { uid, leadId } = {
      uid: res.json._embedded.unsorted[0].uid as string,
      leadId: res.json._embedded.unsorted[0]._embedded.leads[0].id as number,
    };
    expect(uid).toMatch(/^[0-9a-f]{40}$/);
    const lead = sb.leads().find((l) => l.id === leadId);
    expect(lead).toMatchObject({ status_id: F.unsortedStatusId, pipeline_id: F.mainPipelineId });
    expect(lead?.custom_fields_values?.[0]).toMatchObject({ field_code: 'UTM_SOURCE' });
    await sb.flushWebhooks();
    expect(hooks.hits).toHaveLength(1);
    expect(formValue(hooks.hits[0].body, 'unsorted[add][0][uid]')).toBe(uid);
    expect(formValue(hooks.hits[0].body, 'unsorted[add][0][data][leads][0][id]')).toBe(
      String(leadId),
    );
    expect(formValue(hooks.hits[0].body, 'leads[add][0][id]')).toBeNull();
    expect(sb.incomingLeads()[0].metadata).toEqual(form().metadata);
  });

  it('lists waiting entries with filter[uid], filter[category] and filter[pipeline_id]', async () => {
    const { uid } = await createEntry();
    await createEntry();
    const all = await api.get('/api/v4/leads/unsorted');
    expect(all.json._embedded.unsorted).toHaveLength(2);
    const one = await api.get(`/api/v4/leads/unsorted?filter[uid]=${uid}`);
    expect(one.json._embedded.unsorted.map((e: { uid: string }) => e.uid)).toEqual([uid]);
    expect(one.json._embedded.unsorted[0].metadata.form_id).toBe('lead-form');
    const forms = await api.get('/api/v4/leads/unsorted?filter[category][]=forms');
    expect(forms.json._embedded.unsorted).toHaveLength(2);
    expect((await api.get('/api/v4/leads/unsorted?filter[category][]=sip')).status).toBe(204);
    const other = await api.get(`/api/v4/leads/unsorted?filter[pipeline_id]=${F.secondPipelineId}`);
    expect(other.status).toBe(204);
  });

  it.each([
    ['a {data: [...]} wrapper', { data: [form()] }, 'FieldMissing', ''],
    ['no source_uid', [form({ source_uid: undefined })], 'NotBlank', 'source_uid'],
    ['no source_name', [form({ source_name: '' })], 'NotBlank', 'source_name'],
    ['no metadata', [form({ metadata: undefined })], 'NotBlank', 'metadata'],
    [
      'no form_page',
      [form({ metadata: { form_id: 'f', form_name: 'n', form_sent_at: 1 } })],
      'NotBlank',
      'metadata.form_page',
    ],
    ['an unknown pipeline', [form({ pipeline_id: 1 })], 'NotSupportedChoice', 'pipeline_id'],
    [
      'two leads',
      [form({ _embedded: { leads: [{ name: 'a' }, { name: 'b' }] } })],
      'CountTooMany',
      '_embedded.leads',
    ],
    ['no lead', [form({ _embedded: { leads: [] } })], 'NotBlank', '_embedded.leads'],
    [
      'a stage on the lead',
      [form({}, { status_id: F.stages.firstContact })],
      'NotSupportedChoice',
      '_embedded.leads.0.status_id',
    ],
    ['a bad lead field', [form({}, { price: 'x' })], 'InvalidType', '_embedded.leads.0.price'],
  ])('refuses %s with a 400', async (_what, body, code, path) => {
    const res = await api.post('/api/v4/leads/unsorted/forms', body);
    expect(res.status).toBe(400);
    const errors = res.json['validation-errors'][0].errors as { code: string; path: string }[];
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ code, path })]));
    expect(sb.incomingLeads()).toHaveLength(0);
  });

  it('refuses notes and stage changes on a waiting entry, allows them after acceptance', async () => {
    const { uid, leadId } = await createEntry();
    const note = { entity_id: leadId, note_type: 'common', params: { text: 'hi' } };
    const refused = await api.post('/api/v4/leads/notes', [note]);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain('incoming leads');
    const move = await api.patch('/api/v4/leads', [
      { id: leadId, status_id: F.stages.negotiation },
    ]);
    expect(move.status).toBe(400);
    const single = await api.patch(`/api/v4/leads/${leadId}`, { status_id: F.stages.negotiation });
    expect(single.status).toBe(400);

    const accepted = await api.post(`/api/v4/leads/unsorted/${uid}/accept`, {
      status_id: F.stages.viewingScheduled,
    });
    expect(accepted.status).toBe(200);
    expect(sb.leads().find((l) => l.id === leadId)?.status_id).toBe(F.stages.viewingScheduled);
    expect((await api.post('/api/v4/leads/notes', [note])).status).toBe(200);
    expect(
      (await api.patch('/api/v4/leads', [{ id: leadId, status_id: F.stages.negotiation }])).status,
    ).toBe(200);
    expect(sb.incomingLeads()).toHaveLength(0);
    expect((await api.get(`/api/v4/leads/unsorted?filter[uid]=${uid}`)).status).toBe(204);
  });

  it('a manager accepting sends unsorted[delete] with accept and the lead status change', async () => {
    const { uid, leadId } = await createEntry();
    await sb.flushWebhooks();
    hooks.hits.length = 0;
    const res = await call(sb.url, 'POST', `/_sandbox/unsorted/${uid}/accept`, { body: {} });
    expect(res.status).toBe(200);
    await sb.flushWebhooks();
    const bodies = hooks.hits.map((h) => h.body).join('&');
    expect(formValue(bodies, 'unsorted[delete][0][action]')).toBe('accept');
    expect(formValue(bodies, 'unsorted[delete][0][accept_result][leads][0]')).toBe(String(leadId));
    expect(formValue(bodies, 'leads[status][0][id]')).toBe(String(leadId));
    expect(formValue(bodies, 'leads[status][0][status_id]')).toBe(String(F.stages.firstContact));
    expect(formValue(bodies, 'leads[status][0][old_status_id]')).toBe(String(F.unsortedStatusId));
  });

  it('a manager declining deletes the lead and sends unsorted[delete] with decline', async () => {
    const { uid, leadId } = await createEntry();
    await sb.flushWebhooks();
    hooks.hits.length = 0;
    expect((await call(sb.url, 'POST', `/_sandbox/unsorted/${uid}/decline`)).status).toBe(200);
    await sb.flushWebhooks();
    const bodies = hooks.hits.map((h) => h.body).join('&');
    expect(formValue(bodies, 'unsorted[delete][0][action]')).toBe('decline');
    expect(formValue(bodies, 'leads[delete][0][id]')).toBe(String(leadId));
    expect(sb.leads().some((l) => l.id === leadId)).toBe(false);
    expect((await api.delete(`/api/v4/leads/unsorted/${uid}/decline`)).status).toBe(404);
  });

  it('declines through the API with DELETE, and refuses accepting into the incoming stage', async () => {
    const { uid } = await createEntry();
    const bad = await api.post(`/api/v4/leads/unsorted/${uid}/accept`, {
      status_id: F.unsortedStatusId,
    });
    expect(bad.status).toBe(400);
    expect((await api.delete(`/api/v4/leads/unsorted/${uid}/decline`, {})).status).toBe(200);
    expect(sb.incomingLeads()).toHaveLength(0);
  });
});
