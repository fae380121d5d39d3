/**
 * TaskRouter statistics routes. Each scope (the workspace, a TaskQueue, the
 * Workers, one Worker, a Workflow) serves up to three operations of the same
 * shape: Statistics ({ cumulative, realtime }), RealTimeStatistics and
 * CumulativeStatistics (the figures at the top level); `scopeRoutes` builds
 * them from a StatisticsScope. The figures come from statistics-figures.ts.
 */
import { invalidParam, notFound } from '../../../core/errors';
import { paginate } from '../../../core/paging';
import { Params } from '../../../core/params';
import { resourceUrl } from '../../../core/urls';
import type { EmulatorRequest, RouteDef, ServiceEnv } from '../../../core/types';
import { engineOf } from '../context';
import type { TaskRouterEngine } from '../engine/engine';
import { requireIn, requireWorkspace, wsPath } from '../lookups';
import * as fig from './statistics-figures';
import type { WorkspaceRec } from '../types';

type Figures = Record<string, unknown>;

const u = (path: string) => resourceUrl('taskrouter', `/v1/Workspaces/${path}`);

/** What a scope's figures are computed from. */
interface ScopeInput {
  engine: TaskRouterEngine;
  ws: WorkspaceRec;
  /** SID of the scope's object (a TaskQueue, Worker or Workflow); '' for the workspace-wide scopes. */
  sid: string;
  /**
   * The StartDate/EndDate/Minutes/TaskChannel/SplitByWaitTime window, read on
   * first use: figures that ignore it (Workers real-time) must not reject a
   * malformed window, so it is validated only by the figures that use it.
   */
  window(): fig.Window;
}

interface StatisticsScope {
  /** Path below /v1/Workspaces/{WorkspaceSid}: '' for the workspace, or e.g. '/TaskQueues/{TaskQueueSid}'. */
  path: string;
  /** The spec's operationIds; a scope without realTime/cumulative serves only Statistics. */
  operationIds: { statistics: string; realTime?: string; cumulative?: string };
  /** The object the path names: the path parameter, its collection in the workspace, and the body field for its SID. */
  target?: { param: string; in: (ws: WorkspaceRec) => Record<string, unknown>; sidField: string };
  realtime?(s: ScopeInput): Figures;
  cumulative(s: ScopeInput): Figures;
}

/** The three statistics routes of one scope (or only Statistics, see operationIds). */
function scopeRoutes(scope: StatisticsScope): RouteDef[] {
  const { path, operationIds: ops, target, realtime, cumulative } = scope;

  /** Finds the workspace and the scope's object (a 404 comes before any window error) and makes the body builder. */
  function resolve(req: EmulatorRequest, env: ServiceEnv) {
    const engine = engineOf(env);
    const ws = requireWorkspace(engine, req.accountSid, req.pathParams.WorkspaceSid);
    let sid = '';
    let objectPath = path;
    if (target) {
      sid = req.pathParams[target.param];
      objectPath = path.replace(`{${target.param}}`, sid);
      requireIn(target.in(ws), sid, wsPath(ws.sid, objectPath));
    }
    let window: fig.Window | undefined;
    const input: ScopeInput = { engine, ws, sid, window: () => (window ??= fig.readWindow(req, engine, ws)) };
    const ids = target ? { [target.sidField]: sid } : {};
    /** The body: the account, the figures, the object's SID, the workspace and the URL of `operation`. */
    const body = (figures: Figures, operation: string) => ({ account_sid: req.accountSid, ...figures, ...ids, workspace_sid: ws.sid, url: u(`${ws.sid}${objectPath}/${operation}`) });
    return { input, body };
  }

  const routes: RouteDef[] = [
    {
      method: 'GET',
      path: `/v1/Workspaces/{WorkspaceSid}${path}/Statistics`,
      operationId: ops.statistics,
      handler: (req, env) => {
        const { input, body } = resolve(req, env);
        return { status: 200, body: body({ cumulative: cumulative(input), ...(realtime ? { realtime: realtime(input) } : {}) }, 'Statistics') };
      },
    },
  ];
  if (realtime && ops.realTime) {
    routes.push({
      method: 'GET',
      path: `/v1/Workspaces/{WorkspaceSid}${path}/RealTimeStatistics`,
      operationId: ops.realTime,
      handler: (req, env) => {
        const { input, body } = resolve(req, env);
        return { status: 200, body: body(realtime(input), 'RealTimeStatistics') };
      },
    });
  }
  if (ops.cumulative) {
    routes.push({
      method: 'GET',
      path: `/v1/Workspaces/{WorkspaceSid}${path}/CumulativeStatistics`,
      operationId: ops.cumulative,
      handler: (req, env) => {
        const { input, body } = resolve(req, env);
        return { status: 200, body: body(cumulative(input), 'CumulativeStatistics') };
      },
    });
  }
  return routes;
}

const workspaceScope: StatisticsScope = {
  path: '',
  operationIds: { statistics: 'FetchWorkspaceStatistics', realTime: 'FetchWorkspaceRealTimeStatistics', cumulative: 'FetchWorkspaceCumulativeStatistics' },
  realtime: (s) => fig.workspaceRealtime(s.engine, s.ws, s.window().channelSid),
  cumulative: (s) => fig.workspaceCumulative(s.ws, s.window()),
};

const taskQueueScope: StatisticsScope = {
  path: '/TaskQueues/{TaskQueueSid}',
  operationIds: { statistics: 'FetchTaskQueueStatistics', realTime: 'FetchTaskQueueRealTimeStatistics', cumulative: 'FetchTaskQueueCumulativeStatistics' },
  target: { param: 'TaskQueueSid', in: (ws) => ws.queues, sidField: 'task_queue_sid' },
  realtime: (s) => fig.queueRealtime(s.engine, s.ws, s.sid, s.window().channelSid),
  cumulative: (s) => fig.queueCumulative(s.ws, s.sid, s.window()),
};

const workersScope: StatisticsScope = {
  path: '/Workers',
  operationIds: { statistics: 'FetchWorkerStatistics', realTime: 'FetchWorkersRealTimeStatistics', cumulative: 'FetchWorkersCumulativeStatistics' },
  realtime: (s) => fig.workersRealtime(s.ws),
  cumulative: (s) => fig.workersCumulative(s.ws, s.window()),
};

/** One Worker: the spec has only Statistics, and it carries no real-time part. */
const workerScope: StatisticsScope = {
  path: '/Workers/{WorkerSid}',
  operationIds: { statistics: 'FetchWorkerInstanceStatistics' },
  target: { param: 'WorkerSid', in: (ws) => ws.workers, sidField: 'worker_sid' },
  cumulative: (s) => fig.workersCumulative(s.ws, s.window(), s.sid),
};

const workflowScope: StatisticsScope = {
  path: '/Workflows/{WorkflowSid}',
  operationIds: { statistics: 'FetchWorkflowStatistics', realTime: 'FetchWorkflowRealTimeStatistics', cumulative: 'FetchWorkflowCumulativeStatistics' },
  target: { param: 'WorkflowSid', in: (ws) => ws.workflows, sidField: 'workflow_sid' },
  realtime: (s) => fig.workflowRealtime(s.engine, s.ws, s.sid, s.window().channelSid),
  cumulative: (s) => fig.workflowCumulative(s.ws, s.sid, s.window()),
};

/** Statistics of every TaskQueue (filtered by FriendlyName), paged. */
const listTaskQueuesStatistics: RouteDef = {
  method: 'GET',
  path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues/Statistics',
  operationId: 'ListTaskQueuesStatistics',
  handler: (req, env) => {
    const engine = engineOf(env);
    const ws = requireWorkspace(engine, req.accountSid, req.pathParams.WorkspaceSid);
    const w = fig.readWindow(req, engine, ws);
    const name = new Params(req.query, 'query').string('FriendlyName');
    const queues = Object.values(ws.queues).filter((q) => name === undefined || q.friendlyName === name);
    const item = (sid: string) => ({
      account_sid: req.accountSid,
      cumulative: fig.queueCumulative(ws, sid, w),
      realtime: fig.queueRealtime(engine, ws, sid, w.channelSid),
      task_queue_sid: sid,
      workspace_sid: ws.sid,
    });
    return { status: 200, body: paginate(req, queues, (q) => item(q.sid), { key: 'task_queues_statistics' }) };
  },
};

/** Real-time statistics of up to 50 TaskQueues at once (all of them when none are named). */
const bulkTaskQueueRealTimeStatistics: RouteDef = {
  method: 'POST',
  path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues/RealTimeStatistics',
  operationId: 'CreateTaskQueueBulkRealTimeStatistics',
  mutating: false,
  extraParams: ['task_queue_sids'],
  handler: (req, env) => {
    const engine = engineOf(env);
    const ws = requireWorkspace(engine, req.accountSid, req.pathParams.WorkspaceSid);
    const json = req.json as { task_queue_sids?: unknown; taskQueueSids?: unknown } | undefined;
    const raw = json?.task_queue_sids ?? json?.taskQueueSids ?? req.body.TaskQueueSids;
    const sids = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : Object.keys(ws.queues);
    if (sids.length > 50) throw invalidParam('task_queue_sids', `at most 50 TaskQueue SIDs per request (got ${sids.length})`);
    const data = sids.map((sid) => {
      if (!ws.queues[sid]) throw notFound(wsPath(ws.sid, `/TaskQueues/${sid}`));
      return { ...fig.queueRealtime(engine, ws, sid), task_queue_sid: sid };
    });
    return {
      status: 200,
      body: { account_sid: req.accountSid, workspace_sid: ws.sid, task_queue_data: data, task_queue_response_count: data.length, url: u(`${ws.sid}/TaskQueues/RealTimeStatistics`) },
    };
  },
};

export const statisticsRoutes: RouteDef[] = [
  ...scopeRoutes(workspaceScope),
  ...scopeRoutes(taskQueueScope),
  listTaskQueuesStatistics,
  bulkTaskQueueRealTimeStatistics,
  ...scopeRoutes(workersScope),
  ...scopeRoutes(workerScope),
  ...scopeRoutes(workflowScope),
];
