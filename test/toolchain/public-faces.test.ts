// The emulator and the routing engine are used through their index (and
// their command line): what lies behind it can move without breaking tools,
// benchmarks, tests, the stack or the policy pack.
import * as path from 'node:path';
import { importGraph } from '../../tools/import-cycles';
import { REPO_ROOT } from '../../support';

const FOLDERS = ['bench', 'clients', 'emulator', 'functions', 'infra', 'policy', 'routing', 'support', 'test', 'tools', 'workflows'];
/** Each module's public faces: its index and its command line. */
const FACES: Record<string, string[]> = {
  emulator: ['emulator/index.ts', 'emulator/cli.ts'],
  routing: ['routing/index.ts', 'routing/cli.ts'],
};

test.each(Object.keys(FACES))('nothing outside %s/ imports its internals', (module) => {
  const graph = importGraph(FOLDERS.map((folder) => path.join(REPO_ROOT, folder)));
  const rel = (file: string) => path.relative(REPO_ROOT, file).split(path.sep).join('/');
  const bypasses: string[] = [];
  for (const [from, targets] of graph) {
    if (rel(from).startsWith(`${module}/`)) continue;
    for (const to of targets) {
      if (rel(to).startsWith(`${module}/`) && !FACES[module].includes(rel(to))) bypasses.push(`${rel(from)} → ${rel(to)}`);
    }
  }
  expect(bypasses).toEqual([]);
});
