/** Workspaces over HTTP. */
import { paginate } from '../../../core/paging';
import type { RouteDef } from '../../../core/types';
import { engineOf } from '../context';
import { createWorkspace, deleteWorkspace, updateWorkspace } from '../models/workspaces';
import { isFlexWorkspace } from '../seed';
import { serializeWorkspace } from '../serialize';
import { body, noContent, nullableUrl, ok, query, queueOrder, ws } from './http';

export const workspaceRoutes: RouteDef[] = [
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
