// The project's stacks run the standard way: the pinned `pulumi` CLI in the
// project directory, which starts the official Node language host, which runs
// Pulumi.yaml's `main` (the compiled program). This module holds what the
// project's scripts add around those plain commands, and nothing else:
//   - the `local` stack's state folder (.pulumi-state/, a file backend) and its
//     throwaway passphrase, for the `local` stack only;
//   - the environment every project command runs the CLI under (tools/env.sh);
//   - an Automation API handle on a project directory (LocalWorkspace: the same
//     CLI and language host, never an inline program) for tools that read
//     engine events, outputs or state.
import { execFileSync, spawn, type StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalWorkspace, PulumiCommand, type Stack } from '@pulumi/pulumi/automation';

/** The clone this module belongs to (works from tools/ and from dist/tools/). */
export const REPO_ROOT = findRepoRoot(__dirname);

/** The stack that runs against the local Twilio emulator. */
export const LOCAL_STACK = 'local';

/**
 * Throwaway passphrase of the `local` stack's secrets (emulator credentials
 * only). Used for that stack alone and only when PULUMI_CONFIG_PASSPHRASE(_FILE)
 * is not set: every other stack uses the user's passphrase or secrets provider.
 */
export const LOCAL_STACK_PASSPHRASE = 'flex-transfer-local-only';

export const PULUMI_BIN = path.join(REPO_ROOT, '.tools', 'bin', 'pulumi');

/** What tools/env.sh sets for every project command, for children started from Node. */
export function toolchainEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  return {
    ...env,
    PATH: `${path.join(REPO_ROOT, '.tools', 'bin')}:${env.PATH ?? ''}`,
    PULUMI_HOME: env.PULUMI_HOME ?? path.join(REPO_ROOT, '.pulumi-home'),
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    PULUMI_IGNORE_AMBIENT_PLUGINS: 'true',
    PULUMI_SKIP_CONFIRMATIONS: 'true',
  };
}

/** The `local` stack's file backend, inside the project (ignored by git). */
export function localStateDir(projectDir: string): string {
  return path.join(projectDir, '.pulumi-state');
}

/**
 * The environment the project's scripts add for one stack. Only `local` gets
 * a backend and a passphrase; `dev` and `prod` use the backend the user is
 * logged into (or PULUMI_BACKEND_URL) and the user's own passphrase or
 * secrets provider.
 */
export function stackEnv(stackName: string, projectDir: string, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (stackName !== LOCAL_STACK) return {};
  const env: Record<string, string> = {};
  if (!base.PULUMI_BACKEND_URL) {
    fs.mkdirSync(localStateDir(projectDir), { recursive: true });
    env.PULUMI_BACKEND_URL = `file://${localStateDir(projectDir)}`;
  }
  if (base.PULUMI_CONFIG_PASSPHRASE === undefined && base.PULUMI_CONFIG_PASSPHRASE_FILE === undefined) {
    env.PULUMI_CONFIG_PASSPHRASE = LOCAL_STACK_PASSPHRASE;
  }
  return env;
}

export interface PulumiRun {
  status: number | null;
  /** stdout and stderr, interleaved as they came (empty when the output was inherited). */
  out: string;
}

/**
 * Runs the pinned CLI: `pulumi <args>` in `cwd`, under the toolchain's
 * environment plus `env` (a key set to undefined is removed).
 */
export function runPulumi(args: string[], opts: { cwd: string; env?: Record<string, string | undefined>; stdio?: 'inherit' | 'capture'; onOutput?: (text: string) => void }): Promise<PulumiRun> {
  const merged: Record<string, string | undefined> = { ...toolchainEnv(), ...opts.env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  const stdio: StdioOptions = opts.stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'];
  return new Promise((resolve, reject) => {
    if (!fs.existsSync(PULUMI_BIN)) {
      reject(new Error('The Pulumi CLI is not set up: run `npm run setup` (tools/setup.sh) first.'));
      return;
    }
    const child = spawn(PULUMI_BIN, args, { cwd: opts.cwd, env: merged as NodeJS.ProcessEnv, stdio });
    let out = '';
    const collect = (d: Buffer) => {
      const text = d.toString();
      out += text;
      opts.onOutput?.(text);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out }));
  });
}

/**
 * An Automation API handle on a stack of a project directory (the CLI and its
 * language host; no inline program). The stack must exist, unless `create`.
 */
export async function selectStack(projectDir: string, stackName: string, env: Record<string, string> = {}, opts: { create?: boolean } = {}): Promise<Stack> {
  const full = { ...toolchainEnv(), ...stackEnv(stackName, projectDir), ...env };
  const workspace = {
    workDir: projectDir,
    pulumiHome: full.PULUMI_HOME,
    pulumiCommand: await PulumiCommand.get({ root: path.join(REPO_ROOT, '.tools') }),
    envVars: full,
  };
  const args = { stackName, workDir: projectDir };
  return opts.create ? LocalWorkspace.createOrSelectStack(args, workspace) : LocalWorkspace.selectStack(args, workspace);
}

export function sdkVersion(): string {
  return (require('@pulumi/pulumi/package.json') as { version: string }).version;
}

export function cliVersion(): string {
  return execFileSync(PULUMI_BIN, ['version'], { encoding: 'utf8' }).trim();
}

/** `main` of a project's Pulumi.yaml, as a path. */
export function programMainOf(projectDir: string): string {
  const yaml = fs.readFileSync(path.join(projectDir, 'Pulumi.yaml'), 'utf8');
  const main = /^main:\s*(\S+)\s*$/m.exec(yaml)?.[1] ?? '.';
  return path.resolve(projectDir, main);
}

function findRepoRoot(from: string): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'tools', 'env.sh'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the flex-transfer repository above ${from}`);
    dir = parent;
  }
  return dir;
}
