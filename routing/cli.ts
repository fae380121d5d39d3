// `npm run workflow -- <command>`: lint, simulate and draw TaskRouter
// workflows before they are deployed: a workflow JSON file, or what a stack
// deploys (`--stack local`), built offline from its stack file.
//
// Exit codes: 0 ok, 1 findings (lint) or an invalid workflow, 2 usage or input errors.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { explainNobodyEligible, formatNobodyEligible } from './explain';
import { ExpressionSyntaxError } from './expression/errors';
import { formatTrace } from './format';
import { InputError, readQueues, readTask, readWorkers, readWorkflowConfiguration } from './inputs';
import { workflowToMermaid } from './mermaid';
import { simulate } from './simulate';
import type { Clock, Finding, RoutingQueue } from './types';
import { canonicalizeWorkflowConfiguration } from './workflow/canonical';
import { WorkflowValidationError } from './workflow/compile';
import type { WorkflowConfigurationInput } from './workflow/model';
import { validateTargetWorkersExpression, validateWorkflowConfiguration } from './workflow/validate';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): string;
  /** Clock for `simulate` when --now is not given. */
  clock?: Clock;
  /** Where Pulumi.<stack>.yaml files are, for --stack; default: the project this CLI belongs to. */
  projectDir?: string;
}

export const USAGE = `Usage: npm run workflow -- <command> (FILE | --stack NAME) [options]

Commands:
  lint      Validate the workflow(s); exit 1 on findings. With --queues (or --stack),
            every queue reference must exist and each queue's target_workers must parse.
  simulate  Show the routing trace of one task, and why nobody is eligible when nobody is:
            --task JSON|@FILE --workers JSON|FILE [--queues JSON|FILE] [--now ISO] [--json]
  diagram   Print a Mermaid flowchart (filters → targets → queues).
  canonical Print the canonical JSON the stack diffs on.

What to check:
  FILE             a workflow configuration ({"task_routing": …}) or a Workflow resource
                   ({"configuration": "…"}), with --queues QUEUES for queue names and members.
  --stack NAME     the workflows a stack deploys (local, dev, prod), built from Pulumi.NAME.yaml
                   exactly as \`pulumi up\` builds them, with its queues (placeholder SIDs):
                   nothing deployed, no emulator, no credentials.
  --workflow chat|voice
                   with --stack: which workflow (default: chat; lint checks all).

QUEUES: a JSON array of {sid, friendlyName, targetWorkers}, or the TaskQueues API's list
({"task_queues": […]}). WORKERS: a JSON array of {sid, friendlyName, activityName, available,
attributes, channels, idleSince}, or the Workers API's list ({"workers": […]}). Both take
inline JSON, @FILE or FILE. Missing activity = Available. See routing/README.md.

Examples (a fresh clone, nothing running):
  npm run workflow -- lint --stack local
  npm run workflow -- diagram --stack local
  npm run workflow -- simulate --stack local --task '{"taskChannel":"chat","attributes":{"transferTargetType":"queue","transferQueueName":"Sales"}}' --workers '[{"sid":"WKalice","attributes":{"routing":{"skills":["sales"]}}}]'
`;

class UsageError extends Error {}

const OPTIONS = {
  task: { type: 'string' },
  workers: { type: 'string' },
  queues: { type: 'string' },
  now: { type: 'string' },
  json: { type: 'boolean' },
  stack: { type: 'string', short: 's' },
  workflow: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Options = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

interface Args {
  command: string;
  positionals: string[];
  options: Options;
}

/** node:util parseArgs, with its errors turned into this CLI's usage errors. */
function parseCommandLine(argv: readonly string[]): Args {
  let parsed: { values: Options; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }) as { values: Options; positionals: string[] };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${/'([^']+)'/.exec(message)?.[1] ?? message}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`${/--[\w-]+/.exec(message)?.[0] ?? 'an option'} needs a value`);
    if (code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(message);
    throw error;
  }
  const [command = parsed.values.help ? 'help' : 'help', ...positionals] = parsed.positionals;
  return { command, positionals, options: parsed.values };
}

/** A JSON argument: inline (`{…}` / `[…]`), `@FILE`, or a file path. */
function readJsonArgument(io: CliIo, value: string, what: string, flag: string): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch (error) {
      throw new InputError(`${flag} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const file = value.startsWith('@') ? value.slice(1) : value;
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    throw new InputError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${what} ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** One workflow to work on, with the queues it is checked against. */
interface Subject {
  /** Prefix of findings: the file, or `stack local · Chat Transfer`. */
  label: string;
  /** The configuration, or malformed text (lint reports it as a finding). */
  configuration: WorkflowConfigurationInput;
  queues?: RoutingQueue[];
  queuesLabel?: string;
}

interface Subjects {
  list: Subject[];
  /** Notes about the source (e.g. what `pulumi up` would still refuse); printed on stderr. */
  notes: string[];
  /** What a simulation assumes that the source does not say; printed by `simulate`. */
  assumptions: string[];
}

function readWorkflowFile(io: CliIo, file: string): WorkflowConfigurationInput {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    throw new InputError(`cannot read workflow ${file}: ${(error as Error).message}`);
  }
  try {
    return readWorkflowConfiguration(JSON.parse(text));
  } catch {
    if (/\.[cm]?[jt]s$/.test(file)) {
      throw new UsageError(`${file} is source code, not workflow JSON: to check the workflows a stack builds from it, use --stack NAME (e.g. --stack local)`);
    }
    return text;
  }
}

const WORKFLOW_CHOICES: Record<string, 'chat-transfer' | 'voice-transfer'> = {
  chat: 'chat-transfer',
  'chat-transfer': 'chat-transfer',
  'chat transfer': 'chat-transfer',
  voice: 'voice-transfer',
  'voice-transfer': 'voice-transfer',
  'voice transfer': 'voice-transfer',
};

/** The workflows to work on: FILE, or the stack's (all of them when `all` and no --workflow). */
function subjectsOf(args: Args, io: CliIo, all: boolean): Subjects {
  const { stack, workflow, queues: queuesArg } = args.options;
  const [file, extra] = args.positionals;
  if (extra) throw new UsageError(`unexpected argument ${extra}`);
  if (stack === undefined) {
    if (!file) throw new UsageError(`${args.command} needs a workflow FILE or --stack NAME`);
    if (workflow !== undefined) throw new UsageError("--workflow selects one of a stack's workflows: use it with --stack");
    const queues = queuesArg === undefined ? undefined : readQueues(readJsonArgument(io, queuesArg, 'queues file', '--queues'));
    return { list: [{ label: file, configuration: readWorkflowFile(io, file), queues, queuesLabel: queuesArg }], notes: [], assumptions: [] };
  }
  if (file) throw new UsageError(`give a workflow FILE or --stack, not both (got ${file} and --stack ${stack})`);
  if (queuesArg !== undefined) throw new UsageError("--queues cannot be combined with --stack: the stack's config declares its queues");
  let wanted: string | undefined;
  if (workflow !== undefined) {
    wanted = WORKFLOW_CHOICES[workflow.toLowerCase()];
    if (!wanted) throw new UsageError(`--workflow ${workflow}: expected chat or voice`);
  } else if (!all) wanted = 'chat-transfer';

  // Loaded on demand: it brings the stack's config rules (and @pulumi/pulumi) with it.
  const { loadStackRouting, StackFileError } = require('../infra/stack-routing') as typeof import('../infra/stack-routing');
  let routing: ReturnType<typeof loadStackRouting>;
  try {
    routing = loadStackRouting({ projectDir: io.projectDir ?? projectRoot(), stack, readFile: io.readFile });
  } catch (error) {
    if (error instanceof StackFileError) throw new InputError(error.message);
    throw error;
  }
  const chosen = routing.workflows.filter((w) => wanted === undefined || w.key === wanted);
  if (chosen.length === 0) throw new InputError(`stack ${stack} deploys no ${workflow} workflow (flex-transfer:features.voice_transfer is false in ${routing.file})`);
  return {
    list: chosen.map((w) => ({ label: `stack ${stack} · ${w.friendlyName}`, configuration: w.configuration, queues: routing.queues, queuesLabel: routing.file })),
    notes: routing.notes,
    assumptions: routing.assumptions,
  };
}

function formatFinding(label: string, finding: Finding): string {
  const where = finding.position !== undefined ? ` (position ${finding.position})` : '';
  return `${label}: ${finding.path}${where}: ${finding.message}`;
}

function printNotes(io: CliIo, notes: readonly string[]): void {
  for (const note of notes) io.stderr(`note: ${note}\n`);
}

function lint(args: Args, io: CliIo): number {
  const subjects = subjectsOf(args, io, true);
  printNotes(io, subjects.notes);
  const lines: string[] = [];
  const queueLines: string[] = [];
  const checkedQueues = new Set<RoutingQueue[]>();
  for (const subject of subjects.list) {
    const findings = validateWorkflowConfiguration(subject.configuration, { queueSids: subject.queues?.map((queue) => queue.sid) });
    lines.push(...findings.map((finding) => formatFinding(subject.label, finding)));
    if (findings.length === 0 && subjects.list.length > 1) io.stdout(`${subject.label}: no findings\n`);
    if (subject.queues && !checkedQueues.has(subject.queues)) {
      checkedQueues.add(subject.queues);
      subject.queues.forEach((queue, index) => {
        for (const finding of validateTargetWorkersExpression(queue.targetWorkers)) {
          queueLines.push(formatFinding(subject.queuesLabel ?? 'queues', { ...finding, path: `queues[${index}] (${queue.friendlyName}).target_workers` }));
        }
      });
    }
  }
  lines.push(...queueLines);
  if (lines.length === 0) {
    if (subjects.list.length === 1) io.stdout(`${subjects.list[0].label}: no findings\n`);
    return 0;
  }
  io.stdout(lines.join('\n') + '\n');
  io.stderr(`${lines.length} finding${lines.length === 1 ? '' : 's'}\n`);
  return 1;
}

function simulateCommand(args: Args, io: CliIo): number {
  const { task: taskArg, workers: workersArg, now: nowArg } = args.options;
  if (taskArg === undefined) throw new UsageError('simulate needs --task');
  if (workersArg === undefined) throw new UsageError('simulate needs --workers');
  if (args.options.stack === undefined && args.options.queues === undefined) throw new UsageError('simulate needs --queues (or --stack)');
  const subjects = subjectsOf(args, io, false);
  printNotes(io, [...subjects.notes, ...subjects.assumptions]);
  const [subject] = subjects.list;
  const task = readTask(taskArg.startsWith('@') ? readJsonArgument(io, taskArg, 'task file', '--task') : parseInlineJson(taskArg, '--task'));
  const workers = readWorkers(readJsonArgument(io, workersArg, 'workers file', '--workers'), task.taskChannel);
  const queues = subject.queues ?? [];
  let clock = io.clock;
  if (nowArg !== undefined) {
    const instant = new Date(nowArg);
    if (Number.isNaN(instant.getTime())) throw new UsageError(`--now ${nowArg} is not an ISO date`);
    clock = () => instant;
  }
  const trace = simulate({ workflow: subject.configuration, queues, workers, task, clock });
  const nobody = explainNobodyEligible({ workflow: subject.configuration, queues, workers, task }, trace);
  if (args.options.json) {
    io.stdout(JSON.stringify(nobody ? { ...trace, nobodyEligible: nobody } : trace, null, 2) + '\n');
  } else {
    io.stdout(formatTrace(trace) + (nobody ? formatNobodyEligible(nobody) : ''));
  }
  return 0;
}

function parseInlineJson(text: string, flag: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${flag} is not valid JSON: ${(error as Error).message}`);
  }
}

function diagram(args: Args, io: CliIo): number {
  const subjects = subjectsOf(args, io, false);
  printNotes(io, subjects.notes);
  const [subject] = subjects.list;
  const queueNames = Object.fromEntries((subject.queues ?? []).map((queue) => [queue.sid, queue.friendlyName]));
  io.stdout(workflowToMermaid(subject.configuration, { queueNames }));
  return 0;
}

function canonical(args: Args, io: CliIo): number {
  const [subject] = subjectsOf(args, io, false).list;
  io.stdout(canonicalizeWorkflowConfiguration(subject.configuration) + '\n');
  return 0;
}

/** Runs the CLI; returns the exit code. Never calls process.exit, so tests can call it in-process. */
export function main(argv: readonly string[], io: CliIo): number {
  try {
    const args = parseCommandLine(argv);
    if (args.options.help) {
      io.stdout(USAGE);
      return 0;
    }
    switch (args.command) {
      case 'lint':
        return lint(args, io);
      case 'simulate':
        return simulateCommand(args, io);
      case 'diagram':
        return diagram(args, io);
      case 'canonical':
        return canonical(args, io);
      case 'help':
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
      io.stderr(`workflow: the workflow is invalid; fix these first (see \`lint\`):\n${error.findings.map((finding) => `  ${finding.path}: ${finding.message}`).join('\n')}\n`);
      return 1;
    }
    throw error;
  }
}

/** The project this CLI belongs to: the nearest directory above it holding Pulumi.yaml. */
function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'Pulumi.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (file) => fs.readFileSync(file, 'utf8'),
};

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), processIo);
}
