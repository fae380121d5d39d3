/**
 * TaskRouter v1 HTTP mapping: read PascalCase parameters, call the models,
 * serialize snake_case. No TaskRouter rule lives here.
 */
import { invalidParam, notFound } from '../../core/errors';
import { paginate } from '../../core/paging';
import { Params } from '../../core/params';
import type { EmulatorRequest, HandlerResult, RouteDef, RouteHandler, ServiceEnv } from '../../core/types';
import { compileExpression, ExpressionSyntaxError, type RoutingWorker } from '../../../routing';
import { engineOf } from './context';
import { requireIn, requireWorkspace, wsPath, type TaskRouterEngine } from './engine';
import {
  createActivity,
  createQueue,
  createTaskChannel,
  createWorker,
  createWorkflow,
  createWorkspace,
  deleteActivity,
  deleteQueue,
  deleteTaskChannel,
  deleteWorker,
  deleteWorkflow,
  deleteWorkspace,
  findChannel,
  requireWorkerChannel,
  updateActivity,
  updateQueue,
  updateTaskChannel,
  updateWorker,
  updateWorkerChannel,
  updateWorkflow,
  updateWorkspace,
} from './resources';
import {
  acceptReservation,
  checkIfMatch,
  completeReservation,
  createTask,
  deleteTask,
  executeInstruction,
  membersOf,
  rejectReservation,
  updateTask,
  workerViews,
  wrapReservation,
  type Instruction,
} from './routing';
import { isFlexWorkspace } from './seed';
import {
  serializeActivity,
  serializeEvent,
  serializeQueue,
  serializeReservation,
  serializeTask,
  serializeTaskChannel,
  serializeWorker,
  serializeWorkerChannel,
  serializeWorkflow,
  serializeWorkspace,
} from './serialize';
import { statisticsRoutes } from './statistics';
import type { QueueOrder, ReservationRec, TaskRec, TaskStatus, WorkerRec, WorkspaceRec } from './types';


const body = (req: EmulatorRequest) => new Params(req.body);
const query = (req: EmulatorRequest) => new Params(req.query, 'query');
const ok = (b: unknown, status = 200, headers?: Record<string, string>): HandlerResult => ({ status, body: b, ...(headers ? { headers } : {}) });
const noContent = (): HandlerResult => ({ status: 204 });

function ws(req: EmulatorRequest, env: ServiceEnv): { engine: TaskRouterEngine; ws: WorkspaceRec } {
  const engine = engineOf(env);
  return { engine, ws: requireWorkspace(engine, req.accountSid, req.pathParams.WorkspaceSid ?? req.pathParams.Sid) };
}

/** Twilio's lenient booleans for Activity `Available` ("true", "1", "yes"). */
function lenientBool(p: Params, name: string): boolean | undefined {
  const v = p.string(name);
  if (v === undefined) return undefined;
  return ['true', '1', 'yes'].includes(v.toLowerCase());
}

function queueOrder(p: Params, name: string): QueueOrder | undefined {
  return p.enumOf(name, ['FIFO', 'LIFO'] as const);
}

function nullableUrl(p: Params, name: string): string | null | undefined {
  const v = p.string(name);
  return v === undefined ? undefined : v === '' ? null : v;
}

function compileFilter(param: string, source: string, kind: 'queue' | 'filter') {
  try {
    return compileExpression(source, { kind });
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) throw invalidParam(param, err.message);
    throw err;
  }
}

function etag(task: TaskRec): Record<string, string> {
  return { ETag: `"${task.version}"` };
}

function ifMatch(req: EmulatorRequest): string | undefined {
  const h = req.headers['if-match'];
  return Array.isArray(h) ? h[0] : h;
}

// ---- Workspaces ---------------------------------------------------------------

const workspaceRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/Workspaces',
    operationId: 'ListWorkspace',
    handler: (req, env) => {
      const engine = engineOf(env);
      const name = query(req).string('FriendlyName');
      const items = Object.values(engine.state(req.accountSid).workspaces).filter((w) => name === undefined || w.friendlyName === name);
      return ok(paginate(req, items, (w) => serializeWorkspace(req.accountSid, w), { key: 'workspaces' }));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces',
    operationId: 'CreateWorkspace',
    handler: (req, env) => {
      const p = body(req);
      const w = createWorkspace(
        engineOf(env),
        req.accountSid,
        {
          friendlyName: p.string('FriendlyName', { required: true }),
          eventCallbackUrl: nullableUrl(p, 'EventCallbackUrl'),
          eventsFilter: p.string('EventsFilter'),
          multiTaskEnabled: p.bool('MultiTaskEnabled'),
          prioritizeQueueOrder: queueOrder(p, 'PrioritizeQueueOrder'),
        },
        { template: p.enumOf('Template', ['NONE', 'FIFO'] as const) },
      );
      return ok(serializeWorkspace(req.accountSid, w), 201);
    },
  },
  { method: 'GET', path: '/v1/Workspaces/{Sid}', operationId: 'FetchWorkspace', handler: (req, env) => ok(serializeWorkspace(req.accountSid, ws(req, env).ws)) },
  {
    method: 'POST',
    path: '/v1/Workspaces/{Sid}',
    operationId: 'UpdateWorkspace',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const p = body(req);
      updateWorkspace(
        engine,
        req.accountSid,
        w,
        {
          friendlyName: p.string('FriendlyName'),
          eventCallbackUrl: nullableUrl(p, 'EventCallbackUrl'),
          eventsFilter: p.string('EventsFilter'),
          multiTaskEnabled: p.bool('MultiTaskEnabled'),
          prioritizeQueueOrder: queueOrder(p, 'PrioritizeQueueOrder'),
          defaultActivitySid: p.string('DefaultActivitySid'),
          timeoutActivitySid: p.string('TimeoutActivitySid'),
        },
        isFlexWorkspace(req.accountSid, w.sid),
      );
      return ok(serializeWorkspace(req.accountSid, w));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/Workspaces/{Sid}',
    operationId: 'DeleteWorkspace',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      deleteWorkspace(engine, req.accountSid, w, isFlexWorkspace(req.accountSid, w.sid));
      return noContent();
    },
  },
];

// ---- Activities -----------------------------------------------------------------

const activityRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Activities',
    operationId: 'ListActivity',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      const q = query(req);
      const name = q.string('FriendlyName');
      const available = q.string('Available');
      const items = Object.values(w.activities).filter(
        (a) => (name === undefined || a.friendlyName === name) && (available === undefined || String(a.available) === available.toLowerCase()),
      );
      return ok(paginate(req, items, (a) => serializeActivity(req.accountSid, w, a), { key: 'activities' }));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/Activities',
    operationId: 'CreateActivity',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const p = body(req);
      const a = createActivity(engine, req.accountSid, w, { friendlyName: p.string('FriendlyName', { required: true }), available: lenientBool(p, 'Available') });
      return ok(serializeActivity(req.accountSid, w, a), 201);
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Activities/{Sid}',
    operationId: 'FetchActivity',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      return ok(serializeActivity(req.accountSid, w, requireIn(w.activities, req.pathParams.Sid, req.path)));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/Activities/{Sid}',
    operationId: 'UpdateActivity',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const a = requireIn(w.activities, req.pathParams.Sid, req.path);
      updateActivity(engine, req.accountSid, w, a, { friendlyName: body(req).string('FriendlyName') });
      return ok(serializeActivity(req.accountSid, w, a));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/Workspaces/{WorkspaceSid}/Activities/{Sid}',
    operationId: 'DeleteActivity',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      deleteActivity(engine, req.accountSid, w, requireIn(w.activities, req.pathParams.Sid, req.path));
      return noContent();
    },
  },
];

// ---- Task channels --------------------------------------------------------------

function requireChannel(req: EmulatorRequest, w: WorkspaceRec) {
  const c = findChannel(w, req.pathParams.Sid);
  if (!c) throw notFound(req.path);
  return c;
}

const channelRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskChannels',
    operationId: 'ListTaskChannel',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      return ok(paginate(req, Object.values(w.channels), (c) => serializeTaskChannel(req.accountSid, w, c), { key: 'channels' }));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskChannels',
    operationId: 'CreateTaskChannel',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const p = body(req);
      const c = createTaskChannel(engine, req.accountSid, w, {
        friendlyName: p.string('FriendlyName', { required: true }),
        uniqueName: p.string('UniqueName', { required: true }),
        channelOptimizedRouting: p.bool('ChannelOptimizedRouting'),
      });
      return ok(serializeTaskChannel(req.accountSid, w, c), 201);
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskChannels/{Sid}',
    operationId: 'FetchTaskChannel',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      return ok(serializeTaskChannel(req.accountSid, w, requireChannel(req, w)));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskChannels/{Sid}',
    operationId: 'UpdateTaskChannel',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const c = requireChannel(req, w);
      const p = body(req);
      updateTaskChannel(engine, req.accountSid, w, c, { friendlyName: p.string('FriendlyName'), channelOptimizedRouting: p.bool('ChannelOptimizedRouting') });
      return ok(serializeTaskChannel(req.accountSid, w, c));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskChannels/{Sid}',
    operationId: 'DeleteTaskChannel',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      deleteTaskChannel(engine, req.accountSid, w, requireChannel(req, w));
      return noContent();
    },
  },
];

// ---- Task queues ----------------------------------------------------------------

function readQueueInput(p: Params) {
  return {
    friendlyName: p.string('FriendlyName'),
    targetWorkers: p.string('TargetWorkers', { allowEmpty: true }),
    maxReservedWorkers: p.int('MaxReservedWorkers'),
    taskOrder: queueOrder(p, 'TaskOrder'),
    reservationActivitySid: p.string('ReservationActivitySid'),
    assignmentActivitySid: p.string('AssignmentActivitySid'),
  };
}

const queueRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues',
    operationId: 'ListTaskQueue',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const q = query(req);
      const name = q.string('FriendlyName');
      const workerSid = q.string('WorkerSid');
      const evalAttrs = q.json('EvaluateWorkerAttributes');
      let items = Object.values(w.queues).filter((x) => name === undefined || x.friendlyName === name);
      if (workerSid !== undefined) {
        if (!w.workers[workerSid]) throw invalidParam('WorkerSid', `Worker ${workerSid} does not exist in Workspace ${w.sid}`);
        items = items.filter((x) => membersOf(engine, w, x.sid).includes(workerSid));
      }
      if (evalAttrs !== undefined) {
        const attrs = (evalAttrs.value && typeof evalAttrs.value === 'object' ? evalAttrs.value : {}) as Record<string, unknown>;
        const fake: RoutingWorker = { sid: 'WK', friendlyName: '', activitySid: '', activityName: '', available: true, attributes: attrs, channels: {}, idleSince: 0 };
        items = items.filter((x) => x.targetWorkers.trim() !== '' && compileFilter('TargetWorkers', x.targetWorkers, 'queue').evaluate({ worker: fake }));
      }
      return ok(paginate(req, items, (x) => serializeQueue(req.accountSid, w, x), { key: 'task_queues' }));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues',
    operationId: 'CreateTaskQueue',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const p = body(req);
      const input = readQueueInput(p);
      const x = createQueue(engine, req.accountSid, w, { ...input, friendlyName: p.string('FriendlyName', { required: true }) });
      return ok(serializeQueue(req.accountSid, w, x), 201);
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues/{Sid}',
    operationId: 'FetchTaskQueue',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      return ok(serializeQueue(req.accountSid, w, requireIn(w.queues, req.pathParams.Sid, req.path)));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues/{Sid}',
    operationId: 'UpdateTaskQueue',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const x = requireIn(w.queues, req.pathParams.Sid, req.path);
      updateQueue(engine, req.accountSid, w, x, readQueueInput(body(req)));
      return ok(serializeQueue(req.accountSid, w, x));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues/{Sid}',
    operationId: 'DeleteTaskQueue',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      deleteQueue(engine, req.accountSid, w, requireIn(w.queues, req.pathParams.Sid, req.path));
      return noContent();
    },
  },
];

// ---- Workflows ------------------------------------------------------------------

const workflowRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workflows',
    operationId: 'ListWorkflow',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      const name = query(req).string('FriendlyName');
      const items = Object.values(w.workflows).filter((x) => name === undefined || x.friendlyName === name);
      return ok(paginate(req, items, (x) => serializeWorkflow(req.accountSid, w, x), { key: 'workflows' }));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/Workflows',
    operationId: 'CreateWorkflow',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const p = body(req);
      const x = createWorkflow(engine, req.accountSid, w, {
        friendlyName: p.string('FriendlyName', { required: true }),
        configuration: p.string('Configuration', { required: true }),
        assignmentCallbackUrl: nullableUrl(p, 'AssignmentCallbackUrl'),
        fallbackAssignmentCallbackUrl: nullableUrl(p, 'FallbackAssignmentCallbackUrl'),
        taskReservationTimeout: p.int('TaskReservationTimeout'),
      });
      return ok(serializeWorkflow(req.accountSid, w, x), 201);
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workflows/{Sid}',
    operationId: 'FetchWorkflow',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      return ok(serializeWorkflow(req.accountSid, w, requireIn(w.workflows, req.pathParams.Sid, req.path)));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/Workflows/{Sid}',
    operationId: 'UpdateWorkflow',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const x = requireIn(w.workflows, req.pathParams.Sid, req.path);
      const p = body(req);
      const reEvaluate = p.string('ReEvaluateTasks');
      updateWorkflow(engine, req.accountSid, w, x, {
        friendlyName: p.string('FriendlyName'),
        configuration: p.string('Configuration'),
        assignmentCallbackUrl: nullableUrl(p, 'AssignmentCallbackUrl'),
        fallbackAssignmentCallbackUrl: nullableUrl(p, 'FallbackAssignmentCallbackUrl'),
        taskReservationTimeout: p.int('TaskReservationTimeout'),
        reEvaluateTasks: reEvaluate !== undefined && reEvaluate.toLowerCase() === 'true',
      });
      return ok(serializeWorkflow(req.accountSid, w, x));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/Workspaces/{WorkspaceSid}/Workflows/{Sid}',
    operationId: 'DeleteWorkflow',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      deleteWorkflow(engine, req.accountSid, w, requireIn(w.workflows, req.pathParams.Sid, req.path));
      return noContent();
    },
  },
];

// ---- Workers --------------------------------------------------------------------

function requireWorker(req: EmulatorRequest, w: WorkspaceRec): WorkerRec {
  const sid = req.pathParams.WorkerSid ?? req.pathParams.Sid;
  return requireIn(w.workers, sid, wsPath(w.sid, `/Workers/${sid}`));
}

const workerRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers',
    operationId: 'ListWorker',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const q = query(req);
      const activityName = q.string('ActivityName');
      const activitySid = q.string('ActivitySid');
      const available = q.string('Available');
      const name = q.string('FriendlyName');
      const expr = q.string('TargetWorkersExpression');
      const queueName = q.string('TaskQueueName');
      const queueSid = q.string('TaskQueueSid');
      let items = Object.values(w.workers).filter((x) => {
        const act = w.activities[x.activitySid];
        if (activityName !== undefined && act?.friendlyName !== activityName) return false;
        if (activitySid !== undefined && x.activitySid !== activitySid) return false;
        if (available !== undefined && String(act?.available ?? false) !== available.toLowerCase()) return false;
        if (name !== undefined && x.friendlyName !== name) return false;
        return true;
      });
      if (expr !== undefined) {
        const compiled = compileFilter('TargetWorkersExpression', expr, 'queue');
        const views = new Map(workerViews(engine, w).map((v) => [v.sid, v]));
        items = items.filter((x) => compiled.evaluate({ worker: views.get(x.sid) }));
      }
      const qSid = queueSid ?? (queueName !== undefined ? Object.values(w.queues).find((x) => x.friendlyName === queueName)?.sid : undefined);
      if (queueSid !== undefined || queueName !== undefined) {
        const members = new Set(qSid ? membersOf(engine, w, qSid) : []);
        items = items.filter((x) => members.has(x.sid));
      }
      return ok(paginate(req, items, (x) => serializeWorker(req.accountSid, w, x), { key: 'workers' }));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers',
    operationId: 'CreateWorker',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const p = body(req);
      const x = createWorker(engine, req.accountSid, w, {
        friendlyName: p.string('FriendlyName', { required: true }),
        activitySid: p.string('ActivitySid'),
        attributes: p.string('Attributes'),
      });
      return ok(serializeWorker(req.accountSid, w, x), 201);
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers/{Sid}',
    operationId: 'FetchWorker',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      return ok(serializeWorker(req.accountSid, w, requireWorker(req, w)));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers/{Sid}',
    operationId: 'UpdateWorker',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const x = requireWorker(req, w);
      const p = body(req);
      updateWorker(engine, req.accountSid, w, x, {
        friendlyName: p.string('FriendlyName'),
        activitySid: p.string('ActivitySid'),
        attributes: p.string('Attributes'),
        rejectPendingReservations: p.bool('RejectPendingReservations'),
      });
      return ok(serializeWorker(req.accountSid, w, x));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers/{Sid}',
    operationId: 'DeleteWorker',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      deleteWorker(engine, req.accountSid, w, requireWorker(req, w));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Channels',
    operationId: 'ListWorkerChannel',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      const x = requireWorker(req, w);
      return ok(paginate(req, Object.values(x.channels), (c) => serializeWorkerChannel(req.accountSid, w, x, c), { key: 'channels' }));
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Channels/{Sid}',
    operationId: 'FetchWorkerChannel',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      const x = requireWorker(req, w);
      return ok(serializeWorkerChannel(req.accountSid, w, x, requireWorkerChannel(w, x, req.pathParams.Sid)));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Channels/{Sid}',
    operationId: 'UpdateWorkerChannel',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const x = requireWorker(req, w);
      const wc = requireWorkerChannel(w, x, req.pathParams.Sid);
      const p = body(req);
      updateWorkerChannel(engine, req.accountSid, w, x, wc, { capacity: p.int('Capacity'), available: p.bool('Available') });
      return ok(serializeWorkerChannel(req.accountSid, w, x, wc));
    },
  },
];

// ---- Tasks ----------------------------------------------------------------------

const TASK_STATUSES: readonly TaskStatus[] = ['pending', 'reserved', 'assigned', 'canceled', 'completed', 'wrapping'];

function requireTask(req: EmulatorRequest, w: WorkspaceRec): TaskRec {
  const sid = req.pathParams.TaskSid ?? req.pathParams.Sid;
  return requireIn(w.tasks, sid, wsPath(w.sid, `/Tasks/${sid}`));
}

function orderTasks(items: TaskRec[], ordering: string | undefined): TaskRec[] {
  if (!ordering) return items;
  const keys = ordering.split(',').map((part) => {
    const [field, dir = 'asc'] = part.trim().split(':');
    if (!['DateCreated', 'Priority'].includes(field)) throw invalidParam('Ordering', `can sort by DateCreated or Priority (got "${field}")`);
    if (!['asc', 'desc'].includes(dir.toLowerCase())) throw invalidParam('Ordering', `direction must be asc or desc (got "${dir}")`);
    return { field, desc: dir.toLowerCase() === 'desc' };
  });
  return [...items].sort((a, b) => {
    for (const k of keys) {
      const x = k.field === 'Priority' ? a.priority : a.dateCreated;
      const y = k.field === 'Priority' ? b.priority : b.dateCreated;
      if (x !== y) return k.desc ? y - x : x - y;
    }
    return 0;
  });
}

const taskRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Tasks',
    operationId: 'ListTask',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const q = query(req);
      const priority = q.int('Priority');
      const statuses = q
        .list('AssignmentStatus')
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean);
      for (const s of statuses) if (!TASK_STATUSES.includes(s as TaskStatus)) throw invalidParam('AssignmentStatus', `"${s}" is not one of ${TASK_STATUSES.join(', ')}`);
      const workflowSid = q.string('WorkflowSid');
      const workflowName = q.string('WorkflowName');
      const queueSid = q.string('TaskQueueSid');
      const queueName = q.string('TaskQueueName');
      const evaluate = q.string('EvaluateTaskAttributes');
      const routingTarget = q.string('RoutingTarget');
      const hasAddons = q.bool('HasAddons');
      const compiled = evaluate !== undefined ? compileFilter('EvaluateTaskAttributes', evaluate, 'filter') : undefined;
      const items = Object.values(w.tasks).filter((t) => {
        if (priority !== undefined && t.priority !== priority) return false;
        if (statuses.length && !statuses.includes(t.assignmentStatus)) return false;
        if (workflowSid !== undefined && t.workflowSid !== workflowSid) return false;
        if (workflowName !== undefined && (t.workflowSid ? w.workflows[t.workflowSid]?.friendlyName : undefined) !== workflowName) return false;
        if (queueSid !== undefined && t.queueSid !== queueSid) return false;
        if (queueName !== undefined && (t.queueSid ? w.queues[t.queueSid]?.friendlyName : undefined) !== queueName) return false;
        if (routingTarget !== undefined && t.routingTarget !== routingTarget) return false;
        if (hasAddons !== undefined && (t.addons !== '{}') !== hasAddons) return false;
        if (compiled && !compiled.evaluate({ task: engine.attributes(t.attributes) })) return false;
        return true;
      });
      return ok(paginate(req, orderTasks(items, q.string('Ordering')), (t) => serializeTask(engine, req.accountSid, w, t), { key: 'tasks' }));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/Tasks',
    operationId: 'CreateTask',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const p = body(req);
      const t = createTask(engine, req.accountSid, w, {
        attributes: p.string('Attributes'),
        workflowSid: p.string('WorkflowSid'),
        taskChannel: p.string('TaskChannel'),
        priority: p.int('Priority'),
        timeout: p.int('Timeout'),
        virtualStartTime: p.date('VirtualStartTime'),
        routingTarget: p.string('RoutingTarget'),
        ignoreCapacity: p.bool('IgnoreCapacity'),
        taskQueueSid: p.string('TaskQueueSid'),
      });
      return ok(serializeTask(engine, req.accountSid, w, t), 201, etag(t));
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Tasks/{Sid}',
    operationId: 'FetchTask',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const t = requireTask(req, w);
      return ok(serializeTask(engine, req.accountSid, w, t), 200, etag(t));
    },
  },
  {
    method: 'POST',
    path: '/v1/Workspaces/{WorkspaceSid}/Tasks/{Sid}',
    operationId: 'UpdateTask',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const t = requireTask(req, w);
      const p = body(req);
      updateTask(engine, req.accountSid, w, t, {
        attributes: p.string('Attributes'),
        assignmentStatus: p.enumOf('AssignmentStatus', TASK_STATUSES),
        reason: p.string('Reason'),
        priority: p.int('Priority'),
        taskChannel: p.string('TaskChannel'),
        virtualStartTime: p.date('VirtualStartTime'),
        ifMatch: ifMatch(req),
      });
      return ok(serializeTask(engine, req.accountSid, w, t), 200, etag(t));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/Workspaces/{WorkspaceSid}/Tasks/{Sid}',
    operationId: 'DeleteTask',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      deleteTask(engine, req.accountSid, w, requireTask(req, w), ifMatch(req));
      return noContent();
    },
  },
];

// ---- Reservations ---------------------------------------------------------------

const RESERVATION_STATUSES = ['pending', 'accepted', 'rejected', 'timeout', 'canceled', 'rescinded', 'wrapping', 'completed'] as const;

/** Reservation update parameters that configure an instruction -> the callback answer's snake_case keys. */
const INSTRUCTION_PARAMS: Record<string, string> = {
  From: 'from',
  To: 'to',
  Timeout: 'timeout',
  EndConferenceOnExit: 'end_conference_on_exit',
  EndConferenceOnCustomerExit: 'end_conference_on_customer_exit',
  StartConferenceOnEnter: 'start_conference_on_enter',
  BeepOnCustomerEntrance: 'beep_on_customer_entrance',
  Beep: 'beep',
  Muted: 'muted',
  WaitUrl: 'wait_url',
  StatusCallback: 'status_callback',
  PostWorkActivitySid: 'post_work_activity_sid',
  CallFrom: 'from',
  CallTo: 'to',
  CallUrl: 'url',
  CallAccept: 'accept',
  CallTimeout: 'timeout',
  CallStatusCallbackUrl: 'status_callback_url',
  RedirectCallSid: 'call_sid',
  RedirectUrl: 'url',
  RedirectAccept: 'accept',
  DequeueFrom: 'from',
  DequeueTo: 'to',
  DequeueTimeout: 'timeout',
  DequeuePostWorkActivitySid: 'post_work_activity_sid',
  WorkerActivitySid: 'activity_sid',
};

function updateReservationHandler(via: 'task' | 'worker'): RouteHandler {
  return (req, env) => {
    const { engine, ws: w } = ws(req, env);
    const res = requireReservation(req, w, via);
    const p = body(req);
    const status = p.enumOf('ReservationStatus', RESERVATION_STATUSES);
    const instruction = p.string('Instruction');
    const activitySid = p.string('WorkerActivitySid');
    const task = w.tasks[res.taskSid];
    if (task) checkIfMatch(task, ifMatch(req));
    if (instruction !== undefined) {
      const instr: Instruction = { instruction };
      for (const [param, key] of Object.entries(INSTRUCTION_PARAMS)) {
        const v = p.string(param);
        if (v !== undefined) instr[key] = v;
      }
      executeInstruction(engine, req.accountSid, w, res, instr);
    }
    if (status !== undefined && status !== res.status) {
      switch (status) {
        case 'accepted':
          acceptReservation(engine, req.accountSid, w, res);
          break;
        case 'rejected':
          rejectReservation(engine, req.accountSid, w, res, { activitySid });
          break;
        case 'completed':
          completeReservation(engine, req.accountSid, w, res);
          break;
        case 'wrapping':
          wrapReservation(engine, req.accountSid, w, res);
          break;
        default:
          throw invalidParam('ReservationStatus', `can be set to accepted, rejected, completed or wrapping (got "${status}")`);
      }
    }
    return ok(serializeReservation(req.accountSid, w, res, via));
  };
}

function requireReservation(req: EmulatorRequest, w: WorkspaceRec, via: 'task' | 'worker'): ReservationRec {
  const owner = via === 'task' ? requireTask(req, w).sid : requireWorker(req, w).sid;
  const res = w.reservations[req.pathParams.Sid];
  if (!res || (via === 'task' ? res.taskSid : res.workerSid) !== owner) throw notFound(req.path);
  return res;
}

function listReservations(via: 'task' | 'worker'): RouteHandler {
  return (req, env) => {
    const { ws: w } = ws(req, env);
    const q = query(req);
    const status = q.enumOf('ReservationStatus', RESERVATION_STATUSES);
    const workerSid = via === 'task' ? q.string('WorkerSid') : undefined;
    let sids: string[];
    if (via === 'task') sids = requireTask(req, w).reservationSids;
    else {
      const worker = requireWorker(req, w);
      sids = Object.values(w.reservations)
        .filter((r) => r.workerSid === worker.sid)
        .map((r) => r.sid);
    }
    const items = sids
      .map((sid) => w.reservations[sid])
      .filter((r): r is ReservationRec => !!r && (status === undefined || r.status === status) && (workerSid === undefined || r.workerSid === workerSid));
    return ok(paginate(req, items, (r) => serializeReservation(req.accountSid, w, r, via), { key: 'reservations' }));
  };
}

const reservationRoutes: RouteDef[] = [
  { method: 'GET', path: '/v1/Workspaces/{WorkspaceSid}/Tasks/{TaskSid}/Reservations', operationId: 'ListTaskReservation', handler: listReservations('task') },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Tasks/{TaskSid}/Reservations/{Sid}',
    operationId: 'FetchTaskReservation',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      return ok(serializeReservation(req.accountSid, w, requireReservation(req, w, 'task'), 'task'));
    },
  },
  { method: 'POST', path: '/v1/Workspaces/{WorkspaceSid}/Tasks/{TaskSid}/Reservations/{Sid}', operationId: 'UpdateTaskReservation', handler: updateReservationHandler('task') },
  { method: 'GET', path: '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Reservations', operationId: 'ListWorkerReservation', handler: listReservations('worker') },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Reservations/{Sid}',
    operationId: 'FetchWorkerReservation',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      return ok(serializeReservation(req.accountSid, w, requireReservation(req, w, 'worker'), 'worker'));
    },
  },
  { method: 'POST', path: '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Reservations/{Sid}', operationId: 'UpdateWorkerReservation', handler: updateReservationHandler('worker') },
];

// ---- Events ---------------------------------------------------------------------

const eventRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Events',
    operationId: 'ListEvent',
    handler: (req, env) => {
      const { engine, ws: w } = ws(req, env);
      const q = query(req);
      const type = q.string('EventType');
      const types = type ? type.split(',').map((s) => s.trim()) : undefined;
      const filters: Array<[string, string | undefined]> = [
        ['task_sid', q.string('TaskSid')],
        ['worker_sid', q.string('WorkerSid')],
        ['reservation_sid', q.string('ReservationSid')],
        ['task_queue_sid', q.string('TaskQueueSid')],
        ['workflow_sid', q.string('WorkflowSid')],
        ['task_channel_unique_name', q.string('TaskChannel')],
      ];
      const sid = q.string('Sid');
      const minutes = q.int('Minutes', { min: 1, max: 43_200 });
      let start = q.date('StartDate');
      const end = q.date('EndDate');
      if (minutes !== undefined) start = Math.max(start ?? 0, (end ?? engine.now()) - minutes * 60_000);
      const items = w.events
        .filter((e) => {
          if (types && !types.includes(e.eventType)) return false;
          if (sid !== undefined && e.sid !== sid) return false;
          if (start !== undefined && e.date < start) return false;
          if (end !== undefined && e.date > end) return false;
          for (const [key, value] of filters) {
            if (value === undefined) continue;
            if (key === 'task_channel_unique_name' && e.data.task_channel_sid === value) continue;
            if (e.data[key] !== value) return false;
          }
          return true;
        })
        .reverse();
      return ok(paginate(req, items, (e) => serializeEvent(req.accountSid, w, e), { key: 'events' }));
    },
  },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Events/{Sid}',
    operationId: 'FetchEvent',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      const e = w.events.find((x) => x.sid === req.pathParams.Sid);
      if (!e) throw notFound(req.path);
      return ok(serializeEvent(req.accountSid, w, e));
    },
  },
];

export const taskrouterRoutes: RouteDef[] = [
  ...workspaceRoutes,
  ...activityRoutes,
  ...channelRoutes,
  ...queueRoutes,
  ...workflowRoutes,
  ...workerRoutes,
  ...taskRoutes,
  ...reservationRoutes,
  ...eventRoutes,
  ...statisticsRoutes,
];
