// TaskRouter TaskQueue. Everything is updatable in place except the parent
// workspace; `target_workers` is compared in canonical form, so respacing or
// re-casing the expression is not a change.
import * as pulumi from "@pulumi/pulumi";
import { canonicalizeExpression, validateTargetWorkersExpression } from "../../../routing";
import { createSafely } from "../runtime/create-safely";
import type { ResourceType } from "../runtime/define";
import { TwilioSidResource, type ArgsOf } from "../resource";
import { deleteIfPresent, retryIdempotent } from "../runtime/retry";
import { Checks } from "../runtime/validate";

export interface TaskQueueInputs {
  workspaceSid: string;
  friendlyName: string;
  /** Default `1==1` (every worker). */
  targetWorkers?: string;
  /** 1–50, default 1. */
  maxReservedWorkers?: number;
  /** Default FIFO. */
  taskOrder?: "FIFO" | "LIFO";
  reservationActivitySid?: string;
  assignmentActivitySid?: string;
}

export interface TaskQueueOutputs extends TaskQueueInputs {
  sid: string;
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

function toOutputs(workspaceSid: string, q: QueueApi): TaskQueueOutputs {
  return {
    workspaceSid,
    sid: q.sid,
    friendlyName: q.friendlyName,
    targetWorkers: canonical(q.targetWorkers ?? "1==1"),
    maxReservedWorkers: q.maxReservedWorkers,
    taskOrder: q.taskOrder as "FIFO" | "LIFO",
    reservationActivitySid: q.reservationActivitySid ?? undefined,
    assignmentActivitySid: q.assignmentActivitySid ?? undefined,
  };
}

function canonical(expression: string): string {
  try {
    return canonicalizeExpression(expression, "queue");
  } catch {
    return expression; // validate() reports it; never hide what the user wrote
  }
}

const UPDATABLE = ["friendlyName", "targetWorkers", "maxReservedWorkers", "taskOrder", "reservationActivitySid", "assignmentActivitySid"] as const;

export const taskQueueType: ResourceType<TaskQueueInputs, TaskQueueOutputs> = {
  kind: "TaskQueue",
  label: (p) => `TaskQueue "${p.friendlyName ?? "?"}"`,
  normalize: (i) => ({
    ...i,
    targetWorkers: canonical(i.targetWorkers ?? "1==1"),
    maxReservedWorkers: i.maxReservedWorkers ?? 1,
    taskOrder: i.taskOrder ?? "FIFO",
  }),
  validate(i, known) {
    const c = new Checks(i, known)
      .sid("workspaceSid", "WS")
      .text("friendlyName", 64)
      .integer("maxReservedWorkers", 1, 50)
      .oneOf("taskOrder", ["FIFO", "LIFO"])
      .sid("reservationActivitySid", "WA", false)
      .sid("assignmentActivitySid", "WA", false);
    if (known("targetWorkers") && i.targetWorkers !== undefined) {
      for (const f of validateTargetWorkersExpression(i.targetWorkers)) {
        c.failures.push({ property: "targetWorkers", reason: `targetWorkers: ${f.message}` });
      }
    }
    return c.failures;
  },
  diffKeys: ["workspaceSid", ...UPDATABLE],
  replaceKeys: ["workspaceSid"],
  async create(i, twilio) {
    const queues = twilio.client.taskrouter.v1.workspaces(i.workspaceSid).taskQueues;
    const label = taskQueueType.label(i);
    const q = await twilio.call(label, "create it", () =>
      createSafely<QueueApi>({
        describe: label,
        create: () =>
          queues.create({
            friendlyName: i.friendlyName,
            targetWorkers: i.targetWorkers,
            maxReservedWorkers: i.maxReservedWorkers,
            taskOrder: i.taskOrder,
            reservationActivitySid: i.reservationActivitySid,
            assignmentActivitySid: i.assignmentActivitySid,
          }),
        find: async () => (await queues.list({ friendlyName: i.friendlyName })).filter((x) => x.friendlyName === i.friendlyName),
      }),
    );
    return { id: q.sid, outs: toOutputs(i.workspaceSid, q) };
  },
  async read(id, olds, twilio) {
    const q = await twilio.call(taskQueueType.label(olds), "read it", () =>
      retryIdempotent(() => twilio.client.taskrouter.v1.workspaces(olds.workspaceSid).taskQueues(id).fetch()),
    );
    return toOutputs(olds.workspaceSid, q);
  },
  async update(id, olds, news, twilio) {
    const changed = Object.fromEntries(UPDATABLE.filter((k) => olds[k] !== news[k]).map((k) => [k, news[k]]));
    const q = await twilio.call(taskQueueType.label(news), "update it", () =>
      retryIdempotent(() => twilio.client.taskrouter.v1.workspaces(news.workspaceSid).taskQueues(id).update(changed)),
    );
    return toOutputs(news.workspaceSid, q);
  },
  async delete(id, olds, twilio) {
    await twilio.call(taskQueueType.label(olds), "delete it", () =>
      deleteIfPresent(() => twilio.client.taskrouter.v1.workspaces(olds.workspaceSid).taskQueues(id).remove()),
    );
  },
};

export type TaskQueueArgs = ArgsOf<TaskQueueInputs>;

export class TaskQueue extends TwilioSidResource {
  declare readonly friendlyName: pulumi.Output<string>;
  declare readonly targetWorkers: pulumi.Output<string>;
  constructor(name: string, args: TaskQueueArgs, opts?: pulumi.CustomResourceOptions) {
    super("TaskQueue", name, args, opts);
  }
}
