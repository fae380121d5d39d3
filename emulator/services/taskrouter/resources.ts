/**
 * TaskRouter configuration resources and their rules: Workspaces,
 * Activities, TaskChannels, TaskQueues, Workflows, Workers and worker
 * channels. No HTTP here: callers pass typed inputs, rules throw
 * TwilioErrors naming the field and the reason.
 */
import { badRequest, invalidParam } from '../../core/errors';
import { validateTargetWorkersExpression, validateWorkflowConfiguration, type Finding } from '../../../routing';
import { requireIn, wsPath, type TaskRouterEngine } from './engine';
import { recordEvent } from './events';
import { dispatch, reevaluateWorkflowTasks, setWorkerActivity, isTerminal, rejectReservation } from './routing';
import type { ActivityRec, QueueOrder, QueueRec, TaskChannelRec, WorkerChannelRec, WorkerRec, WorkflowRec, WorkspaceRec } from './types';

export const DEFAULT_TASK_RESERVATION_TIMEOUT = 120;
export const MAX_TASK_RESERVATION_TIMEOUT = 86_400;

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

export function isAbsoluteUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function checkUrl(name: string, value: string | null | undefined): void {
  if (value && !isAbsoluteUrl(value)) throw invalidParam(name, `must be an absolute http(s) URL (got "${value}")`);
}

function checkName(name: string, value: string, max = 64): void {
  if (value.trim() === '') throw invalidParam(name, 'must not be empty');
  if (value.length > max) throw invalidParam(name, `must be at most ${max} characters (got ${value.length})`);
}

function parseJsonObject(name: string, raw: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw invalidParam(name, `not valid JSON (${(err as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalidParam(name, 'must be a JSON object');
  return v as Record<string, unknown>;
}

/** Attributes JSON check shared by workers and tasks (Twilio: a JSON object, at most 4096 characters for workers). */
export function checkAttributes(name: string, raw: string, maxLength?: number): void {
  if (maxLength !== undefined && raw.length > maxLength) throw invalidParam(name, `must be at most ${maxLength} characters (got ${raw.length})`);
  parseJsonObject(name, raw);
}

// ---- Workspaces ------------------------------------------------------------

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

// ---- Activities ------------------------------------------------------------

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

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

// ---- Task channels ---------------------------------------------------------

export function findChannel(ws: WorkspaceRec, sidOrUniqueName: string): TaskChannelRec | undefined {
  return ws.channels[sidOrUniqueName] ?? Object.values(ws.channels).find((c) => c.uniqueName === sidOrUniqueName);
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

// ---- Task queues -----------------------------------------------------------

export interface QueueInput {
  friendlyName?: string;
  targetWorkers?: string;
  maxReservedWorkers?: number;
  taskOrder?: QueueOrder;
  reservationActivitySid?: string;
  assignmentActivitySid?: string;
}

function findingText(f: Finding): string {
  return f.position !== undefined ? `${f.message}` : f.message;
}

function checkQueueInput(ws: WorkspaceRec, input: QueueInput, self?: QueueRec): void {
  if (input.friendlyName !== undefined) {
    checkName('FriendlyName', input.friendlyName);
    const dup = Object.values(ws.queues).find((q) => q !== self && q.friendlyName === input.friendlyName);
    if (dup) throw badRequest(`Queue named ${input.friendlyName} already exists for workspace ${ws.sid} for account ${'{account}'}`);
  }
  if (input.targetWorkers !== undefined) {
    const findings = validateTargetWorkersExpression(input.targetWorkers);
    if (findings.length > 0) throw invalidParam('TargetWorkers', findings.map(findingText).join('; '));
  }
  if (input.maxReservedWorkers !== undefined && (input.maxReservedWorkers < 1 || input.maxReservedWorkers > 50)) {
    throw invalidParam('MaxReservedWorkers', `must be between 1 and 50 (got ${input.maxReservedWorkers})`);
  }
  for (const [param, sid] of [
    ['ReservationActivitySid', input.reservationActivitySid],
    ['AssignmentActivitySid', input.assignmentActivitySid],
  ] as const) {
    if (sid && !ws.activities[sid]) throw invalidParam(param, `Activity ${sid} does not exist in Workspace ${ws.sid}`);
  }
}

export function createQueue(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, input: QueueInput & { friendlyName: string; sid?: string }): QueueRec {
  try {
    checkQueueInput(ws, input);
  } catch (err) {
    throw withAccount(err, accountSid);
  }
  const now = engine.now();
  const queue: QueueRec = {
    sid: input.sid ?? engine.sid('WQ'),
    friendlyName: input.friendlyName,
    targetWorkers: input.targetWorkers ?? '1==1',
    maxReservedWorkers: input.maxReservedWorkers ?? 1,
    taskOrder: input.taskOrder ?? 'FIFO',
    reservationActivitySid: input.reservationActivitySid || null,
    assignmentActivitySid: input.assignmentActivitySid || null,
    dateCreated: now,
    dateUpdated: now,
  };
  ws.queues[queue.sid] = queue;
  recordEvent(engine, accountSid, ws, 'task-queue.created', 'task-queue', queue.sid, `TaskQueue ${queue.friendlyName} created`, { queue });
  return queue;
}

function withAccount(err: unknown, accountSid: string): unknown {
  if (err instanceof Error && err.message.includes('{account}')) err.message = err.message.replace('{account}', accountSid);
  return err;
}

export function updateQueue(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, queue: QueueRec, input: QueueInput): QueueRec {
  try {
    checkQueueInput(ws, input, queue);
  } catch (err) {
    throw withAccount(err, accountSid);
  }
  const expressionChanged = input.targetWorkers !== undefined && input.targetWorkers !== queue.targetWorkers;
  if (input.friendlyName !== undefined) queue.friendlyName = input.friendlyName;
  if (input.targetWorkers !== undefined) queue.targetWorkers = input.targetWorkers;
  if (input.maxReservedWorkers !== undefined) queue.maxReservedWorkers = input.maxReservedWorkers;
  if (input.taskOrder !== undefined) queue.taskOrder = input.taskOrder;
  if (input.reservationActivitySid !== undefined) queue.reservationActivitySid = input.reservationActivitySid || null;
  if (input.assignmentActivitySid !== undefined) queue.assignmentActivitySid = input.assignmentActivitySid || null;
  queue.dateUpdated = engine.now();
  if (expressionChanged) {
    recordEvent(engine, accountSid, ws, 'task-queue.expression.updated', 'task-queue', queue.sid, `TaskQueue ${queue.friendlyName} target_workers updated`, { queue });
  }
  recordEvent(engine, accountSid, ws, 'task-queue.updated', 'task-queue', queue.sid, `TaskQueue ${queue.friendlyName} updated`, { queue });
  dispatch(engine, accountSid, ws);
  return queue;
}

/** Workflows whose configuration names the queue. */
export function workflowsReferencing(engine: TaskRouterEngine, ws: WorkspaceRec, queueSid: string): WorkflowRec[] {
  return Object.values(ws.workflows).filter((wf) => {
    try {
      const compiled = engine.compile(wf.configuration);
      return compiled.filters.some((f) => f.steps.some((s) => s.queueSid === queueSid)) || compiled.defaultStep?.queueSid === queueSid;
    } catch {
      return wf.configuration.includes(queueSid);
    }
  });
}

export function deleteQueue(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, queue: QueueRec): void {
  const refs = workflowsReferencing(engine, ws, queue.sid);
  if (refs.length > 0) {
    throw badRequest(
      `TaskQueue ${queue.sid} (${queue.friendlyName}) can't be deleted: it is referenced by Workflow ${refs.map((w) => `${w.sid} (${w.friendlyName})`).join(', ')}`,
    );
  }
  const task = Object.values(ws.tasks).find((t) => t.queueSid === queue.sid && (t.assignmentStatus === 'pending' || t.assignmentStatus === 'reserved'));
  if (task) throw badRequest(`TaskQueue ${queue.sid} (${queue.friendlyName}) can't be deleted: Task ${task.sid} is ${task.assignmentStatus} in it`);
  delete ws.queues[queue.sid];
  recordEvent(engine, accountSid, ws, 'task-queue.deleted', 'task-queue', queue.sid, `TaskQueue ${queue.friendlyName} deleted`, { queue });
}

// ---- Workflows -------------------------------------------------------------

export interface WorkflowInput {
  friendlyName?: string;
  configuration?: string;
  assignmentCallbackUrl?: string | null;
  fallbackAssignmentCallbackUrl?: string | null;
  taskReservationTimeout?: number;
}

/** Validates a configuration against this workspace (JSON, expressions, queue SIDs); 400/20001 naming every problem. */
export function checkWorkflowConfiguration(ws: WorkspaceRec, configuration: string): void {
  try {
    JSON.parse(configuration);
  } catch (err) {
    throw invalidParam('Configuration', `not valid JSON (${(err as Error).message})`);
  }
  const findings = validateWorkflowConfiguration(configuration, { queueSids: Object.keys(ws.queues) });
  if (findings.length > 0) {
    throw invalidParam('Configuration', findings.map((f) => `${f.path}: ${f.message}`).join('; '));
  }
}

function checkWorkflowInput(ws: WorkspaceRec, input: WorkflowInput): void {
  if (input.friendlyName !== undefined) checkName('FriendlyName', input.friendlyName);
  if (input.configuration !== undefined) checkWorkflowConfiguration(ws, input.configuration);
  checkUrl('AssignmentCallbackUrl', input.assignmentCallbackUrl);
  checkUrl('FallbackAssignmentCallbackUrl', input.fallbackAssignmentCallbackUrl);
  const t = input.taskReservationTimeout;
  if (t !== undefined && (t < 1 || t > MAX_TASK_RESERVATION_TIMEOUT)) {
    throw invalidParam('TaskReservationTimeout', `must be between 1 and ${MAX_TASK_RESERVATION_TIMEOUT} seconds (got ${t})`);
  }
}

export function createWorkflow(
  engine: TaskRouterEngine,
  accountSid: string,
  ws: WorkspaceRec,
  input: WorkflowInput & { friendlyName: string; configuration: string; sid?: string },
): WorkflowRec {
  checkWorkflowInput(ws, input);
  const now = engine.now();
  const wf: WorkflowRec = {
    sid: input.sid ?? engine.sid('WW'),
    friendlyName: input.friendlyName,
    configuration: input.configuration,
    assignmentCallbackUrl: input.assignmentCallbackUrl || null,
    fallbackAssignmentCallbackUrl: input.fallbackAssignmentCallbackUrl || null,
    taskReservationTimeout: input.taskReservationTimeout ?? DEFAULT_TASK_RESERVATION_TIMEOUT,
    dateCreated: now,
    dateUpdated: now,
  };
  ws.workflows[wf.sid] = wf;
  recordEvent(engine, accountSid, ws, 'workflow.created', 'workflow', wf.sid, `Workflow ${wf.friendlyName} created`, { workflow: wf });
  return wf;
}

export function updateWorkflow(
  engine: TaskRouterEngine,
  accountSid: string,
  ws: WorkspaceRec,
  wf: WorkflowRec,
  input: WorkflowInput & { reEvaluateTasks?: boolean },
): WorkflowRec {
  checkWorkflowInput(ws, input);
  const oldConfiguration = wf.configuration;
  if (input.friendlyName !== undefined) wf.friendlyName = input.friendlyName;
  if (input.configuration !== undefined) wf.configuration = input.configuration;
  if (input.assignmentCallbackUrl !== undefined) wf.assignmentCallbackUrl = input.assignmentCallbackUrl || null;
  if (input.fallbackAssignmentCallbackUrl !== undefined) wf.fallbackAssignmentCallbackUrl = input.fallbackAssignmentCallbackUrl || null;
  if (input.taskReservationTimeout !== undefined) wf.taskReservationTimeout = input.taskReservationTimeout;
  wf.dateUpdated = engine.now();
  recordEvent(engine, accountSid, ws, 'workflow.updated', 'workflow', wf.sid, `Workflow ${wf.friendlyName} updated`, { workflow: wf });
  reevaluateWorkflowTasks(engine, accountSid, ws, wf, oldConfiguration, input.reEvaluateTasks === true);
  return wf;
}

export function deleteWorkflow(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, wf: WorkflowRec): void {
  const task = Object.values(ws.tasks).find((t) => t.workflowSid === wf.sid && (t.assignmentStatus === 'pending' || t.assignmentStatus === 'reserved'));
  if (task) throw badRequest(`Workflow ${wf.sid} (${wf.friendlyName}) can't be deleted: Task ${task.sid} routed by it is ${task.assignmentStatus}`);
  delete ws.workflows[wf.sid];
  recordEvent(engine, accountSid, ws, 'workflow.deleted', 'workflow', wf.sid, `Workflow ${wf.friendlyName} deleted`, { workflow: wf });
}

// ---- Workers ---------------------------------------------------------------

export const MAX_ATTRIBUTES_LENGTH = 4096;

function checkWorkerName(ws: WorkspaceRec, name: string, self?: WorkerRec): void {
  checkName('FriendlyName', name);
  const dup = Object.values(ws.workers).find((w) => w !== self && sameName(w.friendlyName, name));
  if (dup) throw badRequest(`Worker with the same friendly name already exists: FriendlyName "${name}" is used by ${dup.sid}`);
}

export function addWorkerChannel(engine: TaskRouterEngine, worker: WorkerRec, channel: TaskChannelRec, capacity: number, sid?: string): WorkerChannelRec {
  const now = engine.now();
  const wc: WorkerChannelRec = { sid: sid ?? engine.sid('WC'), taskChannelSid: channel.sid, capacity, available: true, dateCreated: now, dateUpdated: now };
  worker.channels[channel.sid] = wc;
  return wc;
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
  if (input.activitySid !== undefined && input.activitySid !== worker.activitySid) setWorkerActivity(engine, accountSid, ws, worker, input.activitySid, false);
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
    recordEvent(engine, accountSid, ws, 'worker.channel.availability.update', 'worker', worker.sid, `Worker ${worker.friendlyName} channel ${channel?.uniqueName} availability updated to ${wc.available}`, {
      worker,
      extra: { worker_channel_task_channel_unique_name: channel?.uniqueName ?? null, worker_channel_available: wc.available },
    });
  }
  wc.dateUpdated = engine.now();
  dispatch(engine, accountSid, ws);
  return wc;
}
