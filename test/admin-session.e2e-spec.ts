import request from 'supertest';
import { App } from 'supertest/types';
import { admin } from './helpers/factories';
import { ADMIN_KEY, createTestApp, TestApp, truncateAll } from './helpers/test-app';

const SESSION = '/api/admin/session';

/** The `admin_session=…` pair of a sign-in answer, ready for a Cookie header. */
function cookieOf(res: request.Response): string {
  const header = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const line = header.find((c) => c.startsWith('admin_session='));
  if (!line) throw new Error('no admin_session cookie was set');
  return line.split(';')[0];
}

async function signIn(server: App): Promise<{ cookie: string; csrf: string; raw: string }> {
  const res = await request(server).post(SESSION).send({ key: ADMIN_KEY }).expect(201);
  const raw = ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('admin_session='))!;
  return { cookie: cookieOf(res), csrf: res.body.csrfToken as string, raw };
}

describe('Admin console sessions', () => {
  describe('with a key configured', () => {
    let t: TestApp;
    let server: App;
    beforeAll(async () => {
      t = await createTestApp();
      server = t.app.getHttpServer();
    });
    afterAll(async () => t.close());
    beforeEach(async () => truncateAll(t.dataSource));

    it('exchanges the key for an HttpOnly, SameSite=Strict cookie on /api with an expiry', async () => {
      const res = await request(server).post(SESSION).send({ key: ADMIN_KEY }).expect(201);
      const line = ([] as string[])
        .concat(res.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('admin_session='))!;
      expect(line).toMatch(/; HttpOnly/);
      expect(line).toMatch(/; SameSite=Strict/);
      expect(line).toMatch(/; Path=\/api(;|$)/);
      expect(line).toMatch(/; Max-Age=28800/);
      expect(line).toMatch(/; Expires=/);
      expect(line).not.toMatch(/Secure/); // plain http here
      expect(line).not.toContain(ADMIN_KEY);
      expect(res.body).toMatchObject({ enabled: true, signedIn: true });
      expect(res.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
      // only a digest of the cookie is stored
      const value = cookieOf(res).split('=')[1];
      const rows: { token_hash: string }[] = await t.dataSource.query(
        `SELECT token_hash FROM admin_sessions`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].token_hash).not.toContain(value);
    });

    it("replaces the browser's old session when it signs in again", async () => {
      const first = await signIn(server);
      const again = await request(server)
        .post(SESSION)
        .set('Cookie', first.cookie)
        .send({ key: ADMIN_KEY })
        .expect(201);
      await request(server).get('/api/leads').set('Cookie', first.cookie).expect(401);
      await request(server).get('/api/leads').set('Cookie', cookieOf(again)).expect(200);
      const rows: { n: number }[] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM admin_sessions`,
      );
      expect(rows[0].n).toBe(1);
    });

    it('refuses a wrong key with 401 and a missing one with 400, setting no cookie', async () => {
      const wrong = await request(server).post(SESSION).send({ key: 'not-the-key' }).expect(401);
      expect(wrong.body).toEqual({ statusCode: 401, message: 'Wrong admin key' });
      expect(wrong.headers['set-cookie']).toBeUndefined();
      const missing = await request(server).post(SESSION).send({}).expect(400);
      expect(missing.body.errors[0].field).toBe('key');
      expect(missing.headers['set-cookie']).toBeUndefined();
    });

    it('never accepts the key in a query string', async () => {
      const signInByUrl = await request(server)
        .post(`${SESSION}?key=${encodeURIComponent(ADMIN_KEY)}`)
        .send({ key: ADMIN_KEY })
        .expect(400);
      expect(signInByUrl.body.message).toMatch(/JSON body only/);
      expect(signInByUrl.headers['set-cookie']).toBeUndefined();
      for (const name of ['key', 'adminKey', 'access_token', 'authorization', 'token']) {
        await request(server)
          .get('/api/leads')
          .query({ [name]: ADMIN_KEY })
          .expect(401);
        await request(server)
          .get('/api/leads')
          .query({ [name]: `Bearer ${ADMIN_KEY}` })
          .expect(401);
      }
    });

    it('lets the cookie read admin routes, and GET session gives the page its CSRF token', async () => {
      const { cookie, csrf } = await signIn(server);
      await request(server).get('/api/leads').set('Cookie', cookie).expect(200);
      const me = await request(server).get(SESSION).set('Cookie', cookie).expect(200);
      expect(me.body).toMatchObject({ enabled: true, signedIn: true, csrfToken: csrf });
      const anonymous = await request(server).get(SESSION).expect(200);
      expect(anonymous.body).toEqual({
        enabled: true,
        signedIn: false,
        csrfToken: null,
        expiresAt: null,
      });
    });

    it('refuses a change made with the cookie without the right X-CSRF-Token (403)', async () => {
      const { cookie, csrf } = await signIn(server);
      const body = { title: 'Studio by the park', price: 9_000_000 };
      const missing = await request(server)
        .post('/api/properties')
        .set('Cookie', cookie)
        .send(body)
        .expect(403);
      expect(missing.body.message).toMatch(/Missing X-CSRF-Token/);
      const wrong = await request(server)
        .post('/api/properties')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', `${csrf}x`)
        .send(body)
        .expect(403);
      expect(wrong.body.message).toMatch(/does not match/);
      const otherSession = await signIn(server);
      await request(server)
        .post('/api/properties')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', otherSession.csrf)
        .send(body)
        .expect(403);
      const rows: { n: number }[] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM properties`,
      );
      expect(rows[0].n).toBe(0);
      await request(server)
        .post('/api/properties')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', csrf)
        .send(body)
        .expect(201);
    });

    it('keeps the bearer key working without any CSRF token', async () => {
      await request(server)
        .post('/api/properties')
        .set(admin)
        .send({ title: 'Flat with a view', price: 12_000_000 })
        .expect(201);
    });

    it('answers 401 for an expired session', async () => {
      const { cookie } = await signIn(server);
      await t.dataSource.query(
        `UPDATE admin_sessions SET created_at = now() - interval '9 hours', expires_at = now() - interval '1 hour'`,
      );
      const res = await request(server).get('/api/leads').set('Cookie', cookie).expect(401);
      expect(res.body.message).toMatch(/expired or was signed out/);
      const me = await request(server).get(SESSION).set('Cookie', cookie).expect(200);
      expect(me.body.signedIn).toBe(false);
    });

    it('answers 401 for a made-up session cookie', async () => {
      await request(server)
        .get('/api/leads')
        .set('Cookie', 'admin_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
        .expect(401);
    });

    it('signs out: CSRF required, the cookie cleared, the session refused afterwards', async () => {
      const { cookie, csrf } = await signIn(server);
      await request(server).delete(SESSION).set('Cookie', cookie).expect(403);
      await request(server).get('/api/leads').set('Cookie', cookie).expect(200);
      const out = await request(server)
        .delete(SESSION)
        .set('Cookie', cookie)
        .set('X-CSRF-Token', csrf)
        .expect(200);
      expect(out.body).toEqual({
        enabled: true,
        signedIn: false,
        csrfToken: null,
        expiresAt: null,
      });
      const cleared = ([] as string[]).concat(out.headers['set-cookie'] ?? []).join('\n');
      expect(cleared).toMatch(/admin_session=;.*Path=\/api/);
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
      await request(server).get('/api/leads').set('Cookie', cookie).expect(401);
      const rows: { n: number }[] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM admin_sessions`,
      );
      expect(rows[0].n).toBe(0);
    });

    it('serves the console page with a strict CSP and its bundled script from this origin', async () => {
      const page = await request(server).get('/admin').expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const csp = page.headers['content-security-policy'];
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(page.text).toContain('<script defer src="/admin/app.js">');
      expect(page.text).not.toMatch(/https?:\/\//);
      const js = await request(server).get('/admin/app.js').expect(200);
      expect(js.headers['content-type']).toMatch(/javascript/);
      expect(js.text).toContain('/api/admin/session');
      expect(js.text).not.toMatch(/localStorage|sessionStorage|document\.cookie/);
      const css = await request(server).get('/admin/app.css').expect(200);
      expect(css.headers['content-type']).toMatch(/text\/css/);
      await request(server).get('/admin/nothing-here.js').expect(404);
    });

    it('documents every console route with its responses and errors in OpenAPI', async () => {
      const doc = (await request(server).get('/api/docs-json').expect(200)).body as {
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      };
      const routes: [string, string, string[]][] = [
        ['/api/admin/session', 'get', ['200']],
        ['/api/admin/session', 'post', ['201', '400', '401', '403', '503']],
        ['/api/admin/session', 'delete', ['200', '403', '503']],
        ['/api/integrations/amo-crm/connection', 'get', ['200', '401', '403']],
        ['/api/integrations/amo-crm/connection/disconnect', 'post', ['200', '400', '401', '403']],
        ['/api/integrations/amo-crm/activity', 'get', ['200', '401', '403']],
        ['/api/integrations/amo-crm/failures', 'get', ['200', '401', '403']],
        ['/api/integrations/amo-crm/failures/retry', 'post', ['202', '400', '401', '404']],
        ['/api/integrations/amo-crm/mapping/view', 'get', ['200', '401', '409', '502']],
      ];
      for (const [path, method, codes] of routes) {
        const responses = doc.paths[path]?.[method]?.responses ?? {};
        expect([path, method, Object.keys(responses).sort()]).toEqual([
          path,
          method,
          expect.arrayContaining(codes),
        ]);
      }
    });
  });

  describe('behind an https proxy', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ TRUST_PROXY: 'loopback' });
    });
    afterAll(async () => t.close());

    it('marks the cookie Secure when the browser came over https', async () => {
      const res = await request(t.app.getHttpServer() as App)
        .post(SESSION)
        .set('X-Forwarded-Proto', 'https')
        .send({ key: ADMIN_KEY })
        .expect(201);
      const line = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join('\n');
      expect(line).toMatch(/; Secure/);
    });
  });

  describe('without a key configured', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ ADMIN_API_KEY: undefined });
    });
    afterAll(async () => t.close());

    it('says the console is closed and how to open it; a cookie opens nothing', async () => {
      const server = t.app.getHttpServer() as App;
      const me = await request(server).get(SESSION).expect(200);
      expect(me.body).toMatchObject({ enabled: false, signedIn: false });
      const res = await request(server).post(SESSION).send({ key: ADMIN_KEY }).expect(403);
      expect(res.body.message).toMatch(/set ADMIN_API_KEY/);
      await request(server)
        .get('/api/leads')
        .set('Cookie', 'admin_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
        .expect(403);
    });
  });
});
