/**
 * How tasks end: canceled, completed, wrapping, deleted. Ended tasks are
 * deleted five minutes later, as Twilio does.
 */
import { badRequest, TwilioError } from '../../../core/errors';
import type { TaskRec, TaskStatus, WorkspaceRec } from '../types';
import { dispatch } from './dispatch';
import type { TaskRouterEngine } from './engine';
import { recordEvent } from './events';
import { endPendingReservation, pendingReservations, releaseCapacity, setReservationStatus } from './reservation-state';
import { scheduleTask } from './task-deadline';
import { holdsCapacity, touch } from './views';

/** Ended tasks are deleted this long after they end (Twilio: 5 minutes). */
export const ENDED_TASK_RETENTION_MS = 5 * 60_000;

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
