// One routing decision, as the emulator needs it when a task is created or
// re-evaluated: which step the task is in now and who is offered it first.

import { evaluateRoutingStep, type StepEvaluation } from "./eligibility";
import { systemClock } from "./expression/context";
import type { CompiledFilter, CompiledWorkflow, RoutingStep } from "./workflow/compile";
import type { Clock, RoutingQueue, RoutingTask, RoutingWorker } from "./types";

export interface RouteTaskInput {
  workflow: CompiledWorkflow;
  task: RoutingTask;
  queues: readonly RoutingQueue[] | ReadonlyMap<string, RoutingQueue>;
  workers: readonly RoutingWorker[];
  clock?: Clock;
  now?: Date;
  membership?: ReadonlyMap<string, readonly RoutingWorker[]>;
}

export type RoutingDecision =
  /** Workers are eligible in `step`; offer to `evaluation.eligible` in order. */
  | { kind: "offer"; filter?: CompiledFilter; step: RoutingStep; evaluation: StepEvaluation; priority: number }
  /** Nobody is eligible in `step`; the task waits there (until its timeout, or TTL if it has none). */
  | { kind: "wait"; filter?: CompiledFilter; step: RoutingStep; evaluation: StepEvaluation; priority: number }
  /** The task's age is past its filter's last cumulative timeout: "Task canceled on Workflow timeout". */
  | { kind: "workflow-timeout"; filter: CompiledFilter }
  /** No filter matched (or all skipped) and there is no default_filter. */
  | { kind: "unmatched" };

/**
 * Routes a task of the given age: the first matching filter's current step
 * (timeouts are cumulative on age), following skip_if to later targets and,
 * after a filter's last target is skipped, to later filters and the
 * default_filter.
 */
export function routeTask(input: RouteTaskInput): RoutingDecision {
  const { workflow, task } = input;
  const now = input.now ?? (input.clock ?? systemClock)();
  let fromIndex = 0;
  for (;;) {
    const match = workflow.route(task.attributes, { now, fromIndex });
    if (match.kind === "none") return { kind: "unmatched" };
    const filter = match.kind === "filter" ? match.filter : undefined;
    let priority = task.priority;
    let skippedLast = false;
    for (const step of match.steps) {
      if (step.priority !== undefined) priority = step.priority;
      if (step.cumulativeTimeoutSeconds !== undefined && task.ageSeconds >= step.cumulativeTimeoutSeconds) {
        if (step.isLast && filter) return { kind: "workflow-timeout", filter };
        continue;
      }
      const evaluation = evaluateRoutingStep({ ...input, step, now });
      if (evaluation.eligible.length > 0) return { kind: "offer", filter, step, evaluation, priority };
      if (!evaluation.skip) return { kind: "wait", filter, step, evaluation, priority };
      if (step.isLast) skippedLast = true;
    }
    // Only a skip of the last target gets here: carry on with the next filters.
    if (!skippedLast || !filter) return { kind: "unmatched" };
    fromIndex = filter.index + 1;
  }
}
