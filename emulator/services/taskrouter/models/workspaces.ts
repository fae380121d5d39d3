/**
 * Workspaces: new ones get the default activities and task channels (and,
 * with the FIFO template, a sample queue and workflow). The Flex workspace
 * can be neither deleted nor made single-tasking.
 */
import { badRequest, invalidParam } from '../../../core/errors';
import { checkName, checkUrl } from '../checks';
import { dispatch } from '../engine/dispatch';
import type { TaskRouterEngine } from '../engine/engine';
import { recordEvent } from '../engine/events';
import type { QueueOrder, WorkspaceRec } from '../types';
import { createActivity } from './activities';
import { createQueue } from './queues';
import { createTaskChannel } from './task-channels';
import { createWorkflow } from './workflows';

/** Task channels every new workspace gets (unique name -> friendly name). */
export const DEFAULT_TASK_CHANNELS: ReadonlyArray<[string, string]> = [
  ['default', 'Default'],
  ['voice', 'Voice'],
  ['chat', 'Programmable Chat'],
  ['sms', 'SMS'],
  ['video', 'Video'],
  ['email', 'Email'],
];

/** Activities every new workspace gets (name, available). */
export const DEFAULT_ACTIVITIES: ReadonlyArray<[string, boolean]> = [
  ['Offline', false],
  ['Available', true],
  ['Unavailable', false],
];

export interface WorkspaceInput {
  friendlyName?: string;
  eventCallbackUrl?: string | null;
  eventsFilter?: string | null;
  multiTaskEnabled?: boolean;
  prioritizeQueueOrder?: QueueOrder;
  defaultActivitySid?: string;
  timeoutActivitySid?: string;
}

export interface CreateWorkspaceOptions {
  template?: 'NONE' | 'FIFO';
  /** Fixed SIDs (the Flex seed); otherwise generated. */
  sid?: string;
  /** Skip default activities/channels (the seed creates its own). */
  bare?: boolean;
}

export function createWorkspace(engine: TaskRouterEngine, accountSid: string, input: WorkspaceInput & { friendlyName: string }, opts: CreateWorkspaceOptions = {}): WorkspaceRec {
  checkName('FriendlyName', input.friendlyName);
  checkUrl('EventCallbackUrl', input.eventCallbackUrl);
  const now = engine.now();
  const ws: WorkspaceRec = {
    sid: opts.sid ?? engine.sid('WS'),
    friendlyName: input.friendlyName,
    eventCallbackUrl: input.eventCallbackUrl ?? null,
    eventsFilter: input.eventsFilter ?? null,
    multiTaskEnabled: input.multiTaskEnabled ?? true,
    prioritizeQueueOrder: input.prioritizeQueueOrder ?? 'FIFO',
    defaultActivitySid: null,
    timeoutActivitySid: null,
    dateCreated: now,
    dateUpdated: now,
    activities: {},
    channels: {},
    queues: {},
    workflows: {},
    workers: {},
    tasks: {},
    reservations: {},
    events: [],
  };
  engine.state(accountSid).workspaces[ws.sid] = ws;
  if (!opts.bare) {
    for (const [name, available] of DEFAULT_ACTIVITIES) createActivity(engine, accountSid, ws, { friendlyName: name, available });
    const offline = Object.values(ws.activities).find((a) => a.friendlyName === 'Offline')!;
    ws.defaultActivitySid = offline.sid;
    ws.timeoutActivitySid = offline.sid;
    for (const [unique, friendly] of DEFAULT_TASK_CHANNELS) createTaskChannel(engine, accountSid, ws, { uniqueName: unique, friendlyName: friendly });
    if (opts.template === 'FIFO') {
      const queue = createQueue(engine, accountSid, ws, { friendlyName: 'Sample Queue', targetWorkers: '1==1' });
      createWorkflow(engine, accountSid, ws, {
        friendlyName: 'Default Fifo Workflow',
        configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }),
      });
    }
  }
  recordEvent(engine, accountSid, ws, 'workspace.created', 'workspace', ws.sid, `Workspace ${ws.friendlyName} created`);
  return ws;
}

export function updateWorkspace(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, input: WorkspaceInput, protectedFlex = false): WorkspaceRec {
  if (input.friendlyName !== undefined) checkName('FriendlyName', input.friendlyName);
  checkUrl('EventCallbackUrl', input.eventCallbackUrl);
  for (const [param, sid] of [
    ['DefaultActivitySid', input.defaultActivitySid],
    ['TimeoutActivitySid', input.timeoutActivitySid],
  ] as const) {
    if (sid !== undefined && !ws.activities[sid]) throw invalidParam(param, `Activity ${sid} does not exist in Workspace ${ws.sid}`);
  }
  if (input.multiTaskEnabled === false && ws.multiTaskEnabled && protectedFlex) {
    throw invalidParam('MultiTaskEnabled', 'a Flex Workspace must stay multi-tasking');
  }
  if (input.friendlyName !== undefined) ws.friendlyName = input.friendlyName;
  if (input.eventCallbackUrl !== undefined) ws.eventCallbackUrl = input.eventCallbackUrl || null;
  if (input.eventsFilter !== undefined) ws.eventsFilter = input.eventsFilter || null;
  if (input.multiTaskEnabled !== undefined) ws.multiTaskEnabled = input.multiTaskEnabled;
  if (input.prioritizeQueueOrder !== undefined) ws.prioritizeQueueOrder = input.prioritizeQueueOrder;
  if (input.defaultActivitySid !== undefined) ws.defaultActivitySid = input.defaultActivitySid;
  if (input.timeoutActivitySid !== undefined) ws.timeoutActivitySid = input.timeoutActivitySid;
  ws.dateUpdated = engine.now();
  recordEvent(engine, accountSid, ws, 'workspace.updated', 'workspace', ws.sid, `Workspace ${ws.friendlyName} updated`);
  dispatch(engine, accountSid, ws);
  return ws;
}

export function deleteWorkspace(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, protectedFlex = false): void {
  if (protectedFlex) throw badRequest(`Workspace ${ws.sid} (${ws.friendlyName}) is the Flex instance's workspace and can't be deleted`);
  delete engine.state(accountSid).workspaces[ws.sid];
}
