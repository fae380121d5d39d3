/**
 * Task channels: unique names are immutable; every worker gets a worker
 * channel for each task channel.
 */
import { badRequest, invalidParam } from '../../../core/errors';
import { checkName } from '../checks';
import type { TaskRouterEngine } from '../engine/engine';
import { recordEvent } from '../engine/events';
import { isTerminal } from '../engine/views';
import type { TaskChannelRec, WorkerChannelRec, WorkerRec, WorkspaceRec } from '../types';

export function addWorkerChannel(engine: TaskRouterEngine, worker: WorkerRec, channel: TaskChannelRec, capacity: number, sid?: string): WorkerChannelRec {
  const now = engine.now();
  const wc: WorkerChannelRec = { sid: sid ?? engine.sid('WC'), taskChannelSid: channel.sid, capacity, available: true, dateCreated: now, dateUpdated: now };
  worker.channels[channel.sid] = wc;
  return wc;
}

export function createTaskChannel(
  engine: TaskRouterEngine,
  accountSid: string,
  ws: WorkspaceRec,
  input: { friendlyName: string; uniqueName: string; channelOptimizedRouting?: boolean; sid?: string },
): TaskChannelRec {
  checkName('FriendlyName', input.friendlyName);
  if (input.uniqueName.trim() === '') throw invalidParam('UniqueName', 'must not be empty');
  const dup = Object.values(ws.channels).find((c) => c.uniqueName === input.uniqueName);
  if (dup) throw badRequest(`TaskChannel with UniqueName "${input.uniqueName}" already exists in Workspace ${ws.sid} (${dup.sid})`);
  const now = engine.now();
  const channel: TaskChannelRec = {
    sid: input.sid ?? engine.sid('TC'),
    friendlyName: input.friendlyName,
    uniqueName: input.uniqueName,
    channelOptimizedRouting: input.channelOptimizedRouting ?? null,
    dateCreated: now,
    dateUpdated: now,
  };
  ws.channels[channel.sid] = channel;
  // Every worker gets a WorkerChannel for it (capacity 1, available).
  for (const worker of Object.values(ws.workers)) addWorkerChannel(engine, worker, channel, 1);
  recordEvent(engine, accountSid, ws, 'task-channel.created', 'task-channel', channel.sid, `TaskChannel ${channel.uniqueName} created`);
  return channel;
}

/** `UniqueName` is immutable: only FriendlyName and ChannelOptimizedRouting change. */
export function updateTaskChannel(
  engine: TaskRouterEngine,
  accountSid: string,
  ws: WorkspaceRec,
  channel: TaskChannelRec,
  input: { friendlyName?: string; channelOptimizedRouting?: boolean },
): TaskChannelRec {
  if (input.friendlyName !== undefined) {
    checkName('FriendlyName', input.friendlyName);
    channel.friendlyName = input.friendlyName;
  }
  if (input.channelOptimizedRouting !== undefined) channel.channelOptimizedRouting = input.channelOptimizedRouting;
  channel.dateUpdated = engine.now();
  recordEvent(engine, accountSid, ws, 'task-channel.updated', 'task-channel', channel.sid, `TaskChannel ${channel.uniqueName} updated`);
  return channel;
}

export function deleteTaskChannel(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, channel: TaskChannelRec): void {
  const task = Object.values(ws.tasks).find((t) => t.taskChannelSid === channel.sid && !isTerminal(t.assignmentStatus));
  if (task) throw badRequest(`TaskChannel ${channel.sid} (${channel.uniqueName}) can't be deleted: Task ${task.sid} on it is ${task.assignmentStatus}`);
  delete ws.channels[channel.sid];
  for (const worker of Object.values(ws.workers)) delete worker.channels[channel.sid];
  recordEvent(engine, accountSid, ws, 'task-channel.deleted', 'task-channel', channel.sid, `TaskChannel ${channel.uniqueName} deleted`);
}
