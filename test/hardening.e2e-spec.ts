import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox } from '../sandbox';
import { amoEnv, connectAmo, startAmo } from './helpers/amo';
import { admin, createProperty, leadBody } from './helpers/factories';
import { createTestApp, TestApp, truncateAll } from './helpers/test-app';

const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

describe('Hardened input handling', () => {
  let t: TestApp;
  let server: App;
  let property: { id: string; title: string; price: number; currency: string };
  const leadCount = async () =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM leads`))[0].n as number;

  beforeAll(async () => {
    t = await createTestApp();
    server = t.app.getHttpServer();
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    await truncateAll(t.dataSource);
    property = await createProperty(server);
  });

  it('checks the e-mail length after lower-casing (İ doubles), naming guestEmail', async () => {
    const label = 'İ'.repeat(60);
    const email = `a@${label}.${label}.${label}.${label}.com`;
    expect(email.length).toBeLessThanOrEqual(254);
    expect(email.toLowerCase().length).toBeGreaterThan(254);
    const res = await request(server)
      .post('/api/leads')
      .send(leadBody(property.id, { guestEmail: email }))
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['guestEmail']);
    expect(await leadCount()).toBe(0);
  });

  it.each([
    ['the public form', 'post', '/api/leads', false],
    ['an admin create', 'post', '/api/properties', true],
  ])(
    'refuses JSON nested 2,000 levels deep on %s with a 400 naming the field',
    async (_w, _m, path, asAdmin) => {
      const body = `{"comment":${nested(2000)},"title":${nested(2000)}}`;
      const req = request(server).post(path).set('Content-Type', 'application/json');
      if (asAdmin) req.set(admin);
      const res = await req.send(body).expect(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        message: expect.stringMatching(/comment|title/),
      });
      expect(res.body.errors[0].messages[0]).toMatch(/nested more than 8 levels/);
      expect(await leadCount()).toBe(0);
    },
  );

  it('refuses deep JSON on an admin PATCH and changes nothing', async () => {
    const lead = (await request(server).post('/api/leads').send(leadBody(property.id)).expect(201))
      .body;
    const res = await request(server)
      .patch(`/api/leads/${lead.id}`)
      .set(admin)
      .set('Content-Type', 'application/json')
      .send(`{"guestName":${nested(3000)}}`)
      .expect(400);
    expect(res.body.errors).toEqual([
      { field: 'guestName', messages: ['guestName is nested more than 8 levels deep'] },
    ]);
    const after = (await request(server).get(`/api/leads/${lead.id}`).set(admin).expect(200)).body;
    expect(after.guestName).toBe(lead.guestName);
  });

  it.each([['guestName'], ['contactMethod'], ['contactTime']])(
    'refuses {"%s": null} on PATCH /api/leads/:id with a 400 naming it, lead unchanged',
    async (field) => {
      const lead = (
        await request(server).post('/api/leads').send(leadBody(property.id)).expect(201)
      ).body;
      const res = await request(server)
        .patch(`/api/leads/${lead.id}`)
        .set(admin)
        .send({ [field]: null })
        .expect(400);
      expect(res.body.message).toBe(`Validation failed: ${field}`);
      expect(res.body.errors[0].messages).toContain(
        `${field} cannot be null; leave it out to keep the current value`,
      );
      const after = (await request(server).get(`/api/leads/${lead.id}`).set(admin).expect(200))
        .body;
      expect(after[field]).toBe(lead[field]);
    },
  );

  it('still clears an optional lead field with null', async () => {
    const lead = (await request(server).post('/api/leads').send(leadBody(property.id)).expect(201))
      .body;
    const res = await request(server)
      .patch(`/api/leads/${lead.id}`)
      .set(admin)
      .send({ comment: null });
    expect(res.status).toBe(200);
    expect(res.body.comment).toBeNull();
  });

  it.each([['title'], ['price'], ['currency']])(
    'refuses {"%s": null} on PATCH /api/properties/:id with a 400 naming it, property unchanged',
    async (field) => {
      const res = await request(server)
        .patch(`/api/properties/${property.id}`)
        .set(admin)
        .send({ [field]: null })
        .expect(400);
      expect(res.body.message).toBe(`Validation failed: ${field}`);
      const after = (await request(server).get(`/api/properties/${property.id}`).expect(200)).body;
      expect(after[field]).toEqual(property[field as keyof typeof property]);
    },
  );

  it.each([
    ['a bidi override', 'Ivan\u202Egnp.exe', 'bidirectional control character (U+202E)'],
    ['a line separator', 'Ivan\u2028Petrov', 'line or paragraph separator (U+2028)'],
    ['a paragraph separator', 'Ivan\u2029Petrov', 'line or paragraph separator (U+2029)'],
    ['a zero-width space', 'Iv\u200Ban', 'zero-width character (U+200B)'],
    ['a zero-width joiner as padding', 'Ivan\u200D', 'zero-width joiner outside a word'],
    ['a lone surrogate', 'Ivan\uD800', 'unpaired surrogate'],
  ])(
    'refuses a guest name with %s (400 naming guestName), nothing stored',
    async (_w, name, why) => {
      const res = await request(server)
        .post('/api/leads')
        .send(leadBody(property.id, { guestName: name }))
        .expect(400);
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].field).toBe('guestName');
      expect(res.body.errors[0].messages[0]).toContain(why);
      expect(await leadCount()).toBe(0);
    },
  );

  it('refuses the same characters in a property title and in a lead PATCH', async () => {
    await request(server)
      .post('/api/properties')
      .set(admin)
      .send({ title: 'Flat\u202E', price: 1 })
      .expect(400);
    const lead = (await request(server).post('/api/leads').send(leadBody(property.id)).expect(201))
      .body;
    const res = await request(server)
      .patch(`/api/leads/${lead.id}`)
      .set(admin)
      .send({ guestName: 'a\u2028b' })
      .expect(400);
    expect(res.body.errors[0].field).toBe('guestName');
  });

  it('stores exactly what it answers: a lone surrogate in a comment is refused, not replaced', async () => {
    const res = await request(server)
      .post('/api/leads')
      .send(leadBody(property.id, { comment: 'hello \uDC00' }))
      .expect(400);
    expect(res.body.errors[0].field).toBe('comment');
    expect(await leadCount()).toBe(0);
  });

  it('keeps names that need joiners: a Persian name with ZWNJ is stored as sent', async () => {
    const name = '\u0645\u062D\u0645\u062F\u200C\u0631\u0636\u0627';
    const res = await request(server)
      .post('/api/leads')
      .send(leadBody(property.id, { guestName: name }))
      .expect(201);
    expect(res.body.guestName).toBe(name);
    const [row] = await t.dataSource.query(`SELECT guest_name FROM leads`);
    expect(row.guest_name).toBe(name);
  });

  it('still refuses unknown query parameters on our own routes', async () => {
    const res = await request(server).get('/api/leads').query({ foo: '1' }).set(admin).expect(400);
    expect(res.body.message).toContain('foo');
  });
});

describe('Secrets, health and the OAuth callback', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let server: App;

  beforeAll(async () => {
    sb = await startAmo();
    t = await createTestApp(amoEnv(sb));
    server = t.app.getHttpServer();
  });
  afterAll(async () => {
    await t.close();
    await sb.stop();
  });
  beforeEach(async () => {
    await truncateAll(t.dataSource);
    sb.resetLog();
  });

  it.each([
    ['ADMIN_API_KEY', 'replace-with-a-long-random-string'],
    ['AMO_WEBHOOK_SECRET', 'replace-with-another-long-random-string'],
    ['ADMIN_API_KEY', 'too-short-key'],
    ['AMO_WEBHOOK_SECRET', 'x'.repeat(40)],
  ])('will not boot with %s=%s, and says how to generate one', async (name, value) => {
    await expect(createTestApp(amoEnv(sb, { [name]: value }))).rejects.toThrow(
      new RegExp(`${name}.*openssl rand -base64 32`, 's'),
    );
  });

  it('says only up on public health; details need the admin key', async () => {
    await connectAmo(server, sb);
    const pub = await request(server).get('/api/health').expect(200);
    expect(pub.body).toEqual({ status: 'up' });
    await request(server).get('/api/health/details').expect(401);
    const details = await request(server).get('/api/health/details').set(admin).expect(200);
    expect(details.body).toMatchObject({
      status: 'ok',
      database: { status: 'up' },
      amoCrm: { state: 'CONNECTED', expiresAt: expect.any(String) },
    });
  });

  it('ignores parameters amoCRM may add to the callback, and connects', async () => {
    const res = await request(server)
      .get('/api/integrations/amo-crm/callback')
      .query({ code: sb.issueAuthCode(), referer: sb.baseDomain, foo: '1', new_param: 'x' })
      .expect(200);
    expect(res.body).toMatchObject({ connected: true, accountId: sb.accountId });
  });

  it('still refuses a prototype key on the callback', async () => {
    await request(server).get('/api/integrations/amo-crm/callback?code=x&__proto__=1').expect(400);
    expect(sb.requestLog().filter((r) => r.path === '/oauth2/access_token')).toHaveLength(0);
  });

  it('never uses a stored token whose GCM tag was cut short', async () => {
    await connectAmo(server, sb);
    await t.dataSource.query(
      `UPDATE amo_tokens SET access_token_enc =
         split_part(access_token_enc, ':', 1) || ':' || split_part(access_token_enc, ':', 2) || ':' ||
         encode(substring(decode(split_part(access_token_enc, ':', 3), 'base64') from 1 for 4), 'base64') ||
         ':' || split_part(access_token_enc, ':', 4)`,
    );
    sb.resetLog();
    const res = await request(server).get('/api/integrations/amo-crm/test').set(admin);
    expect(res.status).not.toBe(200);
    expect(JSON.stringify(res.body)).not.toMatch(/auth tag|IV/);
    expect(sb.requestLog().filter((r) => r.path.startsWith('/api/v4'))).toHaveLength(0);
  });
});

describe('Public health with the database gone', () => {
  it('answers 503 down without the database error', async () => {
    const t = await createTestApp();
    const server = t.app.getHttpServer() as App;
    await t.dataSource.destroy();
    try {
      const pub = await request(server).get('/api/health').expect(503);
      expect(pub.body).toEqual({ status: 'down' });
      const details = await request(server).get('/api/health/details').set(admin).expect(503);
      expect(details.body.database).toMatchObject({ status: 'down', error: expect.any(String) });
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
