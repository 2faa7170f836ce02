import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, spawnAppProcess } from './helpers/app-process';
import { ADMIN_KEY } from './helpers/test-app';
import { eventually, freePort } from './helpers/wait';

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

describe('An expected refusal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leads-boot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers 503 "not configured" with the request line only: no warning, no stack', async () => {
    const app = await spawnAppProcess({
      DATABASE_URL: '',
      TEST_DATABASE_URL: '',
      EMBEDDED_DB_DIR: join(dir, 'pg'),
      ADMIN_API_KEY: ADMIN_KEY,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
    });
    try {
      // a cold embedded database on a busy machine can take a while
      await eventually(() => app.output().includes('listening on'), 150_000);
      const res = await fetch(`${app.url}/api/integrations/amo-crm/test`, {
        headers: { Authorization: `Bearer ${ADMIN_KEY}` },
      });
      expect(res.status).toBe(503);
      const line = (): string | undefined =>
        app
          .output()
          .split('\n')
          .find((l) => l.includes('/api/integrations/amo-crm/test') && l.includes('"res"'));
      await eventually(() => line() !== undefined);
      const mentions = app
        .output()
        .split('\n')
        .filter((l) => l.includes('amo-crm/test') || l.includes('not configured'))
        .filter((l) => !l.includes('Mapped {'));
      expect(mentions).toHaveLength(1);
      const logged = JSON.parse(mentions[0]) as { level: number; err?: unknown };
      expect(logged.level).toBeLessThan(40);
      expect(logged.err).toBeUndefined();
      expect(mentions[0]).not.toContain('stack');
    } finally {
      const exited = new Promise((r) => app.child.once('exit', r));
      app.child.kill('SIGTERM');
      await exited;
    }
  }, 180_000);
});
