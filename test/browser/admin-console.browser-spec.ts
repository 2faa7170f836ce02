import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import request from 'supertest';
import { App } from 'supertest/types';
import { AmoSandbox, SANDBOX_FIXTURES } from '../../sandbox';
import { amoEnv, startAmo } from '../helpers/amo';
import { createProperty, leadBody } from '../helpers/factories';
import { ADMIN_KEY, createTestApp, TestApp, truncateAll } from '../helpers/test-app';
import { eventually, freePort } from '../helpers/wait';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Set it to keep a screenshot of each step there; by default a run writes none. */
const SHOTS = process.env.CONSOLE_SCREENSHOTS_DIR;
const VALIDATION_400 = {
  'validation-errors': [
    {
      request_id: '0',
      errors: [
        {
          code: 'NotSupportedChoice',
          path: 'custom_fields_values.0.field_id',
          detail: 'The value you selected is not a valid choice.',
        },
      ],
    },
  ],
  title: 'Bad Request',
  type: 'https://httpstatus.es/400',
  status: 400,
  detail: 'Request validation failed',
};

/**
 * The console in a real Chromium against the real app and the amoCRM sandbox over HTTP:
 * sign in, connect through the consent redirect, see "connected", a job killed by amoCRM's
 * validation error with its reason, retried after the fault is cleared, the lead synced,
 * then sign out and be refused.
 */
describe('Admin console in a browser', () => {
  let sb: AmoSandbox;
  let t: TestApp;
  let server: App;
  let url: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    sb = await startAmo({ redirectUri: `${url}/api/integrations/amo-crm/callback` });
    t = await createTestApp(
      amoEnv(sb, {
        AMO_WEBHOOK_BASE_URL: url,
        SYNC_POLL_INTERVAL_MS: '200',
        SYNC_BACKOFF_BASE_MS: '50',
        SYNC_BACKOFF_CAP_MS: '300',
      }),
    );
    await t.app.listen(port, '127.0.0.1');
    server = t.app.getHttpServer();
    await truncateAll(t.dataSource);
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      // a refused request is logged by Chromium itself, and the callback's JSON page has no
      // icon; anything else is the console's fault
      const where = msg.location().url;
      if (where.endsWith('/favicon.ico')) return;
      if (msg.type() === 'error' && !/status of 40[13]/.test(msg.text())) {
        pageErrors.push(`${msg.text()} (${where})`);
      }
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
    await sb?.stop();
  });

  const shot = async (name: string): Promise<void> => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  it('signs in with the key, never keeping it in the page', async () => {
    await page.goto(`${url}/admin`);
    await page.getByLabel('Admin key (ADMIN_API_KEY)').fill('not-the-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That is not the admin key.').waitFor();
    await page.getByLabel('Admin key (ADMIN_API_KEY)').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(page.url()).not.toContain(ADMIN_KEY);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'admin_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api' });
    expect(session?.expires).toBeGreaterThan(Date.now() / 1000);
    // evaluated in the page (as text: this program has no DOM types)
    const stored = await page.evaluate<{
      cookie: string;
      local: string;
      session: string;
      html: string;
    }>(`({
      cookie: document.cookie,
      local: JSON.stringify(window.localStorage),
      session: JSON.stringify(window.sessionStorage),
      html: document.documentElement.outerHTML,
    })`);
    expect(stored.cookie).toBe('');
    for (const place of [stored.local, stored.session, stored.html]) {
      expect(place).not.toContain(ADMIN_KEY);
    }
  });

  it('connects amoCRM with the Connect button and shows "connected"', async () => {
    await page.getByText('not connected', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Connect amoCRM' }).click();
    // amoCRM's consent (the sandbox answers "Allow") sends the browser to our callback
    await page.waitForURL(/\/api\/integrations\/amo-crm\/callback/);
    expect(await page.textContent('body')).toContain('"connected":true');
    await page.goto(`${url}/admin#/overview`);
    await page.getByText('connected', { exact: true }).waitFor();
    await page.getByText(/^registered \(checked/).waitFor();
    await page.getByText(sb.baseDomain, { exact: true }).waitFor();
    await shot('overview-connected');
  });

  it('shows a job amoCRM refused with its reason, retries it once cleared, and the lead syncs', async () => {
    const property = await createProperty(server, { title: 'Loft on Arbat' });
    sb.failNext({
      method: 'POST',
      path: '/api/v4/leads/complex',
      count: 1,
      status: 400,
      body: VALIDATION_400,
    });
    const lead = (await request(server).post('/api/leads').send(leadBody(property.id)).expect(201))
      .body;
    await page.getByRole('link', { name: 'Failures' }).click();
    const card = page.locator(`[data-job]`, { hasText: `Lead #${lead.number}` });
    await card.waitFor();
    await card.getByText('The value you selected is not a valid choice.').waitFor();
    expect(await card.textContent()).toContain('custom_fields_values.0.field_id');
    expect(await card.textContent()).toContain('NotSupportedChoice');
    await shot('failures-dead-job');

    sb.clearFaults();
    await card.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('Queued again: 1 job(s), 0 event(s).').waitFor();
    await page.getByText('No failures. Every job and webhook event went through.').waitFor();

    await page.getByRole('link', { name: 'Leads' }).click();
    const row = page.locator(`tr[data-lead="${lead.number}"]`);
    await row.locator('[data-state="SYNCED"]').waitFor();
    const amoLeadId = sb.leads().at(-1)!.id;
    expect(await row.getByRole('link').getAttribute('href')).toBe(
      `https://${sb.baseDomain}/leads/detail/${amoLeadId}`,
    );
    expect(await row.textContent()).toContain('Loft on Arbat');

    // a manager moves it to a stage our mapping does not know: the warning appears on the row
    // (amoCRM's times are whole seconds and a change in the second of the last one applied
    // counts as stale, so the move waits for the next second)
    const syncedAt = sb.leads().find((l) => l.id === amoLeadId)!.updated_at;
    await eventually(() => Math.floor(Date.now() / 1000) > syncedAt);
    const second = SANDBOX_FIXTURES.secondStages.newRequest;
    sb.moveLead(amoLeadId, { statusId: second, pipelineId: SANDBOX_FIXTURES.secondPipelineId });
    await row.locator('[data-unmapped]').waitFor();
    expect(await row.locator('[data-unmapped]').textContent()).toContain(
      `stage ${second} of pipeline ${SANDBOX_FIXTURES.secondPipelineId} is not mapped`,
    );
    expect(await row.textContent()).toContain('NEW');
    await page.selectOption('#f-sync', 'DEAD');
    await page.getByText('No leads match these filters.').waitFor();
    await page.selectOption('#f-sync', 'SYNCED');
    await row.waitFor();
    await shot('leads-synced');
  });

  it('fits a phone-sized window', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByText('connected', { exact: true }).waitFor();
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    await shot('overview-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('disconnects only after the confirmation', async () => {
    await page.getByRole('button', { name: 'Disconnect…' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('connected', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Disconnect…' }).click();
    await page.getByRole('button', { name: 'Yes, disconnect' }).click();
    await page.getByText('disconnected', { exact: true }).waitFor();
    await page.getByText('amoCRM disconnected.').waitFor();
    await page.getByRole('link', { name: 'Connect amoCRM' }).waitFor();
  });

  it('signs out, and the session is refused afterwards', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    const status = await page.evaluate<number>(`fetch('/api/leads').then((r) => r.status)`);
    expect(status).toBe(401);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});

describe('Admin console in a browser without ADMIN_API_KEY', () => {
  let t: TestApp;
  let url: string;
  let profile: string;
  let context: BrowserContext;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    t = await createTestApp({ ADMIN_API_KEY: undefined });
    await t.app.listen(port, '127.0.0.1');
    profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
  });

  it('explains how to open the console', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${url}/admin`);
    await page.getByText('The console is closed because ADMIN_API_KEY is not set.').waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
  });
});
