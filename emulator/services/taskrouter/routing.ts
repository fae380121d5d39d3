/**
 * Tasks, Reservations and the assignment loop.
 *
 * A pending task sits in one routing step (a workflow target, or a queue /
 * worker when routed directly). On entering a step the engine evaluates it
 * with the routing engine (`evaluateRoutingStep`): workers eligible now get
 * reservations; otherwise `skip_if` may move the task on, or it waits until
 * the step's cumulative timeout. Whenever workers change (activity,
 * attributes, capacity) or capacity frees up, `dispatch` offers waiting
 * tasks again in priority/age order. Deadlines (TTL, target timeouts,
 * reservation timeouts, deletion of ended tasks) run on the emulator clock.
 */
import { badRequest, invalidParam, TwilioError } from '../../core/errors';
import {
  computeQueueMembership,
  evaluateRoutingStep,
  queueMembers,
  type CompiledWorkflow,
  type RoutingQueue,
  type RoutingStep,
  type RoutingTask,
  type RoutingWorker,
} from '../../../routing';
import type { VoiceApi, VoiceHookResult } from '../../voice/api';
import type { TaskRouterEngine } from './engine';
import { recordEvent } from './events';
import { checkAttributes, findChannel } from './resources';
import type { ReservationRec, ReservationStatus, RoutingPos, TaskRec, TaskStatus, WorkerRec, WorkflowRec, WorkspaceRec } from './types';

export const DEFAULT_TASK_TIMEOUT = 86_400;
export const MAX_TASK_TIMEOUT = 1_209_600;
/** Ended tasks are deleted this long after they end (Twilio: 5 minutes). */
export const ENDED_TASK_RETENTION_MS = 5 * 60_000;
/** TaskRouter cancels a task after this many rejections. */
export const MAX_REJECTIONS = 1000;
const DIRECT_RESERVATION_TIMEOUT = 120;

export function isTerminal(status: TaskStatus): boolean {
  return status === 'canceled' || status === 'completed';
}

function holdsCapacity(status: ReservationStatus): boolean {
  return status === 'pending' || status === 'accepted' || status === 'wrapping';
}

function touch(engine: TaskRouterEngine, task: TaskRec): void {
  task.dateUpdated = engine.now();
  task.version += 1;
}

// ---- worker views ----------------------------------------------------------

/** Routing's view of the workspace's workers (live capacity included). */
export function workerViews(engine: TaskRouterEngine, ws: WorkspaceRec): RoutingWorker[] {
  const views: RoutingWorker[] = [];
  for (const worker of Object.values(ws.workers)) views.push(workerView(engine, ws, worker));
  return views;
}

function workerView(engine: TaskRouterEngine, ws: WorkspaceRec, worker: WorkerRec): RoutingWorker {
  const activity = ws.activities[worker.activitySid];
  const counts: Record<string, number> = {};
  let total = 0;
  for (const resSid of worker.activeReservations) {
    const res = ws.reservations[resSid];
    const task = res ? ws.tasks[res.taskSid] : undefined;
    if (!task) continue;
    counts[task.taskChannelSid] = (counts[task.taskChannelSid] ?? 0) + 1;
    total++;
  }
  const channels: RoutingWorker['channels'] = {};
  for (const wc of Object.values(worker.channels)) {
    const channel = ws.channels[wc.taskChannelSid];
    if (!channel) continue;
    const assigned = !ws.multiTaskEnabled && total > 0 ? Math.max(wc.capacity, 1) : (counts[wc.taskChannelSid] ?? 0);
    channels[channel.uniqueName] = { capacity: wc.capacity, assignedTasks: assigned, available: wc.available };
  }
  return {
    sid: worker.sid,
    friendlyName: worker.friendlyName,
    activitySid: worker.activitySid,
    activityName: activity?.friendlyName ?? '',
    available: activity?.available ?? false,
    attributes: engine.attributes(worker.attributes),
    channels,
    idleSince: worker.idleSince,
  };
}

function routingQueues(ws: WorkspaceRec): Map<string, RoutingQueue> {
  const m = new Map<string, RoutingQueue>();
  for (const q of Object.values(ws.queues)) m.set(q.sid, { sid: q.sid, friendlyName: q.friendlyName, targetWorkers: q.targetWorkers });
  return m;
}

function routingTask(engine: TaskRouterEngine, ws: WorkspaceRec, task: TaskRec): RoutingTask {
  return {
    sid: task.sid,
    attributes: engine.attributes(task.attributes),
    taskChannel: ws.channels[task.taskChannelSid]?.uniqueName ?? 'default',
    priority: task.priority,
    ageSeconds: ageSeconds(engine, task),
  };
}

function ageSeconds(engine: TaskRouterEngine, task: TaskRec): number {
  const since = task.routing?.enteredAt ?? task.dateCreated;
  return Math.max(0, Math.floor((engine.now() - since) / 1000));
}

/** One routing pass's shared inputs (worker views are updated as reservations are made). */
interface Pass {
  views: RoutingWorker[];
  byWorker: Map<string, RoutingWorker>;
  queues: Map<string, RoutingQueue>;
  membership?: Map<string, RoutingWorker[]>;
  now: Date;
}

function newPass(engine: TaskRouterEngine, ws: WorkspaceRec): Pass {
  const views = workerViews(engine, ws);
  return { views, byWorker: new Map(views.map((v) => [v.sid, v])), queues: routingQueues(ws), now: new Date(engine.now()) };
}

function membership(pass: Pass): Map<string, RoutingWorker[]> {
  if (!pass.membership) pass.membership = computeQueueMembership([...pass.queues.values()], pass.views, { now: pass.now });
  return pass.membership;
}

// ---- workflow steps --------------------------------------------------------

function workflowOf(ws: WorkspaceRec, task: TaskRec): WorkflowRec | undefined {
  return task.workflowSid ? ws.workflows[task.workflowSid] : undefined;
}

function compiledFor(engine: TaskRouterEngine, ws: WorkspaceRec, task: TaskRec): CompiledWorkflow | undefined {
  const wf = workflowOf(ws, task);
  const config = task.routing?.configuration ?? wf?.configuration;
  return config ? engine.compile(config) : undefined;
}

function stepsAt(compiled: CompiledWorkflow, filterIndex: number | null | undefined): readonly RoutingStep[] {
  if (filterIndex === null || filterIndex === undefined) return compiled.defaultStep ? [compiled.defaultStep] : [];
  return compiled.filters[filterIndex]?.steps ?? [];
}

/** The step a pending workflow-routed task waits in. */
function currentStep(engine: TaskRouterEngine, ws: WorkspaceRec, task: TaskRec): RoutingStep | undefined {
  const pos = task.routing;
  if (!pos || pos.mode !== 'workflow') return undefined;
  const compiled = compiledFor(engine, ws, task);
  if (!compiled) return undefined;
  return stepsAt(compiled, pos.filterIndex)[pos.stepIndex ?? 0];
}

function directStep(queueSid: string): RoutingStep {
  return { filterIndex: null, filterName: 'direct', targetIndex: 0, isDefault: true, isLast: true, queueSid, queueInherited: false, orderBy: [] };
}

// ---- task creation ---------------------------------------------------------

export interface CreateTaskInput {
  attributes?: string;
  workflowSid?: string;
  taskChannel?: string;
  priority?: number;
  timeout?: number;
  virtualStartTime?: number;
  routingTarget?: string;
  ignoreCapacity?: boolean;
  taskQueueSid?: string;
}

export function createTask(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, input: CreateTaskInput): TaskRec {
  const attributes = input.attributes ?? '{}';
  checkAttributes('Attributes', attributes);
  if (input.timeout !== undefined && (input.timeout < 1 || input.timeout > MAX_TASK_TIMEOUT)) {
    throw invalidParam('Timeout', `must be between 1 and ${MAX_TASK_TIMEOUT} seconds (got ${input.timeout})`);
  }
  if (input.priority !== undefined && (input.priority < 0 || input.priority > 2 ** 31 - 1)) throw invalidParam('Priority', `must be between 0 and 2^31-1 (got ${input.priority})`);
  const channel = findChannel(ws, input.taskChannel ?? 'default');
  if (!channel) throw invalidParam('TaskChannel', `no TaskChannel with SID or unique name "${input.taskChannel ?? 'default'}" in Workspace ${ws.sid}`);

  // Routing: a RoutingTarget (worker/queue/workflow), a TaskQueueSid, or the workflow.
  let mode: RoutingPos['mode'] = 'workflow';
  let workflowSid = input.workflowSid;
  let queueSid: string | undefined = input.taskQueueSid;
  let workerSid: string | undefined;
  const target = input.routingTarget;
  if (target) {
    if (target.startsWith('WK')) {
      if (!ws.workers[target]) throw invalidParam('RoutingTarget', `Worker ${target} does not exist in Workspace ${ws.sid}`);
      mode = 'worker';
      workerSid = target;
    } else if (target.startsWith('WQ')) {
      queueSid = target;
    } else if (target.startsWith('WW')) {
      workflowSid = target;
    } else {
      throw invalidParam('RoutingTarget', `must be a Worker (WK), TaskQueue (WQ) or Workflow (WW) SID (got "${target}")`);
    }
  }
  if (input.ignoreCapacity !== undefined && mode !== 'worker') throw invalidParam('IgnoreCapacity', 'can only be used when RoutingTarget is a Worker SID');
  if (queueSid !== undefined) {
    if (!ws.queues[queueSid]) throw invalidParam(input.taskQueueSid === queueSid ? 'TaskQueueSid' : 'RoutingTarget', `TaskQueue ${queueSid} does not exist in Workspace ${ws.sid}`);
    if (mode === 'workflow') mode = 'queue';
  }
  if (workflowSid !== undefined) {
    if (!ws.workflows[workflowSid]) throw invalidParam('WorkflowSid', `Workflow ${workflowSid} does not exist in Workspace ${ws.sid}`);
  } else if (mode === 'workflow') {
    const workflows = Object.keys(ws.workflows);
    if (workflows.length === 1) workflowSid = workflows[0];
    else throw badRequest(`WorkflowSid field is required: Workspace ${ws.sid} has ${workflows.length} Workflows`);
  }

  const now = engine.now();
  const task: TaskRec = {
    sid: engine.sid('WT'),
    attributes,
    assignmentStatus: 'pending',
    priority: input.priority ?? 0,
    taskChannelSid: channel.sid,
    timeout: input.timeout ?? DEFAULT_TASK_TIMEOUT,
    workflowSid: workflowSid ?? null,
    queueSid: null,
    queueEnteredAt: null,
    routingTarget: target ?? null,
    ignoreCapacity: mode === 'worker' ? (input.ignoreCapacity ?? true) : null,
    virtualStartTime: input.virtualStartTime ?? now,
    reason: null,
    addons: '{}',
    dateCreated: now,
    dateUpdated: now,
    version: 0,
    routing: null,
    reservationSids: [],
    assignmentCounter: 0,
    rejections: 0,
  };
  ws.tasks[task.sid] = task;

  const announce = () => recordEvent(engine, accountSid, ws, 'task.created', 'task', task.sid, `Task ${task.sid} created`, { task });
  if (mode === 'worker') {
    task.routing = { mode, enteredAt: now, workerSid, ignoreCapacity: task.ignoreCapacity ?? true };
    announce();
    offerDirect(engine, accountSid, ws, task, newPass(engine, ws));
  } else if (mode === 'queue') {
    task.routing = { mode, enteredAt: now };
    enterQueue(engine, accountSid, ws, task, queueSid!);
    announce();
    offerDirect(engine, accountSid, ws, task, newPass(engine, ws));
  } else {
    task.routing = { mode, enteredAt: now, filterIndex: null, stepIndex: 0 };
    const wf = ws.workflows[workflowSid!];
    recordEvent(engine, accountSid, ws, 'workflow.entered', 'workflow', wf.sid, `Task ${task.sid} entered Workflow ${wf.friendlyName}`, { task, workflow: wf });
    enterWorkflow(engine, accountSid, ws, task, 0, announce);
  }
  scheduleTask(engine, accountSid, ws, task);
  return task;
}

function enterQueue(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, queueSid: string): void {
  if (task.queueSid === queueSid) return;
  const previous = task.queueSid;
  task.queueSid = queueSid;
  task.queueEnteredAt = engine.now();
  const queue = ws.queues[queueSid];
  if (previous) {
    recordEvent(engine, accountSid, ws, 'task-queue.moved', 'task', task.sid, `Task ${task.sid} moved to TaskQueue ${queue?.friendlyName}`, { task, queue });
  }
  recordEvent(engine, accountSid, ws, 'task-queue.entered', 'task', task.sid, `Task ${task.sid} entered TaskQueue ${queue?.friendlyName}`, { task, queue });
}

/**
 * Routes a task through its workflow from filter `fromIndex`: the first
 * matching filter (else the default_filter), at the step its age puts it in.
 */
function enterWorkflow(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, fromIndex: number, announce?: () => void): void {
  const compiled = compiledFor(engine, ws, task);
  const wf = workflowOf(ws, task);
  const pos = task.routing;
  if (!compiled || !wf || !pos) {
    announce?.();
    cancelTask(engine, accountSid, ws, task, `Workflow ${task.workflowSid} no longer exists`);
    return;
  }
  const attrs = engine.attributes(task.attributes);
  const now = new Date(engine.now());
  const filter = compiled.findMatchingFilter(attrs, { now, fromIndex });
  let filterIndex: number | null;
  if (filter) filterIndex = filter.index;
  else if (compiled.defaultStep) filterIndex = null;
  else {
    // No filter matched and there is no default_filter (UNVERIFIED in Twilio's docs; see README).
    announce?.();
    cancelTask(engine, accountSid, ws, task, `Task did not match any filter of Workflow ${wf.friendlyName} and the Workflow has no default_filter`);
    return;
  }
  enterStep(engine, accountSid, ws, task, compiled, filterIndex, firstLiveStep(stepsAt(compiled, filterIndex), ageSeconds(engine, task)), announce);
}

/** The first step whose cumulative timeout is still ahead at this age (steps.length when all are past). */
function firstLiveStep(steps: readonly RoutingStep[], age: number): number {
  let i = 0;
  while (i < steps.length && steps[i].cumulativeTimeoutSeconds !== undefined && age >= steps[i].cumulativeTimeoutSeconds!) i++;
  return i;
}

function enterStep(
  engine: TaskRouterEngine,
  accountSid: string,
  ws: WorkspaceRec,
  task: TaskRec,
  compiled: CompiledWorkflow,
  filterIndex: number | null,
  stepIndex: number,
  announce?: () => void,
): void {
  const wf = workflowOf(ws, task)!;
  const steps = stepsAt(compiled, filterIndex);
  const filterName = filterIndex === null ? 'default_filter' : compiled.filters[filterIndex].name;
  if (stepIndex >= steps.length) {
    announce?.();
    workflowTimeout(engine, accountSid, ws, task, wf, filterName);
    return;
  }
  const step = steps[stepIndex];
  const pos = task.routing!;
  pos.filterIndex = filterIndex;
  pos.stepIndex = stepIndex;
  if (step.priority !== undefined && step.priority !== task.priority) task.priority = step.priority;
  enterQueue(engine, accountSid, ws, task, step.queueSid);
  announce?.();
  const targetInfo = {
    workflow_filter_name: filterName,
    workflow_filter_expression: filterIndex === null ? null : (compiled.configuration.task_routing.filters?.[filterIndex]?.expression ?? null),
    workflow_filter_target_index: step.targetIndex,
    workflow_filter_target_expression: step.expression?.source ?? null,
  };
  recordEvent(engine, accountSid, ws, 'workflow.target-matched', 'task', task.sid, `Task ${task.sid} matched ${filterName} target ${step.targetIndex}`, {
    task,
    workflow: wf,
    extra: targetInfo,
  });
  const pass = newPass(engine, ws);
  const evaluation = evaluateRoutingStep({
    step,
    task: routingTask(engine, ws, task),
    queues: pass.queues,
    workers: pass.views,
    now: pass.now,
    membership: membership(pass),
  });
  reportKnownWorker(engine, ws, task, evaluation.knownWorker);
  if (evaluation.eligible.length > 0) {
    reserve(engine, accountSid, ws, task, evaluation.eligible);
    return;
  }
  if (evaluation.skip) {
    recordEvent(engine, accountSid, ws, 'workflow.skipped', 'task', task.sid, `Task ${task.sid} skipped ${filterName} target ${step.targetIndex}`, { task, workflow: wf, extra: targetInfo });
    if (!step.isLast) {
      enterStep(engine, accountSid, ws, task, compiled, filterIndex, stepIndex + 1);
    } else if (filterIndex !== null) {
      enterWorkflow(engine, accountSid, ws, task, filterIndex + 1);
    }
    return;
  }
  // Waits here until a worker frees up, its target timeout, or its TTL.
}

function reportKnownWorker(engine: TaskRouterEngine, ws: WorkspaceRec, task: TaskRec, kw: ReturnType<typeof evaluateRoutingStep>['knownWorker']): void {
  if (!kw) return;
  if (kw.status === 'not-in-queue') engine.env.debug(`40152 Invalid Queue for Known Worker: task ${task.sid} ${kw.field} ${String(kw.value)} is not in the target queue`);
  if (kw.status === 'not-in-workspace') engine.env.debug(`40155 Known Worker not found: task ${task.sid} ${kw.field} ${String(kw.value)} is not a worker of ${ws.sid}`);
}

function workflowTimeout(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, wf: WorkflowRec, filterName: string): void {
  recordEvent(engine, accountSid, ws, 'workflow.timeout', 'task', task.sid, `Task ${task.sid} timed out of Workflow ${wf.friendlyName} (${filterName})`, { task, workflow: wf });
  cancelTask(engine, accountSid, ws, task, 'Task canceled on Workflow timeout');
}

// ---- offering --------------------------------------------------------------

/** Offers a direct-routed task (queue or worker) to whoever can take it now. */
function offerDirect(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, pass: Pass): boolean {
  const pos = task.routing;
  if (!pos) return false;
  if (pos.mode === 'worker') {
    const view = pos.workerSid ? pass.byWorker.get(pos.workerSid) : undefined;
    if (!view) return false;
    if (task.reservationSids.some((sid) => ws.reservations[sid]?.status === 'pending' && ws.reservations[sid].workerSid === view.sid)) return false;
    const channel = ws.channels[task.taskChannelSid]?.uniqueName ?? 'default';
    const c = view.channels[channel];
    const ok = pos.ignoreCapacity || (view.available && !!c && c.available && c.assignedTasks < c.capacity);
    if (!ok) return false;
    reserve(engine, accountSid, ws, task, [view]);
    return true;
  }
  if (pos.mode === 'queue' && task.queueSid) {
    const evaluation = evaluateRoutingStep({
      step: directStep(task.queueSid),
      task: routingTask(engine, ws, task),
      queues: pass.queues,
      workers: pass.views,
      now: pass.now,
      membership: membership(pass),
    });
    if (evaluation.eligible.length === 0) return false;
    reserve(engine, accountSid, ws, task, evaluation.eligible);
    return true;
  }
  return false;
}

/** Offers a waiting task in its current step (no skip_if: that is only evaluated on entering the step). */
function offer(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, pass: Pass): boolean {
  if (task.routing?.mode !== 'workflow') return offerDirect(engine, accountSid, ws, task, pass);
  const step = currentStep(engine, ws, task);
  if (!step) return false;
  const evaluation = evaluateRoutingStep({ step, task: routingTask(engine, ws, task), queues: pass.queues, workers: pass.views, now: pass.now, membership: membership(pass) });
  if (evaluation.eligible.length === 0) return false;
  reserve(engine, accountSid, ws, task, evaluation.eligible);
  return true;
}

function reserve(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, eligible: RoutingWorker[]): void {
  const queue = task.queueSid ? ws.queues[task.queueSid] : undefined;
  const max = task.routing?.mode === 'worker' ? 1 : Math.max(1, queue?.maxReservedWorkers ?? 1);
  const channel = ws.channels[task.taskChannelSid]?.uniqueName ?? 'default';
  for (const view of eligible.slice(0, max)) {
    const worker = ws.workers[view.sid];
    if (!worker) continue;
    const c = view.channels[channel];
    if (c) c.assignedTasks += 1;
    // Single-tasking workspaces: one task fills the worker on every channel.
    if (!ws.multiTaskEnabled) for (const other of Object.values(view.channels)) other.assignedTasks = Math.max(other.capacity, 1);
    createReservation(engine, accountSid, ws, task, worker);
  }
}

function createReservation(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, worker: WorkerRec): ReservationRec {
  const now = engine.now();
  const wf = workflowOf(ws, task);
  const res: ReservationRec = {
    sid: engine.sid('WR'),
    taskSid: task.sid,
    workerSid: worker.sid,
    status: 'pending',
    dateCreated: now,
    dateUpdated: now,
    timeoutAt: now + (wf?.taskReservationTimeout ?? DIRECT_RESERVATION_TIMEOUT) * 1000,
    queueSid: task.queueSid,
    workflowSid: task.workflowSid,
  };
  ws.reservations[res.sid] = res;
  worker.activeReservations.push(res.sid);
  task.reservationSids.push(res.sid);
  task.assignmentCounter += 1;
  if (task.assignmentStatus === 'pending') task.assignmentStatus = 'reserved';
  touch(engine, task);
  const queue = task.queueSid ? ws.queues[task.queueSid] : undefined;
  recordEvent(engine, accountSid, ws, 'reservation.created', 'reservation', res.sid, `Reservation ${res.sid} created for Worker ${worker.friendlyName}`, {
    task,
    worker,
    reservation: res,
  });
  if (queue?.reservationActivitySid && ws.activities[queue.reservationActivitySid] && worker.activitySid !== queue.reservationActivitySid) {
    setWorkerActivity(engine, accountSid, ws, worker, queue.reservationActivitySid, false);
  }
  engine.scheduleDeadline({ at: res.timeoutAt!, accountSid, workspaceSid: ws.sid, kind: 'reservation', sid: res.sid });
  sendAssignmentCallback(engine, accountSid, ws, task, res);
  return res;
}

// ---- the assignment loop ---------------------------------------------------

const dispatching = new WeakMap<WorkspaceRec, { again: boolean }>();

/**
 * Offers waiting tasks to workers who can take them, highest priority
 * first, then oldest (per queue `task_order`). Re-entrant calls (a change
 * made while offering) run another pass afterwards.
 */
export function dispatch(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec): void {
  const running = dispatching.get(ws);
  if (running) {
    running.again = true;
    return;
  }
  const flag = { again: true };
  dispatching.set(ws, flag);
  try {
    for (let passes = 0; flag.again && passes < 20; passes++) {
      flag.again = false;
      dispatchPass(engine, accountSid, ws);
    }
  } finally {
    dispatching.delete(ws);
  }
}

function hasFreeCapacity(views: RoutingWorker[]): boolean {
  return views.some((v) => v.available && Object.values(v.channels).some((c) => c.available && c.assignedTasks < c.capacity));
}

function dispatchPass(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec): void {
  const waiting: TaskRec[] = [];
  let ignoringCapacity = false;
  for (const task of Object.values(ws.tasks)) {
    if (task.assignmentStatus !== 'pending' || !task.routing) continue;
    waiting.push(task);
    if (task.routing.mode === 'worker' && task.routing.ignoreCapacity) ignoringCapacity = true;
  }
  if (waiting.length === 0) return;
  const pass = newPass(engine, ws);
  if (!ignoringCapacity && !hasFreeCapacity(pass.views)) return;
  const lifo = (t: TaskRec) => (t.queueSid ? ws.queues[t.queueSid]?.taskOrder === 'LIFO' : false);
  waiting.sort((a, b) => {
    if (a.priority !== b.priority) return b.priority - a.priority;
    const ta = a.virtualStartTime;
    const tb = b.virtualStartTime;
    if (ta !== tb) return lifo(a) && lifo(b) ? tb - ta : ta - tb;
    return a.sid < b.sid ? -1 : 1;
  });
  for (const task of waiting) {
    if (task.assignmentStatus !== 'pending') continue;
    offer(engine, accountSid, ws, task, pass);
    if (!ignoringCapacity && !hasFreeCapacity(pass.views)) break;
  }
}

// ---- worker activity -------------------------------------------------------

export function setWorkerActivity(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, worker: WorkerRec, activitySid: string, runDispatch = true): void {
  const previous = ws.activities[worker.activitySid];
  const next = ws.activities[activitySid];
  if (!next || worker.activitySid === activitySid) return;
  const now = engine.now();
  const prevInfo = { sid: worker.activitySid, name: previous?.friendlyName ?? '', since: worker.dateStatusChanged };
  worker.activitySid = activitySid;
  worker.dateStatusChanged = now;
  worker.dateUpdated = now;
  if (next.available && !previous?.available) worker.idleSince = now;
  recordEvent(engine, accountSid, ws, 'worker.activity.update', 'worker', worker.sid, `Worker ${worker.friendlyName} updated to ${next.friendlyName} Activity`, {
    worker,
    previousActivity: prevInfo,
  });
  if (runDispatch) dispatch(engine, accountSid, ws);
}

// ---- reservations ----------------------------------------------------------

function releaseCapacity(engine: TaskRouterEngine, ws: WorkspaceRec, res: ReservationRec): void {
  const worker = ws.workers[res.workerSid];
  if (!worker) return;
  const i = worker.activeReservations.indexOf(res.sid);
  if (i >= 0) worker.activeReservations.splice(i, 1);
  const stillBusy = worker.activeReservations.some((sid) => {
    const r = ws.reservations[sid];
    return r && (r.status === 'accepted' || r.status === 'wrapping');
  });
  if (!stillBusy && (res.status === 'completed' || res.status === 'canceled')) worker.idleSince = engine.now();
}

function setReservationStatus(engine: TaskRouterEngine, ws: WorkspaceRec, res: ReservationRec, status: ReservationStatus): void {
  res.status = status;
  res.dateUpdated = engine.now();
  if (status !== 'pending') res.timeoutAt = null;
  if (!holdsCapacity(status)) releaseCapacity(engine, ws, res);
}

function pendingReservations(ws: WorkspaceRec, task: TaskRec): ReservationRec[] {
  return task.reservationSids.map((sid) => ws.reservations[sid]).filter((r): r is ReservationRec => !!r && r.status === 'pending');
}

/** Ends a pending reservation whose task went to another worker (rescinded) or away (canceled), with its event. */
function endPendingReservation(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, res: ReservationRec, status: 'rescinded' | 'canceled'): void {
  setReservationStatus(engine, ws, res, status);
  recordEvent(engine, accountSid, ws, `reservation.${status}`, 'reservation', res.sid, `Reservation ${res.sid} ${status}`, { task, worker: ws.workers[res.workerSid], reservation: res });
}

function requireStatus(res: ReservationRec, allowed: ReservationStatus[], action: string): void {
  if (!allowed.includes(res.status)) {
    throw badRequest(`Reservation ${res.sid} can't be ${action}: its status is ${res.status} (must be ${allowed.join(' or ')})`);
  }
}

export function acceptReservation(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, res: ReservationRec): void {
  requireStatus(res, ['pending'], 'accepted');
  const task = ws.tasks[res.taskSid];
  const worker = ws.workers[res.workerSid];
  if (!task || !worker) throw badRequest(`Reservation ${res.sid} can't be accepted: its task or worker no longer exists`);
  setReservationStatus(engine, ws, res, 'accepted');
  task.assignmentStatus = 'assigned';
  task.routing = null;
  touch(engine, task);
  recordEvent(engine, accountSid, ws, 'reservation.accepted', 'reservation', res.sid, `Reservation ${res.sid} accepted by Worker ${worker.friendlyName}`, {
    task,
    worker,
    reservation: res,
  });
  for (const other of pendingReservations(ws, task)) endPendingReservation(engine, accountSid, ws, task, other, 'rescinded');
  const queue = res.queueSid ? ws.queues[res.queueSid] : undefined;
  if (queue?.assignmentActivitySid && ws.activities[queue.assignmentActivitySid]) setWorkerActivity(engine, accountSid, ws, worker, queue.assignmentActivitySid, false);
  scheduleTask(engine, accountSid, ws, task);
  dispatch(engine, accountSid, ws);
}

export function rejectReservation(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, res: ReservationRec, opts: { activitySid?: string }): void {
  requireStatus(res, ['pending'], 'rejected');
  if (opts.activitySid !== undefined && !ws.activities[opts.activitySid]) {
    throw invalidParam('WorkerActivitySid', `Activity ${opts.activitySid} does not exist in Workspace ${ws.sid}`);
  }
  const task = ws.tasks[res.taskSid];
  const worker = ws.workers[res.workerSid];
  setReservationStatus(engine, ws, res, 'rejected');
  if (task) {
    task.rejections += 1;
    touch(engine, task);
  }
  recordEvent(engine, accountSid, ws, 'reservation.rejected', 'reservation', res.sid, `Reservation ${res.sid} rejected`, { task, worker, reservation: res });
  if (worker && opts.activitySid) setWorkerActivity(engine, accountSid, ws, worker, opts.activitySid, false);
  if (task) reservationEnded(engine, accountSid, ws, task, 'rejected');
  dispatch(engine, accountSid, ws);
}

function timeoutReservation(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, res: ReservationRec): void {
  const task = ws.tasks[res.taskSid];
  const worker = ws.workers[res.workerSid];
  setReservationStatus(engine, ws, res, 'timeout');
  recordEvent(engine, accountSid, ws, 'reservation.timeout', 'reservation', res.sid, `Reservation ${res.sid} timed out`, { task, worker, reservation: res });
  if (worker && ws.timeoutActivitySid && ws.activities[ws.timeoutActivitySid]) setWorkerActivity(engine, accountSid, ws, worker, ws.timeoutActivitySid, false);
  if (task) reservationEnded(engine, accountSid, ws, task, 'timeout');
  dispatch(engine, accountSid, ws);
}

/** After a reservation ended without acceptance: back to pending and re-routed (or canceled). */
function reservationEnded(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, why: 'rejected' | 'timeout' | 'canceled'): void {
  if (task.assignmentStatus !== 'reserved' || pendingReservations(ws, task).length > 0) return;
  if (task.rejections >= MAX_REJECTIONS) {
    cancelTask(engine, accountSid, ws, task, `Task canceled after ${MAX_REJECTIONS} rejections (Max Assignment Count)`);
    return;
  }
  if (task.routing?.mode === 'worker') {
    cancelTask(engine, accountSid, ws, task, `Reservation ${why} by the routing target Worker ${task.routing.workerSid}`);
    return;
  }
  task.assignmentStatus = 'pending';
  touch(engine, task);
  if (task.routing?.mode === 'workflow') {
    recordEvent(engine, accountSid, ws, 'task.updated', 'task', task.sid, `Task ${task.sid} re-evaluated after a ${why} reservation`, { task });
    enterWorkflow(engine, accountSid, ws, task, 0);
  }
  if (!isTerminal(task.assignmentStatus)) scheduleTask(engine, accountSid, ws, task);
}

/** Reservation -> completed (from accepted/wrapping); completes the task. */
export function completeReservation(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, res: ReservationRec): void {
  requireStatus(res, ['accepted', 'wrapping'], 'completed');
  const task = ws.tasks[res.taskSid];
  if (task && (task.assignmentStatus === 'assigned' || task.assignmentStatus === 'wrapping')) {
    completeTask(engine, accountSid, ws, task, task.reason ?? 'reservation completed');
    return;
  }
  setReservationStatus(engine, ws, res, 'completed');
  recordEvent(engine, accountSid, ws, 'reservation.completed', 'reservation', res.sid, `Reservation ${res.sid} completed`, {
    task,
    worker: ws.workers[res.workerSid],
    reservation: res,
  });
  dispatch(engine, accountSid, ws);
}

/** Reservation -> wrapping (from accepted); the task wraps up too. */
export function wrapReservation(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, res: ReservationRec): void {
  requireStatus(res, ['accepted'], 'moved to wrapping');
  const task = ws.tasks[res.taskSid];
  if (task && task.assignmentStatus === 'assigned') {
    wrapTask(engine, accountSid, ws, task, task.reason);
    return;
  }
  setReservationStatus(engine, ws, res, 'wrapping');
  recordEvent(engine, accountSid, ws, 'reservation.wrapup', 'reservation', res.sid, `Reservation ${res.sid} wrapping`, { task, worker: ws.workers[res.workerSid], reservation: res });
}

// ---- task state ------------------------------------------------------------

function endTask(engine: TaskRouterEngine, ws: WorkspaceRec, task: TaskRec, status: TaskStatus, reason: string | null): void {
  task.assignmentStatus = status;
  task.reason = reason;
  task.routing = null;
  task.deleteAt = engine.now() + ENDED_TASK_RETENTION_MS;
  touch(engine, task);
}

export function cancelTask(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, reason: string | null): void {
  if (task.assignmentStatus !== 'pending' && task.assignmentStatus !== 'reserved') {
    throw badRequest(`Task ${task.sid} can't be canceled: its assignment status is ${task.assignmentStatus} (only pending or reserved tasks can be canceled)`);
  }
  for (const res of pendingReservations(ws, task)) endPendingReservation(engine, accountSid, ws, task, res, 'canceled');
  endTask(engine, ws, task, 'canceled', reason);
  recordEvent(engine, accountSid, ws, 'task.canceled', 'task', task.sid, `Task ${task.sid} canceled${reason ? `: ${reason}` : ''}`, { task });
  scheduleTask(engine, accountSid, ws, task);
  dispatch(engine, accountSid, ws);
}

export function completeTask(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, reason: string | null): void {
  if (task.assignmentStatus !== 'assigned' && task.assignmentStatus !== 'wrapping') {
    throw badRequest(`Task ${task.sid} can't be completed: its assignment status is ${task.assignmentStatus} (must be assigned or wrapping)`);
  }
  endTask(engine, ws, task, 'completed', reason);
  recordEvent(engine, accountSid, ws, 'task.completed', 'task', task.sid, `Task ${task.sid} completed${reason ? `: ${reason}` : ''}`, { task });
  for (const sid of task.reservationSids) {
    const res = ws.reservations[sid];
    if (!res || (res.status !== 'accepted' && res.status !== 'wrapping')) continue;
    setReservationStatus(engine, ws, res, 'completed');
    recordEvent(engine, accountSid, ws, 'reservation.completed', 'reservation', res.sid, `Reservation ${res.sid} completed`, {
      task,
      worker: ws.workers[res.workerSid],
      reservation: res,
    });
  }
  scheduleTask(engine, accountSid, ws, task);
  dispatch(engine, accountSid, ws);
}

export function wrapTask(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, reason: string | null): void {
  if (task.assignmentStatus !== 'assigned') {
    throw badRequest(`Task ${task.sid} can't move to wrapping: its assignment status is ${task.assignmentStatus} (must be assigned)`);
  }
  task.assignmentStatus = 'wrapping';
  if (reason !== null) task.reason = reason;
  touch(engine, task);
  recordEvent(engine, accountSid, ws, 'task.wrapup', 'task', task.sid, `Task ${task.sid} wrapping`, { task });
  for (const sid of task.reservationSids) {
    const res = ws.reservations[sid];
    if (!res || res.status !== 'accepted') continue;
    setReservationStatus(engine, ws, res, 'wrapping');
    recordEvent(engine, accountSid, ws, 'reservation.wrapup', 'reservation', res.sid, `Reservation ${res.sid} wrapping`, {
      task,
      worker: ws.workers[res.workerSid],
      reservation: res,
    });
  }
}

export interface UpdateTaskInput {
  attributes?: string;
  assignmentStatus?: TaskStatus;
  reason?: string;
  priority?: number;
  taskChannel?: string;
  virtualStartTime?: number;
  ifMatch?: string;
}

/**
 * Conditional mutation ("REST API: Mutation and Conflict Resolution"): with
 * `If-Match`, the change applies only while the Task's ETag still matches;
 * otherwise 412 with Twilio error 20412 ("Precondition failed").
 */
export function checkIfMatch(task: TaskRec, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  const wanted = ifMatch.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  if (wanted !== '*' && wanted !== String(task.version)) {
    throw new TwilioError(412, 20412, `Precondition Failed: If-Match ${ifMatch} does not match the Task's current ETag "${task.version}"`);
  }
}

export function updateTask(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, input: UpdateTaskInput): TaskRec {
  checkIfMatch(task, input.ifMatch);
  if (input.attributes !== undefined) checkAttributes('Attributes', input.attributes);
  if (input.priority !== undefined && (input.priority < 0 || input.priority > 2 ** 31 - 1)) throw invalidParam('Priority', `must be between 0 and 2^31-1 (got ${input.priority})`);
  const status = input.assignmentStatus;
  if (status !== undefined && !['canceled', 'completed', 'wrapping'].includes(status) && status !== task.assignmentStatus) {
    throw invalidParam('AssignmentStatus', `can only be set to canceled, completed or wrapping (got "${status}")`);
  }
  if (isTerminal(task.assignmentStatus) && (input.attributes !== undefined || input.priority !== undefined || (status !== undefined && status !== task.assignmentStatus))) {
    throw badRequest(`Task ${task.sid} can't be updated: it is ${task.assignmentStatus}`);
  }
  let channelSid: string | undefined;
  if (input.taskChannel !== undefined) {
    const channel = findChannel(ws, input.taskChannel);
    if (!channel) throw invalidParam('TaskChannel', `no TaskChannel with SID or unique name "${input.taskChannel}" in Workspace ${ws.sid}`);
    channelSid = channel.sid;
  }
  let reroute = false;
  if (input.attributes !== undefined && input.attributes !== task.attributes) {
    task.attributes = input.attributes;
    reroute = true;
  }
  if (input.priority !== undefined && input.priority !== task.priority) {
    task.priority = input.priority;
    reroute = true;
  }
  if (channelSid !== undefined && channelSid !== task.taskChannelSid) {
    task.taskChannelSid = channelSid;
    reroute = true;
  }
  if (input.virtualStartTime !== undefined) task.virtualStartTime = input.virtualStartTime;
  if (input.reason !== undefined && status === undefined) task.reason = input.reason;
  touch(engine, task);
  recordEvent(engine, accountSid, ws, 'task.updated', 'task', task.sid, `Task ${task.sid} updated`, { task });

  if (status === 'canceled' && task.assignmentStatus !== 'canceled') cancelTask(engine, accountSid, ws, task, input.reason ?? null);
  else if (status === 'completed' && task.assignmentStatus !== 'completed') completeTask(engine, accountSid, ws, task, input.reason ?? null);
  else if (status === 'wrapping' && task.assignmentStatus !== 'wrapping') wrapTask(engine, accountSid, ws, task, input.reason ?? null);
  else if (reroute && task.assignmentStatus === 'pending' && task.routing?.mode === 'workflow') {
    // New attributes: the workflow is evaluated again (the task keeps its age).
    enterWorkflow(engine, accountSid, ws, task, 0);
    if (!isTerminal(task.assignmentStatus)) scheduleTask(engine, accountSid, ws, task);
  } else if (reroute) {
    dispatch(engine, accountSid, ws);
  }
  return task;
}

/** DELETE: the task and its reservations disappear (pending reservations are canceled first). */
export function deleteTask(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, ifMatch?: string, system = false): void {
  checkIfMatch(task, ifMatch);
  for (const sid of task.reservationSids) {
    const res = ws.reservations[sid];
    if (!res) continue;
    if (res.status === 'pending') {
      endPendingReservation(engine, accountSid, ws, task, res, 'canceled');
    } else if (holdsCapacity(res.status)) {
      releaseCapacity(engine, ws, res);
    }
    delete ws.reservations[sid];
  }
  delete ws.tasks[task.sid];
  recordEvent(engine, accountSid, ws, system ? 'task.system-deleted' : 'task.deleted', 'task', task.sid, `Task ${task.sid} deleted`, { task });
  dispatch(engine, accountSid, ws);
}

// ---- workflow changes ------------------------------------------------------

export function reevaluateWorkflowTasks(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, wf: WorkflowRec, oldConfiguration: string, reEvaluate: boolean): void {
  const changed = oldConfiguration !== wf.configuration;
  for (const task of Object.values(ws.tasks)) {
    if (task.workflowSid !== wf.sid || task.routing?.mode !== 'workflow') continue;
    if (task.assignmentStatus !== 'pending' && task.assignmentStatus !== 'reserved') continue;
    if (reEvaluate) {
      delete task.routing.configuration;
      if (task.assignmentStatus === 'pending') {
        enterWorkflow(engine, accountSid, ws, task, 0);
        if (!isTerminal(task.assignmentStatus)) scheduleTask(engine, accountSid, ws, task);
      }
    } else if (changed && task.routing.configuration === undefined) {
      // Twilio keeps in-flight tasks on the logic they were routed with.
      task.routing.configuration = oldConfiguration;
    }
  }
  dispatch(engine, accountSid, ws);
}

// ---- deadlines -------------------------------------------------------------

function nextTaskDeadline(engine: TaskRouterEngine, ws: WorkspaceRec, task: TaskRec): number | undefined {
  const candidates: number[] = [];
  if (task.deleteAt !== undefined) candidates.push(task.deleteAt);
  if (task.assignmentStatus === 'pending' || task.assignmentStatus === 'reserved') candidates.push(task.dateCreated + task.timeout * 1000);
  if (task.assignmentStatus === 'pending' && task.routing?.mode === 'workflow') {
    const step = currentStep(engine, ws, task);
    if (step?.cumulativeTimeoutSeconds !== undefined) candidates.push(task.routing.enteredAt + step.cumulativeTimeoutSeconds * 1000);
  }
  return candidates.length ? Math.min(...candidates) : undefined;
}

export function scheduleTask(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec): void {
  const at = nextTaskDeadline(engine, ws, task);
  if (at !== undefined) engine.scheduleDeadline({ at, accountSid, workspaceSid: ws.sid, kind: 'task', sid: task.sid });
}

function onTaskDeadline(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec): void {
  const now = engine.now();
  if (task.deleteAt !== undefined && now >= task.deleteAt) {
    deleteTask(engine, accountSid, ws, task, undefined, true);
    return;
  }
  if ((task.assignmentStatus === 'pending' || task.assignmentStatus === 'reserved') && now >= task.dateCreated + task.timeout * 1000) {
    cancelTask(engine, accountSid, ws, task, 'Task TTL Exceeded');
    return;
  }
  if (task.assignmentStatus === 'pending' && task.routing?.mode === 'workflow') {
    const step = currentStep(engine, ws, task);
    if (step?.cumulativeTimeoutSeconds !== undefined && ageSeconds(engine, task) >= step.cumulativeTimeoutSeconds) {
      const queue = ws.queues[step.queueSid];
      recordEvent(engine, accountSid, ws, 'task-queue.timeout', 'task', task.sid, `Task ${task.sid} timed out of TaskQueue ${queue?.friendlyName}`, { task, queue });
      const compiled = compiledFor(engine, ws, task)!;
      const filterIndex = task.routing.filterIndex ?? null;
      const steps = stepsAt(compiled, filterIndex);
      const next = Math.max((task.routing.stepIndex ?? 0) + 1, firstLiveStep(steps, ageSeconds(engine, task)));
      enterStep(engine, accountSid, ws, task, compiled, filterIndex, next);
    }
  }
  if (ws.tasks[task.sid]) scheduleTask(engine, accountSid, ws, task);
}

export function handleDeadline(engine: TaskRouterEngine, d: { accountSid: string; workspaceSid: string; kind: 'task' | 'reservation'; sid: string; at: number }): void {
  if (!engine.takeDeadline(d)) return;
  const ws = engine.state(d.accountSid).workspaces[d.workspaceSid];
  if (!ws) return;
  if (d.kind === 'reservation') {
    const res = ws.reservations[d.sid];
    if (res?.status === 'pending' && res.timeoutAt !== null) {
      if (engine.now() >= res.timeoutAt) timeoutReservation(engine, d.accountSid, ws, res);
      else engine.scheduleDeadline({ ...d, at: res.timeoutAt });
    }
    return;
  }
  const task = ws.tasks[d.sid];
  if (task) onTaskDeadline(engine, d.accountSid, ws, task);
}

/** After load/reset/restore: re-arm every deadline from state. */
export function rearmAll(engine: TaskRouterEngine): void {
  engine.clearDeadlines();
  for (const accountSid of engine.env.accountsWithState()) {
    for (const ws of Object.values(engine.state(accountSid).workspaces)) {
      for (const task of Object.values(ws.tasks)) scheduleTask(engine, accountSid, ws, task);
      for (const res of Object.values(ws.reservations)) {
        if (res.status === 'pending' && res.timeoutAt !== null) engine.scheduleDeadline({ at: res.timeoutAt, accountSid, workspaceSid: ws.sid, kind: 'reservation', sid: res.sid });
      }
    }
  }
}

// ---- assignment callbacks and instructions ---------------------------------

export type Instruction = Record<string, unknown> & { instruction: string };

function sendAssignmentCallback(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, res: ReservationRec): void {
  const wf = workflowOf(ws, task);
  if (!wf?.assignmentCallbackUrl) return;
  const worker = ws.workers[res.workerSid];
  const params: Record<string, string> = {
    AccountSid: accountSid,
    WorkspaceSid: ws.sid,
    WorkflowSid: wf.sid,
    TaskQueueSid: task.queueSid ?? '',
    TaskSid: task.sid,
    TaskAttributes: task.attributes,
    TaskAge: String(Math.floor((engine.now() - task.dateCreated) / 1000)),
    TaskPriority: String(task.priority),
    TaskChannelSid: task.taskChannelSid,
    TaskChannelUniqueName: ws.channels[task.taskChannelSid]?.uniqueName ?? '',
    WorkerSid: res.workerSid,
    WorkerAttributes: worker?.attributes ?? '{}',
    ReservationSid: res.sid,
    Timestamp: String(Math.floor(engine.now() / 1000)),
  };
  const urls = [wf.assignmentCallbackUrl, wf.fallbackAssignmentCallbackUrl].filter((u): u is string => !!u);
  engine.track(
    (async () => {
      for (const url of urls) {
        const answer = await engine.env.webhooks.send({ url, method: 'POST', params, accountSid, timeoutMs: 5_000 });
        if (answer.error || answer.status === 0 || answer.status >= 400) {
          engine.env.debug(`assignment callback ${url} for ${res.sid} failed: ${answer.error ?? `HTTP ${answer.status}`}`);
          continue;
        }
        const body = answer.body.trim();
        if (!body) return;
        let instruction: unknown;
        try {
          instruction = JSON.parse(body);
        } catch {
          engine.env.debug(`assignment callback ${url} for ${res.sid} answered non-JSON; no instruction carried out`);
          return;
        }
        if (!instruction || typeof instruction !== 'object' || typeof (instruction as Instruction).instruction !== 'string') return;
        const current = engine.state(accountSid).workspaces[ws.sid];
        const live = current?.reservations[res.sid];
        if (!current || !live || live.status !== 'pending') return;
        try {
          executeInstruction(engine, accountSid, current, live, instruction as Instruction);
          engine.env.markDirty();
        } catch (err) {
          engine.env.debug(`instruction ${(instruction as Instruction).instruction} for ${res.sid} failed: ${(err as Error).message}`);
        }
        return;
      }
    })(),
  );
}

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

function bool(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  return String(v).toLowerCase() === 'true';
}

function voice(engine: TaskRouterEngine): VoiceApi {
  try {
    return engine.env.service<VoiceApi>('api');
  } catch {
    throw badRequest('this emulator runs without the voice (api) service, so call instructions are unavailable');
  }
}

/** Contact address of a worker: attributes.contact_uri, else client:<friendly name>. */
export function workerContactUri(engine: TaskRouterEngine, worker: WorkerRec): string {
  const uri = engine.attributes(worker.attributes).contact_uri;
  return typeof uri === 'string' && uri ? uri : `client:${worker.friendlyName}`;
}

/**
 * Carries out an assignment instruction (from the assignment callback's
 * answer or a reservation update's `Instruction`): accept, reject, call,
 * conference, dequeue, redirect. Voice instructions finish asynchronously.
 */
export function executeInstruction(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, res: ReservationRec, instr: Instruction): void {
  const name = instr.instruction;
  const task = ws.tasks[res.taskSid];
  const worker = ws.workers[res.workerSid];
  switch (name) {
    case 'accept':
      acceptReservation(engine, accountSid, ws, res);
      return;
    case 'reject':
      rejectReservation(engine, accountSid, ws, res, { activitySid: str(instr.activity_sid) });
      return;
    case 'conference': {
      requireStatus(res, ['pending'], 'given a conference instruction');
      if (!task || !worker) return;
      const attrs = engine.attributes(task.attributes);
      const customerCallSid = typeof attrs.call_sid === 'string' ? attrs.call_sid : undefined;
      res.instruction = 'conference';
      const from = str(instr.from) ?? (typeof attrs.to === 'string' ? attrs.to : undefined) ?? '+15005550006';
      voice(engine).dialIntoConference(accountSid, {
        to: str(instr.to) ?? workerContactUri(engine, worker),
        from,
        timeoutSec: instr.timeout !== undefined ? Number(instr.timeout) : 60,
        conferenceName: task.sid,
        worker: {
          endConferenceOnExit: bool(instr.end_conference_on_exit),
          startConferenceOnEnter: bool(instr.start_conference_on_enter),
          beep: str(instr.beep),
          muted: bool(instr.muted),
          waitUrl: str(instr.wait_url),
        },
        customerCallSid,
        customer: { endConferenceOnExit: bool(instr.end_conference_on_customer_exit), beep: str(instr.beep_on_customer_entrance) },
        statusCallback: str(instr.status_callback),
        hook: {
          service: 'taskrouter',
          data: { kind: 'conference', workspaceSid: ws.sid, taskSid: res.taskSid, reservationSid: res.sid, postWorkActivitySid: str(instr.post_work_activity_sid) ?? '' },
        },
      });
      return;
    }
    case 'call': {
      requireStatus(res, ['pending'], 'given a call instruction');
      if (!worker) return;
      const url = str(instr.url);
      if (!url) throw invalidParam('CallUrl', 'the call instruction needs a url');
      const from = str(instr.from);
      if (!from) throw invalidParam('CallFrom', 'the call instruction needs a from');
      res.instruction = 'call';
      voice(engine).placeCall(accountSid, {
        to: str(instr.to) ?? workerContactUri(engine, worker),
        from,
        url,
        timeoutSec: instr.timeout !== undefined ? Number(instr.timeout) : 60,
        statusCallback: str(instr.status_callback_url),
      });
      if (bool(instr.accept)) acceptReservation(engine, accountSid, ws, res);
      return;
    }
    case 'dequeue': {
      requireStatus(res, ['pending'], 'given a dequeue instruction');
      if (!task || !worker) return;
      const attrs = engine.attributes(task.attributes);
      const customerCallSid = typeof attrs.call_sid === 'string' ? attrs.call_sid : undefined;
      if (!customerCallSid) throw badRequest(`Task ${task.sid} has no call_sid attribute: nothing to dequeue`);
      res.instruction = 'dequeue';
      voice(engine).dequeue(accountSid, {
        customerCallSid,
        to: str(instr.to) ?? workerContactUri(engine, worker),
        from: str(instr.from) ?? (typeof attrs.to === 'string' ? attrs.to : '+15005550006'),
        timeoutSec: instr.timeout !== undefined ? Number(instr.timeout) : 60,
        hook: { service: 'taskrouter', data: { kind: 'dequeue', workspaceSid: ws.sid, taskSid: res.taskSid, reservationSid: res.sid, postWorkActivitySid: str(instr.post_work_activity_sid) ?? '' } },
      });
      return;
    }
    case 'redirect': {
      requireStatus(res, ['pending'], 'given a redirect instruction');
      const callSid = str(instr.call_sid);
      const url = str(instr.url);
      if (!callSid) throw invalidParam('RedirectCallSid', 'the redirect instruction needs a call_sid');
      if (!url) throw invalidParam('RedirectUrl', 'the redirect instruction needs a url');
      voice(engine).redirectCall(accountSid, callSid, url);
      if (bool(instr.accept)) acceptReservation(engine, accountSid, ws, res);
      return;
    }
    default:
      throw invalidParam('Instruction', `unknown instruction "${name}" (error 55555); use accept, reject, call, conference, dequeue or redirect`);
  }
}

/** Outcome of a conference/dequeue instruction's worker call. */
export function handleVoiceHook(engine: TaskRouterEngine, accountSid: string, data: Record<string, string>, result: VoiceHookResult): void {
  const ws = engine.state(accountSid).workspaces[data.workspaceSid];
  const res = ws?.reservations[data.reservationSid];
  const task = ws?.tasks[data.taskSid];
  if (!ws || !res || !task || res.status !== 'pending') return;
  if (!result.ok) {
    engine.env.debug(`${data.kind} instruction for ${res.sid} failed: ${result.reason}`);
    rejectReservation(engine, accountSid, ws, res, {});
    return;
  }
  if (data.kind === 'conference' && result.conferenceSid) {
    const attrs = { ...engine.attributes(task.attributes) };
    attrs.conference = {
      sid: result.conferenceSid,
      room_name: task.sid,
      participants: { worker: result.callSid, ...(result.customerCallSid ? { customer: result.customerCallSid } : {}) },
    };
    task.attributes = JSON.stringify(attrs);
    touch(engine, task);
  }
  acceptReservation(engine, accountSid, ws, res);
}

// ---- helpers for other services ---------------------------------------------

/** Members of a queue (workers whose attributes match target_workers). */
export function membersOf(engine: TaskRouterEngine, ws: WorkspaceRec, queueSid: string): string[] {
  const queue = ws.queues[queueSid];
  if (!queue) return [];
  return queueMembers({ sid: queue.sid, friendlyName: queue.friendlyName, targetWorkers: queue.targetWorkers }, workerViews(engine, ws)).map((w) => w.sid);
}
