// Who can be offered a task in one routing step, and in what order. This is
// the inner loop of routing (run for every worker of the step's queue), so it
// reads the clock once, reuses one evaluation context, and only records why
// workers were excluded when asked to (for traces).

import { compileExpression, type CompiledExpression } from './expression/compile';
import { systemClock, type ExpressionContext, type WorkerActivityCounts } from './expression/context';
import type { Value } from './expression/values';
import type { RoutingStep } from './workflow/compile';
import type { Clock, RoutingQueue, RoutingTask, RoutingWorker } from './types';

/** Why a queue member is not offered the task (the first reason that applies). */
export type ExclusionReason =
  /** The step routes to a known worker and this is someone else. */
  | 'not-known-worker'
  /** The worker's activity is not an available one. */
  | 'unavailable-activity'
  /** No free capacity (or channel unavailable) on the task's channel. */
  | 'no-channel-capacity'
  /** The target expression is false for this worker. */
  | 'target-expression';

export interface Exclusion {
  worker: RoutingWorker;
  reason: ExclusionReason;
}

export type KnownWorkerStatus =
  /** The task attribute is missing or null: nobody is eligible in this step. */
  | 'missing'
  /** No worker has that SID/name (TaskRouter debugger error 40155). */
  | 'not-in-workspace'
  /** The worker exists but is not in the step's queue (error 40152 "Invalid Queue for Known Worker"). */
  | 'not-in-queue'
  | 'in-queue';

export interface KnownWorkerResolution {
  field: 'known_worker_sid' | 'known_worker_friendly_name';
  attribute: string;
  value: Value;
  status: KnownWorkerStatus;
  worker?: RoutingWorker;
}

export interface StepEvaluation {
  step: RoutingStep;
  /** The step's queue, or undefined when the SID is not among the given queues. */
  queue?: RoutingQueue;
  /** Workers matching the queue's target_workers. */
  members: readonly RoutingWorker[];
  /** Workers who can be offered the task now, in offer order. */
  eligible: RoutingWorker[];
  /** Members not eligible and why; filled only with `explain: true`. */
  excluded: Exclusion[];
  /** Activity counts over the queue's members (what skip_if sees). */
  counts: WorkerActivityCounts;
  knownWorker?: KnownWorkerResolution;
  /** skip_if is evaluated only when the step has a skip_if and nobody is eligible. */
  skipIfEvaluated: boolean;
  /** True when the task leaves this step at once because skip_if said so. */
  skip: boolean;
}

export interface StepEvaluationInput {
  step: RoutingStep;
  task: RoutingTask;
  queues: readonly RoutingQueue[] | ReadonlyMap<string, RoutingQueue>;
  workers: readonly RoutingWorker[];
  clock?: Clock;
  /** A fixed instant; wins over `clock`. */
  now?: Date;
  /** Precomputed membership (queue SID → members), e.g. from `computeQueueMembership`; computed here when absent. */
  membership?: ReadonlyMap<string, readonly RoutingWorker[]>;
  /** Record why each non-eligible member was excluded. */
  explain?: boolean;
}

// target_workers strings repeat across calls; compile each once.
const targetWorkersCache = new Map<string, CompiledExpression>();
const TARGET_WORKERS_CACHE_LIMIT = 500;

function compileTargetWorkers(source: string): CompiledExpression {
  let compiled = targetWorkersCache.get(source);
  if (!compiled) {
    compiled = compileExpression(source, { kind: 'queue' });
    if (targetWorkersCache.size >= TARGET_WORKERS_CACHE_LIMIT) targetWorkersCache.clear();
    targetWorkersCache.set(source, compiled);
  }
  return compiled;
}

/**
 * The queue's members: every worker whose attributes match its
 * target_workers (bare attribute names). An empty target_workers matches
 * nobody: TaskRouter documents that tasks then wait until moved or deleted.
 */
export function queueMembers(queue: RoutingQueue, workers: Iterable<RoutingWorker>, options: { clock?: Clock; now?: Date } = {}): RoutingWorker[] {
  if (queue.targetWorkers.trim() === '') return [];
  const expression = compileTargetWorkers(queue.targetWorkers);
  const context: ExpressionContext = { now: options.now ?? (expression.usesTime ? (options.clock ?? systemClock)() : undefined) };
  const members: RoutingWorker[] = [];
  for (const worker of workers) {
    context.worker = worker;
    if (expression.evaluate(context)) members.push(worker);
  }
  return members;
}

/** Members of every queue, keyed by SID. Membership changes only with worker attributes, so callers can cache it. */
export function computeQueueMembership(queues: readonly RoutingQueue[], workers: readonly RoutingWorker[], options: { clock?: Clock; now?: Date } = {}): Map<string, RoutingWorker[]> {
  const now = options.now ?? (options.clock ?? systemClock)();
  return new Map(queues.map((queue) => [queue.sid, queueMembers(queue, workers, { now })]));
}

/** Whether the worker has room for one more task on the channel. A worker without that channel has none. */
export function hasChannelCapacity(worker: RoutingWorker, taskChannel: string): boolean {
  const channel = Object.prototype.hasOwnProperty.call(worker.channels, taskChannel) ? worker.channels[taskChannel] : undefined;
  return channel !== undefined && channel.available && channel.assignedTasks < channel.capacity;
}

export function countActivities(members: readonly RoutingWorker[]): WorkerActivityCounts {
  const byActivitySid: Record<string, number> = {};
  let available = 0;
  for (const worker of members) {
    if (worker.available) available++;
    byActivitySid[worker.activitySid] = (byActivitySid[worker.activitySid] ?? 0) + 1;
  }
  return { available, unavailable: members.length - available, byActivitySid };
}

function findQueue(queues: StepEvaluationInput['queues'], sid: string): RoutingQueue | undefined {
  if (queues instanceof Map) return queues.get(sid);
  return (queues as readonly RoutingQueue[]).find((queue) => queue.sid === sid);
}

function resolveKnownWorker(step: RoutingStep, task: RoutingTask, workers: readonly RoutingWorker[], members: readonly RoutingWorker[]): KnownWorkerResolution | undefined {
  const rule = step.knownWorker;
  if (!rule) return undefined;
  const value = rule.valueFor(task.attributes);
  const base = { field: rule.field, attribute: rule.attribute, value };
  if (typeof value !== 'string' || value === '') return { ...base, status: 'missing' };
  // Worker friendly names are unique case-insensitively in a workspace, so match that way.
  const wanted = rule.field === 'known_worker_sid' ? value : value.toLowerCase();
  const matches = (worker: RoutingWorker): boolean => (rule.field === 'known_worker_sid' ? worker.sid === wanted : worker.friendlyName.toLowerCase() === wanted);
  const member = members.find(matches);
  if (member) return { ...base, status: 'in-queue', worker: member };
  const elsewhere = workers.find(matches);
  return elsewhere ? { ...base, status: 'not-in-queue', worker: elsewhere } : { ...base, status: 'not-in-workspace' };
}

/**
 * Evaluates one routing step for a task: queue members, who is eligible now
 * (known worker, available activity, channel capacity, target expression),
 * in offer order (order_by, then longest idle), and whether skip_if skips.
 */
export function evaluateRoutingStep(input: StepEvaluationInput): StepEvaluation {
  const { step, task, workers } = input;
  const now = input.now ?? (input.clock ?? systemClock)();
  const queue = findQueue(input.queues, step.queueSid);
  const members: readonly RoutingWorker[] = queue ? (input.membership?.get(queue.sid) ?? queueMembers(queue, workers, { now })) : [];
  const knownWorker = resolveKnownWorker(step, task, workers, members);
  const explain = input.explain === true;
  const excluded: Exclusion[] = [];
  const eligible: RoutingWorker[] = [];
  const context: ExpressionContext = { task: task.attributes, now };
  const expression = step.expression;

  for (const worker of members) {
    let reason: ExclusionReason | undefined;
    if (knownWorker && knownWorker.worker !== worker) reason = 'not-known-worker';
    else if (!worker.available) reason = 'unavailable-activity';
    else if (!hasChannelCapacity(worker, task.taskChannel)) reason = 'no-channel-capacity';
    else if (expression) {
      context.worker = worker;
      if (!expression.evaluate(context)) reason = 'target-expression';
    }
    if (reason === undefined) eligible.push(worker);
    else if (explain) excluded.push({ worker, reason });
  }
  // A step routing to a known worker who is not in its queue excludes everyone:
  // the members loop never sees the known worker. Nothing more to record.

  const counts = countActivities(members);
  // skip_if is only consulted when no reservation can be created right away.
  const skipIf = eligible.length === 0 ? step.skipIf : undefined;
  const skipIfEvaluated = skipIf !== undefined;
  const skip = skipIf !== undefined && skipIf.evaluate({ task: task.attributes, workers: counts, now });
  return { step, queue, members, eligible: orderForOffer(eligible, step), excluded, counts, knownWorker, skipIfEvaluated, skip };
}

/**
 * Offer order: order_by clauses in turn (numbers only; a worker without a
 * number for a clause goes after those with one, whatever the direction),
 * then longest idle first, then SID for a stable order.
 */
export function orderForOffer(workers: RoutingWorker[], step: Pick<RoutingStep, 'orderBy'>): RoutingWorker[] {
  if (workers.length < 2) return workers;
  const rules = step.orderBy;
  if (rules.length === 0) return workers.sort(byLongestIdle);
  const keyed = workers.map((worker) => ({ worker, keys: rules.map((rule) => numericOrUndefined(rule.read(worker))) }));
  keyed.sort((a, b) => {
    for (let index = 0; index < rules.length; index++) {
      const x = a.keys[index];
      const y = b.keys[index];
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return rules[index].direction === 'ASC' ? x - y : y - x;
    }
    return byLongestIdle(a.worker, b.worker);
  });
  return keyed.map((entry) => entry.worker);
}

function numericOrUndefined(value: Value): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function byLongestIdle(a: RoutingWorker, b: RoutingWorker): number {
  if (a.idleSince !== b.idleSince) return a.idleSince - b.idleSince;
  return a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0;
}
