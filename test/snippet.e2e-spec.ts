import request from 'supertest';
import { App } from 'supertest/types';
import { TestApp, createTestApp } from './helpers/test-app';

describe('GET /api/snippet/attribution.js', () => {
  let t: TestApp;
  let server: App;

  beforeAll(async () => {
    t = await createTestApp();
    server = t.app.getHttpServer();
  });
  afterAll(async () => t.close());

  it('serves the script as JavaScript, cacheable and loadable from the site origin', async () => {
    const res = await request(server).get('/api/snippet/attribution.js').expect(200);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers.etag).toMatch(/^"[\w-]{22}"$/);
    expect(res.text).toContain('LeadAttribution');
    expect(res.text).toContain("'utm_source', 'utmSource'");
  });

  it('answers 304 with no body to a request carrying its ETag', async () => {
    const first = await request(server).get('/api/snippet/attribution.js').expect(200);
    const again = await request(server)
      .get('/api/snippet/attribution.js')
      .set('If-None-Match', String(first.headers.etag))
      .expect(304);
    expect(again.text).toBe('');
  });

  it('documents the route in OpenAPI with its response types', async () => {
    const doc = (await request(server).get('/api/docs-json').expect(200)).body;
    const op = doc.paths['/api/snippet/attribution.js'].get;
    expect(Object.keys(op.responses).sort()).toEqual(['200', '304']);
    expect(op.responses['200'].content['application/javascript']).toBeDefined();
  });
});
