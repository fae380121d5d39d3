/**
 * The figures behind the TaskRouter statistics routes (statistics.ts),
 * derived from state: real-time figures from the current tasks and workers;
 * cumulative figures from the recorded Events in the requested window
 * (StartDate/EndDate/Minutes, default the last 15 minutes; events are capped
 * per workspace, see events.ts). Each function returns the figures only; the
 * routes add the SIDs and the URL around them.
 */
import { toTwilioIso } from '../../../core/clock';
import { invalidParam } from '../../../core/errors';
import { Params } from '../../../core/params';
import type { EmulatorRequest } from '../../../core/types';
import type { TaskRouterEngine } from '../engine/engine';
import { findChannel } from '../lookups';
import { membersOf } from '../engine/views';
import type { EventRec, TaskRec, WorkspaceRec } from '../types';

type Figures = Record<string, unknown>;

export interface Window {
  start: number;
  end: number;
  channelSid?: string;
  split?: number[];
}

export function readWindow(req: EmulatorRequest, engine: TaskRouterEngine, ws: WorkspaceRec): Window {
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

function reservationCounts(events: EventRec[]): Figures {
  return {
    reservations_created: count(events, 'reservation.created'),
    reservations_accepted: count(events, 'reservation.accepted'),
    reservations_rejected: count(events, 'reservation.rejected'),
    reservations_timed_out: count(events, 'reservation.timeout'),
    reservations_canceled: count(events, 'reservation.canceled'),
    reservations_rescinded: count(events, 'reservation.rescinded'),
  };
}

/** The cumulative figures every task-level scope (workspace, queue, workflow) shares. */
function taskCumulative(w: Window, events: EventRec[]): Figures {
  const accepted = waits(events, 'reservation.accepted');
  const canceled = waits(events, 'task.canceled');
  const split = w.split
    ? Object.fromEntries(
        w.split.map((limit) => [
          String(limit),
          {
            above: { tasks_accepted: accepted.filter((x) => x > limit).length, tasks_canceled: canceled.filter((x) => x > limit).length },
            below: { tasks_accepted: accepted.filter((x) => x <= limit).length, tasks_canceled: canceled.filter((x) => x <= limit).length },
          },
        ]),
      )
    : null;
  return {
    avg_task_acceptance_time: durations(accepted).avg,
    start_time: toTwilioIso(w.start),
    end_time: toTwilioIso(w.end),
    ...reservationCounts(events),
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

/** The real-time figures every task-level scope shares, over the live tasks among `tasks`. */
function taskRealtime(engine: TaskRouterEngine, tasks: TaskRec[], channelSid?: string): Figures {
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

// ---- per scope ----------------------------------------------------------------

export function workspaceRealtime(engine: TaskRouterEngine, ws: WorkspaceRec, channelSid?: string): Figures {
  return { activity_statistics: activityStats(ws), ...taskRealtime(engine, Object.values(ws.tasks), channelSid), total_workers: Object.keys(ws.workers).length };
}

export function workspaceCumulative(ws: WorkspaceRec, w: Window): Figures {
  const events = eventsIn(ws, w, () => true);
  return { ...taskCumulative(w, events), tasks_created: count(events, 'task.created'), tasks_timed_out_in_workflow: count(events, 'workflow.timeout') };
}

export function queueRealtime(engine: TaskRouterEngine, ws: WorkspaceRec, queueSid: string, channelSid?: string): Figures {
  const members = new Set(membersOf(engine, ws, queueSid));
  const tasks = Object.values(ws.tasks).filter((t) => t.queueSid === queueSid);
  const waiting = tasks.filter((t) => t.assignmentStatus === 'pending' || t.assignmentStatus === 'reserved').sort((a, b) => (a.queueEnteredAt ?? 0) - (b.queueEnteredAt ?? 0))[0];
  return {
    activity_statistics: activityStats(ws, members),
    ...taskRealtime(engine, tasks, channelSid),
    longest_relative_task_age_in_queue: waiting?.queueEnteredAt != null ? Math.floor((engine.now() - waiting.queueEnteredAt) / 1000) : 0,
    longest_relative_task_sid_in_queue: waiting?.sid ?? null,
    total_available_workers: [...members].filter((sid) => ws.activities[ws.workers[sid]?.activitySid]?.available).length,
    total_eligible_workers: members.size,
  };
}

export function queueCumulative(ws: WorkspaceRec, queueSid: string, w: Window): Figures {
  const events = eventsIn(ws, w, (e) => e.data.task_queue_sid === queueSid);
  return {
    ...taskCumulative(w, events),
    wait_duration_in_queue_until_accepted: durations(waits(events, 'reservation.accepted')),
    tasks_entered: count(events, 'task-queue.entered'),
  };
}

export function workersRealtime(ws: WorkspaceRec): Figures {
  return { activity_statistics: activityStats(ws), total_workers: Object.keys(ws.workers).length };
}

/** Activity durations and reservation counts for all workers, or for one. */
export function workersCumulative(ws: WorkspaceRec, w: Window, workerSid?: string): Figures {
  const events = eventsIn(ws, w, (e) => !workerSid || e.data.worker_sid === workerSid);
  const activity = Object.values(ws.activities).map((a) => {
    const spans = events.filter((e) => e.eventType === 'worker.activity.update' && e.data.worker_previous_activity_sid === a.sid).map((e) => Number(e.data.worker_time_in_previous_activity ?? 0));
    return { sid: a.sid, friendly_name: a.friendlyName, ...durations(spans) };
  });
  return { start_time: toTwilioIso(w.start), end_time: toTwilioIso(w.end), activity_durations: activity, ...reservationCounts(events) };
}

export function workflowRealtime(engine: TaskRouterEngine, ws: WorkspaceRec, workflowSid: string, channelSid?: string): Figures {
  return taskRealtime(
    engine,
    Object.values(ws.tasks).filter((t) => t.workflowSid === workflowSid),
    channelSid,
  );
}

export function workflowCumulative(ws: WorkspaceRec, workflowSid: string, w: Window): Figures {
  const events = eventsIn(ws, w, (e) => e.data.workflow_sid === workflowSid);
  return { ...taskCumulative(w, events), tasks_entered: count(events, 'workflow.entered'), tasks_timed_out_in_workflow: count(events, 'workflow.timeout') };
}
