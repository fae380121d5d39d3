/** Tasks over HTTP: list filters and ordering, create, update with If-Match, delete. */
import { invalidParam } from '../../../core/errors';
import { paginate } from '../../../core/paging';
import type { RouteDef } from '../../../core/types';
import { deleteTask } from '../engine/task-ending';
import { createTask, updateTask } from '../engine/tasks';
import { serializeTask } from '../serialize';
import type { TaskRec, TaskStatus } from '../types';
import { body, compileFilter, etag, ifMatch, noContent, ok, query, requireTask, ws } from './http';

const TASK_STATUSES: readonly TaskStatus[] = ['pending', 'reserved', 'assigned', 'canceled', 'completed', 'wrapping'];

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

export const taskRoutes: RouteDef[] = [
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
