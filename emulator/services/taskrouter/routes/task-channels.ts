/** Task channels over HTTP (by SID or unique name). */
import { notFound } from '../../../core/errors';
import { paginate } from '../../../core/paging';
import type { EmulatorRequest, RouteDef } from '../../../core/types';
import { findChannel } from '../lookups';
import { createTaskChannel, deleteTaskChannel, updateTaskChannel } from '../models/task-channels';
import { serializeTaskChannel } from '../serialize';
import type { WorkspaceRec } from '../types';
import { body, noContent, ok, ws } from './http';

function requireChannel(req: EmulatorRequest, w: WorkspaceRec) {
  const c = findChannel(w, req.pathParams.Sid);
  if (!c) throw notFound(req.path);
  return c;
}

export const channelRoutes: RouteDef[] = [
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
