/**
 * What every TaskRouter route shares: reading PascalCase parameters, the
 * workspace of the request, answers, ETags, and the records a path names.
 */
import { compileExpression, ExpressionSyntaxError } from '../../../../routing';
import { invalidParam } from '../../../core/errors';
import { Params } from '../../../core/params';
import type { EmulatorRequest, HandlerResult, ServiceEnv } from '../../../core/types';
import { engineOf } from '../context';
import type { TaskRouterEngine } from '../engine/engine';
import { requireIn, requireWorkspace, wsPath } from '../lookups';
import type { QueueOrder, TaskRec, WorkerRec, WorkspaceRec } from '../types';

export const body = (req: EmulatorRequest) => new Params(req.body);

export const query = (req: EmulatorRequest) => new Params(req.query, 'query');

export const ok = (b: unknown, status = 200, headers?: Record<string, string>): HandlerResult => ({ status, body: b, ...(headers ? { headers } : {}) });

export const noContent = (): HandlerResult => ({ status: 204 });

export function ws(req: EmulatorRequest, env: ServiceEnv): { engine: TaskRouterEngine; ws: WorkspaceRec } {
  const engine = engineOf(env);
  return { engine, ws: requireWorkspace(engine, req.accountSid, req.pathParams.WorkspaceSid ?? req.pathParams.Sid) };
}

/** Twilio's lenient booleans for Activity `Available` ("true", "1", "yes"). */
export function lenientBool(p: Params, name: string): boolean | undefined {
  const v = p.string(name);
  if (v === undefined) return undefined;
  return ['true', '1', 'yes'].includes(v.toLowerCase());
}

export function queueOrder(p: Params, name: string): QueueOrder | undefined {
  return p.enumOf(name, ['FIFO', 'LIFO'] as const);
}

export function nullableUrl(p: Params, name: string): string | null | undefined {
  const v = p.string(name);
  return v === undefined ? undefined : v === '' ? null : v;
}

export function compileFilter(param: string, source: string, kind: 'queue' | 'filter') {
  try {
    return compileExpression(source, { kind });
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) throw invalidParam(param, err.message);
    throw err;
  }
}

export function etag(task: TaskRec): Record<string, string> {
  return { ETag: `"${task.version}"` };
}

export function ifMatch(req: EmulatorRequest): string | undefined {
  const h = req.headers['if-match'];
  return Array.isArray(h) ? h[0] : h;
}

export function requireWorker(req: EmulatorRequest, w: WorkspaceRec): WorkerRec {
  const sid = req.pathParams.WorkerSid ?? req.pathParams.Sid;
  return requireIn(w.workers, sid, wsPath(w.sid, `/Workers/${sid}`));
}

export function requireTask(req: EmulatorRequest, w: WorkspaceRec): TaskRec {
  const sid = req.pathParams.TaskSid ?? req.pathParams.Sid;
  return requireIn(w.tasks, sid, wsPath(w.sid, `/Tasks/${sid}`));
}
