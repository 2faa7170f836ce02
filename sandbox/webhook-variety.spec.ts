import { SANDBOX_FIXTURES as F, startSandbox, type AmoSandbox } from './index';
import { call, client, connect, formPairs, formValue, WebhookReceiver } from './spec-helpers';

const SETTINGS = [
  'add_lead',
  'update_lead',
  'status_lead',
  'delete_lead',
  'restore_lead',
  'delete_contact',
];

describe('sandbox webhook variety from manager actions', () => {
  let sb: AmoSandbox;
  let receiver: WebhookReceiver;
  let api: ReturnType<typeof client>;

  beforeEach(async () => {
    sb = await startSandbox({ webhookRetryDelaysMs: [20, 20, 20, 20] });
    receiver = await WebhookReceiver.start();
    api = client(sb, (await connect(sb)).access);
    await api.post('/api/v4/webhooks', { destination: receiver.url, settings: SETTINGS });
  });
  afterEach(async () => {
    await sb.stop();
    await receiver.stop();
  });

  async function freshLead(body: object = { name: 'Flat', price: 100 }): Promise<number> {
    const id = (await api.post('/api/v4/leads', [body])).json._embedded.leads[0].id as number;
    await sb.flushWebhooks();
    receiver.hits.length = 0;
    return id;
  }

  async function only(): Promise<string> {
    await sb.flushWebhooks();
    expect(receiver.hits).toHaveLength(1);
    return receiver.hits[0]?.body ?? '';
  }

  it('sends leads[delete] with id, status and pipeline, and the lead is gone from the API', async () => {
    const id = await freshLead();
    expect((await call(sb.url, 'DELETE', `/_sandbox/leads/${id}`)).status).toBe(204);
    const body = await only();
    expect(formPairs(body).slice(0, 3)).toEqual([
      ['leads[delete][0][id]', String(id)],
      ['leads[delete][0][status_id]', String(F.stages.firstContact)],
      ['leads[delete][0][pipeline_id]', String(F.mainPipelineId)],
    ]);
    expect((await api.get(`/api/v4/leads/${id}`)).status).toBe(204);
    expect((await call(sb.url, 'DELETE', `/_sandbox/leads/${id}`)).status).toBe(404);
  });

  it('sends leads[restore] with the full item and the lead is back', async () => {
    const id = await freshLead();
    await call(sb.url, 'DELETE', `/_sandbox/leads/${id}`);
    await sb.flushWebhooks();
    receiver.hits.length = 0;
    const res = await call(sb.url, 'POST', `/_sandbox/leads/${id}/restore`);
    expect(res.status).toBe(200);
    const body = await only();
    expect(formValue(body, 'leads[restore][0][id]')).toBe(String(id));
    expect(formValue(body, 'leads[restore][0][name]')).toBe('Flat');
    expect((await api.get(`/api/v4/leads/${id}`)).status).toBe(200);
    expect((await call(sb.url, 'POST', `/_sandbox/leads/${id}/restore`)).status).toBe(404);
  });

  it('sends a Digital Pipeline hook once: account block first, minimal fields, no timestamps', async () => {
    const id = await freshLead();
    receiver.respond = () => ({ status: 500 });
    const res = await call(sb.url, 'POST', `/_sandbox/leads/${id}/digital-pipeline`, {
      body: { statusId: F.secondStages.inProgress, pipelineId: F.secondPipelineId },
    });
    expect(res.status).toBe(200);
    await sb.flushWebhooks();
    const dp = receiver.hits.filter((h) => h.body.startsWith('account'));
    expect(dp).toHaveLength(1);
    expect(formPairs(dp[0]?.body ?? '')).toEqual([
      ['account[id]', String(sb.accountId)],
      ['account[subdomain]', 'sandbox'],
      ['leads[status][0][id]', String(id)],
      ['leads[status][0][status_id]', String(F.secondStages.inProgress)],
      ['leads[status][0][pipeline_id]', String(F.secondPipelineId)],
      ['leads[status][0][old_status_id]', String(F.stages.firstContact)],
      ['leads[status][0][old_pipeline_id]', String(F.mainPipelineId)],
    ]);
    const bad = await call(sb.url, 'POST', `/_sandbox/leads/${id}/digital-pipeline`, { body: {} });
    expect(bad.status).toBe(400);
  });

  it('adds old_pipeline_id when a lead changes pipeline, and not otherwise', async () => {
    const id = await freshLead();
    sb.moveLead(id, { statusId: F.stages.negotiation });
    expect(formValue(await only(), 'leads[status][0][old_pipeline_id]')).toBeNull();
    receiver.hits.length = 0;
    sb.moveLead(id, { statusId: F.secondStages.newRequest, pipelineId: F.secondPipelineId });
    const body = await only();
    expect(formValue(body, 'leads[status][0][old_pipeline_id]')).toBe(String(F.mainPipelineId));
    expect(formValue(body, 'leads[status][0][pipeline_id]')).toBe(String(F.secondPipelineId));
  });

  it('sends the old subdomain-only account block when switched to it', async () => {
    const id = await freshLead();
    await call(sb.url, 'POST', '/_sandbox/settings', {
      body: { webhookAccountBlock: 'subdomain-only' },
    });
    sb.updateLead(id, { name: 'Renamed' });
    const keys = formPairs(await only()).map(([k]) => k);
    expect(keys.filter((k) => k.startsWith('account'))).toEqual(['account[subdomain]']);
    expect(keys[keys.length - 1]).toBe('account[subdomain]');
  });

  it('puts a date field value at values[0] itself, and url/textarea values under [value]', async () => {
    const id = await freshLead();
    const lf = F.leadFields;
    const res = await call(sb.url, 'PATCH', `/_sandbox/leads/${id}`, {
      body: {
        customFields: [
          { field_id: lf.viewingDate, values: [{ value: 1767225600 }] },
          { field_id: lf.listingUrl, values: [{ value: 'https://example.com/1' }] },
          { field_id: lf.managerNotes, values: [{ value: 'call\nback' }] },
        ],
      },
    });
    expect(res.status).toBe(200);
    const pairs = formPairs(await only()).filter(([k]) =>
      k.startsWith('leads[update][0][custom_fields]'),
    );
    expect(pairs).toEqual([
      ['leads[update][0][custom_fields][0][id]', String(lf.viewingDate)],
      ['leads[update][0][custom_fields][0][name]', 'Дата показа'],
      ['leads[update][0][custom_fields][0][values][0]', '1767225600'],
      ['leads[update][0][custom_fields][1][id]', String(lf.listingUrl)],
      ['leads[update][0][custom_fields][1][name]', 'Ссылка на объявление'],
      ['leads[update][0][custom_fields][1][values][0][value]', 'https://example.com/1'],
      ['leads[update][0][custom_fields][2][id]', String(lf.managerNotes)],
      ['leads[update][0][custom_fields][2][name]', 'Заметки менеджера'],
      ['leads[update][0][custom_fields][2][values][0][value]', 'call\nback'],
    ]);
    const bad = await call(sb.url, 'PATCH', `/_sandbox/leads/${id}`, {
      body: { customFields: [{ field_id: lf.viewingDate, values: [{ value: 'soon' }] }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('customFields.0.values.0.value');
  });

  it('sends a lead without a price as price= (empty) while the API reads 0', async () => {
    const id = await freshLead();
    const res = await call(sb.url, 'PATCH', `/_sandbox/leads/${id}`, { body: { price: null } });
    expect(res.status).toBe(200);
    expect(res.json.price).toBe(0);
    const body = await only();
    expect(body).toContain('leads%5Bupdate%5D%5B0%5D%5Bprice%5D=&');
    expect(formValue(body, 'leads[update][0][price]')).toBe('');
  });

  it('delivers a value containing a NUL character as %00', async () => {
    const id = await freshLead();
    await call(sb.url, 'PATCH', `/_sandbox/leads/${id}`, { body: { name: 'Flat\u0000 2' } });
    const body = await only();
    expect(body).toContain('leads%5Bupdate%5D%5B0%5D%5Bname%5D=Flat%00+2');
    expect(formValue(body, 'leads[update][0][name]')).toBe('Flat\u0000 2');
  });

  it('sends contacts[delete] when a manager deletes or merges away a contact', async () => {
    const made = (
      await api.post('/api/v4/leads/complex', [
        { name: 'c', _embedded: { contacts: [{ first_name: 'A' }] } },
      ])
    ).json[0];
    await sb.flushWebhooks();
    receiver.hits.length = 0;
    await call(sb.url, 'DELETE', `/_sandbox/contacts/${made.contact_id}`);
    expect(formPairs(await only()).slice(0, 2)).toEqual([
      ['contacts[delete][0][id]', String(made.contact_id)],
      ['contacts[delete][0][type]', 'contact'],
    ]);
  });
});
