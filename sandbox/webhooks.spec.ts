import { SANDBOX_FIXTURES as F, startSandbox, type AmoSandbox, type SandboxOptions } from './index';
import { client, connect, formPairs, formValue, WebhookReceiver } from './spec-helpers';

const ALL = ['add_lead', 'update_lead', 'status_lead', 'note_lead', 'add_contact'];

describe('sandbox account webhooks', () => {
  let sb: AmoSandbox;
  let receiver: WebhookReceiver;
  let api: ReturnType<typeof client>;

  async function setup(opts: SandboxOptions = {}, settings = ALL): Promise<void> {
    sb = await startSandbox({ webhookRetryDelaysMs: [20, 20, 20, 20], ...opts });
    receiver = await WebhookReceiver.start();
    api = client(sb, (await connect(sb)).access);
    const res = await api.post('/api/v4/webhooks', { destination: receiver.url, settings });
    expect(res.status).toBe(201);
  }

  afterEach(async () => {
    await sb.stop();
    await receiver.stop();
  });

  async function leadViaApi(
    body: object = { name: 'Lead #1 - Flat', price: 5000000 },
  ): Promise<number> {
    const res = await api.post('/api/v4/leads', [body]);
    await sb.flushWebhooks();
    return res.json._embedded.leads[0].id as number;
  }

  it('posts a manager status change form-encoded with PHP bracket keys, string values and the account block', async () => {
    await setup();
    const id = await leadViaApi();
    receiver.hits.length = 0;

    const moved = sb.moveLead(id, { statusId: F.stages.viewingScheduled });
    expect(moved.status_id).toBe(F.stages.viewingScheduled);
    await sb.flushWebhooks();

    expect(receiver.hits).toHaveLength(1);
    const hit = receiver.hits[0];
    expect(hit?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(hit?.headers['user-agent']).toBe('amoCRM-WebHook-client/1.0');
    const body = hit?.body ?? '';
    expect(body).toContain('leads%5Bstatus%5D%5B0%5D%5Bid%5D=' + String(id));
    const pairs = formPairs(body);
    const keys = pairs.map(([k]) => k);
    for (const key of keys.slice(0, -3))
      expect(key).toMatch(/^leads\[(update|status)\]\[0\]\[[a-z_]+\]/);
    expect(keys.slice(-3)).toEqual(['account[subdomain]', 'account[id]', 'account[_links][self]']);
    expect(pairs.every(([, v]) => typeof v === 'string' && v !== 'undefined' && v !== 'null')).toBe(
      true,
    );

    const v = (k: string) => formValue(body, `leads[status][0][${k}]`);
    expect(v('id')).toBe(String(id));
    expect(v('name')).toBe('Lead #1 - Flat');
    expect(v('status_id')).toBe(String(F.stages.viewingScheduled));
    expect(v('old_status_id')).toBe(String(F.stages.firstContact));
    expect(v('pipeline_id')).toBe(String(F.mainPipelineId));
    expect(v('price')).toBe('5000000');
    expect(v('modified_user_id')).toBe(String(F.users.manager));
    expect(v('created_user_id')).toBe(String(F.users.admin));
    expect(v('account_id')).toBe(String(sb.accountId));
    for (const k of [
      'last_modified',
      'date_create',
      'created_at',
      'updated_at',
      'responsible_user_id',
    ]) {
      expect(v(k)).toMatch(/^\d+$/);
    }
    expect(formValue(body, 'leads[update][0][id]')).toBe(String(id));
    expect(formValue(body, 'account[subdomain]')).toBe('sandbox');
    expect(formValue(body, 'account[id]')).toBe(String(sb.accountId));
    expect(formValue(body, 'account[_links][self]')).toBe('https://sandbox.amocrm.ru');
    expect(sb.webhookDeliveries().at(-1)).toEqual({
      destination: receiver.url,
      body,
      status: 200,
      at: expect.any(Number),
      attempt: 1,
    });
  });

  it('fires for API writes too, with custom fields and every lead of one request in one POST', async () => {
    await setup({}, ['add_lead']);
    await api.post('/api/v4/leads', [
      {
        name: 'A',
        custom_fields_values: [
          {
            field_id: F.leadFields.contactMethod.id,
            values: [{ enum_id: F.leadFields.contactMethod.enums.TELEGRAM }],
          },
          { field_id: F.leadFields.ourLeadId, values: [{ value: 'local-42' }] },
        ],
      },
      { name: 'B' },
    ]);
    await sb.flushWebhooks();
    expect(receiver.hits).toHaveLength(1);
    const body = receiver.hits[0]?.body ?? '';
    expect(formValue(body, 'leads[add][0][name]')).toBe('A');
    expect(formValue(body, 'leads[add][1][name]')).toBe('B');
    expect(formValue(body, 'leads[add][0][custom_fields][0][id]')).toBe(
      String(F.leadFields.contactMethod.id),
    );
    expect(formValue(body, 'leads[add][0][custom_fields][0][name]')).toBe('Способ связи');
    expect(formValue(body, 'leads[add][0][custom_fields][0][values][0][value]')).toBe('Telegram');
    expect(formValue(body, 'leads[add][0][custom_fields][0][values][0][enum]')).toBe(
      String(F.leadFields.contactMethod.enums.TELEGRAM),
    );
    expect(formValue(body, 'leads[add][0][custom_fields][1][values][0][value]')).toBe('local-42');
    expect(formValue(body, 'leads[add][0][old_status_id]')).toBeNull();
  });

  it('combines events for one destination within the batch window into items [0], [1]', async () => {
    await setup({ webhookBatchWindowMs: 80 }, ['status_lead']);
    const a = await leadViaApi({ name: 'A' });
    const b = await leadViaApi({ name: 'B' });
    sb.moveLead(a, { statusId: F.stages.negotiation });
    sb.moveLead(b, { statusId: 143 });
    await sb.flushWebhooks();
    expect(receiver.hits).toHaveLength(1);
    const body = receiver.hits[0]?.body ?? '';
    expect(formValue(body, 'leads[status][0][id]')).toBe(String(a));
    expect(formValue(body, 'leads[status][1][id]')).toBe(String(b));
    expect(formValue(body, 'leads[status][1][status_id]')).toBe('143');
  });

  it('sends only the events a webhook subscribed to: name/price edits are update, creation is add', async () => {
    await setup({}, ['update_lead']);
    const created = sb.createLead({ name: 'From amoCRM', price: 10 });
    await sb.flushWebhooks();
    expect(receiver.hits).toHaveLength(0);
    sb.updateLead(created.id, { price: 20 });
    await sb.flushWebhooks();
    expect(receiver.hits).toHaveLength(1);
    const body = receiver.hits[0]?.body ?? '';
    expect(formValue(body, 'leads[update][0][price]')).toBe('20');
    expect(formValue(body, 'leads[status][0][id]')).toBeNull();
    expect(sb.leads()[0]?.updated_by).toBe(F.users.manager);
  });

  it('retries a 5xx answer with the configured delays: five attempts in all, same body', async () => {
    await setup({}, ['add_lead']);
    receiver.respond = () => ({ status: 500 });
    sb.createLead({ name: 'retry me' });
    await receiver.waitFor(5);
    await new Promise((r) => setTimeout(r, 80));
    expect(receiver.hits).toHaveLength(5);
    expect(new Set(receiver.hits.map((h) => h.body)).size).toBe(1);
    expect(sb.webhookDeliveries().map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 500],
      [5, 500],
    ]);
  });

  it('retries a 4xx answer only twice, and stops once an attempt succeeds', async () => {
    await setup({}, ['add_lead']);
    receiver.respond = () => ({ status: 404 });
    sb.createLead({ name: 'gone' });
    await receiver.waitFor(3);
    await new Promise((r) => setTimeout(r, 80));
    expect(receiver.hits).toHaveLength(3);

    receiver.hits.length = 0;
    receiver.respond = (n) => ({ status: n === 0 ? 502 : 204 });
    sb.createLead({ name: 'second time lucky' });
    await receiver.waitFor(2);
    await new Promise((r) => setTimeout(r, 80));
    expect(receiver.hits).toHaveLength(2);
  });

  it('counts an answer slower than the timeout as failed and retries', async () => {
    await setup({ webhookTimeoutMs: 50 }, ['add_lead']);
    receiver.respond = (n) => ({ status: 200, delayMs: n === 0 ? 300 : 0 });
    sb.createLead({ name: 'slow receiver' });
    await receiver.waitFor(2);
    await sb.flushWebhooks();
    expect(sb.webhookDeliveries().map((d) => d.status)).toEqual(['timeout', 200]);
  });

  it('drops the next N deliveries silently when asked to lose webhooks', async () => {
    await setup({}, ['status_lead']);
    const id = await leadViaApi();
    sb.suppressNextWebhooks(1);
    sb.moveLead(id, { statusId: F.stages.negotiation });
    await sb.flushWebhooks();
    expect(receiver.hits).toHaveLength(0);
    sb.moveLead(id, { statusId: F.stages.decision });
    await sb.flushWebhooks();
    expect(receiver.hits).toHaveLength(1);
    expect(formValue(receiver.hits[0]?.body ?? '', 'leads[status][0][old_status_id]')).toBe(
      String(F.stages.negotiation),
    );
    expect(sb.webhookDeliveries()).toHaveLength(1);
  });

  it('reports notes and contacts to subscribers', async () => {
    await setup({}, ['note_lead', 'add_contact']);
    const res = await api.post('/api/v4/leads/complex', [
      {
        name: 'L',
        _embedded: {
          contacts: [
            {
              name: 'Anna',
              custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+7999' }] }],
            },
          ],
        },
      },
    ]);
    const leadId = res.json[0].id as number;
    await api.post(`/api/v4/leads/${leadId}/notes`, [
      { note_type: 'common', params: { text: 'Guest comment' } },
    ]);
    await sb.flushWebhooks();
    const bodies = receiver.hits.map((h) => h.body);
    const contact = bodies.find((b) => b.includes('contacts%5Badd%5D')) ?? '';
    expect(formValue(contact, 'contacts[add][0][name]')).toBe('Anna');
    expect(formValue(contact, 'contacts[add][0][type]')).toBe('contact');
    expect(formValue(contact, 'contacts[add][0][custom_fields][0][code]')).toBe('PHONE');
    expect(formValue(contact, `contacts[add][0][linked_leads_id][${leadId}][ID]`)).toBe(
      String(leadId),
    );
    const note = bodies.find((b) => b.includes('leads%5Bnote%5D')) ?? '';
    expect(formValue(note, 'leads[note][0][note][text]')).toBe('Guest comment');
    expect(formValue(note, 'leads[note][0][note][element_id]')).toBe(String(leadId));
  });
});
