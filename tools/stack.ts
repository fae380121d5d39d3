// `npm run stack -- <pulumi command> [--stack NAME] [pulumi flags]`: the plain
// `pulumi` command in the project directory, with what the project's scripts
// add and nothing hidden (the command is printed before it runs, and its
// output is Pulumi's own):
//   - the stack must have a Pulumi.<stack>.yaml in the project, so a mistyped
//     name stops here, before anything is created (`--create` to create one);
//   - the `local` stack gets its state folder (.pulumi-state/) and throwaway
//     passphrase, and is created there on first use; no other stack gets either;
//   - `preview` and `up` run the project's policy pack (`--no-policy` skips it);
//   - a run that fails leaves the tracked stack files as they were.
// Examples:
//   npm run stack -- preview --stack local --diff
//   npm run stack -- up --stack dev
//   npm run stack -- stack output --stack local
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCAL_STACK, LOCAL_STACK_PASSPHRASE, REPO_ROOT, cliVersion, runPulumi, sdkVersion, stackEnv, type PulumiRun } from './pulumi-cli';

export interface StackCommand {
  /** The pulumi command and its own arguments, e.g. ["up", "--diff"] or ["stack", "output"]. */
  args: string[];
  stackName: string;
  projectDir: string;
  /** Create the stack (`pulumi stack init`) when it does not exist. */
  create: boolean;
  policy: boolean;
}

export class UsageError extends Error {}

const RUNS_PROGRAM = ['preview', 'up', 'update'];

/**
 * The wrapper's own options out of a pulumi command line. Not node:util's
 * parseArgs (tools/cli-args.ts): every other argument is pulumi's and passes
 * through as typed, flags and values alike.
 */
export function parseStackArgs(argv: string[], projectDir: string = REPO_ROOT): StackCommand {
  const command: StackCommand = { args: [], stackName: LOCAL_STACK, projectDir, create: false, policy: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--stack' || arg === '-s') command.stackName = value();
    else if (arg.startsWith('--stack=')) command.stackName = arg.slice('--stack='.length);
    else if (arg === '--cwd' || arg === '-C') command.projectDir = path.resolve(value());
    else if (arg === '--create') command.create = true;
    else if (arg === '--no-policy') command.policy = false;
    else command.args.push(arg);
  }
  if (command.args.length === 0) throw new UsageError('usage: npm run stack -- <preview|up|refresh|destroy|stack output|...> [--stack NAME] [--create] [--no-policy] [pulumi flags]');
  return command;
}

/** `dev` for `dev` and for `my-org/flex-transfer/dev`. */
export function stackFileName(stackName: string): string {
  return `Pulumi.${stackName.split('/').at(-1)}.yaml`;
}

/** The stacks this project declares: one Pulumi.<stack>.yaml each. */
export function declaredStacks(projectDir: string): string[] {
  return fs
    .readdirSync(projectDir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => Boolean(s))
    .sort();
}

/** Problems found before any pulumi command runs (each names the fix), or none. */
export function preflight(command: StackCommand, env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  const file = path.join(command.projectDir, stackFileName(command.stackName));
  if (!fs.existsSync(file) && !command.create) {
    problems.push(
      `There is no ${stackFileName(command.stackName)} in ${command.projectDir}: this project's stacks are ${declaredStacks(command.projectDir).join(', ')}. ` +
        `Nothing was created. If '${command.stackName}' is a new stack, run again with --create (or \`pulumi stack init ${command.stackName}\`) and give it its configuration.`,
    );
  }
  const isLocal = command.stackName === LOCAL_STACK;
  if (!isLocal && env.PULUMI_CONFIG_PASSPHRASE === LOCAL_STACK_PASSPHRASE) {
    problems.push(
      `PULUMI_CONFIG_PASSPHRASE is the local stack's throwaway passphrase, which is printed in the README: stack '${command.stackName}' must not use it. ` +
        `Unset it (\`unset PULUMI_CONFIG_PASSPHRASE\`) and give this stack's own passphrase, or use its secrets provider.`,
    );
  } else if (
    !isLocal &&
    fs.existsSync(file) &&
    /^encryptionsalt:/m.test(fs.readFileSync(file, 'utf8')) &&
    env.PULUMI_CONFIG_PASSPHRASE === undefined &&
    env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined
  ) {
    problems.push(
      `Stack '${command.stackName}' keeps its secrets with a passphrase (${stackFileName(command.stackName)} has an encryptionsalt), and none is set: ` +
        `set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to this stack's passphrase.`,
    );
  }
  return problems;
}

/** The exact pulumi arguments the wrapper runs. */
export function pulumiArgs(command: StackCommand): string[] {
  const args = [...command.args, '--stack', command.stackName];
  if (command.policy && RUNS_PROGRAM.includes(command.args[0]) && !command.args.includes('--policy-pack') && path.resolve(command.projectDir) === REPO_ROOT) {
    args.push('--policy-pack', 'policy');
  }
  return args;
}

/** Contents of the tracked project files a run might rewrite, to put back if it fails. */
function snapshot(projectDir: string, stackName: string): Map<string, string | undefined> {
  const files = new Map<string, string | undefined>();
  for (const name of ['Pulumi.yaml', stackFileName(stackName)]) {
    const file = path.join(projectDir, name);
    files.set(file, fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);
  }
  return files;
}

function restore(files: Map<string, string | undefined>, log: (line: string) => void): void {
  for (const [file, before] of files) {
    if (before === undefined) continue;
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== before) {
      fs.writeFileSync(file, before);
      log(`stack: the failed run had changed ${path.basename(file)}; it is back as it was.`);
    }
  }
}

/** Whether the stack exists in its backend (`pulumi stack ls` lists it). */
async function stackExists(command: StackCommand, env: Record<string, string | undefined>): Promise<boolean> {
  const run = await runPulumi(['stack', 'ls', '--json'], { cwd: command.projectDir, env });
  if (run.status !== 0) return false;
  try {
    const stacks = JSON.parse(run.out.slice(run.out.indexOf('['))) as Array<{ name: string }>;
    const short = command.stackName.split('/').at(-1);
    return stacks.some((s) => s.name === command.stackName || s.name.split('/').at(-1) === short);
  } catch {
    return false;
  }
}

export interface RunOptions {
  /** Where the wrapper's own lines go (the command line, notes, errors). */
  log?: (line: string) => void;
  /** "inherit": Pulumi's output goes straight to this process's stdout/stderr. */
  stdio?: 'inherit' | 'capture';
  env?: Record<string, string | undefined>;
}

/** Runs one stack command as described at the top of this file; returns pulumi's exit status. */
export async function runStackCommand(command: StackCommand, opts: RunOptions = {}): Promise<PulumiRun> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const baseEnv = { ...process.env, ...opts.env };
  const problems = preflight(command, baseEnv);
  if (problems.length > 0) {
    for (const p of problems) log(`stack: ${p}`);
    return { status: 2, out: '' };
  }
  const env = { ...opts.env, ...stackEnv(command.stackName, command.projectDir, baseEnv) };
  const files = snapshot(command.projectDir, command.stackName);
  let result: PulumiRun = { status: 0, out: '' };
  try {
    const isLocal = command.stackName === LOCAL_STACK;
    if ((isLocal || command.create) && !(await stackExists(command, env))) {
      log(`$ pulumi stack init ${command.stackName}${isLocal ? '   # the local stack, in .pulumi-state/' : ''}`);
      result = await runPulumi(['stack', 'init', command.stackName, '--non-interactive'], { cwd: command.projectDir, env, stdio: opts.stdio });
      if (result.status !== 0) return result;
    }
    const args = pulumiArgs(command);
    log(`$ pulumi ${args.join(' ')}`);
    result = await runPulumi(args, { cwd: command.projectDir, env, stdio: opts.stdio });
    return result;
  } finally {
    if (result.status !== 0) restore(files, log);
  }
}

/** process.exit() can cut off output still queued for a pipe: exit once it is written. */
export function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] === 'version') {
    process.stdout.write(`pulumi CLI ${cliVersion()}\n@pulumi/pulumi SDK v${sdkVersion()}\n`);
    process.exit(0);
  }
  let command: StackCommand;
  try {
    command = parseStackArgs(argv);
  } catch (err) {
    process.stderr.write(`stack: ${(err as Error).message}\n`);
    process.exit(2);
  }
  runStackCommand(command, { stdio: 'inherit' }).then(
    (run) => exitAfterFlush(run.status ?? 1),
    (err: Error) => {
      process.stderr.write(`stack: ${err.message}\n`);
      exitAfterFlush(1);
    },
  );
}
