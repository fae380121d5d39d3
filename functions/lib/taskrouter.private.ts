/**
 * TaskRouter steps both chat and voice transfers use: fetching a task a
 * caller named, the workers who hold a task, the transfer target, and the
 * serialization primitive of both state machines, a conditional update of a
 * Task (`If-Match` with the Task's `ETag`; Twilio answers 412, error 20412,
 * when someone changed the Task since it was read: Twilio's "REST API:
 * Mutation and Conflict Resolution").
 */
import type * as Load from './load.private';
import type * as Http from './http.private';
import type * as Contract from './contract.private';
import type { TaskRecord, TwilioPort } from './twilio.private';
import type { TransferConfig } from './config.private';
import type { TransferFlag } from './contract.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const http = () => (require(Runtime.getFunctions()['lib/load'].path) as typeof Load).loadLib<typeof Http>('lib/http');
const contract = () => (require(Runtime.getFunctions()['lib/load'].path) as typeof Load).loadLib<typeof Contract>('lib/contract');

export interface Target {
  type: 'worker' | 'queue';
  sid: string;
  name: string;
}

export function httpError(status: number, error: string, message: string, details: Record<string, unknown> = {}): Error {
  return new (http().HttpError)(status, error, message, details);
}

/** 409 with the flag's own error code when a transfer flag (lib/contract) is off. */
export function requireFlag(config: TransferConfig, flag: TransferFlag): void {
  if (config.flags[flag]) return;
  const f = contract().TRANSFER_FLAGS[flag];
  throw httpError(409, f.offError, `${f.about}: switched off (${f.env} is false; stack setting features.${f.setting})`);
}

/** Fetches a task a request parameter names: 404 naming the field when it does not exist. */
export async function fetchTaskParam(port: TwilioPort, taskSid: string, field: string): Promise<TaskRecord> {
  try {
    return await port.fetchTask(taskSid);
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) throw httpError(404, 'task_not_found', `${field} ${taskSid} was not found in the workspace`, { field });
    return http().step('fetch-task', () => Promise.reject(err));
  }
}

/** Workers who hold (or held) the task: accepted, wrapping or completed reservations. */
export async function taskWorkers(port: TwilioPort, taskSid: string): Promise<string[]> {
  const reservations = await http().step('list-reservations', () => port.listTaskReservations(taskSid));
  return reservations.filter((r) => ['accepted', 'wrapping', 'completed'].includes(r.status) && r.workerSid).map((r) => r.workerSid as string);
}

/** Resolves and checks the transfer target (404 naming `targetSid` when unknown). */
export async function resolveTarget(port: TwilioPort, targetSid: string): Promise<Target> {
  try {
    if (targetSid.startsWith('WK')) {
      const w = await port.fetchWorker(targetSid);
      return { type: 'worker', sid: w.sid, name: w.friendlyName };
    }
    const q = await port.fetchQueue(targetSid);
    return { type: 'queue', sid: q.sid, name: q.friendlyName };
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) {
      throw httpError(404, 'target_not_found', `targetSid ${targetSid} is not a ${targetSid.startsWith('WK') ? 'worker' : 'queue'} of the workspace`, { field: 'targetSid' });
    }
    return http().step(targetSid.startsWith('WK') ? 'fetch-target-worker' : 'fetch-target-queue', () => Promise.reject(err));
  }
}

/** How often a conditional update is tried again after someone else changed the task (within the time budget). */
export const CAS_ROUNDS = 10;

export type CasDecision<T> = { write: { attributes?: Record<string, unknown>; status?: 'canceled' | 'completed' | 'wrapping'; reason?: string }; result: T } | { done: T };

/**
 * Compare-and-set on a Task: `decide` looks at the task as read and says what
 * to write (or that nothing needs writing); the write carries `If-Match` with
 * the version `decide` saw. When Twilio answers 412 (the task changed in
 * between), the task is read again and `decide` runs again on what is there
 * now, so invocations racing on one task are serialized by Twilio. A timeout
 * or 5xx may have committed the write: reading again shows it (`decide` must
 * recognize its own write). Too many rounds lost to others: 409 `conflict`.
 */
export async function compareAndSet<T>(port: TwilioPort, task: TaskRecord, decide: (task: TaskRecord) => CasDecision<T>, rounds = CAS_ROUNDS): Promise<{ value: T; task: TaskRecord }> {
  // A task from a listing carries no ETag: without one the write would not be
  // conditional (and would meet a task that ended meanwhile unguarded), so read it first.
  let current = task.etag ? task : await port.fetchTask(task.sid);
  for (let round = 1; ; round++) {
    const d = decide(current);
    if ('done' in d) return { value: d.done, task: current };
    try {
      const updated = await port.updateTask(current.sid, { ...d.write, ...(current.etag ? { ifMatch: current.etag } : {}) });
      return { value: d.result, task: updated };
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      const reread = status === 412 || status === 0 || (typeof status === 'number' && status >= 500);
      if (!reread) throw err;
      if (round >= rounds) {
        if (status === 412) throw httpError(409, 'conflict', `too many concurrent changes to task ${current.sid}: nothing was changed by this request, retry`, { taskSid: current.sid });
        throw err;
      }
      // Others are writing the same task: step aside a little (more each round) before reading again.
      if (status === 412) await new Promise((r) => setTimeout(r, Math.random() * 20 * round));
      current = await port.fetchTask(current.sid);
    }
  }
}
