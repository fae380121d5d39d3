// The workflow step walk: the one place that decides where a task goes in its
// workflow. Filters are tried top to bottom; inside the matched filter the task
// leaves a target when its cumulative timeout passes (to the next target) or
// when nobody is eligible and skip_if is true (to the next target; after the
// last target, to the following filters and then the default_filter).
//
// The emulator walks a task on creation, on every re-evaluation and at every
// target timeout; `routeTask` is that same walk for a snapshot; the simulator
// walks the whole path a task takes if nobody accepts. Who is eligible in a
// step is not decided here: the caller's `evaluate` answers that
// (`evaluateRoutingStep` with whatever worker snapshot the caller keeps).

import { evaluateRoutingStep, type StepEvaluation } from './eligibility';
import { systemClock, type ExpressionContext } from './expression/context';
import type { CompiledFilter, CompiledWorkflow, RoutingStep } from './workflow/compile';
import type { Clock, RoutingQueue, RoutingTask, RoutingWorker } from './types';

/** Where a walk begins. */
export type WalkStart =
  /**
   * Match filters from this index on (0: the whole workflow). After a
   * filter's last target timed out (`afterTimeout`), only later filters
   * count: the default_filter "does not count as a subsequent filter for the
   * purposes of a timeout".
   */
  | { kind: 'match'; fromFilter: number; afterTimeout?: boolean }
  /** Carry on inside a filter (null: the default_filter) at this target, e.g. after the previous one timed out. */
  | { kind: 'step'; filterIndex: number | null; stepIndex: number };

/** How a task leaves a step if nobody accepts it there. */
export type StepTransition =
  /** At `atAgeSeconds` (cumulative) the task moves to the filter's next target. */
  | { kind: 'timeout-to-next-target'; atAgeSeconds: number }
  /** At `atAgeSeconds` the last target expires and a later filter matches: the task moves on to it. */
  | { kind: 'timeout-to-next-filter'; atAgeSeconds: number }
  /** At `atAgeSeconds` the last target expires and no later filter matches: "Task canceled on Workflow timeout". */
  | { kind: 'workflow-timeout'; atAgeSeconds: number }
  /** Nobody eligible and skip_if true: moves to the next target at once. */
  | { kind: 'skip-to-next-target' }
  /** Nobody eligible and skip_if true on the last target: the next filters, then default_filter. */
  | { kind: 'skip-to-next-filter' }
  /** No timeout: the task stays in this step until someone accepts or its TTL expires. */
  | { kind: 'wait' };

/** A step the walk evaluated. */
export interface StepVisit {
  filter?: CompiledFilter;
  step: RoutingStep;
  evaluation: StepEvaluation;
  /** The task's priority while in this step (a target's priority sticks for later targets). */
  priority: number;
  /** The task's age is already past this step's cumulative timeout (only visited in "path" mode). */
  timedOut: boolean;
  next: StepTransition;
}

export type WalkEnd =
  /** Workers are eligible in `step`: offer to `evaluation.eligible`, in order ("now" mode only). */
  | { kind: 'offer'; filter?: CompiledFilter; step: RoutingStep; evaluation: StepEvaluation; priority: number }
  /** The task stays in `step`: until its timeout or TTL ("now"), or for good ("path": a step without timeout). */
  | { kind: 'wait'; filter?: CompiledFilter; step: RoutingStep; evaluation: StepEvaluation; priority: number }
  /** A filter's last target timed out and no later filter matches: "Task canceled on Workflow timeout". It does not go to default_filter. */
  | { kind: 'workflow-timeout'; filter: CompiledFilter; atAgeSeconds: number }
  /** No filter matched (or every matching one was skipped) and there is no default_filter. */
  | { kind: 'unmatched'; afterSkip: boolean };

export interface WalkInput {
  workflow: CompiledWorkflow;
  /** The task's attributes, as filter expressions see them. */
  attributes: Readonly<Record<string, unknown>>;
  /** Seconds since the task entered the workflow; target timeouts are cumulative on it. */
  ageSeconds: number;
  /** The task's priority when the walk begins. */
  priority: number;
  /** The instant filter expressions see (taskrouter.*). */
  now: Date;
  /** Who is eligible in a step and whether its skip_if moves the task on. */
  evaluate(step: RoutingStep): StepEvaluation;
  from?: WalkStart;
  /**
   * "now" (default): where the task is at its age. Steps past their
   * cumulative timeout are passed without being entered, and the walk stops
   * at the first step that offers the task or keeps it waiting.
   * "path": every step the task would go through from `from` if nobody ever
   * accepted, each one evaluated; it leaves a step by skip_if, else by its
   * timeout, and stops where it would wait for good.
   */
  mode?: 'now' | 'path';
  /** Each filter expression as it is checked. */
  onFilterCheck?(filter: CompiledFilter, matched: boolean): void;
  /** A step is entered: before it is evaluated. */
  onEnter?(step: RoutingStep, priority: number, filter?: CompiledFilter): void;
  /** A step was evaluated; `next` says how the task leaves it if nobody accepts. */
  onVisit?(visit: StepVisit): void;
}

/** Whether a task of this age has outlived the step (its cumulative timeout has passed). */
export function stepTimedOut(step: RoutingStep, ageSeconds: number): boolean {
  return step.cumulativeTimeoutSeconds !== undefined && ageSeconds >= step.cumulativeTimeoutSeconds;
}

/** The steps of a filter, or the default_filter's single step for `null`. */
export function stepsOf(workflow: CompiledWorkflow, filterIndex: number | null): readonly RoutingStep[] {
  if (filterIndex === null) return workflow.defaultStep ? [workflow.defaultStep] : [];
  return workflow.filters[filterIndex]?.steps ?? [];
}

/** The step at a walk position, if the workflow still has it. */
export function stepAt(workflow: CompiledWorkflow, filterIndex: number | null, stepIndex: number): RoutingStep | undefined {
  return stepsOf(workflow, filterIndex)[stepIndex];
}

/**
 * The first filter at or after `fromFilter` whose expression matches, like a
 * switch; `undefined` when none does (the default_filter's turn).
 */
export function matchFilter(
  workflow: CompiledWorkflow,
  attributes: Readonly<Record<string, unknown>>,
  options: { now?: Date; clock?: Clock; fromFilter?: number; onCheck?: (filter: CompiledFilter, matched: boolean) => void } = {},
): CompiledFilter | undefined {
  // Read the clock once so every filter sees the same instant.
  const context: ExpressionContext = { task: attributes, now: options.now ?? (options.clock ? options.clock() : undefined) };
  for (let index = options.fromFilter ?? 0; index < workflow.filters.length; index++) {
    const filter = workflow.filters[index];
    const matched = filter.expression.evaluate(context);
    options.onCheck?.(filter, matched);
    if (matched) return filter;
  }
  return undefined;
}

/**
 * How a task leaves a step it was evaluated in, if nobody accepts it there.
 * `laterFilterMatches` says whether a filter after this step's would take the
 * task when its last target times out.
 */
function transition(step: RoutingStep, evaluation: StepEvaluation, laterFilterMatches: () => boolean): StepTransition {
  if (evaluation.skip) return step.isLast ? { kind: 'skip-to-next-filter' } : { kind: 'skip-to-next-target' };
  const atAgeSeconds = step.cumulativeTimeoutSeconds;
  if (atAgeSeconds === undefined) return { kind: 'wait' };
  if (!step.isLast) return { kind: 'timeout-to-next-target', atAgeSeconds };
  return laterFilterMatches() ? { kind: 'timeout-to-next-filter', atAgeSeconds } : { kind: 'workflow-timeout', atAgeSeconds };
}

/** Walks a task through its workflow; see `WalkInput.mode`. */
export function walkWorkflow(input: WalkInput): WalkEnd {
  const { workflow, ageSeconds } = input;
  const path = input.mode === 'path';
  let priority = input.priority;
  let afterSkip = false;
  // The filter whose last target timed out, while the walk looks for a later one that matches.
  let timedOut: { filter: CompiledFilter; atAgeSeconds: number } | undefined;
  let start: WalkStart = input.from ?? { kind: 'match', fromFilter: 0 };
  const laterFilterMatches = (filter: CompiledFilter | undefined) => () =>
    filter !== undefined && matchFilter(workflow, input.attributes, { now: input.now, fromFilter: filter.index + 1 }) !== undefined;
  const afterLastTarget = (filter: CompiledFilter, atAgeSeconds: number): WalkStart => {
    timedOut = { filter, atAgeSeconds };
    return { kind: 'match', fromFilter: filter.index + 1, afterTimeout: true };
  };

  for (;;) {
    let filterIndex: number | null;
    let stepIndex = 0;
    if (start.kind === 'match') {
      const filter = matchFilter(workflow, input.attributes, { now: input.now, fromFilter: start.fromFilter, onCheck: input.onFilterCheck });
      if (filter) filterIndex = filter.index;
      else if (timedOut) return { kind: 'workflow-timeout', ...timedOut };
      else if (workflow.defaultStep) filterIndex = null;
      else return { kind: 'unmatched', afterSkip };
    } else {
      filterIndex = start.filterIndex;
      stepIndex = start.stepIndex;
    }
    timedOut = undefined;
    const filter = filterIndex === null ? undefined : workflow.filters[filterIndex];
    const steps = stepsOf(workflow, filterIndex);
    const laterFilter = laterFilterMatches(filter);

    let next: WalkStart | undefined;
    for (; stepIndex < steps.length; stepIndex++) {
      const step = steps[stepIndex];
      const timedOutHere = stepTimedOut(step, ageSeconds);
      if (timedOutHere && !path) {
        // Never entered: the task's age is past this target already.
        if (step.isLast && filter) {
          next = afterLastTarget(filter, step.cumulativeTimeoutSeconds!);
          break;
        }
        continue;
      }
      if (step.priority !== undefined) priority = step.priority;
      input.onEnter?.(step, priority, filter);
      const evaluation = input.evaluate(step);
      const offered = !path && evaluation.eligible.length > 0;
      // The hot path of routeTask: an offer needs no transition unless someone watches.
      if (offered && !input.onVisit) return { kind: 'offer', filter, step, evaluation, priority };
      const leave = transition(step, evaluation, laterFilter);
      input.onVisit?.({ filter, step, evaluation, priority, timedOut: timedOutHere, next: leave });
      if (offered) return { kind: 'offer', filter, step, evaluation, priority };
      if (leave.kind === 'skip-to-next-target') continue;
      if (leave.kind === 'skip-to-next-filter') {
        // "If a Task skips a filter, it will be evaluated as if the Task didn't match the filter."
        // The default_filter has no skip_if, so only a filter gets here.
        if (filter) next = { kind: 'match', fromFilter: filter.index + 1 };
        afterSkip = true;
        break;
      }
      if (!path || leave.kind === 'wait') return { kind: 'wait', filter, step, evaluation, priority };
      if (leave.kind === 'timeout-to-next-filter' || leave.kind === 'workflow-timeout') {
        next = afterLastTarget(filter!, leave.atAgeSeconds);
        break;
      }
      // path mode, timeout-to-next-target: follow the target's timeout.
    }
    if (!next) {
      // Past the last target by its timeout (a walk that starts after it), or a skip
      // of the default_filter, which has no skip_if.
      if (!filter) return { kind: 'unmatched', afterSkip };
      next = afterLastTarget(filter, steps[steps.length - 1]?.cumulativeTimeoutSeconds ?? ageSeconds);
    }
    start = next;
  }
}

export interface RouteTaskInput {
  workflow: CompiledWorkflow;
  task: RoutingTask;
  queues: readonly RoutingQueue[] | ReadonlyMap<string, RoutingQueue>;
  workers: readonly RoutingWorker[];
  clock?: Clock;
  now?: Date;
  membership?: ReadonlyMap<string, readonly RoutingWorker[]>;
}

/** The walk's answer in "now" mode. */
export type RoutingDecision = WalkEnd;

/**
 * The walk for a snapshot of queues and workers: the step a task of this age
 * is in, and who is offered it first. This is the decision the emulator takes
 * for the same task, workers and queues.
 */
export function routeTask(input: RouteTaskInput): RoutingDecision {
  const { workflow, task } = input;
  const now = input.now ?? (input.clock ?? systemClock)();
  return walkWorkflow({
    workflow,
    attributes: task.attributes,
    ageSeconds: task.ageSeconds,
    priority: task.priority,
    now,
    evaluate: (step) => evaluateRoutingStep({ step, task, queues: input.queues, workers: input.workers, now, membership: input.membership }),
  });
}
