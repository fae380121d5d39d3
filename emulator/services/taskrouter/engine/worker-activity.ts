/**
 * A worker's activity change and its event. Callers run the assignment loop
 * afterwards when the change can free a worker for waiting tasks.
 */
import type { WorkerRec, WorkspaceRec } from '../types';
import type { TaskRouterEngine } from './engine';
import { recordEvent } from './events';

export function setWorkerActivity(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, worker: WorkerRec, activitySid: string): void {
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
}
