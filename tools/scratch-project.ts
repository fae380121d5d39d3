// A scratch copy of a Pulumi project for tests, benchmarks and the rehearsal:
// the project's Pulumi.yaml in a temporary directory with its own file
// backend, run with the plain `pulumi` CLI (which starts the Node language
// host, which runs the compiled program), so they never write stack config
// or state into the repository. The copy links the clone's node_modules/ (the
// language host and the dynamic-provider plugin resolve @pulumi/pulumi from
// there) and dist/ (the compiled program: `main` points into it).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, runPulumi, toolchainEnv } from './pulumi-cli';

export const ROOT = REPO_ROOT;

export interface StackRun {
  status: number | null;
  out: string;
}

export interface ScratchProject {
  /** The project directory (Pulumi.yaml, Pulumi.<stack>.yaml). */
  dir: string;
  stack: string;
  /** Backend, passphrase and whatever the caller added: the environment of every command. */
  env: Record<string, string>;
  /** `pulumi <command> <args> --stack <stack>` in the project (`--yes` for up, refresh, destroy); `export` is `stack export`, `outputs` is `stack output --json`. */
  run(command: string, ...args: string[]): Promise<StackRun>;
  /** The same, with a different environment (keys set to undefined are removed). */
  runWith(env: Record<string, string | undefined>, command: string, ...args: string[]): Promise<StackRun>;
  /** `pulumi stack init` (once; every other command does it first when needed). */
  init(): Promise<StackRun>;
  /** The stack's outputs (`pulumi stack output --json`). */
  outputs(): Promise<Record<string, unknown>>;
  /** The stack's state (`pulumi stack export`). */
  exportState(): Promise<{ deployment: { resources?: Array<Record<string, unknown> & { type: string; urn: string; id?: string }> } }>;
  /** Writes Pulumi.<stack>.yaml from plain values (JSON-encoded as Pulumi does for objects). */
  writeConfig(config: Record<string, unknown>): void;
  cleanup(): void;
}

const CONFIRMS = ['up', 'update', 'refresh', 'destroy'];

/**
 * A scratch project with Pulumi.yaml from `pulumiYamlDir`. `programModule`
 * (compiled JS under dist/) becomes its `main` when given; otherwise the
 * project's own `main` is kept (the repository's points at dist/ already).
 */
export function scratchProject(opts: { pulumiYamlDir: string; programModule?: string; stack?: string; env?: Record<string, string> }): ScratchProject {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-stack-'));
  const project = path.join(root, 'project');
  fs.mkdirSync(project);
  fs.mkdirSync(path.join(root, 'state'));
  let yaml = fs.readFileSync(path.join(opts.pulumiYamlDir, 'Pulumi.yaml'), 'utf8');
  if (opts.programModule) {
    const main = path.relative(REPO_ROOT, opts.programModule).split(path.sep).join('/');
    if (!main.startsWith('dist/')) throw new Error(`scratchProject: the program must be compiled JS under dist/, got ${opts.programModule}`);
    yaml = withCompiledMain(yaml, main);
  }
  fs.writeFileSync(path.join(project, 'Pulumi.yaml'), yaml);
  for (const link of ['node_modules', 'dist']) fs.symlinkSync(path.join(REPO_ROOT, link), path.join(project, link));
  const stack = opts.stack ?? 'test';
  const env: Record<string, string> = {
    PULUMI_BACKEND_URL: `file://${root}/state`,
    PULUMI_CONFIG_PASSPHRASE: 'stack-test',
    // Fast retries against the emulator.
    FLEX_TRANSFER_RETRY_BASE_MS: '20',
    ...opts.env,
  };
  let initialized = false;
  const init = async (extra: Record<string, string | undefined> = {}): Promise<StackRun> => {
    if (initialized) return { status: 0, out: '' };
    const run = await runPulumi(['stack', 'init', stack, '--non-interactive'], { cwd: project, env: { ...env, ...extra } });
    if (run.status === 0 || /already exists/.test(run.out)) initialized = true;
    return initialized ? { status: 0, out: run.out } : run;
  };
  const pulumi = async (extra: Record<string, string | undefined>, args: string[]): Promise<StackRun> => {
    const created = await init(extra);
    if (created.status !== 0) return created;
    return runPulumi(args, { cwd: project, env: { ...env, ...extra } });
  };
  const argv = (command: string, args: string[]) => {
    if (command === 'export') return ['stack', 'export', '--stack', stack, ...args];
    if (command === 'outputs') return ['stack', 'output', '--json', '--stack', stack, ...args];
    // Any other command (`config set …`) gets the stack after its own arguments.
    return [command, ...args, '--stack', stack, '--non-interactive', ...(CONFIRMS.includes(command) ? ['--yes'] : [])];
  };
  const run = (command: string, ...args: string[]) => pulumi({}, argv(command, args));
  return {
    dir: project,
    stack,
    env,
    run,
    runWith: (extra, command, ...args) => pulumi(extra, argv(command, args)),
    init: () => init(),
    async outputs() {
      const out = expectSuccess(await run('outputs'));
      return JSON.parse(out.slice(out.indexOf('{'))) as Record<string, unknown>;
    },
    async exportState() {
      const out = expectSuccess(await run('export'));
      return JSON.parse(out.slice(out.indexOf('{')));
    },
    writeConfig(config) {
      const name = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(project, 'Pulumi.yaml'), 'utf8'))?.[1];
      const lines = Object.entries(config).map(([k, v]) => `  ${k.includes(':') ? k : `${name}:${k}`}: ${JSON.stringify(typeof v === 'string' ? v : JSON.stringify(v))}`);
      const file = path.join(project, `Pulumi.${stack}.yaml`);
      const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const salt = /^encryptionsalt:.*$/m.exec(existing)?.[0];
      fs.writeFileSync(file, `${salt ? `${salt}\n` : ''}config:\n${lines.join('\n')}\n`);
    },
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** A Pulumi.yaml whose program is the compiled `main` (no TypeScript step at run time). */
export function withCompiledMain(yaml: string, main: string): string {
  const withoutRuntime = yaml.replace(/^runtime:.*(\n[ \t]+.*)*$/m, 'runtime:\n  name: nodejs\n  options:\n    typescript: false');
  return /^main:/m.test(withoutRuntime) ? withoutRuntime.replace(/^main:.*$/m, `main: ${main}`) : `${withoutRuntime.trimEnd()}\nmain: ${main}\n`;
}

/** `node <args>` with the project's Node and toolchain environment plus `env` (keys set to undefined are removed), from the clone. */
export function runNode(args: string[], env: Record<string, string | undefined>): Promise<StackRun> {
  const merged: Record<string, string | undefined> = { ...toolchainEnv(), ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return new Promise((resolve) => {
    const child = spawn(path.join(REPO_ROOT, '.tools/bin/node'), args, { cwd: REPO_ROOT, env: merged as NodeJS.ProcessEnv });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (status) => resolve({ status, out }));
  });
}

/** Fails with the CLI's output, so a failing stack command shows why. */
export function expectSuccess(run: StackRun): string {
  if (run.status !== 0) throw new Error(`pulumi exited ${run.status}:\n${run.out.slice(-6000)}`);
  return run.out;
}
