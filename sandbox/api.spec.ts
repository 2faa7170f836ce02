import { SANDBOX_FIXTURES as F, startSandbox, type AmoSandbox } from './index';
import { client, connect } from './spec-helpers';

const lf = F.leadFields;

describe('sandbox API v4', () => {
  let sb: AmoSandbox;
  let api: ReturnType<typeof client>;

  beforeEach(async () => {
    sb = await startSandbox({ rateLimitPerSecond: 1000 });
    api = client(sb, (await connect(sb)).access);
  });
  afterEach(async () => {
    await sb.stop();
  });

  async function createLeads(items: unknown[]): Promise<number[]> {
    const res = await api.post('/api/v4/leads', items);
    expect(res.status).toBe(200);
    return (res.json._embedded.leads as { id: number }[]).map((l) => l.id);
  }

  describe('account, pipelines and custom fields', () => {
    it('describes the account with an absolute self link and hal+json', async () => {
      const res = await api.get('/api/v4/account');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/hal+json');
      expect(res.json).toMatchObject({
        id: sb.accountId,
        subdomain: 'sandbox',
        _links: { self: { href: `${sb.url}/api/v4/account` } },
      });
    });

    it('lists two pipelines, each with an incoming stage of type 1 and the shared 142/143', async () => {
      const res = await api.get('/api/v4/leads/pipelines');
      const pipelines = res.json._embedded.pipelines as {
        id: number;
        is_main: boolean;
        _embedded: { statuses: { id: number; type: number }[] };
      }[];
      expect(pipelines.map((p) => p.id)).toEqual([F.mainPipelineId, F.secondPipelineId]);
      expect(pipelines[0]?.is_main).toBe(true);
      for (const p of pipelines) {
        const ids = p._embedded.statuses.map((s) => s.id);
        expect(ids).toEqual(expect.arrayContaining([142, 143]));
        expect(p._embedded.statuses.filter((s) => s.type === 1)).toHaveLength(1);
      }
      expect(pipelines[0]?._embedded.statuses.length).toBeGreaterThanOrEqual(7);
      const one = await api.get(`/api/v4/leads/pipelines/${F.secondPipelineId}`);
      expect(one.json.id).toBe(F.secondPipelineId);
    });

    it('lists lead fields of every type the account has and contact PHONE/EMAIL with codes', async () => {
      const leads = await api.get('/api/v4/leads/custom_fields');
      const fields = leads.json._embedded.custom_fields as {
        id: number;
        type: string;
        enums: { id: number }[] | null;
      }[];
      expect(new Set(fields.map((f) => f.type))).toEqual(
        new Set(['text', 'select', 'numeric', 'date', 'url', 'textarea', 'tracking_data']),
      );
      const method = fields.find((f) => f.id === lf.contactMethod.id);
      expect(method?.enums?.map((e) => e.id)).toEqual(Object.values(lf.contactMethod.enums));

      const contacts = await api.get('/api/v4/contacts/custom_fields');
      const cfs = contacts.json._embedded.custom_fields as {
        code: string;
        type: string;
        enums: { value: string }[];
      }[];
      const phone = cfs.find((f) => f.code === 'PHONE');
      expect(phone?.type).toBe('multitext');
      expect(phone?.enums.map((e) => e.value)).toEqual([
        'WORK',
        'WORKDD',
        'MOB',
        'FAX',
        'HOME',
        'OTHER',
      ]);
      expect(cfs.find((f) => f.code === 'EMAIL')?.enums.map((e) => e.value)).toEqual([
        'WORK',
        'PRIV',
        'OTHER',
      ]);
    });
  });

  describe('leads', () => {
    it('creates leads, echoing request_id as given or as the item index', async () => {
      const res = await api.post('/api/v4/leads', [
        {
          name: 'Lead #1 - Flat',
          price: 100000,
          status_id: F.stages.negotiation,
          custom_fields_values: [
            { field_id: lf.ourLeadId, values: [{ value: 'site-1' }] },
            { field_id: lf.contactMethod.id, values: [{ enum_id: lf.contactMethod.enums.PHONE }] },
            { field_id: lf.area, values: [{ value: 54.5 }] },
          ],
          _embedded: { tags: [{ name: 'site' }] },
          request_id: 'ext-1',
        },
        { name: 'Second' },
      ]);
      expect(res.status).toBe(200);
      const created = res.json._embedded.leads;
      expect(created[0]).toEqual({
        id: expect.any(Number),
        request_id: 'ext-1',
        _links: { self: { href: `${sb.url}/api/v4/leads/${created[0].id}` } },
      });
      expect(created[1].request_id).toBe('1');

      const one = await api.get(`/api/v4/leads/${created[0].id}`);
      expect(one.json).toMatchObject({
        name: 'Lead #1 - Flat',
        price: 100000,
        status_id: F.stages.negotiation,
        pipeline_id: F.mainPipelineId,
        account_id: sb.accountId,
        _embedded: { tags: [{ name: 'site' }] },
      });
      expect(one.json.custom_fields_values).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            field_id: lf.contactMethod.id,
            values: [{ value: 'Телефон', enum_id: lf.contactMethod.enums.PHONE, enum_code: null }],
          }),
          expect.objectContaining({ field_id: lf.area, values: [{ value: '54.5' }] }),
        ]),
      );
      const second = await api.get(`/api/v4/leads/${created[1].id}`);
      expect(second.json.status_id).toBe(F.stages.firstContact);
    });

    it('answers 204 with an empty body for an unknown lead and an empty list', async () => {
      const one = await api.get('/api/v4/leads/999');
      expect(one.status).toBe(204);
      expect(one.text).toBe('');
      const list = await api.get('/api/v4/leads?query=nothing');
      expect(list.status).toBe(204);
      expect(list.text).toBe('');
    });

    it('paginates with _links.next only while there is a next page', async () => {
      await createLeads([1, 2, 3, 4, 5].map((n) => ({ name: `L${n}` })));
      const p1 = await api.get('/api/v4/leads?limit=2');
      expect(p1.json._page).toBe(1);
      expect(p1.json._embedded.leads).toHaveLength(2);
      expect(p1.json._links.next.href).toBe(`${sb.url}/api/v4/leads?limit=2&page=2`);
      const p3 = await api.get('/api/v4/leads?limit=2&page=3');
      expect(p3.json._embedded.leads).toHaveLength(1);
      expect(p3.json._links.next).toBeUndefined();
      expect(p3.json._links.prev.href).toContain('page=2');
      expect((await api.get('/api/v4/leads?limit=2&page=4')).status).toBe(204);
    });

    it('refuses more than 250 per page or per write with 422 "Limit 250 per page"', async () => {
      const list = await api.get('/api/v4/leads?limit=251');
      expect(list.status).toBe(422);
      expect(list.json).toEqual({
        title: 'Unprocessable Entity',
        type: 'https://httpstatus.es/422',
        status: 422,
        detail: 'Limit 250 per page',
      });
      const write = await api.post(
        '/api/v4/leads',
        Array.from({ length: 251 }, (_, i) => ({ name: `n${i}` })),
      );
      expect(write.status).toBe(422);
      expect(sb.leads()).toHaveLength(0);
    });

    it('filters by id, updated_at range and query, orders by updated_at, embeds contacts on request', async () => {
      const [a, b, c] = await createLeads([
        { name: 'Alpha' },
        {
          name: 'Beta',
          custom_fields_values: [{ field_id: lf.property, values: [{ value: 'Tverskaya 7' }] }],
        },
        { name: 'Gamma' },
      ]);
      const byId = await api.get(`/api/v4/leads?filter[id][]=${a}&filter[id][]=${c}`);
      expect(byId.json._embedded.leads.map((l: { id: number }) => l.id)).toEqual([a, c]);
      expect((await api.get('/api/v4/leads?query=tverskaya')).json._embedded.leads[0].id).toBe(b);
      expect((await api.get(`/api/v4/leads?query=${c}`)).json._embedded.leads[0].id).toBe(c);

      await api.patch(`/api/v4/leads/${a}`, { updated_at: 2000000000 });
      const recent = await api.get(
        '/api/v4/leads?filter[updated_at][from]=1999999999&order[updated_at]=desc',
      );
      expect(recent.json._embedded.leads.map((l: { id: number }) => l.id)).toEqual([a]);
      const desc = await api.get('/api/v4/leads?order[updated_at]=desc');
      expect(desc.json._embedded.leads[0].id).toBe(a);

      const withContacts = await api.get(`/api/v4/leads/${a}?with=contacts`);
      expect(withContacts.json._embedded.contacts).toEqual([]);
      expect((await api.get(`/api/v4/leads/${a}`)).json._embedded.contacts).toBeUndefined();
    });

    it('updates in batch and singly, bumping updated_at', async () => {
      const [id] = await createLeads([{ name: 'Old', updated_at: 1000, created_at: 1000 }]);
      const batch = await api.patch('/api/v4/leads', [
        { id, price: 5, status_id: F.stages.decision, request_id: 'r' },
      ]);
      expect(batch.status).toBe(200);
      const item = batch.json._embedded.leads[0];
      expect(item).toMatchObject({ id, request_id: 'r' });
      expect(item.updated_at).toBeGreaterThan(1000);

      const single = await api.patch(`/api/v4/leads/${id}`, { name: 'New', status_id: 142 });
      expect(single.status).toBe(200);
      expect(single.json).toEqual({
        id,
        updated_at: expect.any(Number),
        _links: { self: { href: `${sb.url}/api/v4/leads/${id}` } },
      });
      const lead = sb.leads()[0];
      expect(lead).toMatchObject({
        name: 'New',
        price: 5,
        status_id: 142,
        closed_at: expect.any(Number),
      });

      const moved = await api.patch(`/api/v4/leads/${id}`, {
        pipeline_id: F.secondPipelineId,
        status_id: F.secondStages.inProgress,
      });
      expect(moved.status).toBe(200);
      expect(sb.leads()[0]).toMatchObject({
        pipeline_id: F.secondPipelineId,
        status_id: F.secondStages.inProgress,
        closed_at: null,
      });
    });
  });

  describe('validation', () => {
    async function expectInvalid(path: string, body: unknown, method: 'post' | 'patch' = 'post') {
      const res = await api[method](path, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.json).toMatchObject({
        title: 'Bad Request',
        type: 'https://httpstatus.es/400',
        status: 400,
      });
      return res.json['validation-errors'] as {
        request_id: string;
        errors: { code: string; path: string; detail: string }[];
      }[];
    }

    it.each([
      ['an unknown field', { name: 'x', colour: 'red' }, 'UnexpectedField', 'colour'],
      ['a string price', { price: '100' }, 'InvalidType', 'price'],
      ['a fractional price', { price: 1.5 }, 'InvalidType', 'price'],
      ['a numeric name', { name: 42 }, 'InvalidType', 'name'],
      ['an unknown status', { status_id: 1 }, 'NotSupportedChoice', 'status_id'],
      [
        'a status of another pipeline',
        { status_id: F.secondStages.newRequest },
        'NotSupportedChoice',
        'status_id',
      ],
      ['the incoming stage', { status_id: F.unsortedStatusId }, 'NotSupportedChoice', 'status_id'],
      ['an unknown pipeline', { pipeline_id: 1 }, 'NotSupportedChoice', 'pipeline_id'],
      [
        'an unknown custom field',
        { custom_fields_values: [{ field_id: 1, values: [{ value: 'x' }] }] },
        'NotSupportedChoice',
        'custom_fields_values.0.field_id',
      ],
      [
        'an enum of another field',
        {
          custom_fields_values: [
            { field_id: lf.contactMethod.id, values: [{ enum_id: lf.contactTime.enums.MORNING }] },
          ],
        },
        'NotSupportedChoice',
        'custom_fields_values.0.values.0.enum_id',
      ],
      [
        'a select value that is not an option',
        { custom_fields_values: [{ field_id: lf.source.id, values: [{ value: 'Radio' }] }] },
        'NotSupportedChoice',
        'custom_fields_values.0.values.0.value',
      ],
      [
        'a non-numeric numeric value',
        { custom_fields_values: [{ field_id: lf.area, values: [{ value: 'big' }] }] },
        'InvalidType',
        'custom_fields_values.0.values.0.value',
      ],
      [
        'an unknown responsible user',
        { responsible_user_id: 1 },
        'NotSupportedChoice',
        'responsible_user_id',
      ],
    ])('rejects %s naming the item, code and path', async (_what, item, code, path) => {
      const errors = await expectInvalid('/api/v4/leads', [
        { name: 'fine', request_id: 'ok' },
        { ...item, request_id: 'bad' },
      ]);
      expect(errors).toEqual([
        {
          request_id: 'bad',
          errors: [expect.objectContaining({ code, path, detail: expect.any(String) })],
        },
      ]);
      expect(sb.leads()).toHaveLength(0);
    });

    it('rejects an invalid PHONE enum_code on a contact', async () => {
      const errors = await expectInvalid('/api/v4/contacts', [
        {
          name: 'Ivan',
          custom_fields_values: [
            { field_code: 'PHONE', values: [{ value: '+7999', enum_code: 'MOBILE' }] },
          ],
        },
      ]);
      expect(errors[0]).toEqual({
        request_id: '0',
        errors: [
          expect.objectContaining({
            code: 'NotSupportedChoice',
            path: 'custom_fields_values.0.values.0.enum_code',
          }),
        ],
      });
    });

    it('rejects a body that is not an array, and an empty body with "Request data can not be empty"', async () => {
      const errors = await expectInvalid('/api/v4/leads', { name: 'not in an array' });
      expect(errors[0]?.errors[0]?.code).toBe('InvalidType');
      for (const raw of ['', '[]']) {
        const res = await api.raw('POST', '/api/v4/leads', raw);
        expect(res.status).toBe(400);
        expect(res.json).toEqual({
          title: 'Bad Request',
          type: 'https://httpstatus.es/400',
          status: 400,
          detail: 'Request data can not be empty',
        });
      }
    });

    it('rejects a batch update of an unknown id and an update without id', async () => {
      const errors = await expectInvalid(
        '/api/v4/leads',
        [{ id: 123, name: 'x' }, { name: 'no id' }],
        'patch',
      );
      expect(errors).toEqual([
        { request_id: '0', errors: [expect.objectContaining({ code: 'NotFound', path: 'id' })] },
        { request_id: '1', errors: [expect.objectContaining({ code: 'NotBlank', path: 'id' })] },
      ]);
    });
  });

  describe('complex add, contacts, links and notes', () => {
    const phoneContact = (phone: string, email?: string) => ({
      first_name: 'Ivan',
      last_name: 'Petrov',
      custom_fields_values: [
        { field_code: 'PHONE', values: [{ value: phone, enum_code: 'MOB' }] },
        ...(email ? [{ field_code: 'EMAIL', values: [{ value: email, enum_code: 'WORK' }] }] : []),
      ],
    });

    it('adds lead and contact together and answers with a bare array', async () => {
      const res = await api.post('/api/v4/leads/complex', [
        {
          name: 'Lead #7',
          price: 10,
          _embedded: {
            contacts: [phoneContact('+79991234567', 'ivan@example.com')],
            metadata: { category: 'forms', form_id: 'site' },
          },
          request_id: 'q-7',
        },
      ]);
      expect(res.status).toBe(200);
      expect(res.json).toEqual([
        {
          id: expect.any(Number),
          contact_id: expect.any(Number),
          company_id: null,
          request_id: ['q-7'],
          merged: false,
        },
      ]);
      const { id, contact_id } = res.json[0];
      expect(sb.links()).toEqual([
        {
          entity_id: id,
          entity_type: 'leads',
          to_entity_id: contact_id,
          to_entity_type: 'contacts',
          metadata: { main_contact: true },
        },
      ]);
      const contact = await api.get(`/api/v4/contacts/${contact_id}?with=leads`);
      expect(contact.json).toMatchObject({ name: 'Ivan Petrov', _embedded: { leads: [{ id }] } });
      expect(contact.json.custom_fields_values[0]).toMatchObject({
        field_code: 'PHONE',
        field_type: 'multitext',
        values: [
          { value: '+79991234567', enum_code: 'MOB', enum_id: F.contactFields.phone.enums.MOB },
        ],
      });
    });

    it('reuses an existing contact given by id and refuses unknown ones and more than one contact', async () => {
      const first = await api.post('/api/v4/leads/complex', [
        { name: 'A', _embedded: { contacts: [phoneContact('+7000')] } },
      ]);
      const contactId = first.json[0].contact_id;
      const second = await api.post('/api/v4/leads/complex', [
        { name: 'B', _embedded: { contacts: [{ id: contactId }] } },
      ]);
      expect(second.json[0].contact_id).toBe(contactId);
      expect(sb.contacts()).toHaveLength(1);

      const unknown = await api.post('/api/v4/leads/complex', [
        { name: 'C', _embedded: { contacts: [{ id: 1 }] } },
      ]);
      expect(unknown.status).toBe(400);
      expect(unknown.json['validation-errors'][0].errors[0]).toMatchObject({
        code: 'NotFound',
        path: '_embedded.contacts.0.id',
      });
      const two = await api.post('/api/v4/leads/complex', [
        { name: 'D', _embedded: { contacts: [{ id: contactId }, { id: contactId }] } },
      ]);
      expect(two.status).toBe(400);
    });

    it('refuses more than 50 complex items with 422', async () => {
      const res = await api.post(
        '/api/v4/leads/complex',
        Array.from({ length: 51 }, (_, i) => ({ name: `n${i}` })),
      );
      expect(res.status).toBe(422);
      expect(res.json.detail).toBe('Limit 50 per request');
    });

    it('finds contacts by phone or e-mail substring as stored, without normalising phones', async () => {
      await api.post('/api/v4/contacts', [
        phoneContact('+7 (999) 123-45-67'),
        phoneContact('+79991112233', 'anna@example.com'),
      ]);
      const byDigits = await api.get('/api/v4/contacts?query=9991112233');
      expect(byDigits.json._embedded.contacts).toHaveLength(1);
      expect(
        (await api.get('/api/v4/contacts?query=ANNA@example')).json._embedded.contacts,
      ).toHaveLength(1);
      expect((await api.get('/api/v4/contacts?query=89991112233')).status).toBe(204);
      expect((await api.get('/api/v4/contacts?query=9991234567')).status).toBe(204);
      expect((await api.get('/api/v4/contacts?query=123-45')).json._embedded.contacts).toHaveLength(
        1,
      );
    });

    it('updates contacts in batch and singly', async () => {
      const created = await api.post('/api/v4/contacts', [{ name: 'Old' }]);
      const id = created.json._embedded.contacts[0].id;
      expect(
        (await api.patch('/api/v4/contacts', [{ id, first_name: 'New', last_name: 'Name' }]))
          .status,
      ).toBe(200);
      expect(sb.contacts()[0]?.name).toBe('New Name');
      const single = await api.patch(`/api/v4/contacts/${id}`, {
        custom_fields_values: [
          { field_code: 'EMAIL', values: [{ value: 'n@example.com', enum_code: 'PRIV' }] },
        ],
      });
      expect(single.status).toBe(200);
      expect(sb.contacts()[0]?.custom_fields_values?.[0]?.values[0]).toMatchObject({
        enum_code: 'PRIV',
      });
    });

    it('links a contact to a lead with either metadata spelling', async () => {
      const [leadId] = await createLeads([{ name: 'L' }]);
      const contacts = await api.post('/api/v4/contacts', [{ name: 'A' }, { name: 'B' }]);
      const [a, b] = (contacts.json._embedded.contacts as { id: number }[]).map((c) => c.id);
      const first = await api.post(`/api/v4/leads/${leadId}/link`, [
        { to_entity_id: a, to_entity_type: 'contacts', metadata: { is_main: true } },
      ]);
      expect(first.status).toBe(200);
      expect(first.json._embedded.links[0]).toMatchObject({
        entity_id: leadId,
        to_entity_id: a,
        to_entity_type: 'contacts',
      });
      await api.post(`/api/v4/leads/${leadId}/link`, [
        { to_entity_id: b, to_entity_type: 'contacts', metadata: { main_contact: true } },
      ]);
      const lead = await api.get(`/api/v4/leads/${leadId}?with=contacts`);
      expect(
        lead.json._embedded.contacts.map((c: { id: number; is_main: boolean }) => [
          c.id,
          c.is_main,
        ]),
      ).toEqual([
        [a, false],
        [b, true],
      ]);
      const bad = await api.post(`/api/v4/leads/${leadId}/link`, [
        { to_entity_id: 1, to_entity_type: 'contacts' },
      ]);
      expect(bad.status).toBe(400);
    });

    it('adds notes through both note endpoints and lists them', async () => {
      const [leadId] = await createLeads([{ name: 'L' }]);
      const bulk = await api.post('/api/v4/leads/notes', [
        { entity_id: leadId, note_type: 'common', params: { text: 'first' }, request_id: 'n1' },
      ]);
      expect(bulk.status).toBe(200);
      expect(bulk.json._embedded.notes[0]).toMatchObject({ entity_id: leadId, request_id: 'n1' });
      expect(
        (
          await api.post(`/api/v4/leads/${leadId}/notes`, [
            { note_type: 'common', params: { text: 'second' } },
          ])
        ).status,
      ).toBe(200);
      const list = await api.get(`/api/v4/leads/${leadId}/notes`);
      expect(
        list.json._embedded.notes.map((n: { params: { text: string } }) => n.params.text),
      ).toEqual(['first', 'second']);
      const wrongType = await api.post('/api/v4/leads/notes', [
        { entity_id: leadId, note_type: 'sms', params: { text: 'x' } },
      ]);
      expect(wrongType.status).toBe(400);
      expect(sb.notes()).toHaveLength(2);
    });
  });

  describe('webhook registry', () => {
    it('registers, re-registers the same destination, filters and deletes', async () => {
      const destination = 'http://127.0.0.1:9/hook?secret=s';
      const created = await api.post('/api/v4/webhooks', {
        destination,
        settings: ['add_lead'],
        sort: 10,
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({
        destination,
        settings: ['add_lead'],
        account_id: sb.accountId,
        disabled: false,
      });
      const again = await api.post('/api/v4/webhooks', {
        destination,
        settings: ['status_lead', 'update_lead'],
      });
      expect(again.json.id).toBe(created.json.id);
      expect(sb.webhooks()).toHaveLength(1);
      const list = await api.get(
        `/api/v4/webhooks?filter[destination]=${encodeURIComponent(destination)}`,
      );
      expect(list.json._embedded.webhooks[0].settings).toEqual(['status_lead', 'update_lead']);
      expect(
        (await api.post('/api/v4/webhooks', { destination, settings: ['add_everything'] })).status,
      ).toBe(400);
      expect((await api.delete('/api/v4/webhooks', { destination })).status).toBe(204);
      expect((await api.get('/api/v4/webhooks')).status).toBe(204);
    });
  });
});
