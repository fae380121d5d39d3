// Command line over the real Pulumi CLI for this project's stacks:
//   node dist/tools/stack.js <command> [--stack local|dev|prod] [--project DIR] [options]
// Commands: up, preview, refresh, destroy, outputs, export, version.
// Options: --program FILE (compiled program module), --no-policy (skip policy/,
// which the project's own stacks run by default), --diff (show property diffs), --expect-no-changes (fail if an
// operation would change anything), --policy-pack DIR (repeatable),
// --config KEY=VALUE (repeatable; set before the operation).
import * as path from "node:path";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { openStack, cliVersion, sdkVersion, REPO_ROOT, type StackTarget } from "./stack-runner";

interface Options {
  command: string;
  stackName: string;
  projectDir: string;
  programModule?: string;
  diff: boolean;
  expectNoChanges: boolean;
  policyPacks: string[];
  /** --no-policy: skip the project's policy pack. */
  noPolicy: boolean;
  config: Record<string, string>;
}

const COMMANDS = ["up", "preview", "refresh", "destroy", "outputs", "export", "version"];

export function parseArgs(argv: string[]): Options {
  const options: Options = {
    command: "",
    stackName: "local",
    projectDir: REPO_ROOT,
    diff: false,
    expectNoChanges: false,
    policyPacks: [],
    noPolicy: false,
    config: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--stack" || arg === "-s") options.stackName = value();
    else if (arg === "--project") options.projectDir = path.resolve(value());
    else if (arg === "--program") options.programModule = path.resolve(value());
    else if (arg === "--diff") options.diff = true;
    else if (arg === "--expect-no-changes") options.expectNoChanges = true;
    else if (arg === "--policy-pack") options.policyPacks.push(path.resolve(value()));
    else if (arg === "--no-policy") options.noPolicy = true;
    else if (arg === "--config" || arg === "-c") {
      const [key, ...rest] = value().split("=");
      if (!key || rest.length === 0) throw new Error(`--config expects KEY=VALUE, got '${argv[i]}'`);
      options.config[key] = rest.join("=");
    } else if (!options.command && COMMANDS.includes(arg)) options.command = arg;
    else throw new Error(`unknown argument '${arg}'. Usage: stack <${COMMANDS.join("|")}> [--stack NAME] [--diff] [--expect-no-changes] [--policy-pack DIR | --no-policy] [--config K=V]`);
  }
  if (!options.command) throw new Error(`a command is required: one of ${COMMANDS.join(", ")}`);
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
  const common = { onOutput, diff: options.diff, expectNoChanges: options.expectNoChanges, color: "never" as const };
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
