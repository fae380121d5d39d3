/** Activities over HTTP. */
import { paginate } from '../../../core/paging';
import type { RouteDef } from '../../../core/types';
import { requireIn } from '../lookups';
import { createActivity, deleteActivity, updateActivity } from '../models/activities';
import { serializeActivity } from '../serialize';
import { body, lenientBool, noContent, ok, query, ws } from './http';

export const activityRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Activities',
    operationId: 'ListActivity',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      const q = query(req);
      const name = q.string('FriendlyName');
      const available = q.string('Available');
      const items = Object.values(w.activities).filter((a) => (name === undefined || a.friendlyName === name) && (available === undefined || String(a.available) === available.toLowerCase()));
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
