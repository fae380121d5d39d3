// The steps of the delivery pipeline that are more than one stack command,
// shared by the GitHub Actions workflows (.github/workflows/) and the local
// rehearsal (tools/rehearse.ts):
//
//   node dist/tools/pipeline.js preview-report --stack dev [--policy-pack policy] [--out FILE.md] [--workflows-dir DIR]
//       [--diff PREVIEW.txt --events PREVIEW.jsonl]
//       A Markdown report of a `pulumi preview` for a pull-request comment: the outcome,
//       the policy violations, the diff, and a Mermaid diagram of every workflow the
//       preview changes. Made from the two plain previews CI runs (`pulumi preview --diff`
//       and the same with `--json` and PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true), passed
//       as files, or, without them, from those two previews run here. Exit 1 if the
//       preview failed (the report says why).
//   node dist/tools/pipeline.js smoke --stack dev [--no-routing] [--queue NAME]
//       [--available-workers WK,...] [--in-conversation WK,...] [--expect-worker WK]
//       Checks a deployed stack: the transfer functions answer (and accept their
//       configuration), and a task sent through the Chat Transfer workflow lands
//       in the right queue (and, with --expect-worker, is reserved by that worker).
//
// Common option: --project DIR (default: this clone). Both run the plain CLI on
// the project directory (Automation API LocalWorkspace: the CLI starts the Node
// language host, which runs Pulumi.yaml's program), never an inline program.
// Credentials come from the environment only and are never printed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OutputMap } from '@pulumi/pulumi/automation';
import { canonicalizeWorkflowConfiguration, workflowToMermaid } from '../routing';
import { readArgs } from './cli-args';
import { parsePreviewEvents, nameOfUrn as nameOf, type PlannedStep, type PolicyViolation } from './engine-events';
import { placeholderSid, runProgramUnderMocks } from './program-under-mocks';
import { programMainOf, REPO_ROOT, runPulumi, selectStack, stackEnv } from './pulumi-cli';
import { resourceType } from '../functions/lib/contract.private';

export type { PolicyViolation };

export const TYPES = {
  workflow: resourceType('Workflow'),
  queue: resourceType('TaskQueue'),
} as const;

/** The value Pulumi shows for an input not known until `up`. */
const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

export interface StackLocation {
  stackName: string;
  projectDir: string;
  env?: Record<string, string>;
}

// ---------------------------------------------------------------------------
// Preview report
// ---------------------------------------------------------------------------

export interface WorkflowChange {
  /** Resource name, e.g. routing-chat-transfer. */
  name: string;
  friendlyName: string;
  /** create, update, replace, delete… */
  op: string;
  /** New configuration JSON (canonical), when the workflow is not deleted. */
  configuration?: string;
  /** Where the new configuration came from. */
  source?: 'preview' | 'program';
  /** Queue SID → name, for the diagram's labels (new queues have placeholder SIDs). */
  queueNames: Record<string, string>;
  /** Queue SID → target_workers, so the queues file written beside the workflow can be simulated. */
  queueTargetWorkers?: Record<string, string>;
  mermaid?: string;
  note?: string;
}

export interface PreviewReport {
  stack: string;
  ok: boolean;
  /** The CLI's `--diff` text. */
  diff: string;
  /** op → count, as the engine summarizes it. */
  changes: Record<string, number>;
  workflows: WorkflowChange[];
  violations: PolicyViolation[];
  error?: string;
}

type Step = PlannedStep;

/**
 * The two plain previews the pull-request workflow runs, for a report: the
 * human one (`pulumi preview --diff`, printed to `onOutput`) and the same
 * preview's engine events (`pulumi preview --json` with streaming JSON).
 */
export async function runPreviews(at: StackLocation & { policyPacks?: string[]; onOutput?: (text: string) => void }): Promise<{ diff: string; events: string; status: number | null }> {
  const env = { ...stackEnv(at.stackName, at.projectDir), ...at.env };
  const common = ['preview', '--stack', at.stackName, '--non-interactive', ...(at.policyPacks ?? []).flatMap((p) => ['--policy-pack', p])];
  const text = await runPulumi([...common, '--diff'], { cwd: at.projectDir, env, onOutput: at.onOutput });
  const json = await runPulumi([...common, '--json'], { cwd: at.projectDir, env: { ...env, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: 'true' } });
  return { diff: text.out, events: json.out, status: text.status };
}

/** `pulumi preview --diff` with policy packs (its text streamed to `onOutput`), and what changes in it. */
export async function previewReport(at: StackLocation & { policyPacks?: string[]; onOutput?: (text: string) => void }): Promise<PreviewReport> {
  const { diff, events, status } = await runPreviews(at);
  return reportFrom(at, diff, events, status === 0);
}

/** The report of a preview from what the two plain previews printed. */
export async function reportFrom(at: StackLocation, diff: string, events: string, succeeded?: boolean): Promise<PreviewReport> {
  const plan = parsePreviewEvents(events);
  const ok = succeeded ?? (plan.result !== 'failed' && plan.errors.length === 0 && plan.result !== undefined);
  const error = ok ? undefined : lastLines(plan.errors.join('\n') || diffErrors(diff) || 'the preview failed (see the job log)', 20);
  const workflows = await workflowChanges(plan.steps, at);
  return { stack: at.stackName, ok, diff, changes: plan.changes, workflows, violations: plan.violations, error };
}

/** The error lines of a `pulumi preview` text (its Diagnostics section). */
function diffErrors(diff: string): string {
  return diff
    .split('\n')
    .filter((line) => /^\s*error: /.test(line) && !/preview failed/.test(line))
    .map((line) => line.trim())
    .join('\n');
}

/** The workflows a preview changes, each with its new configuration and a Mermaid diagram. */
async function workflowChanges(steps: Step[], at: StackLocation): Promise<WorkflowChange[]> {
  // Queue names for labels: from the queues' inputs; SIDs from their current outputs.
  const queueNames: Record<string, string> = {};
  const queueTargetWorkers: Record<string, string> = {};
  for (const step of steps.filter((s) => s.type === TYPES.queue)) {
    const sid = step.oldOutputs?.sid;
    const name = (step.newInputs?.friendlyName ?? step.oldInputs?.friendlyName) as string | undefined;
    const targetWorkers = (step.newInputs?.targetWorkers ?? step.oldInputs?.targetWorkers) as string | undefined;
    if (typeof sid === 'string' && name) queueNames[sid] = name;
    if (typeof sid === 'string' && typeof targetWorkers === 'string') queueTargetWorkers[sid] = targetWorkers;
  }
  const changed = steps.filter((s) => s.type === TYPES.workflow && s.op !== 'same' && s.op !== 'read' && s.op !== 'refresh');
  // The same workflow is reported by several steps when replaced; keep one per resource.
  const byName = new Map<string, Step>();
  for (const step of changed) if (!byName.has(step.name) || step.op.includes('replace')) byName.set(step.name, step);

  const result: WorkflowChange[] = [];
  let fromProgram: Map<string, ProgramWorkflow> | undefined;
  for (const step of byName.values()) {
    const friendlyName = String(step.newInputs?.friendlyName ?? step.oldInputs?.friendlyName ?? step.name);
    const change: WorkflowChange = { name: step.name, friendlyName, op: step.op, queueNames: { ...queueNames }, queueTargetWorkers: { ...queueTargetWorkers } };
    if (step.op === 'delete' || step.op === 'discard') {
      change.note = 'removed by this change';
      result.push(change);
      continue;
    }
    const configuration = step.newInputs?.configuration;
    if (typeof configuration === 'string' && !configuration.includes(UNKNOWN)) {
      change.configuration = canonicalizeWorkflowConfiguration(configuration);
      change.source = 'preview';
    } else {
      // Not known until `up` (it names a queue this change creates): build it
      // from the program with this stack's SIDs and placeholders for new ones.
      try {
        fromProgram ??= await workflowsFromProgram(at);
        const built = fromProgram.get(step.name);
        const deployed = step.oldInputs?.configuration ?? step.oldOutputs?.configuration;
        if (built && typeof deployed === 'string' && sameConfiguration(built.configuration, deployed)) {
          // The preview cannot compute it yet, but it comes out as deployed.
          change.note = 'the preview cannot compute its configuration yet, but the program builds exactly the deployed one: it will not change';
          change.op = 'unchanged';
          result.push(change);
          continue;
        }
        if (built) {
          change.configuration = canonicalizeWorkflowConfiguration(built.configuration);
          change.source = 'program';
          Object.assign(change.queueNames, built.queueNames);
          change.queueTargetWorkers = { ...change.queueTargetWorkers, ...built.queueTargetWorkers };
        } else {
          change.note = 'its configuration is not known until `up`';
        }
      } catch (err) {
        change.note = `its configuration is not known until \`up\` (${(err as Error).message.split('\n')[0]})`;
      }
    }
    if (change.configuration) {
      try {
        change.mermaid = workflowToMermaid(JSON.parse(change.configuration), { queueNames: change.queueNames });
      } catch (err) {
        change.note = `no diagram: ${(err as Error).message.split('\n')[0]}`;
      }
    }
    result.push(change);
  }
  return result;
}

function sameConfiguration(a: string, b: string): boolean {
  try {
    return canonicalizeWorkflowConfiguration(a) === canonicalizeWorkflowConfiguration(b);
  } catch {
    return false;
  }
}

export { placeholderSid };

/**
 * Every Workflow's configuration as the program builds it for this stack,
 * computed offline by running the program under Pulumi's mocks, loaded by the
 * stock Node runner (tools/program-under-mocks.ts): existing objects keep
 * their SIDs from the stack's state, objects the change creates get
 * placeholder SIDs (labelled "(new)").
 */
export interface ProgramWorkflow {
  configuration: string;
  queueNames: Record<string, string>;
  queueTargetWorkers: Record<string, string>;
}

export async function workflowsFromProgram(at: StackLocation): Promise<Map<string, ProgramWorkflow>> {
  const stack = await selectStack(at.projectDir, at.stackName, at.env);
  const exported = await stack.exportStack();
  const state: Record<string, Record<string, unknown>> = {};
  for (const r of (exported.deployment as { resources?: Array<{ urn: string; type: string; outputs?: Record<string, unknown> }> })?.resources ?? []) {
    if (r.outputs) state[`${r.type}::${nameOf(r.urn)}`] = { sid: r.outputs.sid, domainName: r.outputs.domainName, friendlyName: r.outputs.friendlyName };
  }
  const all = await stack.getAllConfig();
  // Secrets stay behind: the program reads none (credentials are the providers').
  const config = Object.fromEntries(
    Object.entries(all)
      .filter(([, v]) => !v.secret)
      .map(([k, v]) => [k, v.value]),
  );
  const settings = await stack.workspace.projectSettings();
  const run = runProgramUnderMocks({ main: programMainOf(at.projectDir), project: settings.name, stack: at.stackName, config, state, preview: true }, { ...process.env, ...at.env });
  const queueNames: Record<string, string> = {};
  const queueTargetWorkers: Record<string, string> = {};
  for (const r of run.resources.filter((r) => r.type === TYPES.queue && typeof r.inputs.friendlyName === 'string')) {
    queueNames[r.id] = state[`${r.type}::${r.name}`]?.sid ? String(r.inputs.friendlyName) : `${String(r.inputs.friendlyName)} (new)`;
    if (typeof r.inputs.targetWorkers === 'string') queueTargetWorkers[r.id] = r.inputs.targetWorkers;
  }
  const workflows = new Map<string, ProgramWorkflow>();
  for (const r of run.resources.filter((r) => r.type === TYPES.workflow && typeof r.inputs.configuration === 'string')) {
    workflows.set(r.name, { configuration: r.inputs.configuration as string, queueNames, queueTargetWorkers });
  }
  return workflows;
}

/** The report as a pull-request comment (GitHub Markdown; Mermaid blocks render as diagrams). */
export function renderMarkdown(report: PreviewReport, meta: { commit?: string; maxDiffChars?: number } = {}): string {
  const max = meta.maxDiffChars ?? 40_000;
  const status = report.ok ? '✅ preview succeeded' : '❌ preview failed';
  const counts = Object.entries(report.changes)
    .filter(([op]) => op !== 'same')
    .map(([op, n]) => `${n} to ${op}`)
    .join(', ');
  const same = report.changes.same ? `${report.changes.same} unchanged` : '';
  const lines = [
    `<!-- flex-transfer-preview:${report.stack} -->`,
    `### \`pulumi preview\` of stack \`${report.stack}\`: ${status}`,
    '',
    [meta.commit ? `Commit \`${meta.commit.slice(0, 12)}\`` : '', [counts || 'no changes', same].filter(Boolean).join(', ')].filter(Boolean).join(' · '),
    '',
  ];
  const blocking = report.violations.filter((v) => v.level === 'mandatory');
  if (report.violations.length > 0) {
    lines.push(`**Policy violations** (policy pack \`flex-transfer\`; ${blocking.length} blocking):`, '');
    for (const v of report.violations) lines.push(`- **${v.policy}** (${v.level}${v.resource ? `, \`${v.resource}\`` : ''}): ${v.message.replace(/\s+/g, ' ')}`);
    lines.push('');
  }
  if (!report.ok && report.error && report.violations.length === 0) {
    lines.push('**Error:**', '', '```text', report.error, '```', '');
  }
  const diff = readableDiff(report.diff);
  lines.push(
    '<details open><summary>Resource changes (<code>pulumi preview --diff</code>)</summary>',
    '',
    '```diff',
    diff.length > max ? `${diff.slice(0, max)}\n… (truncated; the full diff is in the job log)` : diff,
    '```',
    '</details>',
    '',
  );
  const unchanged = report.workflows.filter((w) => w.op === 'unchanged');
  if (unchanged.length > 0) {
    lines.push(
      `_Shown as updated only because the preview cannot compute their configuration yet; the program builds exactly the deployed configuration, so they will not change: ${unchanged.map((w) => `"${w.friendlyName}"`).join(', ')}._`,
      '',
    );
  }
  for (const w of report.workflows.filter((w) => w.op !== 'unchanged')) {
    lines.push(`#### Workflow "${w.friendlyName}" (\`${w.name}\`): ${w.op}`, '');
    if (w.source === 'program') {
      lines.push(
        '_The preview cannot compute this configuration until `up`; it is built here from the program with this stack\'s SIDs (objects this change creates are shown as "(new)", with placeholder SIDs)._',
        '',
      );
    }
    if (w.mermaid) lines.push('```mermaid', w.mermaid.trimEnd(), '```', '');
    if (w.note) lines.push(`_${w.note}_`, '');
  }
  return lines.join('\n');
}

/** The diff without the CLI's progress lines (`@ previewing update....`) and with no trailing noise. */
export function readableDiff(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^@ (previewing|updating)/.test(line) && !/^Loading policy packs/.test(line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

// ---------------------------------------------------------------------------
// Smoke test of a deployed stack
// ---------------------------------------------------------------------------

export interface SmokeOptions extends StackLocation {
  /** Also send a task through the Chat Transfer workflow (default true). */
  routing?: boolean;
  /** Target queue name; default: the first queue of the stack. */
  queue?: string;
  /** Workers to make Available for the check (put back afterwards). */
  availableWorkers?: string[];
  /** `workerSidsInConversation` of the transfer task. */
  inConversation?: string[];
  /** The worker who must get the reservation. */
  expectWorker?: string;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface SmokeResult {
  functions: { status: number; error?: string };
  routing?: { taskSid: string; queue: string; queueSid: string; reservedBy?: string };
}

/** Smoke test of a deployed stack; throws with what failed. Credentials from the environment (TWILIO_*). */
export async function smoke(options: SmokeOptions): Promise<SmokeResult> {
  const log = options.log ?? (() => undefined);
  const env = { ...process.env, ...options.env };
  const stack = await selectStack(options.projectDir, options.stackName, options.env);
  const outputs = plain(await stack.outputs());
  const need = (key: string) => {
    if (outputs[key] === undefined || outputs[key] === '') throw new Error(`stack ${options.stackName} has no output '${key}': is it deployed?`);
    return outputs[key];
  };

  // 1. The functions are deployed, load their shared code and accept their
  //    configuration: without a Flex token the answer is 403 missing_token
  //    (a bad variable would be a 500 configuration_error first).
  const base = String(need('functionsBaseUrl')).replace(/\/+$/, '');
  const response = await fetch(`${base}/chat/transfer`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
    signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
  });
  const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
  if (response.status !== 403 || body.error !== 'missing_token') {
    throw new Error(`functions: POST ${base}/chat/transfer without a token answered ${response.status} ${body.error ?? ''} ${body.message ?? ''}; expected 403 missing_token`);
  }
  log(`functions: POST /chat/transfer without a token → 403 missing_token (deployed, configuration accepted)`);
  const result: SmokeResult = { functions: { status: response.status, error: body.error } };
  if (options.routing === false) return result;

  // 2. A transfer task through the Chat Transfer workflow reaches its queue.
  const { createTwilioClient, credentialsFromEnv } = await import('../clients');
  // TWILIO_API_BASE_URL points the client at the emulator (the rehearsal); unset, it is Twilio.
  const client = createTwilioClient(credentialsFromEnv(env), { apiBaseUrl: env.TWILIO_API_BASE_URL || undefined });
  const workspaceSid = String(need('workspaceSid'));
  const workflowSid = String(need('chatTransferWorkflowSid'));
  const queueSids = need('queueSids') as Record<string, string>;
  const queue = options.queue ?? Object.keys(queueSids)[0];
  const queueSid = queueSids[queue];
  if (!queueSid) throw new Error(`stack ${options.stackName} has no queue '${queue}' (queues: ${Object.keys(queueSids).join(', ')})`);
  const workspace = client.taskrouter.v1.workspaces(workspaceSid);

  const restore: Array<() => Promise<unknown>> = [];
  let taskSid: string | undefined;
  try {
    if (options.availableWorkers?.length) {
      const activities = await workspace.activities.list();
      const available = activities.find((a) => a.available && a.friendlyName === 'Available') ?? activities.find((a) => a.available);
      if (!available) throw new Error('the workspace has no available activity');
      for (const sid of options.availableWorkers) {
        const before = await workspace.workers(sid).fetch();
        await workspace.workers(sid).update({ activitySid: available.sid });
        restore.push(() => workspace.workers(sid).update({ activitySid: before.activitySid }));
      }
    }
    const task = await workspace.tasks.create({
      workflowSid,
      taskChannel: 'chat',
      timeout: 120,
      attributes: JSON.stringify({
        flexTransferSmokeTest: true,
        transferTargetType: 'queue',
        transferTargetSid: queueSid,
        transferQueueName: queue,
        workerSidsInConversation: options.inConversation ?? [],
      }),
    });
    taskSid = task.sid;
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    let current = task;
    while (current.taskQueueSid !== queueSid && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      current = await workspace.tasks(task.sid).fetch();
    }
    if (current.taskQueueSid !== queueSid) {
      throw new Error(`routing: a transfer to queue '${queue}' (${queueSid}) went to ${current.taskQueueSid ?? 'no queue'} through workflow ${workflowSid}`);
    }
    log(`routing: a transfer task to queue '${queue}' entered ${queueSid} through the Chat Transfer workflow`);
    result.routing = { taskSid: task.sid, queue, queueSid };

    if (options.expectWorker) {
      let reservedBy: string | undefined;
      while (!reservedBy && Date.now() < deadline) {
        const reservations = await workspace.tasks(task.sid).reservations.list();
        reservedBy = reservations.find((r) => r.reservationStatus === 'pending' || r.reservationStatus === 'accepted')?.workerSid;
        if (!reservedBy) await new Promise((r) => setTimeout(r, 200));
      }
      if (reservedBy !== options.expectWorker) {
        throw new Error(
          `routing: the transfer was reserved by ${reservedBy ?? 'nobody'}, expected ${options.expectWorker}${options.inConversation?.length ? ` (in the conversation: ${options.inConversation.join(', ')})` : ''}`,
        );
      }
      result.routing.reservedBy = reservedBy;
      log(`routing: reserved by ${reservedBy}${options.inConversation?.length ? `, not by ${options.inConversation.join(', ')} already in the conversation` : ''}`);
    }
    return result;
  } finally {
    if (taskSid) {
      // Never leave the smoke task to an agent: cancel, then delete it.
      await workspace
        .tasks(taskSid)
        .update({ assignmentStatus: 'canceled', reason: 'flex-transfer smoke test' })
        .catch(() => undefined);
      await workspace
        .tasks(taskSid)
        .remove()
        .catch(() => undefined);
    }
    for (const undo of restore.reverse()) await undo().catch(() => undefined);
  }
}

function plain(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

interface Args {
  command: string;
  values: Map<string, string[]>;
  flags: Set<string>;
}

const VALUE_OPTIONS = ['stack', 'project', 'diff', 'events', 'policy-pack', 'out', 'workflows-dir', 'commit', 'queue', 'available-workers', 'in-conversation', 'expect-worker', 'timeout-ms'];
const FLAG_OPTIONS = ['no-routing'];
const OPTIONS = Object.fromEntries([...VALUE_OPTIONS.map((name) => [name, { type: 'string', multiple: true }] as const), ...FLAG_OPTIONS.map((name) => [name, { type: 'boolean' }] as const)]);

export function parseArgs(argv: string[]): Args {
  const { values: parsed, positionals } = readArgs(argv, OPTIONS, true);
  const [command = ''] = positionals;
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (const [name, value] of Object.entries(parsed)) {
    if (Array.isArray(value)) values.set(`--${name}`, value.map(String));
    else if (value === true) flags.add(`--${name}`);
  }
  if (positionals.length !== 1 || !['preview-report', 'smoke'].includes(command)) throw new Error('usage: pipeline <preview-report|smoke> --stack NAME [options] (see tools/pipeline.ts)');
  if (!values.get('--stack')) throw new Error('--stack is required');
  return { command, values, flags };
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const one = (k: string) => args.values.get(k)?.at(-1);
  const list = (k: string) =>
    (one(k) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const at: StackLocation = {
    stackName: one('--stack') as string,
    projectDir: path.resolve(one('--project') ?? REPO_ROOT),
  };
  if (args.command === 'preview-report') {
    // CI runs the two plain previews itself and passes what they printed; otherwise run them here.
    const diffFile = one('--diff');
    const eventsFile = one('--events');
    if (Boolean(diffFile) !== Boolean(eventsFile)) throw new Error('--diff and --events go together: the text and the engine events of one preview');
    const report =
      diffFile && eventsFile
        ? await reportFrom(at, fs.readFileSync(diffFile, 'utf8'), fs.readFileSync(eventsFile, 'utf8'))
        : await previewReport({ ...at, policyPacks: (args.values.get('--policy-pack') ?? []).map((p) => path.resolve(p)), onOutput: (t) => process.stdout.write(t) });
    const markdown = renderMarkdown(report, { commit: one('--commit') ?? process.env.GITHUB_SHA });
    const out = one('--out');
    if (out) fs.writeFileSync(out, markdown);
    const dir = one('--workflows-dir');
    if (dir) {
      fs.mkdirSync(dir, { recursive: true });
      for (const w of report.workflows.filter((w) => w.configuration && w.op !== 'unchanged')) {
        fs.writeFileSync(path.join(dir, `${report.stack}-${w.name}.json`), `${JSON.stringify(JSON.parse(w.configuration as string), null, 2)}\n`);
        fs.writeFileSync(
          path.join(dir, `${report.stack}-queues.json`),
          // Each queue's own target_workers, so `workflow simulate` finds its real members.
          `${JSON.stringify(
            Object.entries(w.queueNames).map(([sid, friendlyName]) => ({ sid, friendlyName, targetWorkers: w.queueTargetWorkers?.[sid] ?? '1==1' })),
            null,
            2,
          )}\n`,
        );
      }
    }
    const changed = report.workflows.filter((w) => w.op !== 'unchanged');
    process.stdout.write(
      `\npreview-report: stack ${report.stack}: ${report.ok ? 'ok' : 'FAILED'}; ${changed.length} workflow(s) changed${changed.length ? ` (${changed.map((w) => w.friendlyName).join(', ')})` : ''}${out ? `; report: ${out}` : ''}\n`,
    );
    return report.ok ? 0 : 1;
  }
  const timeout = one('--timeout-ms');
  await smoke({
    ...at,
    routing: !args.flags.has('--no-routing'),
    queue: one('--queue'),
    availableWorkers: list('--available-workers'),
    inConversation: list('--in-conversation'),
    expectWorker: one('--expect-worker'),
    timeoutMs: timeout ? Number(timeout) : undefined,
    log: (line) => process.stdout.write(`smoke ${at.stackName}: ${line}\n`),
  });
  process.stdout.write(`smoke ${at.stackName}: passed\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`pipeline: ${err.message}\n`);
      process.exit(err.message.startsWith('usage') || err.message.startsWith('unknown argument') ? 2 : 1);
    },
  );
}
