import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './wait';

const ROOT = join(__dirname, '..', '..');

export interface AppProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
}

/**
 * The real entry point (`src/main.ts`) in a process of its own, on a free loopback port, for
 * cases a test app in this process cannot show: a SIGKILL, the logs as written, a clean exit.
 * `env` is laid over this process's environment.
 */
export async function spawnAppProcess(
  env: Record<string, string | undefined>,
): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'main.ts')],
    {
      cwd: ROOT,
      // ts-node would keep a compile cache in /tmp (v8-compile-cache-<uid>); tests leave nothing there
      env: {
        ...process.env,
        DISABLE_V8_COMPILE_CACHE: '1',
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return { child, url: `http://127.0.0.1:${port}`, output: () => output };
}
