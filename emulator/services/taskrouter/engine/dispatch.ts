/**
 * The assignment loop: offers waiting tasks to workers who can take them,
 * highest priority first, then oldest (per queue `task_order`), in the step
 * each task waits in. skip_if is not consulted here: the step walk
 * evaluates it when a task enters a step.
 */
import { evaluateRoutingStep, type RoutingWorker } from '../../../../routing';
import type { TaskRec, WorkspaceRec } from '../types';
import type { TaskRouterEngine } from './engine';
import { createReservation } from './reservation-state';
import { currentStep, directStep, membership, newPass, type Pass, routingTask } from './views';

/** Offers a direct-routed task (queue or worker) to whoever can take it now. */
export function offerDirect(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, pass: Pass): boolean {
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

export function reserve(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, eligible: RoutingWorker[]): void {
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
