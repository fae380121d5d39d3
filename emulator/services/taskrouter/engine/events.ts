/**
 * TaskRouter Events: every state change records an Event (EV) in the
 * workspace (the Events list) and, when the workspace has an
 * `event_callback_url` whose `events_filter` admits the type, POSTs it there
 * signed, with Twilio's PascalCase form parameters (`EventType`, `TaskSid`,
 * `TaskAttributes`, `WorkerSid`, `ReservationSid`, `Timestamp`, ...).
 */
import type { TaskRouterEngine } from './engine';
import type { ActivityRec, EventRec, QueueRec, ReservationRec, TaskRec, WorkerRec, WorkflowRec, WorkspaceRec } from '../types';

/** Events kept per workspace (oldest dropped first). */
export const MAX_EVENTS = 10_000;

type Data = Record<string, string | number | boolean | null>;

export interface EventSubjects {
  task?: TaskRec;
  worker?: WorkerRec;
  reservation?: ReservationRec;
  queue?: QueueRec;
  workflow?: WorkflowRec;
  activity?: ActivityRec;
  /** Worker activity before the change (worker.activity.update). */
  previousActivity?: { sid: string; name: string; since: number };
  extra?: Data;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export function taskData(engine: TaskRouterEngine, ws: WorkspaceRec, task: TaskRec): Data {
  const channel = ws.channels[task.taskChannelSid];
  const queue = task.queueSid ? ws.queues[task.queueSid] : undefined;
  const workflow = task.workflowSid ? ws.workflows[task.workflowSid] : undefined;
  const now = engine.now();
  const d: Data = {
    task_sid: task.sid,
    task_attributes: task.attributes,
    task_age: seconds(now - task.dateCreated),
    task_priority: task.priority,
    task_assignment_status: task.assignmentStatus,
    task_channel_sid: task.taskChannelSid,
    task_channel_unique_name: channel?.uniqueName ?? null,
    task_date_created: seconds(task.dateCreated),
    task_timeout: task.timeout,
    task_version: task.version,
    task_queue_sid: task.queueSid,
    task_queue_name: queue?.friendlyName ?? null,
    task_queue_entered_date: task.queueEnteredAt !== null ? seconds(task.queueEnteredAt) : null,
    task_queue_target_expression: queue?.targetWorkers ?? null,
    workflow_sid: task.workflowSid,
    workflow_name: workflow?.friendlyName ?? null,
  };
  if (task.routingTarget) d.task_routing_target = task.routingTarget;
  if (task.assignmentStatus === 'canceled') d.task_canceled_reason = task.reason;
  if (task.assignmentStatus === 'completed') d.task_completed_reason = task.reason;
  return d;
}

export function workerData(ws: WorkspaceRec, worker: WorkerRec): Data {
  const activity = ws.activities[worker.activitySid];
  return {
    worker_sid: worker.sid,
    worker_name: worker.friendlyName,
    worker_attributes: worker.attributes,
    worker_activity_sid: worker.activitySid,
    worker_activity_name: activity?.friendlyName ?? null,
    worker_available: activity?.available ?? false,
  };
}

function pascal(key: string): string {
  return key
    .split('_')
    .map((p) => (p ? p[0].toUpperCase() + p.slice(1) : p))
    .join('');
}

/** Records an event, notifies in-process listeners and POSTs the event callback. */
export function recordEvent(
  engine: TaskRouterEngine,
  accountSid: string,
  ws: WorkspaceRec,
  eventType: string,
  resourceType: string,
  resourceSid: string,
  description: string,
  subjects: EventSubjects = {},
): EventRec {
  const now = engine.now();
  const data: Data = { workspace_sid: ws.sid, workspace_name: ws.friendlyName, account_sid: accountSid };
  if (subjects.task) Object.assign(data, taskData(engine, ws, subjects.task));
  if (subjects.worker) Object.assign(data, workerData(ws, subjects.worker));
  if (subjects.previousActivity) {
    const p = subjects.previousActivity;
    data.worker_previous_activity_sid = p.sid;
    data.worker_previous_activity_name = p.name;
    data.worker_time_in_previous_activity = seconds(now - p.since);
    data.worker_time_in_previous_activity_ms = now - p.since;
  }
  if (subjects.reservation) {
    data.reservation_sid = subjects.reservation.sid;
    data.reservation_status = subjects.reservation.status;
  }
  if (subjects.queue) {
    data.task_queue_sid = subjects.queue.sid;
    data.task_queue_name = subjects.queue.friendlyName;
    data.task_queue_target_expression = subjects.queue.targetWorkers;
  }
  if (subjects.workflow) {
    data.workflow_sid = subjects.workflow.sid;
    data.workflow_name = subjects.workflow.friendlyName;
  }
  if (subjects.activity) {
    data.activity_sid = subjects.activity.sid;
    data.activity_name = subjects.activity.friendlyName;
    data.activity_available = subjects.activity.available;
  }
  if (subjects.extra) Object.assign(data, subjects.extra);

  const actor = subjects.worker ? { type: 'worker', sid: subjects.worker.sid } : { type: 'workspace', sid: ws.sid };
  const event: EventRec = {
    sid: engine.sid('EV'),
    eventType,
    description,
    resourceType,
    resourceSid,
    actorType: actor.type,
    actorSid: actor.sid,
    date: now,
    data,
  };
  ws.events.push(event);
  if (ws.events.length > MAX_EVENTS) ws.events.splice(0, ws.events.length - MAX_EVENTS + Math.floor(MAX_EVENTS / 10));
  engine.notify(accountSid, ws, event);
  deliverEventCallback(engine, accountSid, ws, event);
  return event;
}

export function eventFilterAdmits(ws: WorkspaceRec, eventType: string): boolean {
  if (!ws.eventsFilter) return true;
  return ws.eventsFilter
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .includes(eventType);
}

/** Form parameters of an event callback, as Twilio sends them. */
export function eventCallbackParams(accountSid: string, ws: WorkspaceRec, event: EventRec): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: accountSid,
    WorkspaceSid: ws.sid,
    WorkspaceName: ws.friendlyName,
    Sid: event.sid,
    EventType: event.eventType,
    EventDescription: event.description,
    ResourceType: event.resourceType,
    ResourceSid: event.resourceSid,
    Timestamp: String(Math.floor(event.date / 1000)),
    TimestampMs: String(event.date),
  };
  for (const [k, v] of Object.entries(event.data)) {
    if (v === null || v === undefined) continue;
    params[pascal(k)] = String(v);
  }
  return params;
}

function deliverEventCallback(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, event: EventRec): void {
  const url = ws.eventCallbackUrl;
  if (!url || !eventFilterAdmits(ws, event.eventType)) return;
  const params = eventCallbackParams(accountSid, ws, event);
  engine.track(
    engine.env.webhooks.send({ url, method: 'POST', params, accountSid }).then((res) => {
      if (res.error || res.status >= 400) engine.env.debug(`event callback ${event.eventType} to ${url} failed: ${res.error ?? `HTTP ${res.status}`}`);
    }),
  );
}
