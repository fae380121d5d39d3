// `npm run workflow -- <command>`: lint, simulate and draw TaskRouter
// workflows before they are deployed.
//
// Exit codes: 0 ok, 1 findings (lint) or an invalid workflow, 2 usage or input errors.

import * as fs from "node:fs";
import { ExpressionSyntaxError } from "./expression/errors";
import { formatTrace } from "./format";
import { InputError, readQueues, readTask, readWorkers, readWorkflowConfiguration } from "./inputs";
import { workflowToMermaid } from "./mermaid";
import { simulate } from "./simulate";
import type { Clock, Finding, RoutingQueue } from "./types";
import { canonicalizeWorkflowConfiguration } from "./workflow/canonical";
import { WorkflowValidationError } from "./workflow/compile";
import { validateTargetWorkersExpression, validateWorkflowConfiguration } from "./workflow/validate";

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): string;
  /** Clock for `simulate` when --now is not given. */
  clock?: Clock;
}

export const USAGE = `Usage: npm run workflow -- <command> [options]

Commands:
  lint FILE [--queues QUEUES]            Validate a workflow configuration; exit 1 on findings.
                                         With --queues, every queue reference must exist and each
                                         queue's target_workers must parse.
  simulate FILE --task JSON|@TASKFILE --workers WORKERS --queues QUEUES [--now ISO] [--json]
                                         Show the routing trace of one task.
  diagram FILE [--queues QUEUES]         Print a Mermaid flowchart (filters → targets → queues).
  canonical FILE                         Print the canonical JSON the stack diffs on.

FILE is a workflow configuration ({"task_routing": …}) or a Workflow resource ({"configuration": "…"}).
QUEUES is a JSON array of {sid, friendlyName, targetWorkers}; WORKERS a JSON array of
{sid, friendlyName, activityName, available, attributes, channels, idleSince}. See routing/README.md.
`;

class UsageError extends Error {}

interface ParsedArgs {
  command: string;
  positional: string[];
  options: Map<string, string | true>;
}

const FLAGS_WITH_VALUES = new Set(["--task", "--workers", "--queues", "--now"]);
const BOOLEAN_FLAGS = new Set(["--json"]);

function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command = "help", ...rest] = argv;
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index];
    if (arg.startsWith("--")) {
      const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
      if (BOOLEAN_FLAGS.has(flag)) options.set(flag, true);
      else if (FLAGS_WITH_VALUES.has(flag)) {
        const value = inline ?? rest[++index];
        if (value === undefined) throw new UsageError(`${flag} needs a value`);
        options.set(flag, value);
      } else throw new UsageError(`unknown option ${flag}`);
    } else positional.push(arg);
  }
  return { command, positional, options };
}

function readJson(io: CliIo, path: string, what: string): unknown {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error) {
    throw new InputError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Reads the workflow file; malformed JSON is returned as text so lint reports it as a finding. */
function readWorkflowFile(io: CliIo, path: string): ReturnType<typeof readWorkflowConfiguration> {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error) {
    throw new InputError(`cannot read workflow ${path}: ${(error as Error).message}`);
  }
  try {
    return readWorkflowConfiguration(JSON.parse(text));
  } catch {
    return text;
  }
}

function requireFile(args: ParsedArgs): string {
  const [file, extra] = args.positional;
  if (!file) throw new UsageError(`${args.command} needs a workflow FILE`);
  if (extra) throw new UsageError(`unexpected argument ${extra}`);
  return file;
}

function requireOption(args: ParsedArgs, flag: string): string {
  const value = args.options.get(flag);
  if (typeof value !== "string") throw new UsageError(`${args.command} needs ${flag}`);
  return value;
}

function formatFinding(file: string, finding: Finding): string {
  const where = finding.position !== undefined ? ` (position ${finding.position})` : "";
  return `${file}: ${finding.path}${where}: ${finding.message}`;
}

function lint(args: ParsedArgs, io: CliIo): number {
  const file = requireFile(args);
  const config = readWorkflowFile(io, file);
  const queuesPath = args.options.get("--queues");
  let queues: RoutingQueue[] | undefined;
  const lines: string[] = [];
  if (typeof queuesPath === "string") {
    queues = readQueues(readJson(io, queuesPath, "queues file"));
    queues.forEach((queue, index) => {
      for (const finding of validateTargetWorkersExpression(queue.targetWorkers)) {
        lines.push(formatFinding(queuesPath, { ...finding, path: `queues[${index}] (${queue.friendlyName}).target_workers` }));
      }
    });
  }
  const findings = validateWorkflowConfiguration(config, { queueSids: queues?.map((queue) => queue.sid) });
  lines.unshift(...findings.map((finding) => formatFinding(file, finding)));
  if (lines.length === 0) {
    io.stdout(`${file}: no findings\n`);
    return 0;
  }
  io.stdout(lines.join("\n") + "\n");
  io.stderr(`${lines.length} finding${lines.length === 1 ? "" : "s"}\n`);
  return 1;
}

function simulateCommand(args: ParsedArgs, io: CliIo): number {
  const file = requireFile(args);
  const config = readWorkflowFile(io, file);
  const taskArg = requireOption(args, "--task");
  const taskJson = taskArg.startsWith("@") ? readJson(io, taskArg.slice(1), "task file") : parseInlineJson(taskArg);
  const task = readTask(taskJson);
  const workers = readWorkers(readJson(io, requireOption(args, "--workers"), "workers file"), task.taskChannel);
  const queues = readQueues(readJson(io, requireOption(args, "--queues"), "queues file"));
  const nowArg = args.options.get("--now");
  let clock = io.clock;
  if (typeof nowArg === "string") {
    const instant = new Date(nowArg);
    if (Number.isNaN(instant.getTime())) throw new UsageError(`--now ${nowArg} is not an ISO date`);
    clock = () => instant;
  }
  const trace = simulate({ workflow: config, queues, workers, task, clock });
  io.stdout(args.options.get("--json") ? JSON.stringify(trace, null, 2) + "\n" : formatTrace(trace));
  return 0;
}

function parseInlineJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`--task is not valid JSON: ${(error as Error).message}`);
  }
}

function diagram(args: ParsedArgs, io: CliIo): number {
  const file = requireFile(args);
  const config = readWorkflowFile(io, file);
  const queuesPath = args.options.get("--queues");
  const queueNames: Record<string, string> = {};
  if (typeof queuesPath === "string") {
    for (const queue of readQueues(readJson(io, queuesPath, "queues file"))) queueNames[queue.sid] = queue.friendlyName;
  }
  io.stdout(workflowToMermaid(config, { queueNames }));
  return 0;
}

function canonical(args: ParsedArgs, io: CliIo): number {
  io.stdout(canonicalizeWorkflowConfiguration(readWorkflowFile(io, requireFile(args))) + "\n");
  return 0;
}

/** Runs the CLI; returns the exit code. Never calls process.exit, so tests can call it in-process. */
export function main(argv: readonly string[], io: CliIo): number {
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case "lint":
        return lint(args, io);
      case "simulate":
        return simulateCommand(args, io);
      case "diagram":
        return diagram(args, io);
      case "canonical":
        return canonical(args, io);
      case "help":
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command ${args.command}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`workflow: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof InputError || error instanceof ExpressionSyntaxError) {
      io.stderr(`workflow: ${error.message}\n`);
      return 2;
    }
    if (error instanceof WorkflowValidationError) {
      io.stderr(`workflow: the workflow is invalid; fix these first (see \`lint\`):\n${error.findings.map((finding) => `  ${finding.path}: ${finding.message}`).join("\n")}\n`);
      return 1;
    }
    throw error;
  }
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => fs.readFileSync(path, "utf8"),
};

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), processIo);
}
