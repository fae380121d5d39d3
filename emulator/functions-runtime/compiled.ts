/**
 * Where the JavaScript of this directory's modules is, for the processes the
 * runtime starts (build hosts, function runners). Those run plain Node, so
 * they need compiled code: next to this module when the emulator itself runs
 * from dist/, or tsc's output in dist/ when it runs from the TypeScript
 * sources (under ts-jest). A stale dist/ would run old code in the child
 * processes, so it is refused with the command that fixes it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Source directories whose compiled output the child processes load. */
const CHILD_SOURCES = ['emulator/functions-runtime', 'clients'];

let checkedRoot: string | undefined;

function repoRootFromSources(): string {
  return path.resolve(__dirname, '..', '..');
}

function assertFresh(root: string): void {
  if (checkedRoot === root) return;
  for (const dir of CHILD_SOURCES) {
    for (const entry of fs.readdirSync(path.join(root, dir))) {
      if (!entry.endsWith('.ts') || entry.endsWith('.d.ts')) continue;
      const src = path.join(root, dir, entry);
      const out = path.join(root, 'dist', dir, entry.replace(/\.ts$/, '.js'));
      if (!fs.existsSync(out) || fs.statSync(out).mtimeMs + 1000 < fs.statSync(src).mtimeMs) {
        throw new Error(
          `the Functions runtime starts Node processes that load dist/${dir}/${path.basename(out)}, which is missing or older than ${dir}/${entry}: run \`npm run build\` (tsc -p tsconfig.json) first`,
        );
      }
    }
  }
  checkedRoot = root;
}

/** Absolute path of the compiled module `name` of this directory (e.g. `build-host`). */
export function compiledModule(name: string): string {
  if (__filename.endsWith('.js')) return path.join(__dirname, `${name}.js`);
  const root = repoRootFromSources();
  assertFresh(root);
  return path.join(root, 'dist', 'emulator', 'functions-runtime', `${name}.js`);
}
