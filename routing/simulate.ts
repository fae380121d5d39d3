// The routing trace: everything that would happen to one task, step by step,
// if nobody accepted it — which filter it matches, each target's queue and
// eligible workers in offer order, and where it goes on timeout or skip.
// It is the emulator's walk (`walkWorkflow`) in "path" mode, with every step
// explained.

import { evaluateRoutingStep, computeQueueMembership, type ExclusionReason, type KnownWorkerStatus } from './eligibility';
import { systemClock } from './expression/context';
import type { Value } from './expression/values';
import { asCompiledWorkflow, type CompiledWorkflow } from './workflow/compile';
import type { WorkflowConfigurationInput } from './workflow/model';
import type { Clock, RoutingQueue, RoutingTask, RoutingWorker } from './types';
import { walkWorkflow, type StepTransition, type StepVisit } from './walk';

export type { StepTransition };

export interface SimulateInput {
  /** A configuration (JSON string or object) or an already compiled workflow. */
  workflow: WorkflowConfigurationInput | CompiledWorkflow;
  queues: readonly RoutingQueue[];
  workers: readonly RoutingWorker[];
  task: RoutingTask;
  clock?: Clock;
}

export interface TraceWorker {
  sid: string;
  friendlyName: string;
}

export interface FilterCheck {
  filterIndex: number;
  filterName: string;
  expression: string;
  matched: boolean;
}

export interface TraceStep {
  filterIndex: number | null;
  filterName: string;
  targetIndex: number;
  isDefault: boolean;
  queueSid: string;
  queueName?: string;
  queueFound: boolean;
  queueInherited: boolean;
  /** The task's priority while in this step (a target's priority sticks for later targets). */
  priority: number;
  timeoutSeconds?: number;
  cumulativeTimeoutSeconds?: number;
  /** Task age when it enters this step (sum of earlier timeouts; a skip enters at once). */
  entersAtAgeSeconds: number;
  /** The task's age is already past this step's cumulative timeout. */
  alreadyTimedOut: boolean;
  targetExpression?: string;
  orderBy?: string;
  knownWorker?: { field: string; attribute: string; value: Value; status: KnownWorkerStatus };
  memberCount: number;
  eligible: TraceWorker[];
  excluded: (TraceWorker & { reason: ExclusionReason })[];
  skipIf?: { expression: string; evaluated: boolean; result: boolean; available: number; unavailable: number };
  next: StepTransition;
}

export type TraceEnd =
  /** Waits in `stepIndex` (no timeout) until accepted or its TTL. */
  | { kind: 'waits'; stepIndex: number }
  /** Canceled when the last target of the matched filter times out. */
  | { kind: 'canceled'; reason: 'Task canceled on Workflow timeout'; atAgeSeconds: number }
  /** No filter matched (or every matching one was skipped) and there is no default_filter. */
  | { kind: 'unmatched'; afterSkip: boolean };

export interface RoutingTrace {
  task: { sid: string; taskChannel: string; priority: number; ageSeconds: number };
  evaluatedAt: string;
  filterChecks: FilterCheck[];
  steps: TraceStep[];
  /** The first offer the task gets (first eligible worker of the first step it is in), if any. */
  firstOffer?: { stepIndex: number; worker: TraceWorker };
  /** Where the task ends up if nobody ever accepts. */
  end: TraceEnd;
}

const traceWorker = (worker: RoutingWorker): TraceWorker => ({ sid: worker.sid, friendlyName: worker.friendlyName });

/**
 * Simulates routing one task against a snapshot of queues and workers.
 * Throws `WorkflowValidationError` if the configuration is invalid.
 */
export function simulate(input: SimulateInput): RoutingTrace {
  const workflow = asCompiledWorkflow(input.workflow);
  const { task, queues, workers } = input;
  const now = (input.clock ?? systemClock)();
  const membership = computeQueueMembership(queues, workers, { now });
  const queueBySid = new Map(queues.map((queue) => [queue.sid, queue]));
  const trace: RoutingTrace = {
    task: { sid: task.sid, taskChannel: task.taskChannel, priority: task.priority, ageSeconds: task.ageSeconds },
    evaluatedAt: now.toISOString(),
    filterChecks: [],
    steps: [],
    end: { kind: 'unmatched', afterSkip: false },
  };
  // Task age when it enters the next step: a timeout moves it on at the cumulative timeout, a skip at once.
  let entersAt = 0;

  const end = walkWorkflow({
    workflow,
    attributes: task.attributes,
    ageSeconds: task.ageSeconds,
    priority: task.priority,
    now,
    mode: 'path',
    evaluate: (step) => evaluateRoutingStep({ step, task, queues: queueBySid, workers, now, membership, explain: true }),
    onFilterCheck: (filter, matched) => trace.filterChecks.push({ filterIndex: filter.index, filterName: filter.name, expression: filter.expression.source, matched }),
    onVisit: (visit) => {
      const traceStep = traceStepOf(visit, entersAt);
      trace.steps.push(traceStep);
      if (!trace.firstOffer && !visit.timedOut && traceStep.eligible.length > 0) {
        trace.firstOffer = { stepIndex: trace.steps.length - 1, worker: traceStep.eligible[0] };
      }
      if (visit.next.kind === 'timeout-to-next-target' || visit.next.kind === 'timeout-to-next-filter') entersAt = visit.next.atAgeSeconds;
    },
  });

  if (end.kind === 'wait') trace.end = { kind: 'waits', stepIndex: trace.steps.length - 1 };
  else if (end.kind === 'workflow-timeout') trace.end = { kind: 'canceled', reason: 'Task canceled on Workflow timeout', atAgeSeconds: end.atAgeSeconds };
  else if (end.kind === 'unmatched') trace.end = { kind: 'unmatched', afterSkip: end.afterSkip };
  return trace;
}

function traceStepOf(visit: StepVisit, entersAtAgeSeconds: number): TraceStep {
  const { step, evaluation } = visit;
  return {
    filterIndex: step.filterIndex,
    filterName: step.filterName,
    targetIndex: step.targetIndex,
    isDefault: step.isDefault,
    queueSid: step.queueSid,
    queueName: evaluation.queue?.friendlyName,
    queueFound: evaluation.queue !== undefined,
    queueInherited: step.queueInherited,
    priority: visit.priority,
    timeoutSeconds: step.timeoutSeconds,
    cumulativeTimeoutSeconds: step.cumulativeTimeoutSeconds,
    entersAtAgeSeconds,
    alreadyTimedOut: visit.timedOut,
    targetExpression: step.expression?.source,
    orderBy: step.orderBySource,
    knownWorker: evaluation.knownWorker && {
      field: evaluation.knownWorker.field,
      attribute: evaluation.knownWorker.attribute,
      value: evaluation.knownWorker.value,
      status: evaluation.knownWorker.status,
    },
    memberCount: evaluation.members.length,
    eligible: evaluation.eligible.map(traceWorker),
    excluded: evaluation.excluded.map((exclusion) => ({ ...traceWorker(exclusion.worker), reason: exclusion.reason })),
    skipIf: step.skipIf && {
      expression: step.skipIf.source,
      evaluated: evaluation.skipIfEvaluated,
      result: evaluation.skip,
      available: evaluation.counts.available,
      unavailable: evaluation.counts.unavailable,
    },
    next: visit.next,
  };
}
