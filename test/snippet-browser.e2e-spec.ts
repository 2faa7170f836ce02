import { existsSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser, chromium } from 'playwright-core';
import request from 'supertest';
import { App } from 'supertest/types';
import { admin, createProperty } from './helpers/factories';
import { TestApp, createTestApp, truncateAll } from './helpers/test-app';
import { freePort } from './helpers/wait';

const CHROMIUM = '/usr/bin/chromium';
const HAS_BROWSER = existsSync(CHROMIUM);
const describeWithBrowser = HAS_BROWSER ? describe : describe.skip;
const TITLE = HAS_BROWSER
  ? 'Attribution snippet in a real browser'
  : `Attribution snippet in a real browser (skipped: no Chromium at ${CHROMIUM})`;

/** A stand-in for the property site: two pages that load the snippet from the API's origin. */
function siteServer(apiUrl: () => string): http.Server {
  const page = (body: string) => `<!doctype html><html><head>
    <script src="${apiUrl()}/api/snippet/attribution.js"></script></head><body>${body}</body></html>`;
  return http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (path === '/landing') res.end(page('<a id="go" href="/flat/7">Loft</a>'));
    else if (path === '/flat/7') res.end(page('<h1>Loft on Arbat</h1>'));
    else res.writeHead(404).end();
  });
}

describeWithBrowser(TITLE, () => {
  let t: TestApp;
  let server: App;
  let site: http.Server;
  let siteUrl = '';
  let apiUrl = '';
  let browser: Browser;

  beforeAll(async () => {
    site = siteServer(() => apiUrl);
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    t = await createTestApp({ CORS_ORIGINS: siteUrl });
    await t.app.listen(port, '127.0.0.1');
    server = t.app.getHttpServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
    await new Promise<void>((r) => site.close(() => r()));
  });

  it('keeps the landing page tags through a second page and posts them with the lead', async () => {
    await truncateAll(t.dataSource);
    const { id: propertyId } = await createProperty(server);
    const page = await browser.newPage();
    try {
      await page.goto(`${siteUrl}/landing?utm_source=yandex&utm_campaign=spring&gclid=abc`);
      await page.click('#go');
      await page.waitForURL(`${siteUrl}/flat/7`);
      const answer = await page.evaluate(
        async ({ api, propertyId }) => {
          const w = globalThis as unknown as {
            LeadAttribution: { addTo(b: object): object };
          };
          const body = w.LeadAttribution.addTo({
            propertyId,
            guestName: 'Browser Guest',
            guestPhone: '+7 912 000-11-22',
            contactMethod: 'PHONE',
          });
          const res = await fetch(`${api}/api/leads`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          });
          return { status: res.status, json: (await res.json()) as { id: string } };
        },
        { api: apiUrl, propertyId },
      );
      expect(answer.status).toBe(201);
      const lead = (await request(server).get(`/api/leads/${answer.json.id}`).set(admin)).body;
      expect(lead.tracking).toEqual({ utmSource: 'yandex', utmCampaign: 'spring', gclid: 'abc' });
      expect(lead.pageUrl).toBe(`${siteUrl}/flat/7`);
    } finally {
      await page.close();
    }
  });
});
