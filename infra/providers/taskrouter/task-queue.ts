// TaskRouter TaskQueue: created by the stack, or adopted (Flex's Everyone, a
// queue made in the Console or by another tool) by SID or friendly name.
// Everything is updatable in place except the parent workspace;
// `target_workers` is compared in canonical form, so respacing or re-casing
// the expression is not a change. An adopted queue is changed only in the
// fields the program declares and is never deleted: destroy restores them.
import * as pulumi from '@pulumi/pulumi';
import { canonicalizeExpression, validateTargetWorkersExpression } from '../../../routing';
import { exactlyOne, isAdopting, pickDeclared, restoreAdopted, syncAdopted, type AdoptionApi, type AdoptionInputs, type Originals } from '../runtime/adoption';
import { createSafely } from '../runtime/create-safely';
import type { ResourceType } from '../runtime/define';
import { TwilioSidResource, type ArgsOf } from '../resource';
import { deleteIfPresent, retryIdempotent } from '../runtime/retry';
import type { TwilioSession } from '../runtime/twilio';
import { Checks } from '../runtime/validate';

export interface TaskQueueInputs extends AdoptionInputs {
  workspaceSid: string;
  /** Required when creating; when adopting, a rename the program asks for. */
  friendlyName?: string;
  /** Default `1==1` (every worker) when creating. */
  targetWorkers?: string;
  /** 1–50, default 1 when creating. */
  maxReservedWorkers?: number;
  /** Default FIFO when creating. */
  taskOrder?: 'FIFO' | 'LIFO';
  reservationActivitySid?: string;
  assignmentActivitySid?: string;
}

export interface TaskQueueOutputs extends TaskQueueInputs {
  sid: string;
  adopted?: boolean;
  /** For adopted queues: the declared fields' values before the stack changed them. */
  originals?: Originals;
}

interface QueueApi {
  sid: string;
  friendlyName: string;
  targetWorkers: string;
  maxReservedWorkers: number;
  taskOrder: string;
  reservationActivitySid: string | null;
  assignmentActivitySid: string | null;
}

const UPDATABLE = ['friendlyName', 'targetWorkers', 'maxReservedWorkers', 'taskOrder', 'reservationActivitySid', 'assignmentActivitySid'] as const;

function canonical(expression: string): string {
  try {
    return canonicalizeExpression(expression, 'queue');
  } catch {
    return expression; // validate() reports it; never hide what the user wrote
  }
}

function raw(q: QueueApi): Partial<TaskQueueInputs> {
  return {
    friendlyName: q.friendlyName,
    targetWorkers: q.targetWorkers ?? '1==1',
    maxReservedWorkers: q.maxReservedWorkers,
    taskOrder: q.taskOrder as 'FIFO' | 'LIFO',
    reservationActivitySid: q.reservationActivitySid ?? undefined,
    assignmentActivitySid: q.assignmentActivitySid ?? undefined,
  };
}

function live(q: QueueApi): Partial<TaskQueueInputs> {
  return { ...raw(q), targetWorkers: canonical(q.targetWorkers ?? '1==1') };
}

function toOutputs(workspaceSid: string, q: QueueApi): TaskQueueOutputs {
  return { workspaceSid, sid: q.sid, ...live(q) } as TaskQueueOutputs;
}

const queues = (i: TaskQueueInputs, twilio: TwilioSession) => twilio.client.taskrouter.v1.workspaces(i.workspaceSid).taskQueues;

export const queueAdoption: AdoptionApi<TaskQueueInputs, QueueApi> = {
  async find(i, twilio) {
    const label = taskQueueType.label(i);
    if (i.adoptSid) {
      const sid = i.adoptSid;
      return twilio.call(label, 'find it', () => retryIdempotent(() => queues(i, twilio)(sid).fetch()));
    }
    const name = i.adoptName as string;
    const found = await twilio.call(label, 'find it', () => retryIdempotent(async () => (await queues(i, twilio).list({ friendlyName: name })).filter((q) => q.friendlyName === name)));
    return exactlyOne(label, `TaskQueue named '${name}' in workspace ${i.workspaceSid}`, found);
  },
  fetch: (sid, i, twilio) => queues(i, twilio)(sid).fetch(),
  update: (sid, fields, i, twilio) => queues(i, twilio)(sid).update(fields),
  live,
  raw,
};

export const taskQueueType: ResourceType<TaskQueueInputs, TaskQueueOutputs> = {
  kind: 'TaskQueue',
  label: (p) => `TaskQueue "${p.friendlyName ?? p.adoptName ?? p.adoptSid ?? '?'}"${isAdopting(p) ? ' (adopted)' : ''}`,
  normalize: (i) =>
    isAdopting(i)
      ? { ...i, ...(i.targetWorkers !== undefined ? { targetWorkers: canonical(i.targetWorkers) } : {}) }
      : { ...i, targetWorkers: canonical(i.targetWorkers ?? '1==1'), maxReservedWorkers: i.maxReservedWorkers ?? 1, taskOrder: i.taskOrder ?? 'FIFO' },
  validate(i, known) {
    const c = new Checks(i, known)
      .sid('workspaceSid', 'WS')
      .sid('adoptSid', 'WQ', false)
      .text('adoptName', 64, false)
      .text('friendlyName', 64, !isAdopting(i))
      .integer('maxReservedWorkers', 1, 50)
      .oneOf('taskOrder', ['FIFO', 'LIFO'])
      .sid('reservationActivitySid', 'WA', false)
      .sid('assignmentActivitySid', 'WA', false);
    if (i.adoptSid && i.adoptName) c.failures.push({ property: 'adoptName', reason: 'adoptName and adoptSid name the queue to adopt twice; give one' });
    if (known('targetWorkers') && i.targetWorkers !== undefined) {
      for (const f of validateTargetWorkersExpression(i.targetWorkers)) {
        c.failures.push({ property: 'targetWorkers', reason: `targetWorkers: ${f.message}` });
      }
    }
    return c.failures;
  },
  isAdopted: isAdopting,
  diffKeys: ['workspaceSid', 'adoptSid', 'adoptName', ...UPDATABLE],
  replaceKeys: ['workspaceSid', 'adoptSid', 'adoptName'],
  async create(i, twilio) {
    const label = taskQueueType.label(i);
    if (isAdopting(i)) {
      const adopted = await syncAdopted(label, queueAdoption, UPDATABLE, i, twilio);
      return { id: adopted.sid, outs: { ...i, ...adopted.live, sid: adopted.sid, adopted: true, originals: adopted.originals } };
    }
    const api = queues(i, twilio);
    const q = await twilio.call(label, 'create it', () =>
      createSafely<QueueApi>({
        describe: label,
        create: () =>
          api.create({
            friendlyName: i.friendlyName as string,
            targetWorkers: i.targetWorkers,
            maxReservedWorkers: i.maxReservedWorkers,
            taskOrder: i.taskOrder,
            reservationActivitySid: i.reservationActivitySid,
            assignmentActivitySid: i.assignmentActivitySid,
          }),
        find: async () => (await api.list({ friendlyName: i.friendlyName })).filter((x) => x.friendlyName === i.friendlyName),
      }),
    );
    return { id: q.sid, outs: toOutputs(i.workspaceSid, q) };
  },
  async read(id, olds, twilio) {
    const q = await twilio.call(taskQueueType.label(olds), 'read it', () => retryIdempotent(() => queues(olds, twilio)(id).fetch()));
    if (olds.adopted) return { ...olds, ...pickDeclared(live(q), olds, UPDATABLE) };
    return toOutputs(olds.workspaceSid, q);
  },
  async update(id, olds, news, twilio) {
    const label = taskQueueType.label(news);
    if (olds.adopted) {
      const adopted = await syncAdopted(label, queueAdoption, UPDATABLE, news, twilio, { sid: id, originals: olds.originals });
      return { ...news, ...adopted.live, sid: id, adopted: true, originals: adopted.originals };
    }
    const changed = Object.fromEntries(UPDATABLE.filter((k) => olds[k] !== news[k]).map((k) => [k, news[k]]));
    const q = await twilio.call(label, 'update it', () => retryIdempotent(() => queues(news, twilio)(id).update(changed)));
    return toOutputs(news.workspaceSid, q);
  },
  async delete(id, olds, twilio) {
    const label = taskQueueType.label(olds);
    if (olds.adopted) return restoreAdopted(label, queueAdoption, id, olds.originals, olds, twilio);
    await twilio.call(label, 'delete it', () => deleteIfPresent(() => queues(olds, twilio)(id).remove()));
  },
};

export type TaskQueueArgs = ArgsOf<TaskQueueInputs>;

export class TaskQueue extends TwilioSidResource {
  declare readonly friendlyName: pulumi.Output<string>;
  declare readonly targetWorkers: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean | undefined>;
  constructor(name: string, args: TaskQueueArgs, opts?: pulumi.CustomResourceOptions) {
    super('TaskQueue', name, { adopted: undefined, originals: undefined, ...args }, opts);
  }
}
