/** Events over HTTP, newest first, with the list filters. */
import { notFound } from '../../../core/errors';
import { paginate } from '../../../core/paging';
import type { RouteDef } from '../../../core/types';
import { serializeEvent } from '../serialize';
import { ok, query, ws } from './http';

export const eventRoutes: RouteDef[] = [
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
