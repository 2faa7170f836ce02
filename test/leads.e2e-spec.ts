import request from 'supertest';
import { App } from 'supertest/types';
import { admin, createProperty, leadBody } from './helpers/factories';
import { createTestApp, TestApp, truncateAll } from './helpers/test-app';

describe('Leads API', () => {
  let t: TestApp;
  let server: App;
  let propertyId: string;

  beforeAll(async () => {
    t = await createTestApp();
    server = t.app.getHttpServer();
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    await truncateAll(t.dataSource);
    propertyId = (await createProperty(server)).id;
  });

  it('creates a lead from the public form with normalized contacts', async () => {
    const res = await request(server)
      .post('/api/leads')
      .send(
        leadBody(propertyId, { guestPhone: '8 (912) 345-67-89', guestEmail: ' Ivan@Example.COM ' }),
      )
      .expect(201);
    expect(res.body).toMatchObject({
      propertyId,
      guestPhone: '+79123456789',
      guestEmail: 'ivan@example.com',
      contactMethod: 'PHONE',
      contactTime: 'EVENING',
      status: 'NEW',
      source: 'SITE',
      amoLeadId: null,
    });
    expect(res.body.number).toEqual(expect.any(Number));
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const [row] = await t.dataSource.query('SELECT guest_phone, status FROM leads WHERE id = $1', [
      res.body.id,
    ]);
    expect(row).toEqual({ guest_phone: '+79123456789', status: 'NEW' });
  });

  it('gives consecutive human numbers', async () => {
    const a = await request(server).post('/api/leads').send(leadBody(propertyId)).expect(201);
    const b = await request(server).post('/api/leads').send(leadBody(propertyId)).expect(201);
    expect(b.body.number).toBe(a.body.number + 1);
  });

  it('defaults contactTime to ANY_TIME and accepts an e-mail-only lead', async () => {
    const res = await request(server)
      .post('/api/leads')
      .send({
        propertyId,
        guestName: 'Anna',
        guestEmail: 'anna@example.com',
        contactMethod: 'EMAIL',
      })
      .expect(201);
    expect(res.body).toMatchObject({ contactTime: 'ANY_TIME', guestPhone: null, comment: null });
  });

  it('answers 400 naming the property when it does not exist', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const res = await request(server).post('/api/leads').send(leadBody(missing)).expect(400);
    expect(res.body.message).toContain(missing);
    expect(res.body.errors).toEqual([
      { field: 'propertyId', messages: [expect.stringContaining(missing)] },
    ]);
  });

  it.each([
    ['propertyId', { propertyId: 'not-a-uuid' }],
    ['guestName', { guestName: '' }],
    ['guestName', { guestName: 'x'.repeat(201) }],
    ['guestPhone', { guestPhone: 'call me maybe' }],
    ['guestPhone', { guestPhone: '+7 912' }],
    ['guestPhone', { guestPhone: undefined }],
    ['guestEmail', { guestEmail: 'not-an-email' }],
    ['guestEmail', { contactMethod: 'EMAIL', guestEmail: undefined }],
    ['contactMethod', { contactMethod: 'PIGEON' }],
    ['contactMethod', { contactMethod: undefined }],
    ['contactTime', { contactTime: 'MIDNIGHT' }],
    ['comment', { comment: 'x'.repeat(2001) }],
    ['comment', { comment: 42 }],
    ['status', { status: 'WON' }],
  ])('rejects a bad %s with 400 that names it', async (field, patch) => {
    const res = await request(server)
      .post('/api/leads')
      .send(leadBody(propertyId, patch))
      .expect(400);
    expect(res.body.statusCode).toBe(400);
    expect(JSON.stringify(res.body.errors ?? res.body.message)).toContain(field);
    const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM leads');
    expect(count).toBe(0);
  });

  it('lists every failing field at once', async () => {
    const res = await request(server).post('/api/leads').send({ guestName: 5 }).expect(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['contactMethod', 'guestName', 'guestPhone', 'propertyId']);
  });

  describe('admin', () => {
    it('lists with pagination, newest first, and filters by status', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(
          (await request(server).post('/api/leads').send(leadBody(propertyId)).expect(201)).body.id,
        );
      }
      await request(server)
        .patch(`/api/leads/${ids[1]}/status`)
        .set(admin)
        .send({ status: 'WON' })
        .expect(200);

      const p1 = await request(server).get('/api/leads?page=1&limit=2').set(admin).expect(200);
      expect(p1.body).toMatchObject({ page: 1, limit: 2, total: 5 });
      expect(p1.body.items.map((l: { id: string }) => l.id)).toEqual([ids[4], ids[3]]);
      const p3 = await request(server).get('/api/leads?page=3&limit=2').set(admin).expect(200);
      expect(p3.body.items.map((l: { id: string }) => l.id)).toEqual([ids[0]]);

      const won = await request(server).get('/api/leads?status=WON').set(admin).expect(200);
      expect(won.body.total).toBe(1);
      expect(won.body.items[0].id).toBe(ids[1]);

      await request(server).get('/api/leads?limit=1000').set(admin).expect(400);
      await request(server).get('/api/leads?status=NOPE').set(admin).expect(400);
    });

    it('gets one lead, and 404s for an unknown id, 400 for a bad id', async () => {
      const created = (
        await request(server).post('/api/leads').send(leadBody(propertyId)).expect(201)
      ).body;
      const got = await request(server).get(`/api/leads/${created.id}`).set(admin).expect(200);
      expect(got.body).toEqual(created);
      const missing = await request(server)
        .get('/api/leads/00000000-0000-4000-8000-000000000000')
        .set(admin)
        .expect(404);
      expect(missing.body).toEqual({
        statusCode: 404,
        message: expect.stringContaining('not found'),
      });
      await request(server).get('/api/leads/123').set(admin).expect(400);
    });

    it('changes the status and validates it', async () => {
      const { id } = (
        await request(server).post('/api/leads').send(leadBody(propertyId)).expect(201)
      ).body;
      const res = await request(server)
        .patch(`/api/leads/${id}/status`)
        .set(admin)
        .send({ status: 'NEGOTIATION' })
        .expect(200);
      expect(res.body.status).toBe('NEGOTIATION');
      await request(server)
        .patch(`/api/leads/${id}/status`)
        .set(admin)
        .send({ status: 'DONE' })
        .expect(400);
      await request(server).patch(`/api/leads/${id}/status`).set(admin).send({}).expect(400);
      const again = await request(server).get(`/api/leads/${id}`).set(admin).expect(200);
      expect(again.body.status).toBe('NEGOTIATION');
    });

    it('edits guest fields, normalizing them, and refuses an empty or invalid edit', async () => {
      const { id } = (
        await request(server).post('/api/leads').send(leadBody(propertyId)).expect(201)
      ).body;
      const res = await request(server)
        .patch(`/api/leads/${id}`)
        .set(admin)
        .send({
          guestName: ' Olga ',
          guestPhone: '+7 999 111 22 33',
          guestEmail: 'OLGA@x.ru',
          comment: null,
        })
        .expect(200);
      expect(res.body).toMatchObject({
        guestName: 'Olga',
        guestPhone: '+79991112233',
        guestEmail: 'olga@x.ru',
        comment: null,
      });
      await request(server).patch(`/api/leads/${id}`).set(admin).send({}).expect(400);
      await request(server)
        .patch(`/api/leads/${id}`)
        .set(admin)
        .send({ guestPhone: 'nope' })
        .expect(400);
      await request(server)
        .patch(`/api/leads/${id}`)
        .set(admin)
        .send({ status: 'WON' })
        .expect(400);
      await request(server)
        .patch(`/api/leads/${id}`)
        .set(admin)
        .send({ guestPhone: null, guestEmail: null })
        .expect(400);
    });
  });
});
