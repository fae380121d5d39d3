// Finds import circles among the project's TypeScript modules: every
// `import`/`export … from`/`require()`/`import()` of a relative module
// (type-only imports included, since they tie modules together just the
// same), resolved the way tsc resolves it. Used by a test so a circle fails
// the build; also a command:
//
//   node dist/tools/import-cycles.js [DIR ...]     (default: emulator functions infra routing)
//
// exits 1 and prints each circle when there is one.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as ts from 'typescript';

/** The folders whose modules must not import each other in a circle. */
export const CHECKED_FOLDERS = ['emulator', 'functions', 'infra', 'routing'] as const;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Relative imports of each file under `dirs`, resolved to files (edges leaving `dirs` are dropped). */
export function importGraph(dirs: readonly string[]): Map<string, string[]> {
  const files = dirs.flatMap((dir) => sourceFiles(path.resolve(dir)));
  const inside = new Set(files);
  const options: ts.CompilerOptions = { moduleResolution: ts.ModuleResolutionKind.Node10, allowJs: false };
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const resolved = ts.resolveModuleName(ref.fileName, file, options, ts.sys).resolvedModule?.resolvedFileName;
      if (resolved && inside.has(path.resolve(resolved))) targets.add(path.resolve(resolved));
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/**
 * Every import circle, each as the list of files around it (first file
 * repeated at the end), found with Tarjan's strongly connected components:
 * one circle is reported per component, so fixing it shows the next.
 */
export function findImportCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  const visit = (start: string) => {
    // Iterative depth-first search: deep module chains must not overflow the call stack.
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++];
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = (graph.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components.map((component) => circleThrough(graph, new Set(component)));
}

/** One concrete circle inside a strongly connected component (shortest path back to its first file). */
function circleThrough(graph: ReadonlyMap<string, readonly string[]>, members: ReadonlySet<string>): string[] {
  const start = [...members].sort()[0];
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of graph.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path: string[] = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at)) path.unshift(at);
        path.unshift(start);
        return path;
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

if (require.main === module) {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  const dirs = positionals.length > 0 ? positionals : [...CHECKED_FOLDERS];
  const cycles = findImportCycles(importGraph(dirs));
  for (const cycle of cycles) console.log(cycle.map((file) => path.relative(process.cwd(), file)).join(' → '));
  if (cycles.length > 0) {
    console.error(`${cycles.length} import circle(s) in ${dirs.join(', ')}`);
    process.exit(1);
  }
  console.log(`no import circles in ${dirs.join(', ')}`);
}
