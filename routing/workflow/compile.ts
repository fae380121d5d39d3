// Turns a validated configuration into routing steps: one per target, with the
// queue inherited, timeouts made cumulative, and every expression compiled
// once. The emulator and the simulator both route with these steps.

import { compileExpression, compileWorkerPath, type CompiledExpression } from "../expression/compile";
import type { ExpressionContext, WorkerView } from "../expression/context";
import { parseOrderBy, parsePathReference } from "../expression/parser";
import { pathToString } from "../expression/ast";
import { resolveSegments, type Value } from "../expression/values";
import type { Clock, Finding } from "../types";
import { filterLabel, type WorkflowConfiguration, type WorkflowConfigurationInput, type WorkflowDefaultFilter, type WorkflowTarget } from "./model";
import { validateWorkflowConfiguration, type ValidateOptions } from "./validate";

export class WorkflowValidationError extends Error {
  constructor(readonly findings: Finding[]) {
    super(`Invalid workflow configuration:\n${findings.map((finding) => `  ${finding.path}: ${finding.message}`).join("\n")}`);
    this.name = "WorkflowValidationError";
  }
}

export interface KnownWorkerRule {
  field: "known_worker_sid" | "known_worker_friendly_name";
  /** As written, e.g. `task.transferTargetSid`. */
  attribute: string;
  /** The task attribute's value (null when missing). */
  valueFor(taskAttributes: Readonly<Record<string, unknown>>): Value;
}

export interface OrderByRule {
  /** As written, e.g. `worker.level`. */
  attribute: string;
  direction: "ASC" | "DESC";
  read(worker: WorkerView): Value;
}

/** One target of a filter (or the default_filter), ready to route with. */
export interface RoutingStep {
  /** Index of the filter, or null for the default_filter. */
  filterIndex: number | null;
  filterName: string;
  /** Index of the target inside its filter (0 for the default_filter). */
  targetIndex: number;
  isDefault: boolean;
  /** Whether this is the filter's last target (timing out here cancels the task). */
  isLast: boolean;
  queueSid: string;
  /** True when the target did not name a queue and uses the previous target's. */
  queueInherited: boolean;
  /** Target worker expression; absent = every worker of the queue. */
  expression?: CompiledExpression;
  /** The target's own priority; absent = the task keeps its current priority. */
  priority?: number;
  /** The target's own timeout in seconds. */
  timeoutSeconds?: number;
  /** Task age (seconds) at which the task leaves this step: the sum of this and earlier targets' timeouts. Absent = never (until TTL). */
  cumulativeTimeoutSeconds?: number;
  orderBy: readonly OrderByRule[];
  /** order_by as written. */
  orderBySource?: string;
  skipIf?: CompiledExpression;
  knownWorker?: KnownWorkerRule;
}

export interface CompiledFilter {
  index: number;
  name: string;
  expression: CompiledExpression;
  steps: readonly RoutingStep[];
}

export interface MatchOptions {
  clock?: Clock;
  now?: Date;
  /** Start looking at this filter index (after a task skipped the filters before it). */
  fromIndex?: number;
}

export type WorkflowMatch =
  | { kind: "filter"; filter: CompiledFilter; steps: readonly RoutingStep[] }
  | { kind: "default"; steps: readonly RoutingStep[] }
  | { kind: "none" };

export interface CompiledWorkflow {
  readonly configuration: WorkflowConfiguration;
  readonly filters: readonly CompiledFilter[];
  readonly defaultStep?: RoutingStep;
  /** The first filter at or after `fromIndex` whose expression matches the task's attributes. */
  findMatchingFilter(taskAttributes: Readonly<Record<string, unknown>>, options?: MatchOptions): CompiledFilter | undefined;
  /** A matching filter's steps, else the default_filter's step, else none. */
  route(taskAttributes: Readonly<Record<string, unknown>>, options?: MatchOptions): WorkflowMatch;
}

/**
 * Validates and compiles a configuration. Throws `WorkflowValidationError`
 * (with `.findings`) when `validateWorkflowConfiguration` finds anything.
 */
export function compileWorkflow(input: WorkflowConfigurationInput, options: ValidateOptions = {}): CompiledWorkflow {
  const findings = validateWorkflowConfiguration(input, options);
  if (findings.length > 0) throw new WorkflowValidationError(findings);
  const configuration = (typeof input === "string" ? JSON.parse(input) : input) as WorkflowConfiguration;

  const filters: CompiledFilter[] = (configuration.task_routing.filters ?? []).map((filter, index) => {
    const name = filterLabel(filter, index);
    const steps: RoutingStep[] = [];
    let queueSid = "";
    let cumulative = 0;
    filter.targets.forEach((target, targetIndex) => {
      const queueInherited = target.queue === undefined;
      if (target.queue !== undefined) queueSid = target.queue;
      if (target.timeout !== undefined) cumulative += target.timeout;
      steps.push({
        ...compileTargetFields(target),
        filterIndex: index,
        filterName: name,
        targetIndex,
        isDefault: false,
        isLast: targetIndex === filter.targets.length - 1,
        queueSid,
        queueInherited,
        timeoutSeconds: target.timeout,
        cumulativeTimeoutSeconds: target.timeout !== undefined ? cumulative : undefined,
        skipIf: target.skip_if !== undefined ? compileExpression(target.skip_if, { kind: "skip_if" }) : undefined,
      });
    });
    return { index, name, expression: compileExpression(filter.expression, { kind: "filter" }), steps };
  });

  const defaultFilter: WorkflowDefaultFilter | undefined = configuration.task_routing.default_filter;
  const defaultStep: RoutingStep | undefined = defaultFilter
    ? {
        ...compileTargetFields(defaultFilter),
        filterIndex: null,
        filterName: "default_filter",
        targetIndex: 0,
        isDefault: true,
        isLast: true,
        queueSid: defaultFilter.queue,
        queueInherited: false,
      }
    : undefined;

  const findMatchingFilter = (taskAttributes: Readonly<Record<string, unknown>>, matchOptions: MatchOptions = {}): CompiledFilter | undefined => {
    // Read the clock once so every filter sees the same instant.
    const context: ExpressionContext = { task: taskAttributes, now: matchOptions.now ?? (matchOptions.clock ? matchOptions.clock() : undefined) };
    for (let index = matchOptions.fromIndex ?? 0; index < filters.length; index++) {
      if (filters[index].expression.evaluate(context)) return filters[index];
    }
    return undefined;
  };

  return {
    configuration,
    filters,
    defaultStep,
    findMatchingFilter,
    route(taskAttributes, matchOptions = {}) {
      const filter = findMatchingFilter(taskAttributes, matchOptions);
      if (filter) return { kind: "filter", filter, steps: filter.steps };
      if (defaultStep) return { kind: "default", steps: [defaultStep] };
      return { kind: "none" };
    },
  };
}

type TargetFields = Pick<RoutingStep, "expression" | "priority" | "orderBy" | "orderBySource" | "knownWorker">;

function compileTargetFields(target: WorkflowTarget): TargetFields {
  return {
    expression: target.expression !== undefined ? compileExpression(target.expression, { kind: "target" }) : undefined,
    priority: target.priority !== undefined ? Number(target.priority) : undefined,
    orderBy: target.order_by !== undefined ? compileOrderBy(target.order_by) : [],
    orderBySource: target.order_by,
    knownWorker: compileKnownWorker(target),
  };
}

function compileOrderBy(source: string): OrderByRule[] {
  return parseOrderBy(source).map((clause) => {
    const getter = compileWorkerPath(clause.path);
    return { attribute: pathToString(clause.path.segments), direction: clause.direction, read: (worker: WorkerView) => getter({ worker }) };
  });
}

function compileKnownWorker(target: WorkflowTarget): KnownWorkerRule | undefined {
  const field = target.known_worker_sid !== undefined ? "known_worker_sid" : target.known_worker_friendly_name !== undefined ? "known_worker_friendly_name" : undefined;
  if (!field) return undefined;
  const attribute = target[field] as string;
  const keys = parsePathReference(attribute, "known_worker")
    .segments.slice(1)
    .map((segment) => (segment.kind === "key" ? segment.name : segment.index));
  return { field, attribute, valueFor: (taskAttributes) => resolveSegments(taskAttributes, keys) };
}

/**
 * Which step a task of this age is in, ignoring skips: the first whose
 * cumulative timeout is still ahead (or that has none). `undefined` when
 * the task has outlived every target (canceled on Workflow timeout).
 */
export function activeStepIndex(steps: readonly RoutingStep[], ageSeconds: number): number | undefined {
  for (let index = 0; index < steps.length; index++) {
    const until = steps[index].cumulativeTimeoutSeconds;
    if (until === undefined || ageSeconds < until) return index;
  }
  return undefined;
}
