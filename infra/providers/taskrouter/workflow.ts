// TaskRouter Workflow. The configuration is validated by the routing engine
// before any API call (findings name the filter, target, field and position)
// and compared in canonical form (sorted keys, canonical expressions), so a
// plan shows only changes in meaning.
import * as pulumi from "@pulumi/pulumi";
import { canonicalizeWorkflowConfiguration, validateWorkflowConfiguration, type Finding } from "../../../routing";
import { createSafely } from "../runtime/create-safely";
import type { ResourceType } from "../runtime/define";
import { TwilioSidResource, type ArgsOf } from "../resource";
import { deleteIfPresent, retryIdempotent } from "../runtime/retry";
import { Checks } from "../runtime/validate";

export interface WorkflowInputs {
  workspaceSid: string;
  friendlyName: string;
  /** Workflow configuration JSON (string). */
  configuration: string;
  assignmentCallbackUrl?: string;
  fallbackAssignmentCallbackUrl?: string;
  /** Seconds, 1–86400; default 120. */
  taskReservationTimeout?: number;
}

export interface WorkflowOutputs extends WorkflowInputs {
  sid: string;
}

interface WorkflowApi {
  sid: string;
  friendlyName: string;
  configuration: string;
  assignmentCallbackUrl: string | null;
  fallbackAssignmentCallbackUrl: string | null;
  taskReservationTimeout: number;
}

export function describeFinding(f: Finding): string {
  return `${f.path}: ${f.message}`;
}

function toOutputs(workspaceSid: string, w: WorkflowApi): WorkflowOutputs {
  return {
    workspaceSid,
    sid: w.sid,
    friendlyName: w.friendlyName,
    configuration: canonicalizeWorkflowConfiguration(w.configuration),
    assignmentCallbackUrl: w.assignmentCallbackUrl || undefined,
    fallbackAssignmentCallbackUrl: w.fallbackAssignmentCallbackUrl || undefined,
    taskReservationTimeout: w.taskReservationTimeout,
  };
}

const UPDATABLE = ["friendlyName", "configuration", "assignmentCallbackUrl", "fallbackAssignmentCallbackUrl", "taskReservationTimeout"] as const;

export const workflowType: ResourceType<WorkflowInputs, WorkflowOutputs> = {
  kind: "Workflow",
  label: (p) => `Workflow "${p.friendlyName ?? "?"}"`,
  normalize: (i) => ({
    ...i,
    configuration: canonicalizeWorkflowConfiguration(i.configuration),
    taskReservationTimeout: i.taskReservationTimeout ?? 120,
  }),
  validate(i, known) {
    const c = new Checks(i, known)
      .sid("workspaceSid", "WS")
      .text("friendlyName", 64)
      .url("assignmentCallbackUrl")
      .url("fallbackAssignmentCallbackUrl")
      .integer("taskReservationTimeout", 1, 86400);
    if (known("configuration")) {
      for (const f of validateWorkflowConfiguration(i.configuration)) {
        c.failures.push({ property: "configuration", reason: `configuration: ${describeFinding(f)}` });
      }
    }
    return c.failures;
  },
  diffKeys: ["workspaceSid", ...UPDATABLE],
  replaceKeys: ["workspaceSid"],
  async create(i, twilio) {
    const workflows = twilio.client.taskrouter.v1.workspaces(i.workspaceSid).workflows;
    const label = workflowType.label(i);
    const w = await twilio.call(label, "create it", () =>
      createSafely<WorkflowApi>({
        describe: label,
        create: () =>
          workflows.create({
            friendlyName: i.friendlyName,
            configuration: i.configuration,
            assignmentCallbackUrl: i.assignmentCallbackUrl,
            fallbackAssignmentCallbackUrl: i.fallbackAssignmentCallbackUrl,
            taskReservationTimeout: i.taskReservationTimeout,
          }),
        find: async () => (await workflows.list({ friendlyName: i.friendlyName })).filter((x) => x.friendlyName === i.friendlyName),
      }),
    );
    return { id: w.sid, outs: toOutputs(i.workspaceSid, w) };
  },
  async read(id, olds, twilio) {
    const w = await twilio.call(workflowType.label(olds), "read it", () =>
      retryIdempotent(() => twilio.client.taskrouter.v1.workspaces(olds.workspaceSid).workflows(id).fetch()),
    );
    return toOutputs(olds.workspaceSid, w);
  },
  async update(id, olds, news, twilio) {
    const changed = Object.fromEntries(UPDATABLE.filter((k) => olds[k] !== news[k]).map((k) => [k, news[k] ?? ""]));
    const w = await twilio.call(workflowType.label(news), "update it", () =>
      retryIdempotent(() =>
        // Tasks already routed keep their route unless re-evaluated: a changed
        // configuration should apply to waiting transfers too.
        twilio.client.taskrouter.v1
          .workspaces(news.workspaceSid)
          .workflows(id)
          .update({ ...changed, ...(changed.configuration ? { reEvaluateTasks: "true" } : {}) }),
      ),
    );
    return toOutputs(news.workspaceSid, w);
  },
  async delete(id, olds, twilio) {
    await twilio.call(workflowType.label(olds), "delete it", () =>
      deleteIfPresent(() => twilio.client.taskrouter.v1.workspaces(olds.workspaceSid).workflows(id).remove()),
    );
  },
};

export type WorkflowArgs = ArgsOf<WorkflowInputs>;

export class Workflow extends TwilioSidResource {
  declare readonly friendlyName: pulumi.Output<string>;
  declare readonly configuration: pulumi.Output<string>;
  constructor(name: string, args: WorkflowArgs, opts?: pulumi.CustomResourceOptions) {
    super("Workflow", name, args, opts);
  }
}
