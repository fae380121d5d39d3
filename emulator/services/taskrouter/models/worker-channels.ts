/**
 * Worker channels: capacity (0–50) and availability per task channel; a
 * change runs the assignment loop.
 */
import { invalidParam } from '../../../core/errors';
import { dispatch } from '../engine/dispatch';
import type { TaskRouterEngine } from '../engine/engine';
import { recordEvent } from '../engine/events';
import { findChannel, requireIn, wsPath } from '../lookups';
import type { WorkerChannelRec, WorkerRec, WorkspaceRec } from '../types';

export function requireWorkerChannel(ws: WorkspaceRec, worker: WorkerRec, sidOrName: string): WorkerChannelRec {
  const bySid = Object.values(worker.channels).find((c) => c.sid === sidOrName);
  if (bySid) return bySid;
  const channel = findChannel(ws, sidOrName);
  const wc = channel ? worker.channels[channel.sid] : undefined;
  return requireIn(wc ? { [sidOrName]: wc } : {}, sidOrName, wsPath(ws.sid, `/Workers/${worker.sid}/Channels/${sidOrName}`));
}

export function updateWorkerChannel(
  engine: TaskRouterEngine,
  accountSid: string,
  ws: WorkspaceRec,
  worker: WorkerRec,
  wc: WorkerChannelRec,
  input: { capacity?: number; available?: boolean },
): WorkerChannelRec {
  if (input.capacity !== undefined && (input.capacity < 0 || input.capacity > 50)) throw invalidParam('Capacity', `must be between 0 and 50 (got ${input.capacity})`);
  const channel = ws.channels[wc.taskChannelSid];
  if (input.capacity !== undefined && input.capacity !== wc.capacity) {
    wc.capacity = input.capacity;
    recordEvent(engine, accountSid, ws, 'worker.capacity.update', 'worker', worker.sid, `Worker ${worker.friendlyName} capacity on ${channel?.uniqueName} updated to ${wc.capacity}`, {
      worker,
      extra: { worker_channel_task_channel_unique_name: channel?.uniqueName ?? null, worker_channel_capacity: wc.capacity },
    });
  }
  if (input.available !== undefined && input.available !== wc.available) {
    wc.available = input.available;
    recordEvent(
      engine,
      accountSid,
      ws,
      'worker.channel.availability.update',
      'worker',
      worker.sid,
      `Worker ${worker.friendlyName} channel ${channel?.uniqueName} availability updated to ${wc.available}`,
      {
        worker,
        extra: { worker_channel_task_channel_unique_name: channel?.uniqueName ?? null, worker_channel_available: wc.available },
      },
    );
  }
  wc.dateUpdated = engine.now();
  dispatch(engine, accountSid, ws);
  return wc;
}
