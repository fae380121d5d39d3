// TaskRouter Workspace: created by the stack, or adopted by SID (Flex's "Flex
// Task Assignment"). An adopted workspace is updated only in the fields the
// program declares and is never deleted: destroy restores those fields.
import * as pulumi from '@pulumi/pulumi';
import { changedFields, recordOriginals, type Originals } from '../runtime/adoption';
import { createSafely } from '../runtime/create-safely';
import type { ResourceType } from '../runtime/define';
import { TwilioSidResource, type ArgsOf } from '../resource';
import { deleteIfPresent, retryIdempotent } from '../runtime/retry';
import { Checks } from '../runtime/validate';

export interface WorkspaceInputs {
  /** Adopt this existing workspace instead of creating one. */
  adoptSid?: string;
  /** Required when creating. */
  friendlyName?: string;
  eventCallbackUrl?: string;
  /** Comma-separated event types sent to the callback. */
  eventsFilter?: string;
  multiTaskEnabled?: boolean;
  prioritizeQueueOrder?: 'FIFO' | 'LIFO';
  /** Create-only: `NONE` (default) or `FIFO`. */
  template?: 'NONE' | 'FIFO';
}

export interface WorkspaceOutputs extends WorkspaceInputs {
  sid: string;
  adopted: boolean;
  /** For adopted workspaces: the declared fields' values before adoption. */
  originals?: Originals;
  defaultActivitySid: string;
  timeoutActivitySid: string;
}

interface WorkspaceApi {
  sid: string;
  friendlyName: string;
  eventCallbackUrl: string | null;
  eventsFilter: string | null;
  multiTaskEnabled: boolean;
  prioritizeQueueOrder: string;
  defaultActivitySid: string;
  timeoutActivitySid: string;
}

const MANAGED = ['friendlyName', 'eventCallbackUrl', 'eventsFilter', 'multiTaskEnabled', 'prioritizeQueueOrder'] as const;

function liveFields(w: WorkspaceApi): Partial<WorkspaceInputs> {
  return {
    friendlyName: w.friendlyName,
    eventCallbackUrl: w.eventCallbackUrl ?? '',
    eventsFilter: w.eventsFilter ?? '',
    multiTaskEnabled: w.multiTaskEnabled,
    prioritizeQueueOrder: w.prioritizeQueueOrder as 'FIFO' | 'LIFO',
  };
}

function toOutputs(declared: WorkspaceInputs, w: WorkspaceApi, adopted: boolean, originals?: Originals): WorkspaceOutputs {
  const live = liveFields(w);
  return {
    ...declared,
    // Report live values for what the program manages; leave the rest unmanaged.
    ...Object.fromEntries(MANAGED.filter((k) => declared[k] !== undefined || !adopted).map((k) => [k, live[k]])),
    sid: w.sid,
    adopted,
    ...(adopted ? { originals: originals ?? {} } : {}),
    defaultActivitySid: w.defaultActivitySid,
    timeoutActivitySid: w.timeoutActivitySid,
  };
}

export const workspaceType: ResourceType<WorkspaceInputs, WorkspaceOutputs> = {
  kind: 'Workspace',
  label: (p) => (p.adoptSid ? `Workspace ${p.adoptSid} (adopted)` : `Workspace "${p.friendlyName ?? '?'}"`),
  normalize: (i) => (i.adoptSid ? i : { ...i, template: i.template ?? 'NONE' }),
  validate(i, known) {
    const c = new Checks(i, known)
      .sid('adoptSid', 'WS', false)
      .text('friendlyName', 64, !i.adoptSid)
      .url('eventCallbackUrl')
      .boolean('multiTaskEnabled')
      .oneOf('prioritizeQueueOrder', ['FIFO', 'LIFO'])
      .oneOf('template', ['NONE', 'FIFO']);
    if (i.adoptSid && i.template !== undefined) {
      c.failures.push({ property: 'template', reason: 'template applies only when creating a workspace; remove it or remove adoptSid' });
    }
    return c.failures;
  },
  diffKeys: ['adoptSid', 'template', ...MANAGED],
  optionalKeys: [...MANAGED],
  replaceKeys: ['adoptSid', 'template'],
  async create(i, twilio) {
    const label = workspaceType.label(i);
    const workspaces = twilio.client.taskrouter.v1.workspaces;
    if (i.adoptSid) {
      const sid = i.adoptSid;
      const live = await twilio.call(label, 'read it', () => retryIdempotent(() => workspaces(sid).fetch()));
      const originals = recordOriginals(undefined, i, liveFields(live), MANAGED);
      const changes = changedFields(i, liveFields(live), MANAGED);
      const updated = Object.keys(changes).length ? await twilio.call(label, 'update it', () => retryIdempotent(() => workspaces(sid).update(changes))) : live;
      return { id: sid, outs: toOutputs(i, updated, true, originals) };
    }
    const name = i.friendlyName as string;
    const w = await twilio.call(label, 'create it', () =>
      createSafely<WorkspaceApi>({
        describe: label,
        create: () =>
          workspaces.create({
            friendlyName: name,
            eventCallbackUrl: i.eventCallbackUrl,
            eventsFilter: i.eventsFilter,
            multiTaskEnabled: i.multiTaskEnabled,
            prioritizeQueueOrder: i.prioritizeQueueOrder,
            template: i.template,
          }),
        find: async () => (await workspaces.list({ friendlyName: name })).filter((x) => x.friendlyName === name),
      }),
    );
    return { id: w.sid, outs: toOutputs(i, w, false) };
  },
  async read(id, olds, twilio) {
    const w = await twilio.call(workspaceType.label(olds), 'read it', () => retryIdempotent(() => twilio.client.taskrouter.v1.workspaces(id).fetch()));
    return toOutputs(olds, w, olds.adopted, olds.originals);
  },
  async update(id, olds, news, twilio) {
    const label = workspaceType.label(news);
    const api = twilio.client.taskrouter.v1.workspaces(id);
    const live = liveFields(await twilio.call(label, 'read it', () => retryIdempotent(() => api.fetch())));
    const originals = olds.adopted ? recordOriginals(olds.originals, news, live, MANAGED) : undefined;
    const changes = changedFields(news, live, MANAGED);
    const w = await twilio.call(label, 'update it', () => retryIdempotent(() => (Object.keys(changes).length ? api.update(changes) : api.fetch())));
    return toOutputs(news, w, olds.adopted, originals);
  },
  async delete(id, olds, twilio) {
    const label = workspaceType.label(olds);
    const api = twilio.client.taskrouter.v1.workspaces(id);
    if (olds.adopted) {
      // Never delete an adopted workspace; put back what the stack changed.
      const restore = Object.fromEntries(Object.entries(olds.originals ?? {}).map(([k, v]) => [k, v ?? '']));
      if (Object.keys(restore).length) await twilio.call(label, 'restore it', () => retryIdempotent(() => api.update(restore)));
      return;
    }
    await twilio.call(label, 'delete it', () => deleteIfPresent(() => api.remove()));
  },
};

export type WorkspaceArgs = ArgsOf<WorkspaceInputs>;

export class Workspace extends TwilioSidResource {
  declare readonly adopted: pulumi.Output<boolean>;
  declare readonly friendlyName: pulumi.Output<string>;
  declare readonly defaultActivitySid: pulumi.Output<string>;
  declare readonly timeoutActivitySid: pulumi.Output<string>;
  constructor(name: string, args: WorkspaceArgs, opts?: pulumi.CustomResourceOptions) {
    super('Workspace', name, { adopted: undefined, defaultActivitySid: undefined, timeoutActivitySid: undefined, friendlyName: undefined, ...args }, opts);
  }
}
