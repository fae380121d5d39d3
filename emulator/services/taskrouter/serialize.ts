/** TaskRouter JSON bodies (snake_case, Twilio's field set and links). */
import { toTwilioIso } from '../../core/clock';
import { resourceUrl } from '../../core/urls';
import type { TaskRouterEngine } from './engine/engine';
import type { ActivityRec, EventRec, QueueRec, ReservationRec, TaskChannelRec, TaskRec, WorkerChannelRec, WorkerRec, WorkflowRec, WorkspaceRec } from './types';

const iso = (ms: number) => toTwilioIso(ms);
const u = (path: string) => resourceUrl('taskrouter', `/v1/Workspaces/${path}`);

export function serializeWorkspace(accountSid: string, ws: WorkspaceRec): Record<string, unknown> {
  const base = ws.sid;
  return {
    account_sid: accountSid,
    date_created: iso(ws.dateCreated),
    date_updated: iso(ws.dateUpdated),
    default_activity_name: ws.defaultActivitySid ? (ws.activities[ws.defaultActivitySid]?.friendlyName ?? null) : null,
    default_activity_sid: ws.defaultActivitySid,
    event_callback_url: ws.eventCallbackUrl,
    events_filter: ws.eventsFilter,
    friendly_name: ws.friendlyName,
    multi_task_enabled: ws.multiTaskEnabled,
    sid: ws.sid,
    timeout_activity_name: ws.timeoutActivitySid ? (ws.activities[ws.timeoutActivitySid]?.friendlyName ?? null) : null,
    timeout_activity_sid: ws.timeoutActivitySid,
    prioritize_queue_order: ws.prioritizeQueueOrder,
    url: u(base),
    links: {
      activities: u(`${base}/Activities`),
      statistics: u(`${base}/Statistics`),
      real_time_statistics: u(`${base}/RealTimeStatistics`),
      cumulative_statistics: u(`${base}/CumulativeStatistics`),
      task_queues: u(`${base}/TaskQueues`),
      tasks: u(`${base}/Tasks`),
      workers: u(`${base}/Workers`),
      workflows: u(`${base}/Workflows`),
      task_channels: u(`${base}/TaskChannels`),
      events: u(`${base}/Events`),
    },
  };
}

export function serializeActivity(accountSid: string, ws: WorkspaceRec, a: ActivityRec): Record<string, unknown> {
  return {
    account_sid: accountSid,
    available: a.available,
    date_created: iso(a.dateCreated),
    date_updated: iso(a.dateUpdated),
    friendly_name: a.friendlyName,
    sid: a.sid,
    workspace_sid: ws.sid,
    url: u(`${ws.sid}/Activities/${a.sid}`),
    links: { workspace: u(ws.sid) },
  };
}

export function serializeTaskChannel(accountSid: string, ws: WorkspaceRec, c: TaskChannelRec): Record<string, unknown> {
  return {
    account_sid: accountSid,
    date_created: iso(c.dateCreated),
    date_updated: iso(c.dateUpdated),
    friendly_name: c.friendlyName,
    sid: c.sid,
    unique_name: c.uniqueName,
    workspace_sid: ws.sid,
    channel_optimized_routing: c.channelOptimizedRouting,
    url: u(`${ws.sid}/TaskChannels/${c.sid}`),
    links: { workspace: u(ws.sid) },
  };
}

export function serializeQueue(accountSid: string, ws: WorkspaceRec, q: QueueRec): Record<string, unknown> {
  const base = `${ws.sid}/TaskQueues/${q.sid}`;
  const links: Record<string, string> = {
    workspace: u(ws.sid),
    statistics: u(`${base}/Statistics`),
    real_time_statistics: u(`${base}/RealTimeStatistics`),
    cumulative_statistics: u(`${base}/CumulativeStatistics`),
    list_statistics: u(`${ws.sid}/TaskQueues/Statistics`),
    bulk_real_time_statistics: u(`${ws.sid}/TaskQueues/RealTimeStatistics`),
  };
  if (q.assignmentActivitySid) links.assignment_activity = u(`${ws.sid}/Activities/${q.assignmentActivitySid}`);
  if (q.reservationActivitySid) links.reservation_activity = u(`${ws.sid}/Activities/${q.reservationActivitySid}`);
  return {
    account_sid: accountSid,
    assignment_activity_sid: q.assignmentActivitySid,
    assignment_activity_name: q.assignmentActivitySid ? (ws.activities[q.assignmentActivitySid]?.friendlyName ?? null) : null,
    date_created: iso(q.dateCreated),
    date_updated: iso(q.dateUpdated),
    friendly_name: q.friendlyName,
    max_reserved_workers: q.maxReservedWorkers,
    reservation_activity_sid: q.reservationActivitySid,
    reservation_activity_name: q.reservationActivitySid ? (ws.activities[q.reservationActivitySid]?.friendlyName ?? null) : null,
    sid: q.sid,
    target_workers: q.targetWorkers,
    task_order: q.taskOrder,
    url: u(base),
    workspace_sid: ws.sid,
    links,
  };
}

export function serializeWorkflow(accountSid: string, ws: WorkspaceRec, wf: WorkflowRec): Record<string, unknown> {
  const base = `${ws.sid}/Workflows/${wf.sid}`;
  return {
    account_sid: accountSid,
    assignment_callback_url: wf.assignmentCallbackUrl,
    configuration: wf.configuration,
    date_created: iso(wf.dateCreated),
    date_updated: iso(wf.dateUpdated),
    document_content_type: 'application/json',
    fallback_assignment_callback_url: wf.fallbackAssignmentCallbackUrl,
    friendly_name: wf.friendlyName,
    sid: wf.sid,
    task_reservation_timeout: wf.taskReservationTimeout,
    workspace_sid: ws.sid,
    url: u(base),
    links: {
      statistics: u(`${base}/Statistics`),
      real_time_statistics: u(`${base}/RealTimeStatistics`),
      cumulative_statistics: u(`${base}/CumulativeStatistics`),
    },
  };
}

export function serializeWorker(accountSid: string, ws: WorkspaceRec, w: WorkerRec): Record<string, unknown> {
  const base = `${ws.sid}/Workers/${w.sid}`;
  const activity = ws.activities[w.activitySid];
  return {
    account_sid: accountSid,
    activity_name: activity?.friendlyName ?? null,
    activity_sid: w.activitySid,
    attributes: w.attributes,
    available: activity?.available ?? false,
    date_created: iso(w.dateCreated),
    date_status_changed: iso(w.dateStatusChanged),
    date_updated: iso(w.dateUpdated),
    friendly_name: w.friendlyName,
    sid: w.sid,
    workspace_sid: ws.sid,
    url: u(base),
    links: {
      channels: u(`${base}/Channels`),
      activity: u(`${ws.sid}/Activities/${w.activitySid}`),
      workspace: u(ws.sid),
      statistics: u(`${ws.sid}/Workers/Statistics`),
      real_time_statistics: u(`${ws.sid}/Workers/RealTimeStatistics`),
      cumulative_statistics: u(`${ws.sid}/Workers/CumulativeStatistics`),
      worker_statistics: u(`${base}/Statistics`),
      worker_channels: u(`${base}/Channels`),
      reservations: u(`${base}/Reservations`),
    },
  };
}

/** Tasks of the worker's channel holding capacity: [assigned(+wrapping), reserved]. */
function channelLoad(ws: WorkspaceRec, w: WorkerRec, channelSid: string): { assigned: number; reserved: number } {
  let assigned = 0;
  let reserved = 0;
  for (const sid of w.activeReservations) {
    const res = ws.reservations[sid];
    const task = res ? ws.tasks[res.taskSid] : undefined;
    if (!res || !task || task.taskChannelSid !== channelSid) continue;
    if (res.status === 'pending') reserved++;
    else assigned++;
  }
  return { assigned, reserved };
}

export function serializeWorkerChannel(accountSid: string, ws: WorkspaceRec, w: WorkerRec, wc: WorkerChannelRec): Record<string, unknown> {
  const load = channelLoad(ws, w, wc.taskChannelSid);
  const used = ws.multiTaskEnabled ? load.assigned + load.reserved : w.activeReservations.length > 0 ? wc.capacity : 0;
  const free = wc.available && wc.capacity > 0 ? Math.max(0, Math.floor(((wc.capacity - used) / wc.capacity) * 100)) : 0;
  return {
    account_sid: accountSid,
    assigned_tasks: load.assigned,
    available: wc.available,
    available_capacity_percentage: free,
    configured_capacity: wc.capacity,
    date_created: iso(wc.dateCreated),
    date_updated: iso(wc.dateUpdated),
    sid: wc.sid,
    task_channel_sid: wc.taskChannelSid,
    task_channel_unique_name: ws.channels[wc.taskChannelSid]?.uniqueName ?? null,
    worker_sid: w.sid,
    workspace_sid: ws.sid,
    url: u(`${ws.sid}/Workers/${w.sid}/Channels/${wc.sid}`),
  };
}

export function serializeTask(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, t: TaskRec): Record<string, unknown> {
  const base = `${ws.sid}/Tasks/${t.sid}`;
  const queue = t.queueSid ? ws.queues[t.queueSid] : undefined;
  const wf = t.workflowSid ? ws.workflows[t.workflowSid] : undefined;
  const links: Record<string, string> = { workspace: u(ws.sid), reservations: u(`${base}/Reservations`) };
  if (t.queueSid) links.task_queue = u(`${ws.sid}/TaskQueues/${t.queueSid}`);
  if (t.workflowSid) links.workflow = u(`${ws.sid}/Workflows/${t.workflowSid}`);
  return {
    account_sid: accountSid,
    age: Math.max(0, Math.floor((engine.now() - t.dateCreated) / 1000)),
    assignment_status: t.assignmentStatus,
    attributes: t.attributes,
    addons: t.addons,
    date_created: iso(t.dateCreated),
    date_updated: iso(t.dateUpdated),
    task_queue_entered_date: t.queueEnteredAt !== null ? iso(t.queueEnteredAt) : null,
    priority: t.priority,
    reason: t.reason,
    sid: t.sid,
    task_queue_sid: t.queueSid,
    task_queue_friendly_name: queue?.friendlyName ?? null,
    task_channel_sid: t.taskChannelSid,
    task_channel_unique_name: ws.channels[t.taskChannelSid]?.uniqueName ?? null,
    timeout: t.timeout,
    workflow_sid: t.workflowSid,
    workflow_friendly_name: wf?.friendlyName ?? null,
    workspace_sid: ws.sid,
    url: u(base),
    links,
    virtual_start_time: iso(t.virtualStartTime),
    ignore_capacity: t.ignoreCapacity,
    routing_target: t.routingTarget,
  };
}

/** Flex's `routing.properties`: the task as Interactions report it (epoch-second dates). */
export function taskRoutingProperties(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, t: TaskRec): Record<string, unknown> {
  const queue = t.queueSid ? ws.queues[t.queueSid] : undefined;
  const wf = t.workflowSid ? ws.workflows[t.workflowSid] : undefined;
  const s = (ms: number) => Math.floor(ms / 1000);
  const now = engine.now();
  return {
    account_sid: accountSid,
    workspace_sid: ws.sid,
    sid: t.sid,
    date_created: s(t.dateCreated),
    date_updated: s(t.dateUpdated),
    attributes: t.attributes,
    assignment_status: t.assignmentStatus,
    workflow_sid: t.workflowSid,
    workflow_name: wf?.friendlyName ?? null,
    queue_sid: t.queueSid,
    queue_name: queue?.friendlyName ?? null,
    priority: t.priority,
    age: Math.max(0, s(now - t.dateCreated)),
    reason: t.reason ?? '',
    timeout: t.timeout,
    assignmentCounter: t.assignmentCounter,
    task_channel_sid: t.taskChannelSid,
    task_channel_unique_name: ws.channels[t.taskChannelSid]?.uniqueName ?? null,
    routing_target: t.routingTarget,
    task_queue_entered_date: t.queueEnteredAt !== null ? s(t.queueEnteredAt) : null,
    age_in_queue: t.queueEnteredAt !== null ? Math.max(0, s(now - t.queueEnteredAt)) : 0,
    addons: t.addons,
  };
}

export function serializeReservation(accountSid: string, ws: WorkspaceRec, r: ReservationRec, via: 'task' | 'worker'): Record<string, unknown> {
  const worker = ws.workers[r.workerSid];
  return {
    account_sid: accountSid,
    date_created: iso(r.dateCreated),
    date_updated: iso(r.dateUpdated),
    reservation_status: r.status,
    sid: r.sid,
    task_sid: r.taskSid,
    worker_name: worker?.friendlyName ?? null,
    worker_sid: r.workerSid,
    workspace_sid: ws.sid,
    url: via === 'task' ? u(`${ws.sid}/Tasks/${r.taskSid}/Reservations/${r.sid}`) : u(`${ws.sid}/Workers/${r.workerSid}/Reservations/${r.sid}`),
    links: {
      task: u(`${ws.sid}/Tasks/${r.taskSid}`),
      worker: u(`${ws.sid}/Workers/${r.workerSid}`),
      workspace: u(ws.sid),
    },
  };
}

export function serializeEvent(accountSid: string, ws: WorkspaceRec, e: EventRec): Record<string, unknown> {
  const resourcePath: Record<string, string> = {
    task: 'Tasks',
    worker: 'Workers',
    reservation: '',
    'task-queue': 'TaskQueues',
    workflow: 'Workflows',
    activity: 'Activities',
    'task-channel': 'TaskChannels',
  };
  const seg = resourcePath[e.resourceType];
  let resourceUrlValue = u(ws.sid);
  if (e.resourceType === 'reservation' && typeof e.data.task_sid === 'string') resourceUrlValue = u(`${ws.sid}/Tasks/${e.data.task_sid}/Reservations/${e.resourceSid}`);
  else if (seg) resourceUrlValue = u(`${ws.sid}/${seg}/${e.resourceSid}`);
  return {
    account_sid: accountSid,
    actor_sid: e.actorSid,
    actor_type: e.actorType,
    actor_url: e.actorSid ? (e.actorType === 'worker' ? u(`${ws.sid}/Workers/${e.actorSid}`) : u(ws.sid)) : null,
    description: e.description,
    event_data: e.data,
    event_date: iso(e.date),
    event_date_ms: e.date,
    event_type: e.eventType,
    resource_sid: e.resourceSid,
    resource_type: e.resourceType,
    resource_url: resourceUrlValue,
    sid: e.sid,
    source: 'twilio',
    source_ip_address: '127.0.0.1',
    url: u(`${ws.sid}/Events/${e.sid}`),
    workspace_sid: ws.sid,
  };
}
