/** Workflows over HTTP. */
import { paginate } from '../../../core/paging';
import type { RouteDef } from '../../../core/types';
import { requireIn } from '../lookups';
import { createWorkflow, deleteWorkflow, updateWorkflow } from '../models/workflows';
import { serializeWorkflow } from '../serialize';
import { body, noContent, nullableUrl, ok, query, ws } from './http';

export const workflowRoutes: RouteDef[] = [
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
