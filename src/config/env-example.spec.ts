import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { loadConfig } from './configuration';

/**
 * `.env.example` is what a new user copies to `.env`: it must name every setting the app reads
 * and, copied as it is, change nothing (every line commented out).
 */
const root = join(__dirname, '..', '..');
const example = readFileSync(join(root, '.env.example'), 'utf8');
const validation = readFileSync(join(__dirname, 'env.validation.ts'), 'utf8');
const variables = [...validation.matchAll(/^ {2}([A-Z][A-Z0-9_]*)\??!?:/gm)].map((m) => m[1]);

describe('.env.example', () => {
  it('names every variable the configuration validates', () => {
    expect(variables.length).toBeGreaterThan(30);
    const named = new Set([...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    expect(variables.filter((v) => !named.has(v))).toEqual([]);
  });

  it('sets nothing when copied to .env as it is', () => {
    expect(parseEnv(example)).toEqual({});
  });

  it('holds placeholders only, never a usable secret', () => {
    for (const name of [
      'ADMIN_API_KEY',
      'LEAD_FORM_SITE_KEY',
      'AMO_WEBHOOK_SECRET',
      'AMO_CLIENT_SECRET',
      'TOKEN_ENCRYPTION_KEY',
    ]) {
      expect(example).toMatch(new RegExp(`^# ${name}=<[^>]+>$`, 'm'));
    }
  });

  it('gives a configuration that boots when uncommented line by line', () => {
    // every example value that is not a placeholder is valid on its own
    for (const match of example.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)) {
      const [, name, value] = match;
      if (value.includes('<') || name.startsWith('AMO_') || name === 'TOKEN_ENCRYPTION_KEY')
        continue;
      expect(() => loadConfig({ [name]: value })).not.toThrow();
    }
  });
});
