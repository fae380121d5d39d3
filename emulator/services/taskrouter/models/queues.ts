/**
 * TaskQueues: unique friendly names, a valid target_workers expression,
 * max_reserved_workers 1–50, activities that exist; a queue a workflow
 * routes to can't be deleted.
 */
import { type Finding, validateTargetWorkersExpression } from '../../../../routing';
import { badRequest, invalidParam } from '../../../core/errors';
import { checkName } from '../checks';
import { dispatch } from '../engine/dispatch';
import type { TaskRouterEngine } from '../engine/engine';
import { recordEvent } from '../engine/events';
import type { QueueOrder, QueueRec, WorkflowRec, WorkspaceRec } from '../types';

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
    throw badRequest(`TaskQueue ${queue.sid} (${queue.friendlyName}) can't be deleted: it is referenced by Workflow ${refs.map((w) => `${w.sid} (${w.friendlyName})`).join(', ')}`);
  }
  const task = Object.values(ws.tasks).find((t) => t.queueSid === queue.sid && (t.assignmentStatus === 'pending' || t.assignmentStatus === 'reserved'));
  if (task) throw badRequest(`TaskQueue ${queue.sid} (${queue.friendlyName}) can't be deleted: Task ${task.sid} is ${task.assignmentStatus} in it`);
  delete ws.queues[queue.sid];
  recordEvent(engine, accountSid, ws, 'task-queue.deleted', 'task-queue', queue.sid, `TaskQueue ${queue.friendlyName} deleted`, { queue });
}
