import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_FIXTURES as F, startSandbox, type AmoSandbox } from './index';
import { call, client, connect } from './spec-helpers';

function complexItem(requestId: string, phone: string, email?: string): object {
  const fields: object[] = [{ field_code: 'PHONE', values: [{ value: phone }] }];
  if (email) fields.push({ field_code: 'EMAIL', values: [{ value: email }] });
  return {
    name: `Lead ${requestId}`,
    request_id: requestId,
    _embedded: { contacts: [{ first_name: 'Ivan', custom_fields_values: fields }] },
  };
}

describe('sandbox realism: duplicates, contacts changing, validation, account, saved state', () => {
  let sb: AmoSandbox;
  let api: ReturnType<typeof client>;

  async function setup(opts: Parameters<typeof startSandbox>[0] = {}): Promise<void> {
    sb = await startSandbox(opts);
    api = client(sb, (await connect(sb)).access);
  }
  afterEach(async () => {
    await sb.stop();
  });

  describe('duplicate control', () => {
    it('merges a complex create into the open lead whose contact has the same phone', async () => {
      await setup({ duplicateControl: true });
      const first = await api.post('/api/v4/leads/complex', [
        complexItem('ours-1', '+7 912 345-67-89'),
      ]);
      const original = first.json[0];
      expect(original.merged).toBe(false);
      const second = await api.post('/api/v4/leads/complex', [
        complexItem('ours-2', '89123456789'),
      ]);
      expect(second.status).toBe(200);
      expect(second.json).toEqual([
        {
          id: original.id,
          contact_id: original.contact_id,
          company_id: null,
          request_id: ['ours-1', 'ours-2'],
          merged: true,
        },
      ]);
      expect(sb.leads()).toHaveLength(1);
      expect(sb.contacts()).toHaveLength(1);
    });

    it('matches by e-mail case-insensitively, but not a closed lead nor another pipeline', async () => {
      await setup({ duplicateControl: true });
      const a = (
        await api.post('/api/v4/leads/complex', [
          complexItem('a', '+70000000001', 'Ivan@Example.com'),
        ])
      ).json[0];
      const byMail = (
        await api.post('/api/v4/leads/complex', [
          complexItem('b', '+70000000002', 'ivan@example.com'),
        ])
      ).json[0];
      expect(byMail).toMatchObject({ id: a.id, merged: true });
      const other = { ...complexItem('c', '+70000000001'), pipeline_id: F.secondPipelineId };
      expect((await api.post('/api/v4/leads/complex', [other])).json[0].merged).toBe(false);
      sb.moveLead(a.id as number, { statusId: F.stages.won });
      expect(
        (await api.post('/api/v4/leads/complex', [complexItem('d', '+70000000001')])).json[0]
          .merged,
      ).toBe(false);
    });

    it('never compares items of the same request, and is off by default', async () => {
      await setup({ duplicateControl: true });
      const same = await api.post('/api/v4/leads/complex', [
        complexItem('x', '+71111111111'),
        complexItem('y', '+71111111111'),
      ]);
      expect(same.json.map((r: { merged: boolean }) => r.merged)).toEqual([false, false]);
      await sb.stop();
      await setup();
      await api.post('/api/v4/leads/complex', [complexItem('x', '+71111111111')]);
      expect(
        (await api.post('/api/v4/leads/complex', [complexItem('y', '+71111111111')])).json[0]
          .merged,
      ).toBe(false);
    });

    it('is switched on by the settings route', async () => {
      await setup();
      await call(sb.url, 'POST', '/_sandbox/settings', { body: { duplicateControl: true } });
      await api.post('/api/v4/leads/complex', [complexItem('x', '+72222222222')]);
      expect(
        (await api.post('/api/v4/leads/complex', [complexItem('y', '+72222222222')])).json[0]
          .merged,
      ).toBe(true);
    });
  });

  describe('contacts change under the integration', () => {
    it('deletes a contact: its id is gone and a complex create naming it gets 400 NotFound', async () => {
      await setup();
      const made = (await api.post('/api/v4/leads/complex', [complexItem('1', '+73333333333')]))
        .json[0];
      const del = await call(sb.url, 'DELETE', `/_sandbox/contacts/${made.contact_id}`);
      expect(del.status).toBe(204);
      expect((await api.get(`/api/v4/contacts/${made.contact_id}`)).status).toBe(204);
      expect(
        (await api.get(`/api/v4/leads/${made.id}?with=contacts`)).json._embedded.contacts,
      ).toEqual([]);
      const res = await api.post('/api/v4/leads/complex', [
        { name: 'again', _embedded: { contacts: [{ id: made.contact_id }] } },
      ]);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.json['validation-errors'][0].errors).toEqual([
        { code: 'NotFound', path: '_embedded.contacts.0.id', detail: 'Entity not found.' },
      ]);
      expect((await call(sb.url, 'DELETE', `/_sandbox/contacts/${made.contact_id}`)).status).toBe(
        404,
      );
    });

    it('merges two contacts: the loser id stops existing, its phones and leads move to the winner', async () => {
      await setup();
      const keep = (await api.post('/api/v4/leads/complex', [complexItem('k', '+74444444444')]))
        .json[0];
      const lose = (await api.post('/api/v4/leads/complex', [complexItem('l', '+75555555555')]))
        .json[0];
      const res = await call(sb.url, 'POST', '/_sandbox/contacts/merge', {
        body: { keepId: keep.contact_id, loseId: lose.contact_id },
      });
      expect(res.status).toBe(200);
      const phones = res.json.custom_fields_values[0].values.map((v: { value: string }) => v.value);
      expect(phones).toEqual(['+74444444444', '+75555555555']);
      expect(res.json._embedded.leads.map((l: { id: number }) => l.id).sort()).toEqual(
        [keep.id, lose.id].sort(),
      );
      expect(sb.contacts().map((c) => c.id)).toEqual([keep.contact_id]);
      const bad = await call(sb.url, 'POST', '/_sandbox/contacts/merge', {
        body: { keepId: keep.contact_id },
      });
      expect(bad.status).toBe(400);
      const self = await call(sb.url, 'POST', '/_sandbox/contacts/merge', {
        body: { keepId: keep.contact_id, loseId: keep.contact_id },
      });
      expect(self.status).toBe(400);
    });
  });

  describe('validation closer to amoCRM', () => {
    const errorsOf = async (body: object) => {
      const res = await api.post('/api/v4/leads', [body]);
      expect(res.status).toBe(400);
      return res.json['validation-errors'][0].errors as { code: string; path: string }[];
    };

    it('refuses a negative price, an over-long name and more than 40 values in one field', async () => {
      await setup();
      expect(await errorsOf({ name: 'x', price: -1 })).toEqual([
        expect.objectContaining({ code: 'GreaterThanOrEqual', path: 'price' }),
      ]);
      expect(await errorsOf({ name: 'я'.repeat(256) })).toEqual([
        expect.objectContaining({ code: 'LengthTooLong', path: 'name' }),
      ]);
      const values = Array.from({ length: 41 }, (_, i) => ({
        value: `+7900000${String(i).padStart(4, '0')}`,
      }));
      const contact = await api.post('/api/v4/contacts', [
        { name: 'many', custom_fields_values: [{ field_code: 'PHONE', values }] },
      ]);
      expect(contact.status).toBe(400);
      expect(contact.json['validation-errors'][0].errors[0]).toMatchObject({
        code: 'CountTooMany',
        path: 'custom_fields_values.0.values',
      });
      expect((await api.post('/api/v4/leads', [{ name: 'я'.repeat(255), price: 0 }])).status).toBe(
        200,
      );
    });

    it('accepts date, url and textarea values and refuses wrong ones', async () => {
      await setup();
      const lf = F.leadFields;
      const ok = await api.post('/api/v4/leads', [
        {
          name: 'fields',
          custom_fields_values: [
            { field_id: lf.viewingDate, values: [{ value: 1767225600 }] },
            { field_id: lf.listingUrl, values: [{ value: 'https://example.com/flat/1' }] },
            { field_id: lf.managerNotes, values: [{ value: 'line 1\nline 2' }] },
          ],
        },
      ]);
      expect(ok.status).toBe(200);
      const lead = sb.leads()[0];
      expect(
        lead?.custom_fields_values?.find((f) => f.field_id === lf.viewingDate)?.values,
      ).toEqual([{ value: 1767225600 }]);
      expect(
        await errorsOf({
          name: 'bad',
          custom_fields_values: [
            { field_id: lf.viewingDate, values: [{ value: 'tomorrow' }] },
            { field_id: lf.listingUrl, values: [{ value: 'not a url' }] },
          ],
        }),
      ).toEqual([
        expect.objectContaining({
          code: 'InvalidType',
          path: 'custom_fields_values.0.values.0.value',
        }),
        expect.objectContaining({
          code: 'InvalidUrl',
          path: 'custom_fields_values.1.values.0.value',
        }),
      ]);
    });

    it('answers GET /account with= extras, datetime_settings included, and without them by default', async () => {
      await setup();
      const plain = await api.get('/api/v4/account');
      expect(plain.json._embedded).toBeUndefined();
      expect(plain.json.amojo_id).toBeUndefined();
      const rich = await api.get(
        '/api/v4/account?with=datetime_settings,amojo_id,version,task_types',
      );
      expect(rich.json._embedded.datetime_settings.timezone).toBe('Europe/Moscow');
      expect(rich.json._embedded.task_types.map((t: { id: number }) => t.id)).toEqual([1, 2]);
      expect(typeof rich.json.amojo_id).toBe('string');
      expect(rich.json.version).toBe(1);
    });
  });

  describe('state file', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    });
    afterEach(async () => {
      // Stopping saves the state, so it goes first or the folder would be made again.
      await sb.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('continues after a restart with the same leads, contacts, ids, tokens and webhooks', async () => {
      const stateFile = join(dir, 'state.json');
      await setup({ stateFile });
      const pair = await connect(sb);
      const first = (await api.post('/api/v4/leads/complex', [complexItem('1', '+76666666666')]))
        .json[0];
      await api.post('/api/v4/webhooks', {
        destination: 'http://127.0.0.1:9/hook',
        settings: ['add_lead'],
      });
      await sb.stop();

      sb = await startSandbox({ stateFile });
      expect(sb.leads().map((l) => l.id)).toEqual([first.id]);
      expect(sb.contacts().map((c) => c.id)).toEqual([first.contact_id]);
      expect(sb.webhooks().map((h) => h.destination)).toEqual(['http://127.0.0.1:9/hook']);
      // The saved token still works and new ids continue after the old ones.
      const again = client(sb, pair.access);
      const next = (await again.post('/api/v4/leads/complex', [complexItem('2', '+77777777777')]))
        .json[0];
      expect(next.id).toBe(first.id + 1);
      expect(next.contact_id).toBe(first.contact_id + 1);
      const named = await again.post('/api/v4/leads/complex', [
        { name: 'existing contact', _embedded: { contacts: [{ id: first.contact_id }] } },
      ]);
      expect(named.status).toBe(200);
    });

    it('starts empty without a file and refuses a file of another account', async () => {
      const stateFile = join(dir, 'state.json');
      await setup({ stateFile });
      expect(sb.leads()).toEqual([]);
      await api.post('/api/v4/leads', [{ name: 'one' }]);
      await sb.stop();
      await expect(startSandbox({ stateFile, accountId: 42 })).rejects.toThrow(
        /belongs to account 31000001, not 42/,
      );
      sb = await startSandbox({ stateFile });
    });
  });
});
