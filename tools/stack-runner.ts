// Drives the real Pulumi CLI through the Automation API, with the project's
// program run inline in this Node process.
//
// Why inline: the Go module proxy these machines reach refuses the Node
// language host module (github.com/pulumi/pulumi/sdk/nodejs/cmd/
// pulumi-language-nodejs/v3 answers 403 "This module version is not
// available"), so the CLI cannot spawn `pulumi-language-nodejs`. With an
// inline program the CLI connects (`--client`) to the language runtime that
// @pulumi/pulumi itself serves in-process; engine, state, diffs, plugins and
// dynamic providers are all the real ones. With a standard Pulumi install the
// same program also runs as `pulumi up` from Pulumi.yaml.
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import {
  LocalWorkspace,
  PulumiCommand,
  Stack,
  type ConfigMap,
  type OutputMap,
  type PreviewResult,
  type UpResult,
} from "@pulumi/pulumi/automation";

/** Throwaway passphrase for the `local` stack's file backend (its secrets are
 * emulator credentials only). Override with PULUMI_CONFIG_PASSPHRASE. */
export const LOCAL_STACK_PASSPHRASE = "flex-transfer-local-only";

export const REPO_ROOT = findRepoRoot(__dirname);

export interface StackTarget {
  /** Directory holding Pulumi.yaml and Pulumi.<stack>.yaml. */
  projectDir: string;
  stackName: string;
  /** Compiled program module; defaults to dist/<Pulumi.yaml main>.js. */
  programModule?: string;
  /** Backend URL; defaults as described in backendFor(). */
  backendUrl?: string;
  /** Extra environment for the CLI and the plugins it starts. */
  env?: Record<string, string>;
  /** Streamed CLI output. */
  onOutput?: (line: string) => void;
}

/**
 * Which backend a stack uses: an explicit URL or PULUMI_BACKEND_URL wins; the
 * `local` stack uses a file backend inside the project (ignored by git); any
 * other stack (dev, prod) uses whatever the user is logged into.
 */
export function backendFor(target: StackTarget): string | undefined {
  if (target.backendUrl) return target.backendUrl;
  if (process.env.PULUMI_BACKEND_URL) return process.env.PULUMI_BACKEND_URL;
  if (target.stackName === "local") {
    const dir = path.join(target.projectDir, ".pulumi-state");
    fs.mkdirSync(dir, { recursive: true });
    return `file://${dir}`;
  }
  return undefined;
}

function programModuleFor(projectDir: string): string {
  const yaml = fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8");
  const main = /^main:\s*(\S+)\s*$/m.exec(yaml)?.[1] ?? "index.ts";
  const source = path.relative(REPO_ROOT, path.resolve(projectDir, main));
  return path.join(REPO_ROOT, "dist", source.replace(/\.ts$/, ".js"));
}

function projectNameOf(projectDir: string): string {
  const yaml = fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8");
  const name = /^name:\s*(\S+)\s*$/m.exec(yaml)?.[1];
  if (!name) throw new Error(`${projectDir}/Pulumi.yaml has no 'name:'`);
  return name;
}

/** The pinned CLI that tools/setup.sh linked into .tools/bin. */
export async function pinnedPulumiCommand(): Promise<PulumiCommand> {
  const root = path.join(REPO_ROOT, ".tools");
  if (!fs.existsSync(path.join(root, "bin", "pulumi"))) {
    throw new Error("The Pulumi CLI is not set up: run `npm run setup` (tools/setup.sh) first.");
  }
  return PulumiCommand.get({ root });
}

export function sdkVersion(): string {
  return (require("@pulumi/pulumi/package.json") as { version: string }).version;
}

export function cliVersion(): string {
  return execFileSync(path.join(REPO_ROOT, ".tools", "bin", "pulumi"), ["version"], { encoding: "utf8" }).trim();
}

export async function openStack(target: StackTarget): Promise<Stack> {
  const backend = backendFor(target);
  const env: Record<string, string> = {
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ...(backend ? { PULUMI_BACKEND_URL: backend } : {}),
    ...(backend?.startsWith("file://") && process.env.PULUMI_CONFIG_PASSPHRASE === undefined
      ? { PULUMI_CONFIG_PASSPHRASE: LOCAL_STACK_PASSPHRASE }
      : {}),
    ...target.env,
  };
  const moduleFile = target.programModule ?? programModuleFor(target.projectDir);
  if (!fs.existsSync(moduleFile)) {
    throw new Error(`${moduleFile} does not exist: run \`npm run build\` first.`);
  }
  const program = async () => {
    const loaded = require(moduleFile) as { default?: () => Promise<Record<string, unknown>> };
    if (typeof loaded.default !== "function") {
      throw new Error(`${moduleFile} must default-export the program function`);
    }
    return loaded.default();
  };
  return LocalWorkspace.createOrSelectStack(
    { stackName: target.stackName, projectName: projectNameOf(target.projectDir), program },
    {
      workDir: target.projectDir,
      pulumiHome: process.env.PULUMI_HOME ?? path.join(REPO_ROOT, ".pulumi-home"),
      pulumiCommand: await pinnedPulumiCommand(),
      envVars: env,
    },
  );
}

export type { ConfigMap, OutputMap, PreviewResult, UpResult };

function findRepoRoot(from: string): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, "tools", "env.sh"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the flex-transfer repository above ${from}`);
    dir = parent;
  }
  return dir;
}
