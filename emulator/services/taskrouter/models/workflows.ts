/**
 * Workflows: the configuration is checked by the routing engine against
 * the workspace's queues; an update re-routes in-flight tasks only with
 * ReEvaluateTasks.
 */
import { validateWorkflowConfiguration } from '../../../../routing';
import { badRequest, invalidParam } from '../../../core/errors';
import { checkName, checkUrl } from '../checks';
import type { TaskRouterEngine } from '../engine/engine';
import { recordEvent } from '../engine/events';
import { reevaluateWorkflowTasks } from '../engine/workflow-routing';
import type { WorkflowRec, WorkspaceRec } from '../types';

export const DEFAULT_TASK_RESERVATION_TIMEOUT = 120;

export const MAX_TASK_RESERVATION_TIMEOUT = 86_400;

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

export function createWorkflow(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, input: WorkflowInput & { friendlyName: string; configuration: string; sid?: string }): WorkflowRec {
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

export function updateWorkflow(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, wf: WorkflowRec, input: WorkflowInput & { reEvaluateTasks?: boolean }): WorkflowRec {
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
