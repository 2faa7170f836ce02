/**
 * Checks the rules of docs/ARCHITECTURE.md on src/: no import cycles, imports point down the
 * layers, amoCRM paths only in the API layer, files of a readable size. Exits 1 on a breach.
 * Run: npx ts-node --transpile-only scripts/check-architecture.ts
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const SRC = join(ROOT, 'src');
const MAX_LINES = 350;

/** Folder (relative to src/) → folders it must not import. */
const FEATURES = [
  'leads',
  'properties',
  'health',
  'amo-crm/connection',
  'amo-crm/outbox',
  'amo-crm/outbound',
  'amo-crm/inbound',
  'amo-crm/mapping',
  'amo-crm/console',
  'console',
];
const FORBIDDEN: Record<string, string[]> = {
  config: [...FEATURES, 'amo-crm'],
  database: [...FEATURES, 'amo-crm'],
  common: [...FEATURES, 'amo-crm'],
  throttling: [...FEATURES, 'amo-crm'],
  'amo-crm/client': [...FEATURES, 'amo-crm/auth', 'amo-crm/api'],
  'amo-crm/auth': [...FEATURES, 'amo-crm/api'],
  'amo-crm/api': FEATURES,
  'amo-crm/mapping': [
    'amo-crm/connection',
    'amo-crm/outbox',
    'amo-crm/outbound',
    'amo-crm/inbound',
  ],
  'amo-crm/connection': ['amo-crm/outbox', 'amo-crm/outbound', 'amo-crm/inbound'],
  'amo-crm/outbox': ['amo-crm/connection', 'amo-crm/outbound', 'amo-crm/inbound'],
  'amo-crm/outbound': ['amo-crm/inbound'],
  'amo-crm/inbound': ['amo-crm/outbound', 'amo-crm/outbox'],
  leads: [
    'amo-crm/client',
    'amo-crm/auth',
    'amo-crm/api',
    'amo-crm/connection',
    'amo-crm/outbound',
    'amo-crm/inbound',
    'amo-crm/mapping',
  ],
  properties: ['amo-crm', 'leads'],
  // the console's page and sign-in know no feature; its data comes from the admin API
  console: [...FEATURES, 'amo-crm'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const base = resolve(dirname(file), m[1]);
    const target = [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p));
    if (target) found.push(target);
  }
  return found;
}

const folderOf = (file: string): string => {
  const rel = relative(SRC, file).split('/');
  return rel[0] === 'amo-crm' && rel.length > 2 ? `${rel[0]}/${rel[1]}` : rel[0];
};
const inFolder = (file: string, folder: string): boolean =>
  relative(SRC, file) === folder || relative(SRC, file).startsWith(`${folder}/`);

const problems: string[] = [];
const all = files(SRC);
const graph = new Map(all.filter((f) => !f.endsWith('.spec.ts')).map((f) => [f, importsOf(f)]));

for (const [file, deps] of graph) {
  const rules = FORBIDDEN[folderOf(file)] ?? [];
  for (const dep of deps) {
    if (dep.startsWith(join(ROOT, 'migrations'))) continue;
    if (!dep.startsWith(SRC)) {
      problems.push(`${relative(ROOT, file)} imports ${relative(ROOT, dep)} from outside src/`);
      continue;
    }
    const bad = rules.find((folder) => inFolder(dep, folder) && !inFolder(file, folder));
    if (bad)
      problems.push(`${relative(SRC, file)} imports ${relative(SRC, dep)} (up into ${bad}/)`);
  }
}

// cycles: depth-first search, reporting each cycle once by its smallest member
const state = new Map<string, 'open' | 'done'>();
const stack: string[] = [];
const seen = new Set<string>();
function visit(file: string): void {
  state.set(file, 'open');
  stack.push(file);
  for (const dep of graph.get(file) ?? []) {
    if (state.get(dep) === 'open') {
      const cycle = stack.slice(stack.indexOf(dep)).map((f) => relative(SRC, f));
      const key = [...cycle].sort().join('|');
      if (!seen.has(key)) {
        seen.add(key);
        problems.push(`import cycle: ${[...cycle, cycle[0]].join(' → ')}`);
      }
    } else if (!state.has(dep) && graph.has(dep)) visit(dep);
  }
  stack.pop();
  state.set(file, 'done');
}
for (const file of graph.keys()) if (!state.has(file)) visit(file);

for (const file of all) {
  const text = readFileSync(file, 'utf8');
  if (text.includes('/api/v4/') && !inFolder(file, 'amo-crm/api')) {
    problems.push(`${relative(SRC, file)} names an amoCRM API path outside amo-crm/api/`);
  }
  const lines = text.split('\n').length - 1;
  if (lines > MAX_LINES)
    problems.push(`${relative(SRC, file)} has ${lines} lines (> ${MAX_LINES})`);
}

if (problems.length) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`${graph.size} files: no cycles, imports point down, paths and sizes fine\n`);
