// What `pulumi up` deploys must come from the sources of the same run. The
// program, the providers it serializes (they load dist/infra/providers at call
// time) and the function files it uploads (dist/functions) are all compiled
// output; Pulumi does not run build scripts. So the program refuses to run on
// a dist/ that is older than its sources, and says what to run.
//
// A source file counts as built when its compiled .js was written after it
// (any `tsc` run, incremental or not), or when its content is the one the last
// `npm run build` compiled (the digest in dist/.sources.sha256): a checkout or
// an editor that touches a file without changing it is not a change, and tsc
// does not rewrite the output of an unchanged file.
//
// tsc never deletes: the output of a source that was moved or removed stays in
// dist/ and can shadow its successor (`./routes.js` is found before
// `./routes/index.js`). So `write` also removes every compiled file whose
// source is gone.
//   node dist/tools/build-stamp.js write    # after a successful tsc (npm run build and setup do it)
//   node dist/tools/build-stamp.js check    # exit 1 with the reason when stale
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The source directories the program, its providers and its functions are compiled from. */
export const PROGRAM_SOURCE_DIRS = ['infra', 'functions', 'workflows', 'routing', 'clients'] as const;
/** Files outside those directories that the program loads, or that change what tsc emits. */
export const PROGRAM_SOURCE_FILES = ['tools/build-stamp.ts', 'tsconfig.json'] as const;

export const STAMP_FILE = path.join('dist', '.sources.sha256');
export const BUILD_COMMAND = 'npm run build';

function* sourceFiles(root: string): Generator<string> {
  for (const dir of PROGRAM_SOURCE_DIRS) {
    const full = path.join(root, dir);
    if (fs.existsSync(full)) yield* walk(full);
  }
  for (const file of PROGRAM_SOURCE_FILES) {
    if (fs.existsSync(path.join(root, file))) yield path.join(root, file);
  }
}

function* walk(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* walk(full);
    } else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield full;
  }
}

const hashOf = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const relative = (root: string, file: string) => path.relative(root, file).split(path.sep).join('/');

/** Where tsc writes a source's output (rootDir ".", outDir "dist"); tsconfig.json has the build info. */
function outputOf(root: string, source: string): string {
  const rel = relative(root, source);
  return rel === 'tsconfig.json' ? path.join(root, 'dist', '.tsbuildinfo') : path.join(root, 'dist', rel.replace(/\.ts$/, '.js'));
}

/** Per-file sha256 of every source the build compiles, keyed by path from the root. */
export function sourceHashes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of sourceFiles(root)) out[relative(root, file)] = hashOf(file);
  return out;
}

interface Stamp {
  /** Source path → sha256 of its content at build time. */
  sources: Record<string, string>;
}

/** Removes compiled files (`.js`, `.js.map`) under dist/ whose `.ts` source no longer exists; returns them. */
export function pruneOrphanOutputs(root: string): string[] {
  const dist = path.join(root, 'dist');
  const removed: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        visit(full);
        if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
        continue;
      }
      const compiled = /\.js(\.map)?$/.exec(entry.name);
      if (!compiled) continue;
      const source = path.join(root, path.relative(dist, full)).replace(/\.js(\.map)?$/, '.ts');
      if (fs.existsSync(source)) continue;
      fs.rmSync(full);
      removed.push(relative(root, full));
    }
  };
  if (fs.existsSync(dist)) visit(dist);
  return removed;
}

/** Records the sources a successful build compiled (after removing the outputs of sources that are gone). */
export function writeBuildStamp(root: string): void {
  pruneOrphanOutputs(root);
  const stamp: Stamp = { sources: sourceHashes(root) };
  const file = path.join(root, STAMP_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.partial`, `${JSON.stringify(stamp, null, 1)}\n`);
  fs.renameSync(`${file}.partial`, file);
}

function readStamp(root: string): Stamp {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, STAMP_FILE), 'utf8')) as Stamp;
  } catch {
    return { sources: {} };
  }
}

/** The sources changed since their output was compiled. */
export function unbuiltSources(root: string): string[] {
  let stamp: Stamp | undefined;
  const unbuilt: string[] = [];
  for (const source of sourceFiles(root)) {
    const output = outputOf(root, source);
    // Cheap first: an output written after its source is current.
    if (fs.existsSync(output) && fs.statSync(output).mtimeMs >= fs.statSync(source).mtimeMs) continue;
    stamp ??= readStamp(root);
    if (stamp.sources[relative(root, source)] === hashOf(source)) continue;
    unbuilt.push(relative(root, source));
  }
  return unbuilt;
}

/** Why dist/ is not the build of the current sources, or undefined when it is. */
export function staleBuildReason(root: string): string | undefined {
  if (!fs.existsSync(path.join(root, 'dist', 'infra', 'index.js'))) {
    return `dist/ holds no build of the program. Run \`${BUILD_COMMAND}\` in ${root}, then run the command again.`;
  }
  const unbuilt = unbuiltSources(root);
  if (unbuilt.length === 0) return undefined;
  const shown = unbuilt.slice(0, 5).join(', ') + (unbuilt.length > 5 ? ` and ${unbuilt.length - 5} more` : '');
  return `dist/ is older than the sources (changed since the last build: ${shown}): the program, its providers and the functions it uploads would be stale. Run \`${BUILD_COMMAND}\`, then run the command again.`;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  const command = process.argv[2];
  if (command === 'write') {
    writeBuildStamp(root);
  } else if (command === 'check') {
    const reason = staleBuildReason(root);
    if (reason) {
      process.stderr.write(`${reason}\n`);
      process.exit(1);
    }
  } else {
    process.stderr.write('usage: build-stamp <write|check>\n');
    process.exit(2);
  }
}
