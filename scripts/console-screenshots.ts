/**
 * Screenshots of a running console, e.g. the demo's: signs in with the admin key, then saves
 * each page as a PNG. Used to refresh docs/console-overview.png.
 *
 *   CONSOLE_URL=http://127.0.0.1:3000 ADMIN_API_KEY=... \
 *     npx ts-node --transpile-only scripts/console-screenshots.ts <output folder> [width]
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

async function main(): Promise<void> {
  const base = process.env.CONSOLE_URL ?? 'http://127.0.0.1:3000';
  const key = process.env.ADMIN_API_KEY;
  if (!key) throw new Error('Set ADMIN_API_KEY to the console’s admin key');
  const out = resolve(process.argv[2] ?? '.data/screenshots');
  const width = Number(process.argv[3] ?? 1280);
  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    await page.goto(`${base}/admin`);
    await page.getByLabel('Admin key (ADMIN_API_KEY)').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    for (const name of ['overview', 'leads', 'failures', 'mapping']) {
      await page.goto(`${base}/admin#/${name}`);
      await page.locator('.region').first().waitFor();
      // (no waitForFunction: the console's CSP forbids the eval it relies on)
      await page.locator('[aria-busy="true"]').waitFor({ state: 'detached' });
      const file = join(out, `console-${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      process.stdout.write(`${file}\n`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
