/**
 * Workflow routing in the emulator: every move of a task through its
 * workflow is decided by the routing engine's step walk (`walkWorkflow`).
 * This module records what the walk passes through (queue changes,
 * `workflow.*` events) and carries out where it ends: reservations,
 * waiting, or cancellation.
 */
import { type CompiledWorkflow, evaluateRoutingStep, type RoutingStep, type WalkStart, walkWorkflow } from '../../../../routing';
import type { TaskRec, WorkflowRec, WorkspaceRec } from '../types';
import { dispatch, reserve } from './dispatch';
import type { TaskRouterEngine } from './engine';
import { recordEvent } from './events';
import { scheduleTask } from './task-deadline';
import { cancelTask } from './task-ending';
import { compiledFor, isTerminal, membership, newPass, type Pass, routingTask, workflowOf } from './views';

export function enterQueue(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, queueSid: string): void {
  if (task.queueSid === queueSid) return;
  const previous = task.queueSid;
  task.queueSid = queueSid;
  task.queueEnteredAt = engine.now();
  const queue = ws.queues[queueSid];
  if (previous) {
    recordEvent(engine, accountSid, ws, 'task-queue.moved', 'task', task.sid, `Task ${task.sid} moved to TaskQueue ${queue?.friendlyName}`, { task, queue });
  }
  recordEvent(engine, accountSid, ws, 'task-queue.entered', 'task', task.sid, `Task ${task.sid} entered TaskQueue ${queue?.friendlyName}`, { task, queue });
}

/**
 * Routes a task through its workflow with the shared step walk
 * (`walkWorkflow`), from `start`: matching filters from an index, or inside
 * a filter after a target timed out. The walk decides every move; this only
 * records what it passes through (queue changes, events) and carries out
 * where it ends: reservations, waiting, or cancellation.
 */
export function walkTask(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, start: WalkStart, announce?: () => void): void {
  const compiled = compiledFor(engine, ws, task);
  const wf = workflowOf(ws, task);
  const pos = task.routing;
  let announced = false;
  const announceOnce = () => {
    if (announced) return;
    announced = true;
    announce?.();
  };
  if (!compiled || !wf || !pos) {
    announceOnce();
    cancelTask(engine, accountSid, ws, task, `Workflow ${task.workflowSid} no longer exists`);
    return;
  }
  let pass: Pass | undefined;
  const routed = routingTask(engine, ws, task);
  const end = walkWorkflow({
    workflow: compiled,
    attributes: routed.attributes,
    ageSeconds: routed.ageSeconds,
    priority: task.priority,
    now: new Date(engine.now()),
    from: start,
    evaluate: (step) => {
      pass ??= newPass(engine, ws);
      const evaluation = evaluateRoutingStep({ step, task: routed, queues: pass.queues, workers: pass.views, now: pass.now, membership: membership(pass) });
      reportKnownWorker(engine, ws, task, evaluation.knownWorker);
      return evaluation;
    },
    onEnter: (step, priority) => {
      pos.filterIndex = step.filterIndex;
      pos.stepIndex = step.targetIndex;
      if (priority !== task.priority) task.priority = priority;
      enterQueue(engine, accountSid, ws, task, step.queueSid);
      announceOnce();
      recordEvent(engine, accountSid, ws, 'workflow.target-matched', 'task', task.sid, `Task ${task.sid} matched ${step.filterName} target ${step.targetIndex}`, {
        task,
        workflow: wf,
        extra: targetInfo(compiled, step),
      });
    },
    onVisit: ({ step, next }) => {
      if (next.kind !== 'skip-to-next-target' && next.kind !== 'skip-to-next-filter') return;
      recordEvent(engine, accountSid, ws, 'workflow.skipped', 'task', task.sid, `Task ${task.sid} skipped ${step.filterName} target ${step.targetIndex}`, {
        task,
        workflow: wf,
        extra: targetInfo(compiled, step),
      });
    },
  });
  switch (end.kind) {
    case 'offer':
      reserve(engine, accountSid, ws, task, end.evaluation.eligible);
      return;
    case 'wait':
      // Waits here until a worker frees up, its target timeout, or its TTL.
      return;
    case 'workflow-timeout':
      announceOnce();
      workflowTimeout(engine, accountSid, ws, task, wf, end.filter.name);
      return;
    case 'unmatched':
      // No filter matched and there is no default_filter (see routing/README.md).
      announceOnce();
      cancelTask(engine, accountSid, ws, task, `Task did not match any filter of Workflow ${wf.friendlyName} and the Workflow has no default_filter`);
      return;
  }
}

/** Routes a task through its workflow from filter `fromFilter` (0: on creation and every re-evaluation). */
export function enterWorkflow(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, fromFilter: number, announce?: () => void): void {
  walkTask(engine, accountSid, ws, task, { kind: 'match', fromFilter }, announce);
}

/** What `workflow.target-matched` and `workflow.skipped` events say about the step. */
function targetInfo(compiled: CompiledWorkflow, step: RoutingStep): Record<string, string | number | null> {
  return {
    workflow_filter_name: step.filterName,
    workflow_filter_expression: step.filterIndex === null ? null : (compiled.configuration.task_routing.filters?.[step.filterIndex]?.expression ?? null),
    workflow_filter_target_index: step.targetIndex,
    workflow_filter_target_expression: step.expression?.source ?? null,
  };
}

function reportKnownWorker(engine: TaskRouterEngine, ws: WorkspaceRec, task: TaskRec, kw: ReturnType<typeof evaluateRoutingStep>['knownWorker']): void {
  if (!kw) return;
  if (kw.status === 'not-in-queue') engine.env.debug(`40152 Invalid Queue for Known Worker: task ${task.sid} ${kw.field} ${String(kw.value)} is not in the target queue`);
  if (kw.status === 'not-in-workspace') engine.env.debug(`40155 Known Worker not found: task ${task.sid} ${kw.field} ${String(kw.value)} is not a worker of ${ws.sid}`);
}

function workflowTimeout(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, wf: WorkflowRec, filterName: string): void {
  recordEvent(engine, accountSid, ws, 'workflow.timeout', 'task', task.sid, `Task ${task.sid} timed out of Workflow ${wf.friendlyName} (${filterName})`, { task, workflow: wf });
  cancelTask(engine, accountSid, ws, task, 'Task canceled on Workflow timeout');
}

export function reevaluateWorkflowTasks(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, wf: WorkflowRec, oldConfiguration: string, reEvaluate: boolean): void {
  const changed = oldConfiguration !== wf.configuration;
  for (const task of Object.values(ws.tasks)) {
    if (task.workflowSid !== wf.sid || task.routing?.mode !== 'workflow') continue;
    if (task.assignmentStatus !== 'pending' && task.assignmentStatus !== 'reserved') continue;
    if (reEvaluate) {
      delete task.routing.configuration;
      if (task.assignmentStatus === 'pending') {
        enterWorkflow(engine, accountSid, ws, task, 0);
        if (!isTerminal(task.assignmentStatus)) scheduleTask(engine, accountSid, ws, task);
      }
    } else if (changed && task.routing.configuration === undefined) {
      // Twilio keeps in-flight tasks on the logic they were routed with.
      task.routing.configuration = oldConfiguration;
    }
  }
  dispatch(engine, accountSid, ws);
}
