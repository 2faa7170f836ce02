import request from 'supertest';
import { App } from 'supertest/types';
import { admin, createProperty } from './helpers/factories';
import { createTestApp, TestApp, truncateAll } from './helpers/test-app';

describe("A property's amoCRM agent", () => {
  let t: TestApp;
  let server: App;

  beforeAll(async () => {
    t = await createTestApp();
    server = t.app.getHttpServer();
  });
  afterAll(async () => t.close());
  beforeEach(async () => truncateAll(t.dataSource));

  it('is set, shown and cleared with PATCH', async () => {
    const p = await createProperty(server);
    expect((await request(server).get(`/api/properties/${p.id}`).expect(200)).body).toMatchObject({
      amoResponsibleUserId: null,
    });
    const set = await request(server)
      .patch(`/api/properties/${p.id}`)
      .set(admin)
      .send({ amoResponsibleUserId: 9000003 })
      .expect(200);
    expect(set.body.amoResponsibleUserId).toBe(9000003);
    expect((await request(server).get(`/api/properties/${p.id}`).expect(200)).body).toMatchObject({
      amoResponsibleUserId: 9000003,
      title: p.title,
    });
    const cleared = await request(server)
      .patch(`/api/properties/${p.id}`)
      .set(admin)
      .send({ amoResponsibleUserId: null })
      .expect(200);
    expect(cleared.body.amoResponsibleUserId).toBeNull();
  });

  it.each([[0], [-5], [1.5], ['9000003'], [Number.MAX_SAFE_INTEGER + 2]])(
    'refuses %p as an agent id with a 400 naming the field',
    async (value) => {
      const p = await createProperty(server);
      const res = await request(server)
        .patch(`/api/properties/${p.id}`)
        .set(admin)
        .send({ amoResponsibleUserId: value })
        .expect(400);
      expect(JSON.stringify(res.body.errors)).toContain('amoResponsibleUserId');
    },
  );
});
