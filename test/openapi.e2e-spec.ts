import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import request from 'supertest';
import { App } from 'supertest/types';
import { findOpenApiGaps } from './helpers/openapi-gaps';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * The document at /api/docs-json is what a site developer generates a client from: it must be
 * valid OpenAPI and describe every route's answer and its errors.
 */
describe('OpenAPI document', () => {
  let t: TestApp;
  let server: App;
  let doc: OpenAPIV3.Document;

  beforeAll(async () => {
    t = await createTestApp();
    server = t.app.getHttpServer();
    const res = await request(server).get('/api/docs-json').expect(200);
    doc = res.body as OpenAPIV3.Document;
  });
  afterAll(async () => t.close());

  it('is a valid OpenAPI 3 document', async () => {
    // validate() dereferences in place; the copy keeps `doc` as served
    const copy = structuredClone(doc);
    await expect(SwaggerParser.validate(copy)).resolves.toBeDefined();
    expect(doc.openapi).toMatch(/^3\./);
  });

  it('documents a response body and the error answers of every route', () => {
    expect(Object.keys(doc.paths).length).toBeGreaterThan(15);
    expect(findOpenApiGaps(doc)).toEqual([]);
  });

  it('describes errors with the one shared error body', () => {
    const schemas = doc.components?.schemas ?? {};
    expect(schemas.ErrorBodySchema).toMatchObject({
      required: expect.arrayContaining(['statusCode', 'message']),
    });
    const lead = doc.paths['/api/leads']?.post;
    expect(lead?.responses['400']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBodySchema' } } },
    });
    expect(lead?.responses['201']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/LeadSchema' } } },
    });
  });

  it('includes every route the app serves', () => {
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.keys(item ?? {}).map(
          (m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
        ),
      ),
    );
    const served = routesOf(t.app.getHttpAdapter().getInstance() as ExpressLike).filter(
      (r) => !r.includes('/api/docs'),
    );
    expect(served.length).toBeGreaterThan(15);
    expect(served.filter((r) => !documented.has(r))).toEqual([]);
  });

  it('reports the gaps of a route documented the way Nest leaves it by default', () => {
    const bare: OpenAPIV3.Document = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/api/things': {
          post: {
            requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
            responses: { '201': { description: '' } },
            security: [{ bearer: [] }],
          },
        },
      },
    };
    expect(findOpenApiGaps(bare)).toEqual([
      'POST /api/things: 201 has no JSON body schema',
      'POST /api/things: no error responses',
      'POST /api/things: admin route without 401 and 403',
      'POST /api/things: takes input but documents no 400',
      'POST /api/things: no 503 (database unavailable)',
    ]);
  });
});

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}
interface ExpressLike {
  router?: { stack: ExpressLayer[] };
  _router?: { stack: ExpressLayer[] };
}

/**
 * "METHOD /path" of every route registered on the Express app. Middleware mounted for every
 * method (the request logger's `{*path}`) is not a route and is left out.
 */
function routesOf(app: ExpressLike): string[] {
  const stack = (app.router ?? app._router)?.stack ?? [];
  return stack.flatMap((layer) => {
    const route = layer.route;
    const methods = Object.keys(route?.methods ?? {}).filter((m) => m !== '_all');
    if (!route || methods.length > 7) return [];
    return methods.map((m) => `${m.toUpperCase()} ${route.path}`);
  });
}
