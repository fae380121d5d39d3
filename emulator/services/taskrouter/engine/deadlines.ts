/**
 * Deadlines on the emulator clock: task TTL, workflow target timeouts,
 * reservation timeouts and the deletion of ended tasks. After a load, reset
 * or restore every deadline is armed again from state.
 */
import { stepTimedOut } from '../../../../routing';
import type { TaskRec, WorkspaceRec } from '../types';
import type { TaskRouterEngine } from './engine';
import { recordEvent } from './events';
import { timeoutReservation } from './reservations';
import { scheduleTask } from './task-deadline';
import { cancelTask, deleteTask } from './task-ending';
import { ageSeconds, currentStep } from './views';
import { walkTask } from './workflow-routing';

function onTaskDeadline(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec): void {
  const now = engine.now();
  if (task.deleteAt !== undefined && now >= task.deleteAt) {
    deleteTask(engine, accountSid, ws, task, undefined, true);
    return;
  }
  if ((task.assignmentStatus === 'pending' || task.assignmentStatus === 'reserved') && now >= task.dateCreated + task.timeout * 1000) {
    cancelTask(engine, accountSid, ws, task, 'Task TTL Exceeded');
    return;
  }
  if (task.assignmentStatus === 'pending' && task.routing?.mode === 'workflow') {
    const step = currentStep(engine, ws, task);
    if (step && stepTimedOut(step, ageSeconds(engine, task))) {
      const queue = ws.queues[step.queueSid];
      recordEvent(engine, accountSid, ws, 'task-queue.timeout', 'task', task.sid, `Task ${task.sid} timed out of TaskQueue ${queue?.friendlyName}`, { task, queue });
      walkTask(engine, accountSid, ws, task, { kind: 'step', filterIndex: task.routing.filterIndex ?? null, stepIndex: (task.routing.stepIndex ?? 0) + 1 });
    }
  }
  if (ws.tasks[task.sid]) scheduleTask(engine, accountSid, ws, task);
}

export function handleDeadline(engine: TaskRouterEngine, d: { accountSid: string; workspaceSid: string; kind: 'task' | 'reservation'; sid: string; at: number }): void {
  if (!engine.takeDeadline(d)) return;
  const ws = engine.state(d.accountSid).workspaces[d.workspaceSid];
  if (!ws) return;
  if (d.kind === 'reservation') {
    const res = ws.reservations[d.sid];
    if (res?.status === 'pending' && res.timeoutAt !== null) {
      if (engine.now() >= res.timeoutAt) timeoutReservation(engine, d.accountSid, ws, res);
      else engine.scheduleDeadline({ ...d, at: res.timeoutAt });
    }
    return;
  }
  const task = ws.tasks[d.sid];
  if (task) onTaskDeadline(engine, d.accountSid, ws, task);
}

/** After load/reset/restore: re-arm every deadline from state. */
export function rearmAll(engine: TaskRouterEngine): void {
  engine.clearDeadlines();
  for (const accountSid of engine.env.accountsWithState()) {
    for (const ws of Object.values(engine.state(accountSid).workspaces)) {
      for (const task of Object.values(ws.tasks)) scheduleTask(engine, accountSid, ws, task);
      for (const res of Object.values(ws.reservations)) {
        if (res.status === 'pending' && res.timeoutAt !== null) engine.scheduleDeadline({ at: res.timeoutAt, accountSid, workspaceSid: ws.sid, kind: 'reservation', sid: res.sid });
      }
    }
  }
}
