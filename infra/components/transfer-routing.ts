// TaskRouter for transfers: the workspace (adopted or created), Flex's task
// channels (adopted), the transfer queues, and the Chat Transfer and voice
// transfer workflows built from workflows/ with this stack's queue SIDs.
import * as pulumi from "@pulumi/pulumi";
import type { QueueSettings, WorkspaceSettings } from "../config";
import { TaskChannel } from "../providers/taskrouter/task-channel";
import { TaskQueue } from "../providers/taskrouter/task-queue";
import { Workflow } from "../providers/taskrouter/workflow";
import { Workspace } from "../providers/taskrouter/workspace";
import { chatTransferConfiguration, EVERYONE_QUEUE_KEY, plannedQueues, voiceTransferConfiguration, WORKFLOW_NAMES } from "../routing-plan";

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

    // The queues and workflows come from routing-plan.ts, which the
    // `workflow --stack` command line also builds from: both always agree.
    const [everyone, ...queues] = plannedQueues(args).map(
      (q) =>
        new TaskQueue(
          `${name}-queue-${q.key}`,
          q.key === EVERYONE_QUEUE_KEY
            ? { workspaceSid: workspace.sid, friendlyName: q.friendlyName, targetWorkers: q.targetWorkers }
            : { workspaceSid: workspace.sid, friendlyName: q.friendlyName, targetWorkers: q.targetWorkers, taskOrder: q.taskOrder, maxReservedWorkers: q.maxReservedWorkers },
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

    const sids = pulumi.all([everyone.sid, this.queueSids]).apply(([everyoneSid, byName]) => ({ everyone: everyoneSid, byName }));
    const chat = new Workflow(
      `${name}-chat-transfer`,
      { workspaceSid: workspace.sid, friendlyName: WORKFLOW_NAMES.chat, configuration: sids.apply((s) => chatTransferConfiguration(args, s)) },
      parent,
    );
    this.chatTransferWorkflowSid = chat.sid;

    if (args.voiceTransfer) {
      const voice = new Workflow(
        `${name}-voice-transfer`,
        {
          workspaceSid: workspace.sid,
          friendlyName: WORKFLOW_NAMES.voice,
          configuration: sids.apply((s) => voiceTransferConfiguration(args, s)),
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
