// The routing trace: everything that would happen to one task, step by step,
// if nobody accepted it — which filter it matches, each target's queue and
// eligible workers in offer order, and where it goes on timeout or skip.
// Same engine as the emulator (compileWorkflow + evaluateRoutingStep).

import { evaluateRoutingStep, computeQueueMembership, type ExclusionReason, type KnownWorkerStatus } from "./eligibility";
import { systemClock } from "./expression/context";
import type { Value } from "./expression/values";
import { compileWorkflow, type CompiledWorkflow, type RoutingStep } from "./workflow/compile";
import type { WorkflowConfigurationInput } from "./workflow/model";
import type { Clock, RoutingQueue, RoutingTask, RoutingWorker } from "./types";

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

/** What happens to the task in a step if nobody accepts an offer. */
export type StepTransition =
  /** At `atAgeSeconds` (cumulative) the task moves to the filter's next target. */
  | { kind: "timeout-to-next-target"; atAgeSeconds: number }
  /** At `atAgeSeconds` the last target expires: "Task canceled on Workflow timeout". */
  | { kind: "workflow-timeout"; atAgeSeconds: number }
  /** Nobody eligible and skip_if true: moves to the next target at once. */
  | { kind: "skip-to-next-target" }
  /** Nobody eligible and skip_if true on the last target: the next filters, then default_filter. */
  | { kind: "skip-to-next-filter" }
  /** No timeout: the task stays in this step until someone accepts or its TTL expires. */
  | { kind: "wait" };

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
  | { kind: "waits"; stepIndex: number }
  /** Canceled when the last target of the matched filter times out. */
  | { kind: "canceled"; reason: "Task canceled on Workflow timeout"; atAgeSeconds: number }
  /** No filter matched (or every matching one was skipped) and there is no default_filter. */
  | { kind: "unmatched"; afterSkip: boolean };

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

function isCompiled(workflow: SimulateInput["workflow"]): workflow is CompiledWorkflow {
  return typeof workflow === "object" && workflow !== null && typeof (workflow as CompiledWorkflow).route === "function";
}

const traceWorker = (worker: RoutingWorker): TraceWorker => ({ sid: worker.sid, friendlyName: worker.friendlyName });

/**
 * Simulates routing one task against a snapshot of queues and workers.
 * Throws `WorkflowValidationError` if the configuration is invalid.
 */
export function simulate(input: SimulateInput): RoutingTrace {
  const workflow = isCompiled(input.workflow) ? input.workflow : compileWorkflow(input.workflow);
  const { task, queues, workers } = input;
  const now = (input.clock ?? systemClock)();
  const membership = computeQueueMembership(queues, workers, { now });
  const queueBySid = new Map(queues.map((queue) => [queue.sid, queue]));
  const trace: RoutingTrace = {
    task: { sid: task.sid, taskChannel: task.taskChannel, priority: task.priority, ageSeconds: task.ageSeconds },
    evaluatedAt: now.toISOString(),
    filterChecks: [],
    steps: [],
    end: { kind: "unmatched", afterSkip: false },
  };

  let priority = task.priority;
  let fromIndex = 0;
  let afterSkip = false;
  let entersAt = 0;

  const addStep = (step: RoutingStep, next: (skip: boolean, hasEligible: boolean) => StepTransition): TraceStep => {
    const evaluation = evaluateRoutingStep({ step, task, queues: queueBySid, workers, now, membership, explain: true });
    if (step.priority !== undefined) priority = step.priority;
    const alreadyTimedOut = step.cumulativeTimeoutSeconds !== undefined && task.ageSeconds >= step.cumulativeTimeoutSeconds;
    const traceStep: TraceStep = {
      filterIndex: step.filterIndex,
      filterName: step.filterName,
      targetIndex: step.targetIndex,
      isDefault: step.isDefault,
      queueSid: step.queueSid,
      queueName: evaluation.queue?.friendlyName,
      queueFound: evaluation.queue !== undefined,
      queueInherited: step.queueInherited,
      priority,
      timeoutSeconds: step.timeoutSeconds,
      cumulativeTimeoutSeconds: step.cumulativeTimeoutSeconds,
      entersAtAgeSeconds: entersAt,
      alreadyTimedOut,
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
      next: next(evaluation.skip, evaluation.eligible.length > 0),
    };
    trace.steps.push(traceStep);
    if (!trace.firstOffer && !alreadyTimedOut && traceStep.eligible.length > 0) {
      trace.firstOffer = { stepIndex: trace.steps.length - 1, worker: traceStep.eligible[0] };
    }
    return traceStep;
  };

  for (;;) {
    const context = { task: task.attributes, now };
    let matched: (typeof workflow.filters)[number] | undefined;
    for (let index = fromIndex; index < workflow.filters.length; index++) {
      const filter = workflow.filters[index];
      const matches = filter.expression.evaluate(context);
      trace.filterChecks.push({ filterIndex: index, filterName: filter.name, expression: filter.expression.source, matched: matches });
      if (matches) {
        matched = filter;
        break;
      }
    }

    if (!matched) {
      if (workflow.defaultStep) {
        // default_filter never times out: the default queue is tried until the task's TTL.
        addStep(workflow.defaultStep, () => ({ kind: "wait" }));
        trace.end = { kind: "waits", stepIndex: trace.steps.length - 1 };
      } else {
        trace.end = { kind: "unmatched", afterSkip };
      }
      return trace;
    }

    let leftFilter = false;
    for (const step of matched.steps) {
      const traceStep = addStep(step, (skip) => {
        if (skip) return step.isLast ? { kind: "skip-to-next-filter" } : { kind: "skip-to-next-target" };
        if (step.cumulativeTimeoutSeconds !== undefined) {
          return step.isLast
            ? { kind: "workflow-timeout", atAgeSeconds: step.cumulativeTimeoutSeconds }
            : { kind: "timeout-to-next-target", atAgeSeconds: step.cumulativeTimeoutSeconds };
        }
        return { kind: "wait" };
      });
      const next = traceStep.next;
      if (next.kind === "wait") {
        trace.end = { kind: "waits", stepIndex: trace.steps.length - 1 };
        return trace;
      }
      if (next.kind === "workflow-timeout") {
        trace.end = { kind: "canceled", reason: "Task canceled on Workflow timeout", atAgeSeconds: next.atAgeSeconds };
        return trace;
      }
      if (next.kind === "timeout-to-next-target") entersAt = next.atAgeSeconds;
      if (next.kind === "skip-to-next-filter") leftFilter = true;
    }
    if (!leftFilter) return trace;
    // "If a Task skips a filter, it will be evaluated as if the Task didn't match the filter."
    afterSkip = true;
    fromIndex = matched.index + 1;
  }
}
