/**
 * What routing sees of a workspace: its workers (with live capacity), queues
 * and tasks as the routing engine's shapes, one routing pass's shared
 * inputs, and where a pending task stands in its workflow. Also the small
 * task record helpers every part of the engine uses.
 */
import { type CompiledWorkflow, computeQueueMembership, queueMembers, type RoutingQueue, type RoutingStep, type RoutingTask, type RoutingWorker, stepAt } from '../../../../routing';
import type { ReservationStatus, TaskRec, TaskStatus, WorkerRec, WorkflowRec, WorkspaceRec } from '../types';
import type { TaskRouterEngine } from './engine';

export function isTerminal(status: TaskStatus): boolean {
  return status === 'canceled' || status === 'completed';
}

export function holdsCapacity(status: ReservationStatus): boolean {
  return status === 'pending' || status === 'accepted' || status === 'wrapping';
}

export function touch(engine: TaskRouterEngine, task: TaskRec): void {
  task.dateUpdated = engine.now();
  task.version += 1;
}

/** Routing's view of the workspace's workers (live capacity included). */
export function workerViews(engine: TaskRouterEngine, ws: WorkspaceRec): RoutingWorker[] {
  const views: RoutingWorker[] = [];
  for (const worker of Object.values(ws.workers)) views.push(workerView(engine, ws, worker));
  return views;
}

function workerView(engine: TaskRouterEngine, ws: WorkspaceRec, worker: WorkerRec): RoutingWorker {
  const activity = ws.activities[worker.activitySid];
  const counts: Record<string, number> = {};
  let total = 0;
  for (const resSid of worker.activeReservations) {
    const res = ws.reservations[resSid];
    const task = res ? ws.tasks[res.taskSid] : undefined;
    if (!task) continue;
    counts[task.taskChannelSid] = (counts[task.taskChannelSid] ?? 0) + 1;
    total++;
  }
  const channels: RoutingWorker['channels'] = {};
  for (const wc of Object.values(worker.channels)) {
    const channel = ws.channels[wc.taskChannelSid];
    if (!channel) continue;
    const assigned = !ws.multiTaskEnabled && total > 0 ? Math.max(wc.capacity, 1) : (counts[wc.taskChannelSid] ?? 0);
    channels[channel.uniqueName] = { capacity: wc.capacity, assignedTasks: assigned, available: wc.available };
  }
  return {
    sid: worker.sid,
    friendlyName: worker.friendlyName,
    activitySid: worker.activitySid,
    activityName: activity?.friendlyName ?? '',
    available: activity?.available ?? false,
    attributes: engine.attributes(worker.attributes),
    channels,
    idleSince: worker.idleSince,
  };
}

function routingQueues(ws: WorkspaceRec): Map<string, RoutingQueue> {
  const m = new Map<string, RoutingQueue>();
  for (const q of Object.values(ws.queues)) m.set(q.sid, { sid: q.sid, friendlyName: q.friendlyName, targetWorkers: q.targetWorkers });
  return m;
}

export function routingTask(engine: TaskRouterEngine, ws: WorkspaceRec, task: TaskRec): RoutingTask {
  return {
    sid: task.sid,
    attributes: engine.attributes(task.attributes),
    taskChannel: ws.channels[task.taskChannelSid]?.uniqueName ?? 'default',
    priority: task.priority,
    ageSeconds: ageSeconds(engine, task),
  };
}

export function ageSeconds(engine: TaskRouterEngine, task: TaskRec): number {
  const since = task.routing?.enteredAt ?? task.dateCreated;
  return Math.max(0, Math.floor((engine.now() - since) / 1000));
}

/** One routing pass's shared inputs (worker views are updated as reservations are made). */
export interface Pass {
  views: RoutingWorker[];
  byWorker: Map<string, RoutingWorker>;
  queues: Map<string, RoutingQueue>;
  membership?: Map<string, RoutingWorker[]>;
  now: Date;
}

export function newPass(engine: TaskRouterEngine, ws: WorkspaceRec): Pass {
  const views = workerViews(engine, ws);
  return { views, byWorker: new Map(views.map((v) => [v.sid, v])), queues: routingQueues(ws), now: new Date(engine.now()) };
}

export function membership(pass: Pass): Map<string, RoutingWorker[]> {
  if (!pass.membership) pass.membership = computeQueueMembership([...pass.queues.values()], pass.views, { now: pass.now });
  return pass.membership;
}

export function workflowOf(ws: WorkspaceRec, task: TaskRec): WorkflowRec | undefined {
  return task.workflowSid ? ws.workflows[task.workflowSid] : undefined;
}

export function compiledFor(engine: TaskRouterEngine, ws: WorkspaceRec, task: TaskRec): CompiledWorkflow | undefined {
  const wf = workflowOf(ws, task);
  const config = task.routing?.configuration ?? wf?.configuration;
  return config ? engine.compile(config) : undefined;
}

/** The step a pending workflow-routed task waits in. */
export function currentStep(engine: TaskRouterEngine, ws: WorkspaceRec, task: TaskRec): RoutingStep | undefined {
  const pos = task.routing;
  if (!pos || pos.mode !== 'workflow') return undefined;
  const compiled = compiledFor(engine, ws, task);
  if (!compiled) return undefined;
  return stepAt(compiled, pos.filterIndex ?? null, pos.stepIndex ?? 0);
}

export function directStep(queueSid: string): RoutingStep {
  return { filterIndex: null, filterName: 'direct', targetIndex: 0, isDefault: true, isLast: true, queueSid, queueInherited: false, orderBy: [] };
}

/** Members of a queue (workers whose attributes match target_workers). */
export function membersOf(engine: TaskRouterEngine, ws: WorkspaceRec, queueSid: string): string[] {
  const queue = ws.queues[queueSid];
  if (!queue) return [];
  return queueMembers({ sid: queue.sid, friendlyName: queue.friendlyName, targetWorkers: queue.targetWorkers }, workerViews(engine, ws)).map((w) => w.sid);
}
