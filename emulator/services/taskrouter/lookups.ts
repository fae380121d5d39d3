/**
 * Finding TaskRouter records, with Twilio's 404 wording when they are not
 * there, and a workspace's task channel by SID or unique name.
 */
import { notFound } from '../../core/errors';
import type { TaskRouterEngine } from './engine/engine';
import type { TaskChannelRec, WorkspaceRec } from './types';

export function wsPath(wsSid: string, rest = ''): string {
  return `/v1/Workspaces/${wsSid}${rest}`;
}

export function requireWorkspace(engine: TaskRouterEngine, accountSid: string, wsSid: string): WorkspaceRec {
  const ws = engine.state(accountSid).workspaces[wsSid];
  if (!ws) throw notFound(wsPath(wsSid));
  return ws;
}

export function requireIn<T>(map: Record<string, T>, sid: string, path: string): T {
  const item = Object.prototype.hasOwnProperty.call(map, sid) ? map[sid] : undefined;
  if (!item) throw notFound(path);
  return item;
}

export function findChannel(ws: WorkspaceRec, sidOrUniqueName: string): TaskChannelRec | undefined {
  return ws.channels[sidOrUniqueName] ?? Object.values(ws.channels).find((c) => c.uniqueName === sidOrUniqueName);
}
