/**
 * Workers: friendly names unique case-insensitively, attributes a JSON
 * object of at most 4096 characters; a new activity or new attributes run
 * the assignment loop.
 */
import { badRequest, invalidParam } from '../../../core/errors';
import { checkAttributes, checkName, sameName } from '../checks';
import { dispatch } from '../engine/dispatch';
import type { TaskRouterEngine } from '../engine/engine';
import { recordEvent } from '../engine/events';
import { rejectReservation } from '../engine/reservations';
import { setWorkerActivity } from '../engine/worker-activity';
import type { WorkerRec, WorkspaceRec } from '../types';
import { addWorkerChannel } from './task-channels';

export const MAX_ATTRIBUTES_LENGTH = 4096;

function checkWorkerName(ws: WorkspaceRec, name: string, self?: WorkerRec): void {
  checkName('FriendlyName', name);
  const dup = Object.values(ws.workers).find((w) => w !== self && sameName(w.friendlyName, name));
  if (dup) throw badRequest(`Worker with the same friendly name already exists: FriendlyName "${name}" is used by ${dup.sid}`);
}

export function createWorker(
  engine: TaskRouterEngine,
  accountSid: string,
  ws: WorkspaceRec,
  input: { friendlyName: string; activitySid?: string; attributes?: string; sid?: string; channelCapacities?: Record<string, number>; channelSid?: (unique: string) => string },
): WorkerRec {
  checkWorkerName(ws, input.friendlyName);
  const attributes = input.attributes ?? '{}';
  checkAttributes('Attributes', attributes, MAX_ATTRIBUTES_LENGTH);
  const activitySid = input.activitySid ?? ws.defaultActivitySid;
  if (!activitySid) throw invalidParam('ActivitySid', `the Workspace ${ws.sid} has no default activity; pass ActivitySid`);
  if (!ws.activities[activitySid]) throw invalidParam('ActivitySid', `Activity ${activitySid} does not exist in Workspace ${ws.sid}`);
  const now = engine.now();
  const worker: WorkerRec = {
    sid: input.sid ?? engine.sid('WK'),
    friendlyName: input.friendlyName,
    activitySid,
    attributes,
    dateCreated: now,
    dateUpdated: now,
    dateStatusChanged: now,
    idleSince: now,
    channels: {},
    activeReservations: [],
  };
  for (const channel of Object.values(ws.channels)) {
    addWorkerChannel(engine, worker, channel, input.channelCapacities?.[channel.uniqueName] ?? 1, input.channelSid?.(channel.uniqueName));
  }
  ws.workers[worker.sid] = worker;
  recordEvent(engine, accountSid, ws, 'worker.created', 'worker', worker.sid, `Worker ${worker.friendlyName} created`, { worker });
  dispatch(engine, accountSid, ws);
  return worker;
}

export function updateWorker(
  engine: TaskRouterEngine,
  accountSid: string,
  ws: WorkspaceRec,
  worker: WorkerRec,
  input: { friendlyName?: string; activitySid?: string; attributes?: string; rejectPendingReservations?: boolean },
): WorkerRec {
  if (input.friendlyName !== undefined) checkWorkerName(ws, input.friendlyName, worker);
  if (input.attributes !== undefined) checkAttributes('Attributes', input.attributes, MAX_ATTRIBUTES_LENGTH);
  if (input.activitySid !== undefined && !ws.activities[input.activitySid]) {
    throw invalidParam('ActivitySid', `Activity ${input.activitySid} does not exist in Workspace ${ws.sid}`);
  }
  if (input.rejectPendingReservations && input.activitySid !== undefined && ws.activities[input.activitySid].available) {
    throw invalidParam('RejectPendingReservations', 'is only valid when the new Activity is not available');
  }
  const now = engine.now();
  if (input.friendlyName !== undefined) worker.friendlyName = input.friendlyName;
  if (input.attributes !== undefined && input.attributes !== worker.attributes) {
    worker.attributes = input.attributes;
    worker.dateUpdated = now;
    recordEvent(engine, accountSid, ws, 'worker.attributes.update', 'worker', worker.sid, `Worker ${worker.friendlyName} attributes updated`, { worker });
  }
  worker.dateUpdated = now;
  // The new activity first, so rejected tasks are not offered straight back to this worker.
  if (input.activitySid !== undefined && input.activitySid !== worker.activitySid) setWorkerActivity(engine, accountSid, ws, worker, input.activitySid);
  if (input.rejectPendingReservations) {
    for (const resSid of [...worker.activeReservations]) {
      const res = ws.reservations[resSid];
      if (res?.status === 'pending') rejectReservation(engine, accountSid, ws, res, {});
    }
  }
  dispatch(engine, accountSid, ws);
  return worker;
}

export function deleteWorker(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, worker: WorkerRec): void {
  const active = worker.activeReservations.map((sid) => ws.reservations[sid]).find((r) => r && (r.status === 'accepted' || r.status === 'wrapping'));
  if (active) throw badRequest(`Worker ${worker.sid} (${worker.friendlyName}) can't be deleted: it has Task ${active.taskSid} ${active.status === 'accepted' ? 'assigned' : 'wrapping'}`);
  for (const resSid of [...worker.activeReservations]) {
    const res = ws.reservations[resSid];
    if (res?.status === 'pending') rejectReservation(engine, accountSid, ws, res, {});
  }
  delete ws.workers[worker.sid];
  recordEvent(engine, accountSid, ws, 'worker.deleted', 'worker', worker.sid, `Worker ${worker.friendlyName} deleted`, { worker });
}
