// Checks a Workflow configuration before it is deployed. TaskRouter only
// checks when the workflow is created, and reports one error at a time; this
// reports every problem, each naming the filter, the target and the field.

import { compileExpression } from '../expression/compile';
import { ExpressionSyntaxError } from '../expression/errors';
import type { BooleanExpressionKind } from '../expression/kinds';
import { parseOrderBy, parsePathReference } from '../expression/parser';
import type { Finding } from '../types';
import { DEFAULT_FILTER_KEYS, FILTER_KEYS, ROOT_KEYS, TARGET_KEYS, TASK_ROUTING_KEYS, filterLabel, isPlainObject, type WorkflowConfigurationInput } from './model';

export interface ValidateOptions {
  /** When given, every `queue` must be one of these SIDs. */
  queueSids?: Iterable<string>;
}

/** Where a finding is: the JSON path plus the filter and target it belongs to. */
interface Location {
  path: string;
  filter?: string;
  targetIndex?: number;
}

class FindingCollector {
  readonly findings: Finding[] = [];

  add(location: Location, field: string | undefined, message: string, position?: number): void {
    const finding: Finding = { path: field ? (location.path ? `${location.path}.${field}` : field) : location.path, message };
    if (location.filter !== undefined) finding.filter = location.filter;
    if (location.targetIndex !== undefined) finding.targetIndex = location.targetIndex;
    if (field !== undefined) finding.field = field;
    if (position !== undefined) finding.position = position;
    this.findings.push(finding);
  }

  unknownKeys(location: Location, object: Record<string, unknown>, allowed: readonly string[], what: string, explain: Record<string, string> = {}): void {
    for (const key of Object.keys(object)) {
      if (allowed.includes(key)) continue;
      this.add(location, key, explain[key] ?? `unknown key '${key}' in ${what}; allowed keys: ${allowed.join(', ')}`);
    }
  }

  /** Compiles an expression field and records a syntax error as a finding with its position. */
  expression(location: Location, field: string, value: unknown, kind: BooleanExpressionKind): void {
    if (typeof value !== 'string') {
      this.add(location, field, `${field} must be a string, got ${describe(value)}`);
      return;
    }
    if (value.trim() === '') {
      this.add(location, field, `${field} is empty`);
      return;
    }
    try {
      compileExpression(value, { kind });
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      this.add(location, field, error.message, error.position);
    }
  }
}

/**
 * Validates a Workflow configuration (JSON string or object). Returns every
 * finding; an empty array means TaskRouter-valid and resolvable.
 */
export function validateWorkflowConfiguration(input: WorkflowConfigurationInput, options: ValidateOptions = {}): Finding[] {
  const collector = new FindingCollector();
  const queueSids = options.queueSids ? new Set(options.queueSids) : undefined;
  const root: Location = { path: 'configuration' };

  let config: unknown = input;
  if (typeof input === 'string') {
    try {
      config = JSON.parse(input);
    } catch (error) {
      collector.add(root, undefined, `configuration is not valid JSON: ${(error as Error).message}`);
      return collector.findings;
    }
  }
  if (!isPlainObject(config)) {
    collector.add(root, undefined, `configuration must be a JSON object with a task_routing key, got ${describe(config)}`);
    return collector.findings;
  }
  collector.unknownKeys({ path: '' }, config, ROOT_KEYS, 'the configuration');

  const taskRouting = config.task_routing;
  const routingLocation: Location = { path: 'task_routing' };
  if (taskRouting === undefined) {
    collector.add(root, undefined, 'configuration needs a task_routing object');
    return collector.findings;
  }
  if (!isPlainObject(taskRouting)) {
    collector.add(routingLocation, undefined, `task_routing must be an object, got ${describe(taskRouting)}`);
    return collector.findings;
  }
  collector.unknownKeys(routingLocation, taskRouting, TASK_ROUTING_KEYS, 'task_routing');

  const filters = taskRouting.filters;
  if (filters !== undefined && !Array.isArray(filters)) {
    collector.add(routingLocation, 'filters', `filters must be an array, got ${describe(filters)}`);
  } else if (Array.isArray(filters)) {
    filters.forEach((filter, index) => validateFilter(collector, filter, index, queueSids));
  }

  const defaultFilter = taskRouting.default_filter;
  if (defaultFilter !== undefined) validateDefaultFilter(collector, defaultFilter, queueSids);
  if (filters === undefined && defaultFilter === undefined) {
    collector.add(routingLocation, undefined, 'task_routing has neither filters nor a default_filter: no task could be routed');
  }
  return collector.findings;
}

function validateFilter(collector: FindingCollector, filter: unknown, index: number, queueSids: Set<string> | undefined): void {
  const location: Location = { path: `task_routing.filters[${index}]`, filter: filterLabel(filter, index) };
  if (!isPlainObject(filter)) {
    collector.add(location, undefined, `filter must be an object, got ${describe(filter)}`);
    return;
  }
  collector.unknownKeys(location, filter, FILTER_KEYS, 'a filter');
  if (filter.filter_friendly_name !== undefined && typeof filter.filter_friendly_name !== 'string') {
    collector.add(location, 'filter_friendly_name', `filter_friendly_name must be a string, got ${describe(filter.filter_friendly_name)}`);
  }
  if (filter.expression === undefined) collector.add(location, 'expression', 'a filter needs an expression (use 1==1 to match every task)');
  else collector.expression(location, 'expression', filter.expression, 'filter');

  const targets = filter.targets;
  if (targets === undefined) {
    collector.add(location, 'targets', 'a filter needs a targets array; a task matching it would have nowhere to go');
    return;
  }
  if (!Array.isArray(targets)) {
    collector.add(location, 'targets', `targets must be an array, got ${describe(targets)}`);
    return;
  }
  if (targets.length === 0) {
    collector.add(location, 'targets', 'targets is empty; a task matching this filter would have nowhere to go');
    return;
  }
  targets.forEach((target, targetIndex) => {
    const targetLocation: Location = { path: `${location.path}.targets[${targetIndex}]`, filter: location.filter, targetIndex };
    validateTarget(collector, target, targetLocation, targetIndex === 0, queueSids);
    // A task only leaves a target on timeout or skip; without either, later targets are dead.
    const next = targets[targetIndex + 1];
    if (next !== undefined && isPlainObject(target) && target.timeout === undefined && target.skip_if === undefined) {
      collector.add(targetLocation, 'timeout', `target ${targetIndex} has neither a timeout nor a skip_if, so tasks never leave it and target ${targetIndex + 1} is unreachable`);
    }
  });
}

function validateTarget(collector: FindingCollector, target: unknown, location: Location, isFirst: boolean, queueSids: Set<string> | undefined): void {
  if (!isPlainObject(target)) {
    collector.add(location, undefined, `target must be an object, got ${describe(target)}`);
    return;
  }
  collector.unknownKeys(location, target, TARGET_KEYS, 'a target');
  if (target.queue === undefined) {
    if (isFirst) collector.add(location, 'queue', 'the first target of a filter needs a queue; later targets inherit it');
  } else {
    validateQueueReference(collector, location, target.queue, queueSids);
  }
  validateTargetFields(collector, location, target);
  if (target.timeout !== undefined) {
    const timeout = target.timeout;
    if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0) {
      collector.add(location, 'timeout', `timeout must be a positive integer number of seconds, got ${describe(timeout)}`);
    }
  }
  if (target.skip_if !== undefined) collector.expression(location, 'skip_if', target.skip_if, 'skip_if');
}

function validateDefaultFilter(collector: FindingCollector, defaultFilter: unknown, queueSids: Set<string> | undefined): void {
  const location: Location = { path: 'task_routing.default_filter', filter: 'default_filter' };
  if (!isPlainObject(defaultFilter)) {
    collector.add(location, undefined, `default_filter must be an object with a queue, got ${describe(defaultFilter)}`);
    return;
  }
  collector.unknownKeys(location, defaultFilter, DEFAULT_FILTER_KEYS, 'default_filter', {
    timeout: "default_filter takes no timeout: TaskRouter keeps trying the default queue until the task's TTL",
    skip_if: 'default_filter takes no skip_if: there is nothing after it to skip to',
  });
  if (defaultFilter.queue === undefined) collector.add(location, 'queue', 'default_filter needs a queue');
  else validateQueueReference(collector, location, defaultFilter.queue, queueSids);
  validateTargetFields(collector, location, defaultFilter);
}

/** Fields shared by targets and default_filter. */
function validateTargetFields(collector: FindingCollector, location: Location, target: Record<string, unknown>): void {
  if (target.expression !== undefined) collector.expression(location, 'expression', target.expression, 'target');
  if (target.priority !== undefined) {
    const priority = target.priority;
    const valid = (typeof priority === 'number' && Number.isInteger(priority) && priority >= 0) || (typeof priority === 'string' && /^[0-9]+$/.test(priority));
    if (!valid) collector.add(location, 'priority', `priority must be a non-negative integer (or its string form), got ${describe(priority)}`);
  }
  if (target.order_by !== undefined) {
    if (typeof target.order_by !== 'string') collector.add(location, 'order_by', `order_by must be a string, got ${describe(target.order_by)}`);
    else {
      try {
        parseOrderBy(target.order_by);
      } catch (error) {
        if (!(error instanceof ExpressionSyntaxError)) throw error;
        collector.add(location, 'order_by', error.message, error.position);
      }
    }
  }
  const knownFields = (['known_worker_sid', 'known_worker_friendly_name'] as const).filter((field) => target[field] !== undefined);
  if (knownFields.length === 2) {
    collector.add(location, 'known_worker_friendly_name', 'known_worker_sid and known_worker_friendly_name are exclusive; use one');
  }
  for (const field of knownFields) validateKnownWorker(collector, location, field, target[field]);
}

function validateKnownWorker(collector: FindingCollector, location: Location, field: string, value: unknown): void {
  if (typeof value !== 'string') {
    collector.add(location, field, `${field} must name a task attribute such as 'task.agent_sid', got ${describe(value)}`);
    return;
  }
  try {
    const path = parsePathReference(value, 'known_worker');
    const head = path.segments[0];
    if (head.kind !== 'key' || head.name !== 'task' || path.segments.length < 2) {
      collector.add(location, field, `${field} must name a task attribute with the task. prefix (e.g. 'task.agent_sid'), got '${value}'`, 0);
    }
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    collector.add(location, field, error.message, error.position);
  }
}

function validateQueueReference(collector: FindingCollector, location: Location, queue: unknown, queueSids: Set<string> | undefined): void {
  if (typeof queue !== 'string' || queue.trim() === '') {
    collector.add(location, 'queue', `queue must be a TaskQueue SID string, got ${describe(queue)}`);
    return;
  }
  if (queueSids && !queueSids.has(queue)) {
    collector.add(location, 'queue', `queue '${queue}' is not one of the workspace's TaskQueues`);
  }
}

/** Validates a TaskQueue `target_workers` expression (bare worker attribute names). */
export function validateTargetWorkersExpression(expression: unknown): Finding[] {
  const collector = new FindingCollector();
  const location: Location = { path: 'target_workers' };
  if (typeof expression !== 'string') {
    collector.add(location, undefined, `target_workers must be a string, got ${describe(expression)}`);
    return collector.findings;
  }
  // An empty target_workers is accepted by TaskRouter: the queue has no workers.
  if (expression.trim() === '') return [];
  try {
    compileExpression(expression, { kind: 'queue' });
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    collector.findings.push({ path: 'target_workers', field: 'target_workers', message: error.message, position: error.position });
  }
  return collector.findings;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
