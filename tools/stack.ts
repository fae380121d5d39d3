// Command line over the real Pulumi CLI for this project's stacks:
//   node dist/tools/stack.js <command> [--stack local|dev|prod] [--project DIR] [options]
// Commands: up, preview, refresh, destroy, outputs, export, version.
// Options: --program FILE (compiled program module), --no-policy (skip policy/,
// which the project's own stacks run by default), --diff (show property diffs), --expect-no-changes (fail if an
// operation would change anything), --refresh (up/preview: read Twilio first, so changes made outside the
// stack show in the diff and up reverts them), --policy-pack DIR (repeatable),
// --config KEY=VALUE (repeatable; set before the operation).
import * as path from "node:path";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { readArgs } from "./cli-args";
import { openStack, cliVersion, sdkVersion, REPO_ROOT, type StackTarget } from "./stack-runner";

interface Options {
  command: string;
  stackName: string;
  projectDir: string;
  programModule?: string;
  diff: boolean;
  expectNoChanges: boolean;
  /** up/preview: refresh from Twilio first. */
  refresh: boolean;
  policyPacks: string[];
  /** --no-policy: skip the project's policy pack. */
  noPolicy: boolean;
  config: Record<string, string>;
}

const COMMANDS = ["up", "preview", "refresh", "destroy", "outputs", "export", "version"];

const USAGE = `Usage: stack <${COMMANDS.join("|")}> [--stack NAME] [--diff] [--expect-no-changes] [--refresh] [--policy-pack DIR | --no-policy] [--config K=V]`;

export function parseArgs(argv: string[]): Options {
  let parsed;
  try {
    parsed = readArgs(
      argv,
      {
        stack: { type: "string", short: "s" },
        project: { type: "string" },
        program: { type: "string" },
        diff: { type: "boolean" },
        "expect-no-changes": { type: "boolean" },
        refresh: { type: "boolean" },
        "policy-pack": { type: "string", multiple: true },
        "no-policy": { type: "boolean" },
        config: { type: "string", short: "c", multiple: true },
      },
      true,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}. ${USAGE}`, { cause: err });
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (extra.length > 0 || (command !== undefined && !COMMANDS.includes(command))) throw new Error(`unknown argument '${extra[0] ?? command}'. ${USAGE}`);
  if (!command) throw new Error(`a command is required: one of ${COMMANDS.join(", ")}`);
  const config: Record<string, string> = {};
  for (const pair of values.config ?? []) {
    const [key, ...rest] = pair.split("=");
    if (!key || rest.length === 0) throw new Error(`--config expects KEY=VALUE, got '${pair}'`);
    config[key] = rest.join("=");
  }
  const options: Options = {
    command,
    stackName: values.stack ?? "local",
    projectDir: values.project !== undefined ? path.resolve(values.project) : REPO_ROOT,
    programModule: values.program !== undefined ? path.resolve(values.program) : undefined,
    diff: values.diff ?? false,
    expectNoChanges: values["expect-no-changes"] ?? false,
    refresh: values.refresh ?? false,
    policyPacks: (values["policy-pack"] ?? []).map((dir) => path.resolve(dir)),
    noPolicy: values["no-policy"] ?? false,
    config,
  };
  // The project's own stacks always run its policy pack (policy/), as CI does.
  if (!options.noPolicy && options.policyPacks.length === 0 && options.projectDir === REPO_ROOT) {
    options.policyPacks.push(path.join(REPO_ROOT, "policy"));
  }
  return options;
}

export async function runStackCommand(options: Options, target: Partial<StackTarget> = {}): Promise<number> {
  if (options.command === "version") {
    process.stdout.write(`pulumi CLI ${cliVersion()}\n@pulumi/pulumi SDK v${sdkVersion()}\n`);
    return 0;
  }
  const onOutput = (text: string) => process.stdout.write(text);
  const stack = await openStack({
    projectDir: options.projectDir,
    stackName: options.stackName,
    programModule: options.programModule,
    onOutput,
    ...target,
  });
  for (const [key, value] of Object.entries(options.config)) {
    await stack.setConfig(key, { value });
  }
  const common = { onOutput, diff: options.diff, expectNoChanges: options.expectNoChanges, refresh: options.refresh, color: "never" as const };
  switch (options.command) {
    case "up": {
      const result = await stack.up({ ...common, policyPacks: options.policyPacks });
      printOutputs(result.outputs);
      return 0;
    }
    case "preview":
      await stack.preview({ ...common, policyPacks: options.policyPacks });
      return 0;
    case "refresh":
      await stack.refresh({ onOutput, expectNoChanges: options.expectNoChanges, color: "never" });
      return 0;
    case "destroy":
      await stack.destroy({ onOutput, color: "never" });
      return 0;
    case "outputs":
      printOutputs(await stack.outputs());
      return 0;
    case "export": {
      // Not stack.exportStack(): the Automation API always adds --show-secrets.
      const ws = stack.workspace as LocalWorkspace;
      const env: Record<string, string> = { ...ws.envVars, ...(ws.pulumiHome ? { PULUMI_HOME: ws.pulumiHome } : {}) };
      // PulumiCommand.run is public in JS but missing from its type declarations.
      const cli = ws.pulumiCommand as unknown as { run(args: string[], cwd: string, env: Record<string, string>): Promise<{ stdout: string }> };
      const result = await cli.run(["stack", "export", "--stack", options.stackName], ws.workDir, env);
      process.stdout.write(result.stdout);
      return 0;
    }
  }
  throw new Error(`unhandled command ${options.command}`);
}

function printOutputs(outputs: Record<string, { value: unknown; secret: boolean }>) {
  const shown = Object.fromEntries(
    Object.entries(outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]),
  );
  process.stdout.write(`\nOutputs:\n${JSON.stringify(shown, null, 2)}\n`);
}

/** process.exit() can cut off output still queued for a pipe: exit once it is written. */
export function exitAfterFlush(code: number): void {
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

if (require.main === module) {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`stack: ${(err as Error).message}\n`);
    process.exit(2);
  }
  runStackCommand(options).then(
    (code) => exitAfterFlush(code),
    (err: Error) => {
      // CommandError carries the CLI's stderr; print it without a JS stack.
      process.stderr.write(`\nstack ${options.command} failed: ${err.message}\n`);
      exitAfterFlush(1);
    },
  );
}
