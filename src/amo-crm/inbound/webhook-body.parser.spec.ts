import { InvalidInputError } from '../../common/domain-errors';
import { parseWebhookBody, WEBHOOK_LIMITS } from './webhook-body.parser';

/** What express's urlencoded parser (extended: false) hands over: a flat object of strings. */
const flat = (body: string): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : [prev, v].flat();
  }
  return out;
};

describe('parseWebhookBody', () => {
  it('reads the 2016 capture without account[id], keeping every field as a string', () => {
    const body = parseWebhookBody(
      flat(
        'leads%5Bstatus%5D%5B0%5D%5Bid%5D=31926520&leads%5Bstatus%5D%5B0%5D%5Bname%5D=Some+test+lead' +
          '&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=10216994&leads%5Bstatus%5D%5B0%5D%5Blast_modified%5D=1456820780' +
          '&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=some+text' +
          '&account%5Bsubdomain%5D=test000002',
      ),
    );
    expect(body.account).toEqual({ id: null, subdomain: 'test000002' });
    expect(body.groups).toHaveLength(1);
    expect(body.groups[0]).toMatchObject({ entity: 'leads', action: 'status' });
    expect(body.groups[0].items[0]).toEqual({
      id: '31926520',
      name: 'Some test lead',
      status_id: '10216994',
      last_modified: '1456820780',
      custom_fields: { 0: { values: { 0: { value: 'some text' } } } },
    });
  });

  it('keeps several groups and every item in index order, not only [0]', () => {
    const body = parseWebhookBody({
      'leads[status][10][id]': '3',
      'leads[status][2][id]': '2',
      'leads[status][0][id]': '1',
      'contacts[update][0][id]': '9',
      'account[id]': '5',
    });
    expect(body.account).toEqual({ id: 5, subdomain: null });
    expect(body.groups.map((g) => `${g.entity}.${g.action}`)).toEqual([
      'leads.status',
      'contacts.update',
    ]);
    expect(body.groups[0].items.map((i) => i.id)).toEqual(['1', '2', '3']);
  });

  it('keeps all 250 items of a large batch with 25 fields each', () => {
    const input: Record<string, string> = { 'account[id]': '1' };
    for (let i = 0; i < 250; i++)
      for (let f = 0; f < 25; f++) input[`leads[update][${i}][field_${f}]`] = String(f);
    const body = parseWebhookBody(input);
    expect(body.groups[0].items).toHaveLength(250);
    expect(Object.keys(body.groups[0].items[249])).toHaveLength(25);
  });

  it.each([
    ['no account block', { 'leads[add][0][id]': '1' }],
    ['no events', { 'account[id]': '1' }],
    ['a repeated key', { 'leads[add][0][id]': ['1', '2'], 'account[id]': '1' }],
    ['a non-numeric account id', { 'leads[add][0][id]': '1', 'account[id]': 'x' }],
    ['an item that is a plain value', { 'leads[add][0]': '1', 'account[id]': '1' }],
    ['a non-numeric item index', { 'leads[add][a][id]': '1', 'account[id]': '1' }],
    ['broken brackets', { 'leads[add][0[id]': '1', 'account[id]': '1' }],
    ['an empty [] segment', { 'leads[add][][id]': '1', 'account[id]': '1' }],
    ['a prototype key', { 'leads[add][0][__proto__][x]': '1', 'account[id]': '1' }],
    [
      'a key both leaf and branch',
      { 'leads[add][0][id]': '1', 'leads[add][0][id][x]': '2', 'account[id]': '1' },
    ],
    [
      'nesting past the limit',
      { [`leads[add][0]${'[a]'.repeat(WEBHOOK_LIMITS.maxDepth)}`]: '1', 'account[id]': '1' },
    ],
    ['a JSON body', { leads: { add: [{ id: 1 }] }, account: { id: 1 } }],
    ['nothing at all', undefined],
  ])('refuses %s as malformed', (_name, input) => {
    expect(() => parseWebhookBody(input)).toThrow(InvalidInputError);
  });

  it('refuses more items in one group than the limit', () => {
    const input: Record<string, string> = { 'account[id]': '1' };
    for (let i = 0; i <= WEBHOOK_LIMITS.maxItemsPerGroup; i++) input[`leads[add][${i}][id]`] = '1';
    expect(() => parseWebhookBody(input)).toThrow(/too many items/);
  });
});
