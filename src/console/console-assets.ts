import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface ConsoleAssets {
  js: string;
  css: string;
}

/** Where the client's sources live in the repository (src/console/client). */
export const CLIENT_DIR = resolve(__dirname, 'client');
/** Where `npm run build` writes the bundle: dist/console, beside the compiled dist/src. */
export const BUILT_DIR = resolve(__dirname, '..', '..', 'console');

interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<{ outputFiles?: { text: string }[] }>;
}

/** Bundles the client with esbuild: one ES2020 script, no source maps, nothing external. */
export async function bundleClient(minify: boolean): Promise<ConsoleAssets> {
  // esbuild is a development dependency: a production install serves the prebuilt bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as EsbuildLike;
  const result = await esbuild.build({
    entryPoints: [join(CLIENT_DIR, 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    minify,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles?.[0]?.text;
  if (!js) throw new Error('esbuild produced no output for the console');
  return { js, css: readFileSync(join(CLIENT_DIR, 'styles.css'), 'utf8') };
}

let loading: Promise<ConsoleAssets> | null = null;

/**
 * The compiled app serves the bundle `npm run build` wrote; ts-node (`npm run demo`,
 * `start:dev`) and the tests, which have no build, bundle the sources on first request.
 */
export function loadConsoleAssets(): Promise<ConsoleAssets> {
  if (!loading) {
    loading = (async () => {
      const js = join(BUILT_DIR, 'app.js');
      const css = join(BUILT_DIR, 'app.css');
      if (existsSync(js) && existsSync(css)) {
        return { js: readFileSync(js, 'utf8'), css: readFileSync(css, 'utf8') };
      }
      if (existsSync(join(CLIENT_DIR, 'main.ts'))) return bundleClient(false);
      throw new Error('The console bundle is missing: run `npm run build`');
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
