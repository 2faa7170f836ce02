import request from 'supertest';
import { App } from 'supertest/types';
import { ADMIN_KEY, createTestApp, TestApp } from './helpers/test-app';

describe('Admin guard', () => {
  describe('with a key configured', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(async () => t.close());

    it('answers 401 without a token', async () => {
      const res = await request(t.app.getHttpServer() as App)
        .get('/api/leads')
        .expect(401);
      expect(res.body).toEqual({ statusCode: 401, message: 'Missing admin bearer token' });
    });

    it('answers 401 for a wrong token of any length', async () => {
      for (const token of ['x', ADMIN_KEY.slice(0, -1), `${ADMIN_KEY}x`, ADMIN_KEY.toUpperCase()]) {
        await request(t.app.getHttpServer() as App)
          .get('/api/leads')
          .set('Authorization', `Bearer ${token}`)
          .expect(401);
      }
      await request(t.app.getHttpServer() as App)
        .get('/api/leads')
        .set('Authorization', ADMIN_KEY)
        .expect(401);
    });

    it('lets the right token through', async () => {
      await request(t.app.getHttpServer() as App)
        .get('/api/leads')
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .expect(200);
    });

    it('keeps public routes public', async () => {
      await request(t.app.getHttpServer() as App)
        .get('/api/properties')
        .expect(200);
      await request(t.app.getHttpServer() as App)
        .get('/api/health')
        .expect(200);
    });
  });

  describe('without a key configured', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ ADMIN_API_KEY: undefined });
    });
    afterAll(async () => t.close());

    it('stays closed with a clear message, whatever token is sent', async () => {
      const res = await request(t.app.getHttpServer() as App)
        .get('/api/leads')
        .set('Authorization', 'Bearer anything')
        .expect(403);
      expect(res.body.message).toContain('ADMIN_API_KEY');
      await request(t.app.getHttpServer() as App)
        .post('/api/properties')
        .send({ title: 'x', price: 1 })
        .expect(403);
    });
  });
});
