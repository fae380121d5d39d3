/**
 * TaskRouter statistics, derived from state: real-time figures from the
 * current tasks and workers; cumulative figures from the recorded Events in
 * the requested window (StartDate/EndDate/Minutes, default the last 15
 * minutes; events are capped per workspace, see events.ts).
 */
import { toTwilioIso } from '../../core/clock';
import { invalidParam, notFound } from '../../core/errors';
import { paginate } from '../../core/paging';
import { Params } from '../../core/params';
import { resourceUrl } from '../../core/urls';
import type { EmulatorRequest, RouteDef, ServiceEnv } from '../../core/types';
import { engineOf } from './context';
import { requireIn, requireWorkspace, wsPath, type TaskRouterEngine } from './engine';
import { findChannel } from './resources';
import { membersOf } from './routing';
import type { EventRec, TaskRec, WorkspaceRec } from './types';

const u = (path: string) => resourceUrl('taskrouter', `/v1/Workspaces/${path}`);

interface Window {
  start: number;
  end: number;
  channelSid?: string;
  split?: number[];
}

function readWindow(req: EmulatorRequest, engine: TaskRouterEngine, ws: WorkspaceRec): Window {
  const q = new Params(req.query, 'query');
  const end = q.date('EndDate') ?? engine.now();
  const minutes = q.int('Minutes', { min: 1, max: 43_200 });
  const start = q.date('StartDate') ?? end - (minutes ?? 15) * 60_000;
  if (start > end) throw invalidParam('StartDate', 'must not be after EndDate');
  const channel = q.string('TaskChannel');
  let channelSid: string | undefined;
  if (channel !== undefined) {
    const c = findChannel(ws, channel);
    if (!c) throw invalidParam('TaskChannel', `no TaskChannel with SID or unique name "${channel}" in Workspace ${ws.sid}`);
    channelSid = c.sid;
  }
  const splitRaw = q.string('SplitByWaitTime');
  const split = splitRaw
    ? splitRaw.split(',').map((s) => {
        const n = Number(s.trim());
        if (!Number.isInteger(n) || n < 0) throw invalidParam('SplitByWaitTime', `must be comma-separated seconds (got "${splitRaw}")`);
        return n;
      })
    : undefined;
  return { start, end, channelSid, split };
}

function eventsIn(ws: WorkspaceRec, w: Window, match: (e: EventRec) => boolean): EventRec[] {
  return ws.events.filter((e) => e.date >= w.start && e.date <= w.end && (!w.channelSid || e.data.task_channel_sid === w.channelSid) && match(e));
}

function count(events: EventRec[], type: string): number {
  let n = 0;
  for (const e of events) if (e.eventType === type) n++;
  return n;
}

function durations(values: number[]): { avg: number; min: number; max: number; total: number } {
  if (values.length === 0) return { avg: 0, min: 0, max: 0, total: 0 };
  const total = values.reduce((a, b) => a + b, 0);
  return { avg: Math.round(total / values.length), min: Math.min(...values), max: Math.max(...values), total };
}

function waits(events: EventRec[], type: string): number[] {
  return events.filter((e) => e.eventType === type && typeof e.data.task_age === 'number').map((e) => e.data.task_age as number);
}

function cumulative(ws: WorkspaceRec, w: Window, events: EventRec[]): Record<string, unknown> {
  const accepted = waits(events, 'reservation.accepted');
  const canceled = waits(events, 'task.canceled');
  const split = w.split
    ? Object.fromEntries(
        w.split.map((limit) => [
          String(limit),
          { above: { tasks_accepted: accepted.filter((x) => x > limit).length, tasks_canceled: canceled.filter((x) => x > limit).length }, below: { tasks_accepted: accepted.filter((x) => x <= limit).length, tasks_canceled: canceled.filter((x) => x <= limit).length } },
        ]),
      )
    : null;
  return {
    avg_task_acceptance_time: durations(accepted).avg,
    start_time: toTwilioIso(w.start),
    end_time: toTwilioIso(w.end),
    reservations_created: count(events, 'reservation.created'),
    reservations_accepted: count(events, 'reservation.accepted'),
    reservations_rejected: count(events, 'reservation.rejected'),
    reservations_timed_out: count(events, 'reservation.timeout'),
    reservations_canceled: count(events, 'reservation.canceled'),
    reservations_rescinded: count(events, 'reservation.rescinded'),
    split_by_wait_time: split,
    wait_duration_until_accepted: durations(accepted),
    wait_duration_until_canceled: durations(canceled),
    tasks_canceled: count(events, 'task.canceled'),
    tasks_completed: count(events, 'task.completed'),
    tasks_deleted: count(events, 'task.deleted') + count(events, 'task.system-deleted'),
    tasks_moved: count(events, 'task-queue.moved'),
  };
}

function activityStats(ws: WorkspaceRec, workerSids?: Set<string>): Array<Record<string, unknown>> {
  return Object.values(ws.activities).map((a) => ({
    sid: a.sid,
    friendly_name: a.friendlyName,
    workers: Object.values(ws.workers).filter((wk) => wk.activitySid === a.sid && (!workerSids || workerSids.has(wk.sid))).length,
  }));
}

function realtimeTasks(engine: TaskRouterEngine, tasks: TaskRec[], channelSid?: string): Record<string, unknown> {
  const live = tasks.filter((t) => !['canceled', 'completed'].includes(t.assignmentStatus) && (!channelSid || t.taskChannelSid === channelSid));
  const byStatus = { pending: 0, reserved: 0, assigned: 0, wrapping: 0 } as Record<string, number>;
  const byPriority: Record<string, number> = {};
  let longest: TaskRec | undefined;
  for (const t of live) {
    byStatus[t.assignmentStatus] = (byStatus[t.assignmentStatus] ?? 0) + 1;
    byPriority[String(t.priority)] = (byPriority[String(t.priority)] ?? 0) + 1;
    if ((t.assignmentStatus === 'pending' || t.assignmentStatus === 'reserved') && (!longest || t.dateCreated < longest.dateCreated)) longest = t;
  }
  return {
    longest_task_waiting_age: longest ? Math.floor((engine.now() - longest.dateCreated) / 1000) : 0,
    longest_task_waiting_sid: longest?.sid ?? null,
    tasks_by_priority: byPriority,
    tasks_by_status: byStatus,
    total_tasks: live.length,
  };
}

function queueRealtime(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, queueSid: string, channelSid?: string): Record<string, unknown> {
  const members = new Set(membersOf(engine, ws, queueSid));
  const tasks = Object.values(ws.tasks).filter((t) => t.queueSid === queueSid);
  const rt = realtimeTasks(engine, tasks, channelSid);
  const waiting = tasks.filter((t) => t.assignmentStatus === 'pending' || t.assignmentStatus === 'reserved').sort((a, b) => (a.queueEnteredAt ?? 0) - (b.queueEnteredAt ?? 0))[0];
  return {
    account_sid: accountSid,
    activity_statistics: activityStats(ws, members),
    ...rt,
    longest_relative_task_age_in_queue: waiting?.queueEnteredAt != null ? Math.floor((engine.now() - waiting.queueEnteredAt) / 1000) : 0,
    longest_relative_task_sid_in_queue: waiting?.sid ?? null,
    task_queue_sid: queueSid,
    total_available_workers: [...members].filter((sid) => ws.activities[ws.workers[sid]?.activitySid]?.available).length,
    total_eligible_workers: members.size,
    workspace_sid: ws.sid,
  };
}

function queueCumulative(accountSid: string, ws: WorkspaceRec, queueSid: string, w: Window): Record<string, unknown> {
  const events = eventsIn(ws, w, (e) => e.data.task_queue_sid === queueSid);
  const inQueue = waits(events, 'reservation.accepted');
  return {
    account_sid: accountSid,
    ...cumulative(ws, w, events),
    task_queue_sid: queueSid,
    wait_duration_in_queue_until_accepted: durations(inQueue),
    tasks_entered: count(events, 'task-queue.entered'),
    workspace_sid: ws.sid,
  };
}

function ctx(req: EmulatorRequest, env: ServiceEnv) {
  const engine = engineOf(env);
  return { engine, ws: requireWorkspace(engine, req.accountSid, req.pathParams.WorkspaceSid) };
}

function workersCumulative(ws: WorkspaceRec, w: Window, workerSid?: string): Record<string, unknown> {
  const events = eventsIn(ws, w, (e) => !workerSid || e.data.worker_sid === workerSid);
  const activity = Object.values(ws.activities).map((a) => {
    const spans = events.filter((e) => e.eventType === 'worker.activity.update' && e.data.worker_previous_activity_sid === a.sid).map((e) => Number(e.data.worker_time_in_previous_activity ?? 0));
    return { sid: a.sid, friendly_name: a.friendlyName, ...durations(spans) };
  });
  return {
    start_time: toTwilioIso(w.start),
    end_time: toTwilioIso(w.end),
    activity_durations: activity,
    reservations_created: count(events, 'reservation.created'),
    reservations_accepted: count(events, 'reservation.accepted'),
    reservations_rejected: count(events, 'reservation.rejected'),
    reservations_timed_out: count(events, 'reservation.timeout'),
    reservations_canceled: count(events, 'reservation.canceled'),
    reservations_rescinded: count(events, 'reservation.rescinded'),
  };
}

export const statisticsRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Statistics',
    operationId: 'FetchWorkspaceStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const w = readWindow(req, engine, ws);
      const events = eventsIn(ws, w, () => true);
      return {
        status: 200,
        body: {
          realtime: { ...realtimeTasks(engine, Object.values(ws.tasks), w.channelSid), activity_statistics: activityStats(ws), total_workers: Object.keys(ws.workers).length },
          cumulative: { ...cumulative(ws, w, events), tasks_created: count(events, 'task.created'), tasks_timed_out_in_workflow: count(events, 'workflow.timeout') },
          account_sid: req.accountSid,
          workspace_sid: ws.sid,
          url: u(`${ws.sid}/Statistics`),
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/RealTimeStatistics',
    operationId: 'FetchWorkspaceRealTimeStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const w = readWindow(req, engine, ws);
      return {
        status: 200,
        body: {
          account_sid: req.accountSid,
          activity_statistics: activityStats(ws),
          ...realtimeTasks(engine, Object.values(ws.tasks), w.channelSid),
          total_workers: Object.keys(ws.workers).length,
          workspace_sid: ws.sid,
          url: u(`${ws.sid}/RealTimeStatistics`),
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/CumulativeStatistics',
    operationId: 'FetchWorkspaceCumulativeStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const w = readWindow(req, engine, ws);
      const events = eventsIn(ws, w, () => true);
      return {
        status: 200,
        body: {
          account_sid: req.accountSid,
          ...cumulative(ws, w, events),
          tasks_created: count(events, 'task.created'),
          tasks_timed_out_in_workflow: count(events, 'workflow.timeout'),
          workspace_sid: ws.sid,
          url: u(`${ws.sid}/CumulativeStatistics`),
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues/{TaskQueueSid}/Statistics',
    operationId: 'FetchTaskQueueStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const queue = requireIn(ws.queues, req.pathParams.TaskQueueSid, wsPath(ws.sid, `/TaskQueues/${req.pathParams.TaskQueueSid}`));
      const w = readWindow(req, engine, ws);
      const { account_sid: _a, workspace_sid: _w, task_queue_sid: _q, ...realtime } = queueRealtime(engine, req.accountSid, ws, queue.sid, w.channelSid);
      const { account_sid: _b, workspace_sid: _x, task_queue_sid: _y, ...cum } = queueCumulative(req.accountSid, ws, queue.sid, w);
      return { status: 200, body: { account_sid: req.accountSid, cumulative: cum, realtime, task_queue_sid: queue.sid, workspace_sid: ws.sid, url: u(`${ws.sid}/TaskQueues/${queue.sid}/Statistics`) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues/{TaskQueueSid}/RealTimeStatistics',
    operationId: 'FetchTaskQueueRealTimeStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const queue = requireIn(ws.queues, req.pathParams.TaskQueueSid, wsPath(ws.sid, `/TaskQueues/${req.pathParams.TaskQueueSid}`));
      const w = readWindow(req, engine, ws);
      return { status: 200, body: { ...queueRealtime(engine, req.accountSid, ws, queue.sid, w.channelSid), url: u(`${ws.sid}/TaskQueues/${queue.sid}/RealTimeStatistics`) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues/{TaskQueueSid}/CumulativeStatistics',
    operationId: 'FetchTaskQueueCumulativeStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const queue = requireIn(ws.queues, req.pathParams.TaskQueueSid, wsPath(ws.sid, `/TaskQueues/${req.pathParams.TaskQueueSid}`));
      const w = readWindow(req, engine, ws);
      return { status: 200, body: { ...queueCumulative(req.accountSid, ws, queue.sid, w), url: u(`${ws.sid}/TaskQueues/${queue.sid}/CumulativeStatistics`) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues/Statistics',
    operationId: 'ListTaskQueuesStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const w = readWindow(req, engine, ws);
      const name = new Params(req.query, 'query').string('FriendlyName');
      const queues = Object.values(ws.queues).filter((q) => name === undefined || q.friendlyName === name);
      return {
        status: 200,
        body: paginate(
          req,
          queues,
          (q) => {
            const { account_sid: _a, workspace_sid: _w, task_queue_sid: _q, ...realtime } = queueRealtime(engine, req.accountSid, ws, q.sid, w.channelSid);
            const { account_sid: _b, workspace_sid: _x, task_queue_sid: _y, ...cum } = queueCumulative(req.accountSid, ws, q.sid, w);
            return { account_sid: req.accountSid, cumulative: cum, realtime, task_queue_sid: q.sid, workspace_sid: ws.sid };
          },
          { key: 'task_queues_statistics' },
        ),
      };
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues/RealTimeStatistics',
    operationId: 'CreateTaskQueueBulkRealTimeStatistics',
    mutating: false,
    extraParams: ['task_queue_sids'],
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const json = req.json as { task_queue_sids?: unknown; taskQueueSids?: unknown } | undefined;
      const raw = json?.task_queue_sids ?? json?.taskQueueSids ?? req.body.TaskQueueSids;
      const sids = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : Object.keys(ws.queues);
      if (sids.length > 50) throw invalidParam('task_queue_sids', `at most 50 TaskQueue SIDs per request (got ${sids.length})`);
      const data = sids.map((sid) => {
        if (!ws.queues[sid]) throw notFound(wsPath(ws.sid, `/TaskQueues/${sid}`));
        const { account_sid: _a, workspace_sid: _w, ...rt } = queueRealtime(engine, req.accountSid, ws, sid);
        return rt;
      });
      return { status: 200, body: { account_sid: req.accountSid, workspace_sid: ws.sid, task_queue_data: data, task_queue_response_count: data.length, url: u(`${ws.sid}/TaskQueues/RealTimeStatistics`) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers/Statistics',
    operationId: 'FetchWorkerStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const w = readWindow(req, engine, ws);
      return {
        status: 200,
        body: {
          realtime: { activity_statistics: activityStats(ws), total_workers: Object.keys(ws.workers).length },
          cumulative: workersCumulative(ws, w),
          account_sid: req.accountSid,
          workspace_sid: ws.sid,
          url: u(`${ws.sid}/Workers/Statistics`),
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers/RealTimeStatistics',
    operationId: 'FetchWorkersRealTimeStatistics',
    handler: (req, env) => {
      const { ws } = ctx(req, env);
      return {
        status: 200,
        body: { account_sid: req.accountSid, activity_statistics: activityStats(ws), total_workers: Object.keys(ws.workers).length, workspace_sid: ws.sid, url: u(`${ws.sid}/Workers/RealTimeStatistics`) },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers/CumulativeStatistics',
    operationId: 'FetchWorkersCumulativeStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const w = readWindow(req, engine, ws);
      return { status: 200, body: { account_sid: req.accountSid, ...workersCumulative(ws, w), workspace_sid: ws.sid, url: u(`${ws.sid}/Workers/CumulativeStatistics`) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Statistics',
    operationId: 'FetchWorkerInstanceStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const worker = requireIn(ws.workers, req.pathParams.WorkerSid, wsPath(ws.sid, `/Workers/${req.pathParams.WorkerSid}`));
      const w = readWindow(req, engine, ws);
      return {
        status: 200,
        body: { account_sid: req.accountSid, cumulative: workersCumulative(ws, w, worker.sid), worker_sid: worker.sid, workspace_sid: ws.sid, url: u(`${ws.sid}/Workers/${worker.sid}/Statistics`) },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workflows/{WorkflowSid}/Statistics',
    operationId: 'FetchWorkflowStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const wf = requireIn(ws.workflows, req.pathParams.WorkflowSid, wsPath(ws.sid, `/Workflows/${req.pathParams.WorkflowSid}`));
      const w = readWindow(req, engine, ws);
      const events = eventsIn(ws, w, (e) => e.data.workflow_sid === wf.sid);
      return {
        status: 200,
        body: {
          account_sid: req.accountSid,
          cumulative: { ...cumulative(ws, w, events), tasks_entered: count(events, 'workflow.entered'), tasks_timed_out_in_workflow: count(events, 'workflow.timeout') },
          realtime: realtimeTasks(engine, Object.values(ws.tasks).filter((t) => t.workflowSid === wf.sid), w.channelSid),
          workflow_sid: wf.sid,
          workspace_sid: ws.sid,
          url: u(`${ws.sid}/Workflows/${wf.sid}/Statistics`),
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workflows/{WorkflowSid}/RealTimeStatistics',
    operationId: 'FetchWorkflowRealTimeStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const wf = requireIn(ws.workflows, req.pathParams.WorkflowSid, wsPath(ws.sid, `/Workflows/${req.pathParams.WorkflowSid}`));
      const w = readWindow(req, engine, ws);
      return {
        status: 200,
        body: {
          account_sid: req.accountSid,
          ...realtimeTasks(engine, Object.values(ws.tasks).filter((t) => t.workflowSid === wf.sid), w.channelSid),
          workflow_sid: wf.sid,
          workspace_sid: ws.sid,
          url: u(`${ws.sid}/Workflows/${wf.sid}/RealTimeStatistics`),
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workflows/{WorkflowSid}/CumulativeStatistics',
    operationId: 'FetchWorkflowCumulativeStatistics',
    handler: (req, env) => {
      const { engine, ws } = ctx(req, env);
      const wf = requireIn(ws.workflows, req.pathParams.WorkflowSid, wsPath(ws.sid, `/Workflows/${req.pathParams.WorkflowSid}`));
      const w = readWindow(req, engine, ws);
      const events = eventsIn(ws, w, (e) => e.data.workflow_sid === wf.sid);
      return {
        status: 200,
        body: {
          account_sid: req.accountSid,
          ...cumulative(ws, w, events),
          tasks_entered: count(events, 'workflow.entered'),
          tasks_timed_out_in_workflow: count(events, 'workflow.timeout'),
          workflow_sid: wf.sid,
          workspace_sid: ws.sid,
          url: u(`${ws.sid}/Workflows/${wf.sid}/CumulativeStatistics`),
        },
      };
    },
  },
];
