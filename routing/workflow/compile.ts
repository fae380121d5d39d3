// Turns a validated configuration into routing steps: one per target, with the
// queue inherited, timeouts made cumulative, and every expression compiled
// once. The emulator and the simulator both route with these steps.

import { compileExpression, compileWorkerPath, type CompiledExpression } from '../expression/compile';
import type { WorkerView } from '../expression/context';
import { parseOrderBy, parsePathReference } from '../expression/parser';
import { pathToString } from '../expression/ast';
import { resolveSegments, type Value } from '../expression/values';
import type { Finding } from '../types';
import { filterLabel, type WorkflowConfiguration, type WorkflowConfigurationInput, type WorkflowDefaultFilter, type WorkflowTarget } from './model';
import { validateWorkflowConfiguration, type ValidateOptions } from './validate';

export class WorkflowValidationError extends Error {
  constructor(readonly findings: Finding[]) {
    super(`Invalid workflow configuration:\n${findings.map((finding) => `  ${finding.path}: ${finding.message}`).join('\n')}`);
    this.name = 'WorkflowValidationError';
  }
}

export interface KnownWorkerRule {
  field: 'known_worker_sid' | 'known_worker_friendly_name';
  /** As written, e.g. `task.transferTargetSid`. */
  attribute: string;
  /** The task attribute's value (null when missing). */
  valueFor(taskAttributes: Readonly<Record<string, unknown>>): Value;
}

export interface OrderByRule {
  /** As written, e.g. `worker.level`. */
  attribute: string;
  direction: 'ASC' | 'DESC';
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

export interface CompiledWorkflow {
  readonly configuration: WorkflowConfiguration;
  readonly filters: readonly CompiledFilter[];
  readonly defaultStep?: RoutingStep;
}

/**
 * Validates and compiles a configuration. Throws `WorkflowValidationError`
 * (with `.findings`) when `validateWorkflowConfiguration` finds anything.
 */
export function compileWorkflow(input: WorkflowConfigurationInput, options: ValidateOptions = {}): CompiledWorkflow {
  const findings = validateWorkflowConfiguration(input, options);
  if (findings.length > 0) throw new WorkflowValidationError(findings);
  const configuration = (typeof input === 'string' ? JSON.parse(input) : input) as WorkflowConfiguration;

  const filters: CompiledFilter[] = (configuration.task_routing.filters ?? []).map((filter, index) => {
    const name = filterLabel(filter, index);
    const steps: RoutingStep[] = [];
    let queueSid = '';
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
        skipIf: target.skip_if !== undefined ? compileExpression(target.skip_if, { kind: 'skip_if' }) : undefined,
      });
    });
    return { index, name, expression: compileExpression(filter.expression, { kind: 'filter' }), steps };
  });

  const defaultFilter: WorkflowDefaultFilter | undefined = configuration.task_routing.default_filter;
  const defaultStep: RoutingStep | undefined = defaultFilter
    ? {
        ...compileTargetFields(defaultFilter),
        filterIndex: null,
        filterName: 'default_filter',
        targetIndex: 0,
        isDefault: true,
        isLast: true,
        queueSid: defaultFilter.queue,
        queueInherited: false,
      }
    : undefined;

  return { configuration, filters, defaultStep };
}

/** A compiled workflow as is, or a configuration compiled (throws `WorkflowValidationError`). */
export function asCompiledWorkflow(workflow: WorkflowConfigurationInput | CompiledWorkflow): CompiledWorkflow {
  const compiled = typeof workflow === 'object' && workflow !== null && Array.isArray((workflow as CompiledWorkflow).filters);
  return compiled ? (workflow as CompiledWorkflow) : compileWorkflow(workflow as WorkflowConfigurationInput);
}

type TargetFields = Pick<RoutingStep, 'expression' | 'priority' | 'orderBy' | 'orderBySource' | 'knownWorker'>;

function compileTargetFields(target: WorkflowTarget): TargetFields {
  return {
    expression: target.expression !== undefined ? compileExpression(target.expression, { kind: 'target' }) : undefined,
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
  const field = target.known_worker_sid !== undefined ? 'known_worker_sid' : target.known_worker_friendly_name !== undefined ? 'known_worker_friendly_name' : undefined;
  if (!field) return undefined;
  const attribute = target[field] as string;
  const keys = parsePathReference(attribute, 'known_worker')
    .segments.slice(1)
    .map((segment) => (segment.kind === 'key' ? segment.name : segment.index));
  return { field, attribute, valueFor: (taskAttributes) => resolveSegments(taskAttributes, keys) };
}
