// Why nobody is eligible for a task: for each step the trace passes through,
// each given worker and every reason that keeps them out (not in the step's
// queue, not the known worker, offline, no free capacity, excluded by the
// target expression), then what would change the answer. The trace names only
// the first reason per queue member; a reviewer staring at "eligible: nobody"
// needs all of them, for workers outside the queue too.

import { hasChannelCapacity, queueMembers } from './eligibility';
import type { RoutingTrace, TraceStep } from './simulate';
import type { RoutingQueue, RoutingTask, RoutingWorker } from './types';
import { asCompiledWorkflow, type CompiledWorkflow, type RoutingStep } from './workflow/compile';
import type { WorkflowConfigurationInput } from './workflow/model';

export type BlockingReason =
  | { kind: 'not-in-queue'; queue: string; targetWorkers: string }
  | { kind: 'not-known-worker'; attribute: string; value: unknown }
  | { kind: 'offline'; activityName: string }
  | { kind: 'no-capacity'; channel: string; detail: string }
  | { kind: 'excluded-by-expression'; expression: string };

export interface WorkerExplanation {
  sid: string;
  friendlyName: string;
  reasons: BlockingReason[];
}

export interface StepExplanation {
  /** Index into trace.steps. */
  stepIndex: number;
  title: string;
  /** Set when the step's queue is not among the given queues. */
  missingQueue?: string;
  workers: WorkerExplanation[];
}

export interface NobodyEligible {
  steps: StepExplanation[];
  /** What would make someone eligible, most likely first. */
  hints: string[];
}

export interface ExplainInput {
  workflow: WorkflowConfigurationInput | CompiledWorkflow;
  queues: readonly RoutingQueue[];
  workers: readonly RoutingWorker[];
  task: RoutingTask;
}

function routingStepOf(workflow: CompiledWorkflow, step: TraceStep): RoutingStep | undefined {
  if (step.isDefault) return workflow.defaultStep;
  return workflow.filters[step.filterIndex ?? -1]?.steps[step.targetIndex];
}

function stepTitle(step: TraceStep): string {
  const target = step.isDefault ? 'default_filter' : `${step.filterName} target ${step.targetIndex}`;
  return `${target} → queue ${step.queueName ?? step.queueSid}`;
}

/** Every reason the worker cannot be offered the task in this step (empty: eligible). */
function reasonsFor(worker: RoutingWorker, step: RoutingStep, queue: RoutingQueue, members: ReadonlySet<string>, input: ExplainInput, now: Date): BlockingReason[] {
  const reasons: BlockingReason[] = [];
  if (!members.has(worker.sid)) reasons.push({ kind: 'not-in-queue', queue: queue.friendlyName, targetWorkers: queue.targetWorkers });
  if (step.knownWorker) {
    const value = step.knownWorker.valueFor(input.task.attributes);
    const isTheOne = typeof value === 'string' && (step.knownWorker.field === 'known_worker_sid' ? worker.sid === value : worker.friendlyName.toLowerCase() === value.toLowerCase());
    if (!isTheOne) reasons.push({ kind: 'not-known-worker', attribute: step.knownWorker.attribute, value });
  }
  if (!worker.available) reasons.push({ kind: 'offline', activityName: worker.activityName || '(unnamed)' });
  const channel = input.task.taskChannel;
  if (!hasChannelCapacity(worker, channel)) {
    const state = Object.prototype.hasOwnProperty.call(worker.channels, channel) ? worker.channels[channel] : undefined;
    const detail = !state
      ? `has no '${channel}' channel`
      : !state.available
        ? `the '${channel}' channel is switched off`
        : `${state.assignedTasks} of ${state.capacity} '${channel}' tasks already assigned`;
    reasons.push({ kind: 'no-capacity', channel, detail });
  }
  if (step.expression && !step.expression.evaluate({ task: input.task.attributes, worker, now })) {
    reasons.push({ kind: 'excluded-by-expression', expression: step.expression.source });
  }
  return reasons;
}

/**
 * Explains a trace in which nobody is eligible (no `firstOffer`); undefined
 * when someone is. Steps the task has already timed out of are skipped.
 */
export function explainNobodyEligible(input: ExplainInput, trace: RoutingTrace): NobodyEligible | undefined {
  if (trace.firstOffer) return undefined;
  const workflow = asCompiledWorkflow(input.workflow);
  const now = new Date(trace.evaluatedAt);
  const queueBySid = new Map(input.queues.map((queue) => [queue.sid, queue]));
  const steps: StepExplanation[] = [];
  trace.steps.forEach((traceStep, stepIndex) => {
    if (traceStep.alreadyTimedOut) return;
    const step = routingStepOf(workflow, traceStep);
    const queue = queueBySid.get(traceStep.queueSid);
    if (!step || !queue) {
      steps.push({ stepIndex, title: stepTitle(traceStep), missingQueue: traceStep.queueSid, workers: [] });
      return;
    }
    const members = new Set(queueMembers(queue, input.workers, { now }).map((worker) => worker.sid));
    steps.push({
      stepIndex,
      title: stepTitle(traceStep),
      workers: input.workers.map((worker) => ({ sid: worker.sid, friendlyName: worker.friendlyName, reasons: reasonsFor(worker, step, queue, members, input, now) })),
    });
  });
  return { steps, hints: hintsFor(steps, input) };
}

function hintsFor(steps: readonly StepExplanation[], input: ExplainInput): string[] {
  const hints: string[] = [];
  if (input.workers.length === 0) return ['No workers were given: pass them with --workers (inline JSON or a file).'];
  if (steps.length === 0) return hints;
  if (steps.some((step) => step.missingQueue)) {
    hints.push("A step's queue is not among the given queues: give every queue the workflow names (with --stack, the stack's own).");
  }
  // Workers kept out only by being offline in some step: the commonest cause.
  const onlyOffline = new Map<string, string>();
  for (const step of steps) {
    for (const worker of step.workers) {
      if (worker.reasons.length > 0 && worker.reasons.every((reason) => reason.kind === 'offline')) onlyOffline.set(worker.sid, nameOf(worker));
    }
  }
  if (onlyOffline.size > 0) {
    hints.push(
      `${[...onlyOffline.values()].join(', ')} would be eligible if available: give them an available activity ("activityName": "Available", or "available": true). ` +
        "Workers start Offline in a new Flex account and in the emulator's seed, and the API's worker list reports them so.",
    );
  }
  const offlineCount = new Set(steps.flatMap((step) => step.workers.filter((w) => w.reasons.some((r) => r.kind === 'offline')).map((w) => w.sid))).size;
  if (onlyOffline.size === 0 && offlineCount === input.workers.length) {
    hints.push('Every worker given is offline (an unavailable activity).');
  }
  return hints;
}

function nameOf(worker: { sid: string; friendlyName: string }): string {
  return worker.friendlyName && worker.friendlyName !== worker.sid ? `${worker.friendlyName} (${worker.sid})` : worker.sid;
}

function reasonText(reason: BlockingReason): string {
  switch (reason.kind) {
    case 'not-in-queue':
      return `not in the queue (${reason.queue}'s target_workers ${reason.targetWorkers} is false for them)`;
    case 'not-known-worker':
      return `not the known worker (${reason.attribute} = ${JSON.stringify(reason.value ?? null)})`;
    case 'offline':
      return `offline (activity ${reason.activityName} is not an available one)`;
    case 'no-capacity':
      return `no free capacity (${reason.detail})`;
    case 'excluded-by-expression':
      return `excluded by the target expression ${reason.expression}`;
  }
}

/** The explanation as text, after the trace. */
export function formatNobodyEligible(explanation: NobodyEligible): string {
  const lines = ['', 'Why nobody is eligible:'];
  for (const step of explanation.steps) {
    lines.push(`  step ${step.stepIndex + 1}: ${step.title}`);
    if (step.missingQueue) {
      lines.push(`    its queue ${step.missingQueue} is not among the given queues, so it has no members`);
      continue;
    }
    if (step.workers.length === 0) lines.push('    no workers were given');
    for (const worker of step.workers) {
      lines.push(`    ${nameOf(worker)}: ${worker.reasons.length === 0 ? 'eligible' : worker.reasons.map(reasonText).join('; ')}`);
    }
  }
  for (const hint of explanation.hints) lines.push(`Hint: ${hint}`);
  return lines.join('\n') + '\n';
}
