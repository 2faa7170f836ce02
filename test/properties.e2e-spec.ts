import request from 'supertest';
import { App } from 'supertest/types';
import { admin } from './helpers/factories';
import { createTestApp, TestApp, truncateAll } from './helpers/test-app';

describe('Properties API', () => {
  let t: TestApp;
  let server: App;

  beforeAll(async () => {
    t = await createTestApp({ DEFAULT_CURRENCY: 'EUR' });
    server = t.app.getHttpServer();
  });
  afterAll(async () => t.close());
  beforeEach(async () => truncateAll(t.dataSource));

  it('creates a property with the configured default currency', async () => {
    const res = await request(server)
      .post('/api/properties')
      .set(admin)
      .send({ title: ' Loft ', price: 500 })
      .expect(201);
    expect(res.body).toMatchObject({ title: 'Loft', price: 500, currency: 'EUR' });
  });

  it.each([
    [{ title: 'x', price: -1 }],
    [{ title: 'x', price: 1.5 }],
    [{ title: 'x', price: '100' }],
    [{ title: '', price: 1 }],
    [{ title: 'x', price: 1, currency: 'rub' }],
    [{ title: 'x', price: 1, currency: 'RUBLES' }],
    [{ title: 'x', price: 1, owner: 'me' }],
  ])('rejects %j with 400', async (body) => {
    await request(server).post('/api/properties').set(admin).send(body).expect(400);
  });

  it('updates a property as admin only', async () => {
    const p = (
      await request(server)
        .post('/api/properties')
        .set(admin)
        .send({ title: 'A', price: 1 })
        .expect(201)
    ).body;
    await request(server).patch(`/api/properties/${p.id}`).send({ price: 2 }).expect(401);
    const res = await request(server)
      .patch(`/api/properties/${p.id}`)
      .set(admin)
      .send({ price: 2 })
      .expect(200);
    expect(res.body).toMatchObject({ id: p.id, title: 'A', price: 2 });
    await request(server)
      .patch('/api/properties/00000000-0000-4000-8000-000000000000')
      .set(admin)
      .send({ price: 2 })
      .expect(404);
  });

  it('lists and gets publicly with pagination', async () => {
    for (let i = 0; i < 3; i++) {
      await request(server)
        .post('/api/properties')
        .set(admin)
        .send({ title: `P${i}`, price: i })
        .expect(201);
    }
    const list = await request(server).get('/api/properties?limit=2').expect(200);
    expect(list.body).toMatchObject({ page: 1, limit: 2, total: 3 });
    expect(list.body.items).toHaveLength(2);
    const one = await request(server).get(`/api/properties/${list.body.items[0].id}`).expect(200);
    expect(one.body).toEqual(list.body.items[0]);
    await request(server).get('/api/properties/00000000-0000-4000-8000-000000000000').expect(404);
  });
});
