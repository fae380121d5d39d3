/**
 * Reservation records: creating one (capacity, reservation activity,
 * timeout deadline; the assignment callback follows its event), moving it
 * to a new status and releasing the worker's capacity.
 */
import { badRequest } from '../../../core/errors';
import type { ReservationRec, ReservationStatus, TaskRec, WorkerRec, WorkspaceRec } from '../types';
import type { TaskRouterEngine } from './engine';
import { recordEvent } from './events';
import { holdsCapacity, touch, workflowOf } from './views';
import { setWorkerActivity } from './worker-activity';

const DIRECT_RESERVATION_TIMEOUT = 120;

export function createReservation(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, worker: WorkerRec): ReservationRec {
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
    setWorkerActivity(engine, accountSid, ws, worker, queue.reservationActivitySid);
  }
  engine.scheduleDeadline({ at: res.timeoutAt!, accountSid, workspaceSid: ws.sid, kind: 'reservation', sid: res.sid });
  engine.onReservationCreated(accountSid, ws, task, res);
  return res;
}

export function releaseCapacity(engine: TaskRouterEngine, ws: WorkspaceRec, res: ReservationRec): void {
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

export function setReservationStatus(engine: TaskRouterEngine, ws: WorkspaceRec, res: ReservationRec, status: ReservationStatus): void {
  res.status = status;
  res.dateUpdated = engine.now();
  if (status !== 'pending') res.timeoutAt = null;
  if (!holdsCapacity(status)) releaseCapacity(engine, ws, res);
}

export function pendingReservations(ws: WorkspaceRec, task: TaskRec): ReservationRec[] {
  return task.reservationSids.map((sid) => ws.reservations[sid]).filter((r): r is ReservationRec => !!r && r.status === 'pending');
}

/** Ends a pending reservation whose task went to another worker (rescinded) or away (canceled), with its event. */
export function endPendingReservation(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, res: ReservationRec, status: 'rescinded' | 'canceled'): void {
  setReservationStatus(engine, ws, res, status);
  recordEvent(engine, accountSid, ws, `reservation.${status}`, 'reservation', res.sid, `Reservation ${res.sid} ${status}`, { task, worker: ws.workers[res.workerSid], reservation: res });
}

export function requireStatus(res: ReservationRec, allowed: ReservationStatus[], action: string): void {
  if (!allowed.includes(res.status)) {
    throw badRequest(`Reservation ${res.sid} can't be ${action}: its status is ${res.status} (must be ${allowed.join(' or ')})`);
  }
}
