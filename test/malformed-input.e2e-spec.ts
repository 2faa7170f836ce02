import request from 'supertest';
import { App } from 'supertest/types';
import { admin, createProperty, leadBody } from './helpers/factories';
import { createTestApp, TestApp, truncateAll } from './helpers/test-app';

interface Case {
  name: string;
  contentType: string;
  body: string;
}

const WRONG_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  true,
  [],
  {},
  ['PHONE'],
  { $gt: '' },
  '',
  ' ',
  '\u0000',
  'x'.repeat(5000),
  '😀'.repeat(300),
  "'; DROP TABLE leads; --",
];
/** Values of the right type that are still wrong for that field. */
const FIELD_SPECIFIC: Record<string, string[]> = {
  propertyId: [
    'abc',
    '123',
    '0b7c8ac5-2571-4d1f-9b00-04e298b72a4dd',
    '0b7c8ac5x2571-4d1f-9b00-04e298b72a4d',
    '{0b7c8ac5-2571-4d1f-9b00-04e298b72a4d}',
  ],
  guestName: ['\n', 'a\tb', 'line1\nline2', '\u001b[31mred', 'x'.repeat(201)],
  guestPhone: [
    '+7 912 ABC-67-89',
    '12345',
    '+999 1234567',
    '0000000',
    '++79123456789',
    '+7 912 345-67-89 ext 5',
    'tel:+79123456789',
    '+7 912 345\n67 89',
  ],
  guestEmail: ['a@', '@b.c', 'a b@c.d', 'a@b', '<a@b.c>', 'a@b.c\n', 'a@@b.c'],
  contactMethod: ['phone', 'Phone', ' PHONE', 'PHONE ', 'SMS', 'EMAIL,PHONE', 'ТЕЛЕФОН'],
  contactTime: ['morning', 'NIGHT', 'ANY TIME', '12:00', 'MORNING,EVENING'],
  comment: ['x'.repeat(2001), '\u0000hidden', 'a\u0000b'],
};
const FIELDS = [
  'propertyId',
  'guestName',
  'guestPhone',
  'guestEmail',
  'contactMethod',
  'contactTime',
  'comment',
];
const REQUIRED = ['propertyId', 'guestName', 'guestPhone', 'contactMethod'];

/** A generated set of bodies that must all be refused with a 4xx, never a 5xx. */
function buildCases(propertyId: string): Case[] {
  const json = (name: string, value: unknown): Case => ({
    name,
    contentType: 'application/json',
    body: JSON.stringify(value),
  });
  const valid = leadBody(propertyId);
  const cases: Case[] = [];
  for (const field of FIELDS) {
    for (const [i, v] of WRONG_VALUES.entries()) {
      // text that is legitimate for the field is not malformed
      if (
        typeof v === 'string' &&
        v !== '\u0000' &&
        v.length <= 200 &&
        ['guestName', 'comment'].includes(field)
      )
        continue;
      if (field === 'comment' && typeof v === 'string' && v.length <= 2000 && v !== '\u0000')
        continue;
      if (v === null && !REQUIRED.includes(field)) continue;
      cases.push(json(`${field} = wrong value #${i}`, { ...valid, [field]: v }));
    }
  }
  for (const [field, values] of Object.entries(FIELD_SPECIFIC)) {
    for (const [i, v] of values.entries())
      cases.push(json(`${field} = bad string #${i}`, { ...valid, [field]: v }));
  }
  for (const [i, a] of REQUIRED.entries()) {
    for (const b of REQUIRED.slice(i + 1)) {
      for (const v of [null, 7, {}])
        cases.push(json(`${a} and ${b} both ${JSON.stringify(v)}`, { ...valid, [a]: v, [b]: v }));
    }
  }
  for (const field of REQUIRED) {
    const rest: Record<string, unknown> = { ...valid };
    delete rest[field];
    cases.push(json(`missing ${field}`, rest));
  }
  for (const extra of ['status', 'source', 'amoLeadId', 'id', 'number', 'isAdmin', 'constructor']) {
    cases.push(json(`extra field ${extra}`, { ...valid, [extra]: 'WON' }));
  }
  const raw = JSON.stringify(valid).slice(1, -1);
  for (const proto of [
    '"__proto__":{"isAdmin":true}',
    '"__proto__":{"status":"WON"}',
    '"constructor":{"prototype":{"x":1}}',
    '"__proto__":null',
    '"__proto__":[]',
  ]) {
    cases.push({
      name: `prototype key ${proto}`,
      contentType: 'application/json',
      body: `{${raw},${proto}}`,
    });
  }
  const broken = [
    '{',
    '}',
    '{"propertyId":',
    "{'propertyId':'x'}",
    '{"a":1,}',
    'undefined',
    'NaN',
    '\u0000',
    '{"guestName":"\\ud800"}',
    '[1,2,3',
    '{"a":"\\x41"}',
    '{"a" 1}',
    '<lead/>',
  ];
  for (const [i, b] of broken.entries()) {
    cases.push({ name: `invalid JSON #${i}`, contentType: 'application/json', body: b });
  }
  for (const v of ['null', '42', '"lead"', 'true', '[]', `[${JSON.stringify(valid)}]`, '{}']) {
    cases.push({ name: `top-level ${v.slice(0, 20)}`, contentType: 'application/json', body: v });
  }
  cases.push(json('huge body over the limit', { ...valid, comment: 'x'.repeat(40_000) }));
  cases.push(json('huge guestName', { ...valid, guestName: 'x'.repeat(30_000) }));
  let deep: unknown = 'x';
  for (let i = 0; i < 2000; i++) deep = { a: deep };
  cases.push(json('deeply nested', { ...valid, comment: deep }));
  cases.push(
    json('many keys', Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]))),
  );
  for (const ct of [
    'text/plain',
    'application/xml',
    'application/octet-stream',
    'multipart/form-data; boundary=x',
  ]) {
    cases.push({ name: `content type ${ct}`, contentType: ct, body: JSON.stringify(valid) });
  }
  cases.push({
    name: 'form-encoded with bracket keys',
    contentType: 'application/x-www-form-urlencoded',
    body: 'propertyId[]=1&guestName[__proto__][x]=1&contactMethod=PHONE',
  });
  cases.push({
    name: 'form-encoded flat',
    contentType: 'application/x-www-form-urlencoded',
    body: `propertyId=${propertyId}&guestName=x&guestPhone=123&contactMethod=PHONE`,
  });
  cases.push({
    name: 'json with wrong charset',
    contentType: 'application/json; charset=koi8-r',
    body: JSON.stringify(valid),
  });
  cases.push({ name: 'empty body', contentType: 'application/json', body: '' });
  return cases;
}

describe('Malformed input', () => {
  let t: TestApp;
  let server: App;
  let cases: Case[];

  beforeAll(async () => {
    t = await createTestApp();
    server = t.app.getHttpServer();
    await truncateAll(t.dataSource);
    cases = buildCases((await createProperty(server)).id);
  });
  afterAll(async () => t.close());

  it('generates at least 200 malformed lead bodies', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it('answers every malformed lead body with a 4xx in the shared error shape and stores nothing', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      const res = await request(server)
        .post('/api/leads')
        .set('Content-Type', c.contentType)
        .send(c.body);
      const shapeOk =
        typeof res.body?.statusCode === 'number' && typeof res.body?.message === 'string';
      if (res.status < 400 || res.status >= 500 || !shapeOk) {
        failures.push(`${c.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM leads');
    expect(count).toBe(0);
  });

  it('never answers 5xx to malformed admin input either', async () => {
    const bodies = [
      ...WRONG_VALUES.map((v) => ({ status: v })),
      ...WRONG_VALUES.map((v) => ({ guestPhone: v })),
      ...WRONG_VALUES.map((v) => ({ price: v, title: v })),
    ];
    const statuses: number[] = [];
    for (const b of bodies) {
      statuses.push(
        (
          await request(server)
            .patch('/api/leads/00000000-0000-4000-8000-000000000000/status')
            .set(admin)
            .send(b)
        ).status,
      );
      statuses.push(
        (await request(server).patch('/api/leads/not-a-uuid').set(admin).send(b)).status,
      );
      statuses.push((await request(server).post('/api/properties').set(admin).send(b)).status);
    }
    for (const q of [
      'page=-1',
      'page=abc',
      'limit=0',
      'limit=1e9',
      'page[]=1',
      'status[$ne]=x',
      'page=99999999999999999999',
    ]) {
      statuses.push((await request(server).get(`/api/leads?${q}`).set(admin)).status);
      statuses.push((await request(server).get(`/api/properties?${q}`)).status);
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
});
