/**
 * Creating and updating tasks: the input rules, the routing mode (a
 * workflow, a queue or a worker as RoutingTarget), and routing again when
 * attributes, priority or channel change.
 */
import { badRequest, invalidParam } from '../../../core/errors';
import { checkAttributes } from '../checks';
import { findChannel } from '../lookups';
import type { RoutingPos, TaskRec, TaskStatus, WorkspaceRec } from '../types';
import { dispatch, offerDirect } from './dispatch';
import type { TaskRouterEngine } from './engine';
import { recordEvent } from './events';
import { scheduleTask } from './task-deadline';
import { cancelTask, checkIfMatch, completeTask, wrapTask } from './task-ending';
import { isTerminal, newPass, touch } from './views';
import { enterQueue, enterWorkflow } from './workflow-routing';

export const DEFAULT_TASK_TIMEOUT = 86_400;

export const MAX_TASK_TIMEOUT = 1_209_600;

export interface CreateTaskInput {
  attributes?: string;
  workflowSid?: string;
  taskChannel?: string;
  priority?: number;
  timeout?: number;
  virtualStartTime?: number;
  routingTarget?: string;
  ignoreCapacity?: boolean;
  taskQueueSid?: string;
}

export function createTask(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, input: CreateTaskInput): TaskRec {
  const attributes = input.attributes ?? '{}';
  checkAttributes('Attributes', attributes);
  if (input.timeout !== undefined && (input.timeout < 1 || input.timeout > MAX_TASK_TIMEOUT)) {
    throw invalidParam('Timeout', `must be between 1 and ${MAX_TASK_TIMEOUT} seconds (got ${input.timeout})`);
  }
  if (input.priority !== undefined && (input.priority < 0 || input.priority > 2 ** 31 - 1)) throw invalidParam('Priority', `must be between 0 and 2^31-1 (got ${input.priority})`);
  const channel = findChannel(ws, input.taskChannel ?? 'default');
  if (!channel) throw invalidParam('TaskChannel', `no TaskChannel with SID or unique name "${input.taskChannel ?? 'default'}" in Workspace ${ws.sid}`);

  // Routing: a RoutingTarget (worker/queue/workflow), a TaskQueueSid, or the workflow.
  let mode: RoutingPos['mode'] = 'workflow';
  let workflowSid = input.workflowSid;
  let queueSid: string | undefined = input.taskQueueSid;
  let workerSid: string | undefined;
  const target = input.routingTarget;
  if (target) {
    if (target.startsWith('WK')) {
      if (!ws.workers[target]) throw invalidParam('RoutingTarget', `Worker ${target} does not exist in Workspace ${ws.sid}`);
      mode = 'worker';
      workerSid = target;
    } else if (target.startsWith('WQ')) {
      queueSid = target;
    } else if (target.startsWith('WW')) {
      workflowSid = target;
    } else {
      throw invalidParam('RoutingTarget', `must be a Worker (WK), TaskQueue (WQ) or Workflow (WW) SID (got "${target}")`);
    }
  }
  if (input.ignoreCapacity !== undefined && mode !== 'worker') throw invalidParam('IgnoreCapacity', 'can only be used when RoutingTarget is a Worker SID');
  if (queueSid !== undefined) {
    if (!ws.queues[queueSid]) throw invalidParam(input.taskQueueSid === queueSid ? 'TaskQueueSid' : 'RoutingTarget', `TaskQueue ${queueSid} does not exist in Workspace ${ws.sid}`);
    if (mode === 'workflow') mode = 'queue';
  }
  if (workflowSid !== undefined) {
    if (!ws.workflows[workflowSid]) throw invalidParam('WorkflowSid', `Workflow ${workflowSid} does not exist in Workspace ${ws.sid}`);
  } else if (mode === 'workflow') {
    const workflows = Object.keys(ws.workflows);
    if (workflows.length === 1) workflowSid = workflows[0];
    else throw badRequest(`WorkflowSid field is required: Workspace ${ws.sid} has ${workflows.length} Workflows`);
  }

  const now = engine.now();
  const task: TaskRec = {
    sid: engine.sid('WT'),
    attributes,
    assignmentStatus: 'pending',
    priority: input.priority ?? 0,
    taskChannelSid: channel.sid,
    timeout: input.timeout ?? DEFAULT_TASK_TIMEOUT,
    workflowSid: workflowSid ?? null,
    queueSid: null,
    queueEnteredAt: null,
    routingTarget: target ?? null,
    ignoreCapacity: mode === 'worker' ? (input.ignoreCapacity ?? true) : null,
    virtualStartTime: input.virtualStartTime ?? now,
    reason: null,
    addons: '{}',
    dateCreated: now,
    dateUpdated: now,
    version: 0,
    routing: null,
    reservationSids: [],
    assignmentCounter: 0,
    rejections: 0,
  };
  ws.tasks[task.sid] = task;

  const announce = () => recordEvent(engine, accountSid, ws, 'task.created', 'task', task.sid, `Task ${task.sid} created`, { task });
  if (mode === 'worker') {
    task.routing = { mode, enteredAt: now, workerSid, ignoreCapacity: task.ignoreCapacity ?? true };
    announce();
    offerDirect(engine, accountSid, ws, task, newPass(engine, ws));
  } else if (mode === 'queue') {
    task.routing = { mode, enteredAt: now };
    enterQueue(engine, accountSid, ws, task, queueSid!);
    announce();
    offerDirect(engine, accountSid, ws, task, newPass(engine, ws));
  } else {
    task.routing = { mode, enteredAt: now, filterIndex: null, stepIndex: 0 };
    const wf = ws.workflows[workflowSid!];
    recordEvent(engine, accountSid, ws, 'workflow.entered', 'workflow', wf.sid, `Task ${task.sid} entered Workflow ${wf.friendlyName}`, { task, workflow: wf });
    enterWorkflow(engine, accountSid, ws, task, 0, announce);
  }
  scheduleTask(engine, accountSid, ws, task);
  return task;
}

export interface UpdateTaskInput {
  attributes?: string;
  assignmentStatus?: TaskStatus;
  reason?: string;
  priority?: number;
  taskChannel?: string;
  virtualStartTime?: number;
  ifMatch?: string;
}

export function updateTask(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, input: UpdateTaskInput): TaskRec {
  checkIfMatch(task, input.ifMatch);
  if (input.attributes !== undefined) checkAttributes('Attributes', input.attributes);
  if (input.priority !== undefined && (input.priority < 0 || input.priority > 2 ** 31 - 1)) throw invalidParam('Priority', `must be between 0 and 2^31-1 (got ${input.priority})`);
  const status = input.assignmentStatus;
  if (status !== undefined && !['canceled', 'completed', 'wrapping'].includes(status) && status !== task.assignmentStatus) {
    throw invalidParam('AssignmentStatus', `can only be set to canceled, completed or wrapping (got "${status}")`);
  }
  if (isTerminal(task.assignmentStatus) && (input.attributes !== undefined || input.priority !== undefined || (status !== undefined && status !== task.assignmentStatus))) {
    throw badRequest(`Task ${task.sid} can't be updated: it is ${task.assignmentStatus}`);
  }
  let channelSid: string | undefined;
  if (input.taskChannel !== undefined) {
    const channel = findChannel(ws, input.taskChannel);
    if (!channel) throw invalidParam('TaskChannel', `no TaskChannel with SID or unique name "${input.taskChannel}" in Workspace ${ws.sid}`);
    channelSid = channel.sid;
  }
  let reroute = false;
  if (input.attributes !== undefined && input.attributes !== task.attributes) {
    task.attributes = input.attributes;
    reroute = true;
  }
  if (input.priority !== undefined && input.priority !== task.priority) {
    task.priority = input.priority;
    reroute = true;
  }
  if (channelSid !== undefined && channelSid !== task.taskChannelSid) {
    task.taskChannelSid = channelSid;
    reroute = true;
  }
  if (input.virtualStartTime !== undefined) task.virtualStartTime = input.virtualStartTime;
  if (input.reason !== undefined && status === undefined) task.reason = input.reason;
  touch(engine, task);
  recordEvent(engine, accountSid, ws, 'task.updated', 'task', task.sid, `Task ${task.sid} updated`, { task });

  if (status === 'canceled' && task.assignmentStatus !== 'canceled') cancelTask(engine, accountSid, ws, task, input.reason ?? null);
  else if (status === 'completed' && task.assignmentStatus !== 'completed') completeTask(engine, accountSid, ws, task, input.reason ?? null);
  else if (status === 'wrapping' && task.assignmentStatus !== 'wrapping') wrapTask(engine, accountSid, ws, task, input.reason ?? null);
  else if (reroute && task.assignmentStatus === 'pending' && task.routing?.mode === 'workflow') {
    // New attributes: the workflow is evaluated again (the task keeps its age).
    enterWorkflow(engine, accountSid, ws, task, 0);
    if (!isTerminal(task.assignmentStatus)) scheduleTask(engine, accountSid, ws, task);
  } else if (reroute) {
    dispatch(engine, accountSid, ws);
  }
  return task;
}
