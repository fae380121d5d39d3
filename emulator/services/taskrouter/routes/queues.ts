/** TaskQueues over HTTP, with the list filters by worker and by attributes. */
import type { RoutingWorker } from '../../../../routing';
import { invalidParam } from '../../../core/errors';
import { paginate } from '../../../core/paging';
import { Params } from '../../../core/params';
import type { RouteDef } from '../../../core/types';
import { membersOf } from '../engine/views';
import { requireIn } from '../lookups';
import { createQueue, deleteQueue, updateQueue } from '../models/queues';
import { serializeQueue } from '../serialize';
import { body, compileFilter, noContent, ok, query, queueOrder, ws } from './http';

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

export const queueRoutes: RouteDef[] = [
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
