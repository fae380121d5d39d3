/**
 * The shape of the deployed code: small modules with no import circles
 * (type-only imports and `typeof import()` count: they are how a module
 * names what it loads), and nothing in it that only tests need.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../functions');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

const files = walk(ROOT);
const source = (f: string) => fs.readFileSync(f, 'utf8');

/** Relative imports of a file: `import … from './x'`, `import type …`, `typeof import('./x')`, `require('./x')`. */
function importsOf(file: string): string[] {
  const out: string[] = [];
  const re = /(?:from\s+|import\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of source(file).matchAll(re)) {
    const base = path.resolve(path.dirname(file), m[1]);
    const target = [base, `${base}.ts`, `${base}.d.ts`, path.join(base, 'index.ts')].find((c) => files.includes(c));
    if (target) out.push(target);
  }
  return out;
}

describe('functions/ structure', () => {
  test('no import circles (type imports included)', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, stack: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'visiting') {
        cycles.push([...stack.slice(stack.indexOf(f)), f].map((x) => path.relative(ROOT, x)).join(' -> '));
        return;
      }
      state.set(f, 'visiting');
      for (const g of graph.get(f) ?? []) visit(g, [...stack, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
    // The check sees the imports it must see.
    expect(graph.get(path.join(ROOT, 'lib/chat.private.ts'))).toContain(path.join(ROOT, 'lib/chat-state.private.ts'));
  });

  test('no file over 600 lines', () => {
    const long = files.map((f) => ({ file: path.relative(ROOT, f), lines: source(f).split('\n').length })).filter((x) => x.lines > 600);
    expect(long).toEqual([]);
  });

  test('nothing only tests need is deployed: no mutable test hooks, no unused counters, no deep imports into the twilio package', () => {
    for (const f of files) {
      const text = source(f);
      expect({ file: path.relative(ROOT, f), hook: /portOptions|countingPort|export\s+(let|var)\s/.test(text) }).toEqual({ file: path.relative(ROOT, f), hook: false });
      expect({ file: path.relative(ROOT, f), deep: /['"]twilio\/lib\//.test(text) }).toEqual({ file: path.relative(ROOT, f), deep: false });
    }
  });
});
