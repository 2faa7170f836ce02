import { ChildProcess } from 'node:child_process';
import { AppProcess, spawnAppProcess } from './helpers/app-process';
import { freePort } from './helpers/wait';

/**
 * A boot that fails ends as the rest of the logs do: JSON lines, the last one a single fatal
 * line saying what to fix — no coloured framework text, no stack.
 */
/** Starts every coloured terminal sequence Nest's default logger writes. */
const ESC = String.fromCharCode(27);

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function failedBoot(
  env: Record<string, string>,
): Promise<{ lines: string[]; code: number | null }> {
  const app: AppProcess = await spawnAppProcess({
    TEST_DATABASE_URL: '',
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    ...env,
  });
  const code = await exitOf(app.child);
  return {
    lines: app
      .output()
      .split('\n')
      .filter((l) => l.trim() !== ''),
    code,
  };
}

function parsed(lines: string[]): { level: number; msg: string; context?: string }[] {
  return lines.map((line) => JSON.parse(line) as { level: number; msg: string; context?: string });
}

describe('A failed boot', () => {
  it('names the setting in one JSON line when the configuration is invalid', async () => {
    const { lines, code } = await failedBoot({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none',
      SYNC_MAX_ATTEMPTS: 'many',
    });
    expect(code).toBe(1);
    const logs = parsed(lines);
    const fatal = logs.filter((l) => l.level === 60);
    expect(fatal).toHaveLength(1);
    expect(logs[logs.length - 1]).toBe(fatal[0]);
    expect(fatal[0].msg).toMatch(/^Invalid configuration: SYNC_MAX_ATTEMPTS .*\.env/);
    expect(lines.join('\n')).not.toContain(ESC);
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('names the host and what to check in one JSON line when the database cannot be reached', async () => {
    const port = await freePort();
    const { lines, code } = await failedBoot({
      DATABASE_URL: `postgresql://postgres:not-logged@127.0.0.1:${port}/leads`,
    });
    expect(code).toBe(1);
    const logs = parsed(lines);
    const fatal = logs.filter((l) => l.level === 60);
    expect(fatal).toHaveLength(1);
    expect(logs[logs.length - 1]).toBe(fatal[0]);
    expect(fatal[0].msg).toContain(`PostgreSQL at 127.0.0.1:${port}`);
    expect(fatal[0].msg).toMatch(/connection refused; check that the server is running/);
    expect(lines.join('\n')).not.toContain('not-logged');
    expect(lines.join('\n')).not.toContain(ESC);
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
  });
});
