/**
 * A task's next deadline: its deletion after it ended, its TTL, or the
 * cumulative timeout of the workflow target it waits in.
 */
import type { TaskRec, WorkspaceRec } from '../types';
import type { TaskRouterEngine } from './engine';
import { currentStep } from './views';

function nextTaskDeadline(engine: TaskRouterEngine, ws: WorkspaceRec, task: TaskRec): number | undefined {
  const candidates: number[] = [];
  if (task.deleteAt !== undefined) candidates.push(task.deleteAt);
  if (task.assignmentStatus === 'pending' || task.assignmentStatus === 'reserved') candidates.push(task.dateCreated + task.timeout * 1000);
  if (task.assignmentStatus === 'pending' && task.routing?.mode === 'workflow') {
    const step = currentStep(engine, ws, task);
    if (step?.cumulativeTimeoutSeconds !== undefined) candidates.push(task.routing.enteredAt + step.cumulativeTimeoutSeconds * 1000);
  }
  return candidates.length ? Math.min(...candidates) : undefined;
}

export function scheduleTask(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec): void {
  const at = nextTaskDeadline(engine, ws, task);
  if (at !== undefined) engine.scheduleDeadline({ at, accountSid, workspaceSid: ws.sid, kind: 'task', sid: task.sid });
}
