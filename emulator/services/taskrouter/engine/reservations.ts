/**
 * Reservation outcomes: accepted, rejected, timed out, completed, wrapping.
 * A task whose reservations all end without acceptance is routed again
 * (or canceled after too many rejections).
 */
import { badRequest, invalidParam } from '../../../core/errors';
import type { ReservationRec, TaskRec, WorkspaceRec } from '../types';
import { dispatch } from './dispatch';
import type { TaskRouterEngine } from './engine';
import { recordEvent } from './events';
import { endPendingReservation, pendingReservations, requireStatus, setReservationStatus } from './reservation-state';
import { scheduleTask } from './task-deadline';
import { cancelTask, completeTask, wrapTask } from './task-ending';
import { isTerminal, touch } from './views';
import { setWorkerActivity } from './worker-activity';
import { enterWorkflow } from './workflow-routing';

/** TaskRouter cancels a task after this many rejections. */
export const MAX_REJECTIONS = 1000;

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
  if (queue?.assignmentActivitySid && ws.activities[queue.assignmentActivitySid]) setWorkerActivity(engine, accountSid, ws, worker, queue.assignmentActivitySid);
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
  if (worker && opts.activitySid) setWorkerActivity(engine, accountSid, ws, worker, opts.activitySid);
  if (task) reservationEnded(engine, accountSid, ws, task, 'rejected');
  dispatch(engine, accountSid, ws);
}

export function timeoutReservation(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, res: ReservationRec): void {
  const task = ws.tasks[res.taskSid];
  const worker = ws.workers[res.workerSid];
  setReservationStatus(engine, ws, res, 'timeout');
  recordEvent(engine, accountSid, ws, 'reservation.timeout', 'reservation', res.sid, `Reservation ${res.sid} timed out`, { task, worker, reservation: res });
  if (worker && ws.timeoutActivitySid && ws.activities[ws.timeoutActivitySid]) setWorkerActivity(engine, accountSid, ws, worker, ws.timeoutActivitySid);
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
