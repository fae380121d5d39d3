/** Workers and their channels over HTTP, with the list filters. */
import { paginate } from '../../../core/paging';
import type { RouteDef } from '../../../core/types';
import { membersOf, workerViews } from '../engine/views';
import { requireWorkerChannel, updateWorkerChannel } from '../models/worker-channels';
import { createWorker, deleteWorker, updateWorker } from '../models/workers';
import { serializeWorker, serializeWorkerChannel } from '../serialize';
import { body, compileFilter, noContent, ok, query, requireWorker, ws } from './http';

export const workerRoutes: RouteDef[] = [
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
