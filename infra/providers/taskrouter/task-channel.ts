// TaskRouter TaskChannel. `unique_name` cannot change: a new one replaces the
// channel, deleting first because the name must stay unique. Flex's own
// channels (`voice`, `chat`, ...) are adopted by unique name, never deleted.
import * as pulumi from '@pulumi/pulumi';
import { changedFields, recordOriginals, type Originals } from '../runtime/adoption';
import { createSafely } from '../runtime/create-safely';
import type { ResourceType } from '../runtime/define';
import { TwilioSidResource, type ArgsOf } from '../resource';
import { deleteIfPresent, retryIdempotent } from '../runtime/retry';
import { Checks } from '../runtime/validate';

export interface TaskChannelInputs {
  workspaceSid: string;
  uniqueName: string;
  /** Adopt the workspace's existing channel of this unique name. */
  adopt?: boolean;
  /** Required when creating. */
  friendlyName?: string;
  channelOptimizedRouting?: boolean;
}

export interface TaskChannelOutputs extends TaskChannelInputs {
  sid: string;
  adopted: boolean;
  originals?: Originals;
}

interface ChannelApi {
  sid: string;
  uniqueName: string;
  friendlyName: string;
  channelOptimizedRouting: boolean | null;
}

const MANAGED = ['friendlyName', 'channelOptimizedRouting'] as const;

function live(c: ChannelApi): Partial<TaskChannelInputs> {
  return { friendlyName: c.friendlyName, channelOptimizedRouting: c.channelOptimizedRouting ?? false };
}

function toOutputs(declared: TaskChannelInputs, c: ChannelApi, adopted: boolean, originals?: Originals): TaskChannelOutputs {
  const l = live(c);
  return {
    ...declared,
    ...Object.fromEntries(MANAGED.filter((k) => declared[k] !== undefined || !adopted).map((k) => [k, l[k]])),
    uniqueName: c.uniqueName,
    sid: c.sid,
    adopted,
    ...(adopted ? { originals: originals ?? {} } : {}),
  };
}

export const taskChannelType: ResourceType<TaskChannelInputs, TaskChannelOutputs> = {
  kind: 'TaskChannel',
  label: (p) => `TaskChannel "${p.uniqueName ?? '?'}"${p.adopt ? ' (adopted)' : ''}`,
  normalize: (i) => (i.adopt ? { ...i, adopt: true } : { ...i, adopt: false, channelOptimizedRouting: i.channelOptimizedRouting ?? false }),
  validate(i, known) {
    return new Checks(i, known)
      .sid('workspaceSid', 'WS')
      .pattern('uniqueName', /^[A-Za-z0-9_-]{1,64}$/, "1-64 letters, digits, '_' or '-'")
      .text('friendlyName', 64, !i.adopt)
      .boolean('channelOptimizedRouting').failures;
  },
  diffKeys: ['workspaceSid', 'uniqueName', 'adopt', ...MANAGED],
  optionalKeys: [...MANAGED],
  replaceKeys: ['workspaceSid', 'uniqueName', 'adopt'],
  deleteBeforeReplace: true,
  async create(i, twilio) {
    const label = taskChannelType.label(i);
    const channels = twilio.client.taskrouter.v1.workspaces(i.workspaceSid).taskChannels;
    const find = async () => (await channels.list()).filter((c) => c.uniqueName === i.uniqueName);
    if (i.adopt) {
      const found = await twilio.call(label, 'find it', () => retryIdempotent(find));
      if (found.length !== 1) throw new Error(`${label}: workspace ${i.workspaceSid} has no task channel with unique name '${i.uniqueName}' to adopt`);
      const originals = recordOriginals(undefined, i, live(found[0]), MANAGED);
      const changes = changedFields(i, live(found[0]), MANAGED);
      const c = Object.keys(changes).length ? await twilio.call(label, 'update it', () => retryIdempotent(() => channels(found[0].sid).update(changes))) : found[0];
      return { id: c.sid, outs: toOutputs(i, c, true, originals) };
    }
    const c = await twilio.call(label, 'create it', () =>
      createSafely<ChannelApi>({
        describe: label,
        create: () => channels.create({ uniqueName: i.uniqueName, friendlyName: i.friendlyName as string, channelOptimizedRouting: i.channelOptimizedRouting }),
        find,
      }),
    );
    return { id: c.sid, outs: toOutputs(i, c, false) };
  },
  async read(id, olds, twilio) {
    const c = await twilio.call(taskChannelType.label(olds), 'read it', () => retryIdempotent(() => twilio.client.taskrouter.v1.workspaces(olds.workspaceSid).taskChannels(id).fetch()));
    return toOutputs(olds, c, olds.adopted, olds.originals);
  },
  async update(id, olds, news, twilio) {
    const label = taskChannelType.label(news);
    const api = twilio.client.taskrouter.v1.workspaces(news.workspaceSid).taskChannels(id);
    const current = await twilio.call(label, 'read it', () => retryIdempotent(() => api.fetch()));
    const originals = olds.adopted ? recordOriginals(olds.originals, news, live(current), MANAGED) : undefined;
    const changes = changedFields(news, live(current), MANAGED);
    const c = Object.keys(changes).length ? await twilio.call(label, 'update it', () => retryIdempotent(() => api.update(changes))) : current;
    return toOutputs(news, c, olds.adopted, originals);
  },
  async delete(id, olds, twilio) {
    const label = taskChannelType.label(olds);
    const api = twilio.client.taskrouter.v1.workspaces(olds.workspaceSid).taskChannels(id);
    if (olds.adopted) {
      const restore = olds.originals ?? {};
      if (Object.keys(restore).length) await twilio.call(label, 'restore it', () => retryIdempotent(() => api.update(restore)));
      return;
    }
    await twilio.call(label, 'delete it', () => deleteIfPresent(() => api.remove()));
  },
};

export type TaskChannelArgs = ArgsOf<TaskChannelInputs>;

export class TaskChannel extends TwilioSidResource {
  declare readonly uniqueName: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean>;
  constructor(name: string, args: TaskChannelArgs, opts?: pulumi.CustomResourceOptions) {
    super('TaskChannel', name, { adopted: undefined, ...args }, opts);
  }
}
