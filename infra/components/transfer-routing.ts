// TaskRouter for transfers: the workspace (adopted or created), Flex's task
// channels (adopted), the transfer queues, and the Chat Transfer and voice
// transfer workflows built from workflows/ with this stack's queue SIDs.
import * as pulumi from "@pulumi/pulumi";
import { buildChatTransferWorkflow, buildVoiceTransferWorkflow, NOT_IN_CONVERSATION } from "../../workflows";
import { slugOf as slug, type QueueSettings, type WorkspaceSettings } from "../config";
import { TaskChannel } from "../providers/taskrouter/task-channel";
import { TaskQueue } from "../providers/taskrouter/task-queue";
import { Workflow } from "../providers/taskrouter/workflow";
import { Workspace } from "../providers/taskrouter/workspace";

export interface TransferRoutingArgs {
  workspace: WorkspaceSettings;
  /** The all-workers queue the stack owns (known-worker routing and fallbacks). */
  everyoneQueueName: string;
  queues: QueueSettings[];
  taskChannels: string[];
  workerTransferTimeoutSeconds: number;
  voiceTransfer: boolean;
  /** TaskRouter's assignment callback for voice transfer tasks (answers with a `call` instruction). */
  voiceAssignmentCallbackUrl: pulumi.Input<string>;
  /** Where the workspace sends its events; undefined leaves the workspace's setting alone. */
  eventCallbackUrl?: pulumi.Input<string>;
}

export class TransferRouting extends pulumi.ComponentResource {
  readonly workspaceSid: pulumi.Output<string>;
  readonly everyoneQueueSid: pulumi.Output<string>;
  /** Queue name → SID. */
  readonly queueSids: pulumi.Output<Record<string, string>>;
  readonly taskChannelSids: pulumi.Output<Record<string, string>>;
  readonly chatTransferWorkflowSid: pulumi.Output<string>;
  /** Empty when voice transfer is off. */
  readonly voiceTransferWorkflowSid: pulumi.Output<string>;

  constructor(name: string, args: TransferRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flex-transfer:index:TransferRouting", name, {}, opts);
    const parent = { parent: this };

    const workspace = new Workspace(
      `${name}-workspace`,
      args.workspace.mode === "adopt"
        ? { adoptSid: args.workspace.sid, eventCallbackUrl: args.eventCallbackUrl }
        : { friendlyName: args.workspace.friendlyName, eventCallbackUrl: args.eventCallbackUrl, multiTaskEnabled: true },
      parent,
    );
    this.workspaceSid = workspace.sid;

    const channels = args.taskChannels.map(
      (uniqueName) => new TaskChannel(`${name}-channel-${uniqueName}`, { workspaceSid: workspace.sid, uniqueName, adopt: true }, parent),
    );

    const everyone = new TaskQueue(
      `${name}-queue-everyone`,
      { workspaceSid: workspace.sid, friendlyName: args.everyoneQueueName, targetWorkers: "1==1" },
      parent,
    );
    const queues = args.queues.map(
      (q) =>
        new TaskQueue(
          `${name}-queue-${slug(q.name)}`,
          { workspaceSid: workspace.sid, friendlyName: q.name, targetWorkers: q.targetWorkers, taskOrder: q.taskOrder, maxReservedWorkers: q.maxReservedWorkers },
          parent,
        ),
    );
    this.everyoneQueueSid = everyone.sid;
    this.queueSids = pulumi
      .all(queues.map((q) => q.sid))
      .apply((sids) => Object.fromEntries(args.queues.map((q, i) => [q.name, sids[i]])));
    this.taskChannelSids = pulumi
      .all(channels.map((c) => c.sid))
      .apply((sids) => Object.fromEntries(args.taskChannels.map((c, i) => [c, sids[i]])));

    const declared = pulumi.all([everyone.sid, this.queueSids]);
    const chatConfiguration = declared.apply(([everyoneSid, sids]) =>
      JSON.stringify(withTransferExpressions(
        buildChatTransferWorkflow({
          everyoneQueueSid: everyoneSid,
          queues: args.queues.map((q) => ({ name: q.name, sid: sids[q.name] })),
          workerTransferTimeoutSeconds: args.workerTransferTimeoutSeconds,
        }),
        args.queues,
        sids,
      )),
    );
    const chat = new Workflow(
      `${name}-chat-transfer`,
      { workspaceSid: workspace.sid, friendlyName: "Chat Transfer", configuration: chatConfiguration },
      parent,
    );
    this.chatTransferWorkflowSid = chat.sid;

    if (args.voiceTransfer) {
      const voiceConfiguration = declared.apply(([everyoneSid, sids]) =>
        JSON.stringify(
          buildVoiceTransferWorkflow({
            everyoneQueueSid: everyoneSid,
            queues: args.queues.map((q) => ({ name: q.name, sid: sids[q.name] })),
            workerTransferTimeoutSeconds: args.workerTransferTimeoutSeconds,
          }),
        ),
      );
      const voice = new Workflow(
        `${name}-voice-transfer`,
        {
          workspaceSid: workspace.sid,
          friendlyName: "Voice Transfer",
          configuration: voiceConfiguration,
          assignmentCallbackUrl: args.voiceAssignmentCallbackUrl,
        },
        parent,
      );
      this.voiceTransferWorkflowSid = voice.sid;
    } else {
      this.voiceTransferWorkflowSid = pulumi.output("");
    }

    this.registerOutputs({
      workspaceSid: this.workspaceSid,
      everyoneQueueSid: this.everyoneQueueSid,
      queueSids: this.queueSids,
      taskChannelSids: this.taskChannelSids,
      chatTransferWorkflowSid: this.chatTransferWorkflowSid,
      voiceTransferWorkflowSid: this.voiceTransferWorkflowSid,
    });
  }
}

/** Adds each queue's own transfer expression to its filter's target, keeping the exclusion of agents already in the chat. */
function withTransferExpressions<T extends { task_routing: { filters?: Array<{ targets: Array<{ queue?: string; expression?: string }> }> } }>(
  config: T,
  queues: QueueSettings[],
  sids: Record<string, string>,
): T {
  for (const q of queues) {
    if (!q.transferExpression) continue;
    for (const filter of config.task_routing.filters ?? []) {
      for (const target of filter.targets) {
        if (target.queue === sids[q.name] && target.expression === NOT_IN_CONVERSATION) {
          target.expression = `${NOT_IN_CONVERSATION} AND (${q.transferExpression})`;
        }
      }
    }
  }
  return config;
}

