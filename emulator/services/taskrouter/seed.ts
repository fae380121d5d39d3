/**
 * The `flex` seed: what a new Flex account has in TaskRouter, with fixed
 * SIDs derived from the account SID and each object's name, so stacks can
 * adopt them by SID and tests can name them:
 *
 *   sid = PREFIX + first 32 hex of sha256(`${accountSid}:${kind}:${name}`)
 *
 * kinds: workspace, activity, taskchannel, taskqueue, workflow, worker,
 * workerchannel (`<worker>/<channel unique name>`); and for Flex:
 * flex-instance (GO), chat-service (IS), flex-flow (FO).
 */
import { seededSid } from '../../core/sids';
import type { TaskRouterEngine } from './engine/engine';
import { createActivity } from './models/activities';
import { createQueue } from './models/queues';
import { createTaskChannel } from './models/task-channels';
import { createWorker } from './models/workers';
import { createWorkflow } from './models/workflows';
import { createWorkspace, DEFAULT_TASK_CHANNELS } from './models/workspaces';
import type { WorkspaceRec } from './types';

export const FLEX_WORKSPACE_NAME = 'Flex Task Assignment';
export const FLEX_ACTIVITIES: ReadonlyArray<[string, boolean]> = [
  ['Offline', false],
  ['Available', true],
  ['Unavailable', false],
  ['Break', false],
];
export const FLEX_QUEUE_NAME = 'Everyone';
export const FLEX_WORKFLOW_NAME = 'Assign to Anyone';

export interface DemoWorker {
  name: string;
  fullName: string;
  skills: string[];
}

export const DEMO_WORKERS: readonly DemoWorker[] = [
  { name: 'alice', fullName: 'Alice Anders', skills: ['sales', 'support'] },
  { name: 'bob', fullName: 'Bob Brown', skills: ['support'] },
  { name: 'carol', fullName: 'Carol Chen', skills: ['sales', 'billing'] },
  { name: 'dave', fullName: 'Dave Diaz', skills: ['billing'] },
];

/** Per-channel capacities of the demo workers (others: 1). */
export const DEMO_CAPACITIES: Readonly<Record<string, number>> = { voice: 1, chat: 3 };

export interface FlexSeedSids {
  workspace: string;
  activities: Record<string, string>;
  channels: Record<string, string>;
  everyoneQueue: string;
  assignToAnyoneWorkflow: string;
  workers: Record<string, string>;
  workerChannels: Record<string, Record<string, string>>;
}

/** The SIDs `--seed flex` gives an account (documented in README.md). */
export function flexSeedSids(accountSid: string): FlexSeedSids {
  const s = (prefix: string, kind: string, name: string) => seededSid(prefix, accountSid, kind, name);
  return {
    workspace: s('WS', 'workspace', FLEX_WORKSPACE_NAME),
    activities: Object.fromEntries(FLEX_ACTIVITIES.map(([n]) => [n, s('WA', 'activity', n)])),
    channels: Object.fromEntries(DEFAULT_TASK_CHANNELS.map(([u]) => [u, s('TC', 'taskchannel', u)])),
    everyoneQueue: s('WQ', 'taskqueue', FLEX_QUEUE_NAME),
    assignToAnyoneWorkflow: s('WW', 'workflow', FLEX_WORKFLOW_NAME),
    workers: Object.fromEntries(DEMO_WORKERS.map((w) => [w.name, s('WK', 'worker', w.name)])),
    workerChannels: Object.fromEntries(DEMO_WORKERS.map((w) => [w.name, Object.fromEntries(DEFAULT_TASK_CHANNELS.map(([u]) => [u, s('WC', 'workerchannel', `${w.name}/${u}`)]))])),
  };
}

export function isFlexWorkspace(accountSid: string, wsSid: string): boolean {
  return flexSeedSids(accountSid).workspace === wsSid;
}

export function seedFlexTaskRouter(engine: TaskRouterEngine, accountSid: string): WorkspaceRec {
  const sids = flexSeedSids(accountSid);
  const existing = engine.state(accountSid).workspaces[sids.workspace];
  if (existing) return existing;
  const ws = createWorkspace(engine, accountSid, { friendlyName: FLEX_WORKSPACE_NAME }, { sid: sids.workspace, bare: true });
  for (const [name, available] of FLEX_ACTIVITIES) createActivity(engine, accountSid, ws, { friendlyName: name, available, sid: sids.activities[name] });
  ws.defaultActivitySid = sids.activities.Offline;
  ws.timeoutActivitySid = sids.activities.Offline;
  for (const [unique, friendly] of DEFAULT_TASK_CHANNELS) createTaskChannel(engine, accountSid, ws, { uniqueName: unique, friendlyName: friendly, sid: sids.channels[unique] });
  const queue = createQueue(engine, accountSid, ws, { friendlyName: FLEX_QUEUE_NAME, targetWorkers: '1==1', sid: sids.everyoneQueue });
  createWorkflow(engine, accountSid, ws, {
    friendlyName: FLEX_WORKFLOW_NAME,
    configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }),
    sid: sids.assignToAnyoneWorkflow,
  });
  for (const w of DEMO_WORKERS) {
    const contact = `client:${w.name}`;
    createWorker(engine, accountSid, ws, {
      friendlyName: w.name,
      sid: sids.workers[w.name],
      attributes: JSON.stringify({
        contact_uri: contact,
        full_name: w.fullName,
        email: `${w.name}@example.com`,
        image_url: null,
        roles: ['agent'],
        routing: { skills: w.skills, levels: Object.fromEntries(w.skills.map((s) => [s, 1])) },
      }),
      channelCapacities: DEMO_CAPACITIES,
      channelSid: (unique) => sids.workerChannels[w.name][unique],
    });
  }
  return ws;
}
