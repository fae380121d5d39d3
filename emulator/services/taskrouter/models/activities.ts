/**
 * Activities: friendly names unique (case-insensitively) per workspace;
 * `Available` fixed at creation; in-use activities can't be deleted.
 */
import { badRequest } from '../../../core/errors';
import { checkName, sameName } from '../checks';
import type { TaskRouterEngine } from '../engine/engine';
import { recordEvent } from '../engine/events';
import type { ActivityRec, WorkspaceRec } from '../types';

export function createActivity(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, input: { friendlyName: string; available?: boolean; sid?: string }): ActivityRec {
  checkName('FriendlyName', input.friendlyName);
  const dup = Object.values(ws.activities).find((a) => sameName(a.friendlyName, input.friendlyName));
  if (dup) throw badRequest(`Activity with FriendlyName "${input.friendlyName}" already exists in Workspace ${ws.sid} (${dup.sid})`);
  const now = engine.now();
  const activity: ActivityRec = { sid: input.sid ?? engine.sid('WA'), friendlyName: input.friendlyName, available: input.available ?? false, dateCreated: now, dateUpdated: now };
  ws.activities[activity.sid] = activity;
  recordEvent(engine, accountSid, ws, 'activity.created', 'activity', activity.sid, `Activity ${activity.friendlyName} created`, { activity });
  return activity;
}

/** Only FriendlyName can change; `Available` is fixed at creation (Twilio ignores it on update). */
export function updateActivity(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, activity: ActivityRec, input: { friendlyName?: string }): ActivityRec {
  if (input.friendlyName !== undefined) {
    checkName('FriendlyName', input.friendlyName);
    const dup = Object.values(ws.activities).find((a) => a.sid !== activity.sid && sameName(a.friendlyName, input.friendlyName!));
    if (dup) throw badRequest(`Activity with FriendlyName "${input.friendlyName}" already exists in Workspace ${ws.sid} (${dup.sid})`);
    activity.friendlyName = input.friendlyName;
  }
  activity.dateUpdated = engine.now();
  recordEvent(engine, accountSid, ws, 'activity.updated', 'activity', activity.sid, `Activity ${activity.friendlyName} updated`, { activity });
  return activity;
}

export function deleteActivity(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, activity: ActivityRec): void {
  const name = `Activity ${activity.sid} (${activity.friendlyName})`;
  if (ws.defaultActivitySid === activity.sid) throw badRequest(`${name} can't be deleted: it is the Workspace's default_activity_sid`);
  if (ws.timeoutActivitySid === activity.sid) throw badRequest(`${name} can't be deleted: it is the Workspace's timeout_activity_sid`);
  const worker = Object.values(ws.workers).find((w) => w.activitySid === activity.sid);
  if (worker) throw badRequest(`${name} can't be deleted: Worker ${worker.sid} (${worker.friendlyName}) is in it`);
  const queue = Object.values(ws.queues).find((q) => q.reservationActivitySid === activity.sid || q.assignmentActivitySid === activity.sid);
  if (queue) throw badRequest(`${name} can't be deleted: TaskQueue ${queue.sid} (${queue.friendlyName}) uses it as its reservation or assignment activity`);
  delete ws.activities[activity.sid];
  recordEvent(engine, accountSid, ws, 'activity.deleted', 'activity', activity.sid, `Activity ${activity.friendlyName} deleted`, { activity });
}
