// The entry `pulumi up` runs, loaded exactly as Pulumi's stock Node runner
// loads it (@pulumi/pulumi's cmd/run `run()`, given Pulumi.yaml's `main`),
// under Pulumi's mocks: it must run the program and register the stack's
// resources. The same loader, given an `export default` entry, registers
// nothing but the Stack: the trap this test guards against. And the check
// that keeps a run from using a dist/ older than its sources.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROGRAM_SOURCE_DIRS, PROGRAM_SOURCE_FILES, staleBuildReason, unbuiltSources, writeBuildStamp } from '../../tools/build-stamp';
import { runProgramUnderMocks } from '../../tools/program-under-mocks';
import { programMainOf } from '../../tools/pulumi-cli';
import { REPO_ROOT as ROOT } from '../../support';

const yaml = require('js-yaml') as { load(text: string): unknown };

/** A stack file's config as the engine hands it to the program (objects JSON-encoded; secrets left out). */
function stackConfig(stack: string): Record<string, string> {
  const config = (yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), 'utf8')) as { config: Record<string, unknown> }).config;
  return Object.fromEntries(
    Object.entries(config)
      .filter(([, v]) => !(v && typeof v === 'object' && 'secure' in v))
      .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

const credentials = { ...process.env, TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'entry-test' };

describe('the entry, loaded by the stock runner', () => {
  test('Pulumi.yaml runs the compiled program, not TypeScript through ts-node', () => {
    const project = yaml.load(fs.readFileSync(path.join(ROOT, 'Pulumi.yaml'), 'utf8')) as { main: string; runtime: { name: string; options?: { typescript?: boolean } } };
    expect(project.runtime).toEqual({ name: 'nodejs', options: { typescript: false } });
    expect(programMainOf(ROOT)).toBe(path.join(ROOT, 'dist/infra/index.js'));
  });

  test("runs the program and registers the local stack's resources", () => {
    const run = runProgramUnderMocks({ main: programMainOf(ROOT), project: 'flex-transfer', stack: 'local', config: stackConfig('local') }, credentials);
    const count = (type: string) => run.resources.filter((r) => r.type === `pulumi-nodejs:dynamic/twilio:${type}`).length;
    const queues = JSON.parse(stackConfig('local')['flex-transfer:queues']) as unknown[];
    expect(count('Workspace')).toBe(1);
    expect(count('TaskChannel')).toBe(2);
    expect(count('TaskQueue')).toBe(queues.length + 1);
    expect(count('Workflow')).toBe(2);
    expect(count('Service')).toBe(1);
    expect(count('Environment')).toBe(1);
    expect(count('Deployment')).toBe(1);
    expect(count('FlexUiAttribute')).toBe(1);
    // The outputs are the program's, not `{ default: [Function] }`.
    expect(run.outputs).not.toHaveProperty('default');
    expect(run.outputs.workspaceSid).toBe(JSON.parse(stackConfig('local')['flex-transfer:workspace']).adoptSid);
    expect(Object.keys(run.outputs)).toEqual(expect.arrayContaining(['chatTransferWorkflowSid', 'voiceTransferWorkflowSid', 'queueSids', 'functionsBaseUrl', 'functionEnvironment']));
  });

  test('the same loader runs nothing from an entry whose program is its `export default`', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'dist', '.entry-test-'));
    try {
      const entry = path.join(dir, 'index.js');
      // What `export default async function main()` compiles to.
      fs.writeFileSync(
        entry,
        `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = main;\n` +
          `const pulumi = require("@pulumi/pulumi");\nasync function main() { new pulumi.CustomResource("test:index:Thing", "thing", {}); return { ran: true }; }\n`,
      );
      const run = runProgramUnderMocks({ main: entry, project: 'flex-transfer', stack: 'local', config: {} }, credentials);
      expect(run.resources.map((r) => r.type)).toEqual(['pulumi:pulumi:Stack']);
      expect(run.outputs).not.toHaveProperty('ran');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("prod's stack config protects its queues, workflows and service (the program reads it)", () => {
    expect(stackConfig('prod')['flex-transfer:protect']).toBe('true');
    expect(stackConfig('dev')['flex-transfer:protect']).toBeUndefined();
  });
});

describe('never stale: the program refuses a dist/ older than its sources', () => {
  test('the sources it checks cover every module the program and its providers load', () => {
    // Load the entry and the providers' registry in a fresh process, then list what came from dist/.
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    const loaded = JSON.parse(
      execFileSync(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(path.join(ROOT, 'dist/infra/index.js'))}); require(${JSON.stringify(path.join(ROOT, 'dist/infra/providers/registry.js'))}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`,
        ],
        { encoding: 'utf8' },
      ),
    ) as string[];
    const fromDist = loaded.filter((f) => f.startsWith(path.join(ROOT, 'dist') + path.sep)).map((f) => path.relative(path.join(ROOT, 'dist'), f).replace(/\.js$/, '.ts'));
    expect(fromDist.length).toBeGreaterThan(20);
    const covered = (source: string) => PROGRAM_SOURCE_DIRS.some((d) => source.startsWith(`${d}/`)) || (PROGRAM_SOURCE_FILES as readonly string[]).includes(source);
    expect(fromDist.filter((s) => !covered(s))).toEqual([]);
    // The uploaded functions are compiled from functions/, which is checked too.
    expect(PROGRAM_SOURCE_DIRS).toContain('functions');
  });

  test('a source edited after the build is named, with what to run; a rebuild or an untouched file is fine', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-stamp-'));
    try {
      const write = (file: string, text: string, mtime: number) => {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
        fs.utimesSync(path.join(root, file), mtime, mtime);
      };
      write('infra/index.ts', 'export = 1;\n', 1000);
      write('infra/config.ts', 'export const a = 1;\n', 1000);
      write('dist/infra/index.js', 'module.exports = 1;\n', 2000);
      write('dist/infra/config.js', 'exports.a = 1;\n', 2000);
      writeBuildStamp(root);
      expect(staleBuildReason(root)).toBeUndefined();

      // Edited after the build: stale, named.
      write('infra/config.ts', 'export const a = 2;\n', 3000);
      expect(unbuiltSources(root)).toEqual(['infra/config.ts']);
      expect(staleBuildReason(root)).toBe(
        'dist/ is older than the sources (changed since the last build: infra/config.ts): the program, its providers and the functions it uploads would be stale. Run `npm run build`, then run the command again.',
      );
      // A new source the build has not seen: stale too.
      write('routing/new.ts', 'export {};\n', 3000);
      expect(unbuiltSources(root)).toEqual(['infra/config.ts', 'routing/new.ts']);

      // Compiled again (any tsc): current.
      write('dist/infra/config.js', 'exports.a = 2;\n', 4000);
      write('dist/routing/new.js', '\n', 4000);
      expect(staleBuildReason(root)).toBeUndefined();

      // Touched without a change after `npm run build` (a checkout): still current.
      writeBuildStamp(root);
      write('infra/config.ts', 'export const a = 2;\n', 5000);
      expect(staleBuildReason(root)).toBeUndefined();

      // No build at all.
      fs.rmSync(path.join(root, 'dist'), { recursive: true });
      expect(staleBuildReason(root)).toMatch(/^dist\/ holds no build of the program\. Run `npm run build`/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('the stamp removes the compiled output of a moved source, which would shadow its successor', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-prune-'));
    try {
      const write = (file: string) => {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), '\n');
      };
      // routes.ts became routes/index.ts: the old routes.js is found first by require('./routes').
      write('emulator/routes/index.ts');
      write('dist/emulator/routes/index.js');
      write('dist/emulator/routes.js');
      write('dist/emulator/routes.js.map');
      write('dist/emulator/gone/old.js');
      write('dist/.sources.sha256');
      writeBuildStamp(root);
      expect(fs.existsSync(path.join(root, 'dist/emulator/routes/index.js'))).toBe(true);
      expect(['dist/emulator/routes.js', 'dist/emulator/routes.js.map', 'dist/emulator/gone'].filter((f) => fs.existsSync(path.join(root, f)))).toEqual([]);
      expect(fs.existsSync(path.join(root, 'dist/.sources.sha256'))).toBe(true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test("the clone's own dist/ is current (setup and npm run build keep it so)", () => {
    expect(staleBuildReason(ROOT)).toBeUndefined();
  });
});
