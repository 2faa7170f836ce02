/**
 * Writes the admin console's bundle to dist/console (app.js, app.css), where the compiled app
 * serves it from. Runs after `nest build` (which empties dist/); ts-node runs and the tests
 * bundle on the fly instead (src/console/console-assets.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleClient } from '../src/console/console-assets';

async function main(): Promise<void> {
  const out = resolve(__dirname, '..', 'dist', 'console');
  const assets = await bundleClient(true);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'app.js'), assets.js);
  writeFileSync(join(out, 'app.css'), assets.css);
  process.stdout.write(`console bundle: ${assets.js.length} bytes of script in ${out}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `Console build failed: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
