// A scratch Pulumi project for driving the real CLI (through
// tools/stack.js): a copy of a Pulumi.yaml in a temp directory, with its own
// file backend, so tests, benchmarks and the rehearsal never write stack
// config or state into the repository.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "./stack-runner";

export const ROOT = REPO_ROOT;

export interface StackRun {
  status: number | null;
  out: string;
}

export interface ScratchProject {
  dir: string;
  stack: string;
  env: Record<string, string>;
  /** `node dist/tools/stack.js <command> --stack <stack> ...`. */
  run(command: string, ...args: string[]): Promise<StackRun>;
  /** The same, with a different environment (keys set to undefined are removed). */
  runWith(env: Record<string, string | undefined>, command: string, ...args: string[]): Promise<StackRun>;
  /** Writes Pulumi.<stack>.yaml from plain values (JSON-encoded as Pulumi does for objects). */
  writeConfig(config: Record<string, unknown>): void;
  cleanup(): void;
}

/**
 * A scratch project whose program is `programModule` (compiled JS under
 * dist/), with Pulumi.yaml copied from `pulumiYamlDir`.
 */
export function scratchProject(opts: { pulumiYamlDir: string; programModule: string; stack?: string; env?: Record<string, string> }): ScratchProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flex-stack-"));
  const project = path.join(dir, "project");
  fs.mkdirSync(project);
  fs.mkdirSync(path.join(dir, "state"));
  fs.copyFileSync(path.join(opts.pulumiYamlDir, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
  // The engine checks that `main` exists; the program itself runs inline.
  const main = /^main:\s*(\S+)/m.exec(fs.readFileSync(path.join(project, "Pulumi.yaml"), "utf8"))?.[1] ?? "index.ts";
  fs.mkdirSync(path.dirname(path.join(project, main)), { recursive: true });
  fs.writeFileSync(path.join(project, main), "// program runs inline from dist/\n");
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"));
  const stack = opts.stack ?? "test";
  const env: Record<string, string> = {
    PULUMI_BACKEND_URL: `file://${dir}/state`,
    PULUMI_CONFIG_PASSPHRASE: "stack-test",
    // Fast retries against the emulator.
    FLEX_TRANSFER_RETRY_BASE_MS: "20",
    ...opts.env,
  };
  const argv = (command: string, args: string[]) => [path.join(ROOT, "dist/tools/stack.js"), command, "--stack", stack, "--project", project, "--program", opts.programModule, ...args];
  return {
    dir: project,
    stack,
    env,
    run: (command, ...args) => runNode(argv(command, args), env),
    runWith: (extra, command, ...args) => runNode(argv(command, args), { ...env, ...extra }),
    writeConfig(config) {
      const name = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(project, "Pulumi.yaml"), "utf8"))?.[1];
      const lines = Object.entries(config).map(([k, v]) => `  ${name}:${k}: ${JSON.stringify(typeof v === "string" ? v : JSON.stringify(v))}`);
      const file = path.join(project, `Pulumi.${stack}.yaml`);
      const existing = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
      const salt = /^encryptionsalt:.*$/m.exec(existing)?.[0];
      fs.writeFileSync(file, `${salt ? `${salt}\n` : ""}config:\n${lines.join("\n")}\n`);
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export function runNode(args: string[], env: Record<string, string | undefined>): Promise<StackRun> {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    PATH: `${ROOT}/.tools/bin:${process.env.PATH}`,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    ...env,
  };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return new Promise((resolve) => {
    const child = spawn(path.join(ROOT, ".tools/bin/node"), args, { cwd: ROOT, env: merged as NodeJS.ProcessEnv });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (status) => resolve({ status, out }));
  });
}


/** Fails with the CLI's output, so a failing stack command shows why. */
export function expectSuccess(run: StackRun): string {
  if (run.status !== 0) throw new Error(`stack command exited ${run.status}:\n${run.out.slice(-6000)}`);
  return run.out;
}
