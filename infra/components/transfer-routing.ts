// TaskRouter for transfers: the workspace (adopted or created), Flex's task
// channels (adopted), the all-agents queue (Flex's Everyone, adopted, on a
// Flex account), the transfer queues, and the Chat Transfer and voice transfer
// workflows built from workflows/ with this stack's queue SIDs. Queues and
// workflows may be adopted too (adoption-plan.ts): then only the fields set
// here are the stack's. The workflows' JSON comes from routing-plan.ts, which
// the `workflow --stack` command line also builds from, so both always agree.
import * as pulumi from '@pulumi/pulumi';
import { adoptionInputs, COMPONENTS, NAMES } from '../adoption-plan';
import type { EveryoneQueueSettings, QueueSettings, WorkflowSettings, WorkspaceSettings } from '../config';
import { TaskChannel } from '../providers/taskrouter/task-channel';
import { TaskQueue } from '../providers/taskrouter/task-queue';
import { Workflow } from '../providers/taskrouter/workflow';
import { Workspace } from '../providers/taskrouter/workspace';
import { chatTransferConfiguration, voiceTransferConfiguration } from '../routing-plan';

export interface TransferRoutingArgs {
  workspace: WorkspaceSettings;
  /** The all-agents queue (known-worker routing and fallbacks). */
  everyoneQueue: EveryoneQueueSettings;
  queues: QueueSettings[];
  chatTransferWorkflow: WorkflowSettings;
  voiceTransferWorkflow: WorkflowSettings;
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
    super(COMPONENTS.routing.type, name, {}, opts);
    const parent = { parent: this };

    const workspace = new Workspace(
      NAMES.workspace,
      args.workspace.mode === 'adopt'
        ? { adoptSid: args.workspace.sid, eventCallbackUrl: args.eventCallbackUrl }
        : { friendlyName: args.workspace.friendlyName, eventCallbackUrl: args.eventCallbackUrl, multiTaskEnabled: true },
      parent,
    );
    this.workspaceSid = workspace.sid;

    const channels = args.taskChannels.map((uniqueName) => new TaskChannel(NAMES.channel(uniqueName), { workspaceSid: workspace.sid, uniqueName, adopt: true }, parent));

    // Flex's Everyone queue when adopted (only its name is declared); otherwise the stack's own, every worker in it.
    const everyone = new TaskQueue(
      NAMES.everyoneQueue,
      args.everyoneQueue.adopt
        ? { workspaceSid: workspace.sid, ...adoptionInputs(args.everyoneQueue.adopt), friendlyName: args.everyoneQueue.name }
        : { workspaceSid: workspace.sid, friendlyName: args.everyoneQueue.name, targetWorkers: '1==1' },
      parent,
    );
    const queues = args.queues.map(
      (q) =>
        new TaskQueue(
          NAMES.queue(q.name),
          {
            workspaceSid: workspace.sid,
            ...(q.adopt ? adoptionInputs(q.adopt) : {}),
            friendlyName: q.name,
            targetWorkers: q.targetWorkers,
            taskOrder: q.taskOrder,
            maxReservedWorkers: q.maxReservedWorkers,
          },
          parent,
        ),
    );
    this.everyoneQueueSid = everyone.sid;
    this.queueSids = pulumi.all(queues.map((q) => q.sid)).apply((sids) => Object.fromEntries(args.queues.map((q, i) => [q.name, sids[i]])));
    this.taskChannelSids = pulumi.all(channels.map((c) => c.sid)).apply((sids) => Object.fromEntries(args.taskChannels.map((c, i) => [c, sids[i]])));

    const sids = pulumi.all([everyone.sid, this.queueSids]).apply(([everyoneSid, byName]) => ({ everyone: everyoneSid, byName }));
    const chatConfiguration = sids.apply((s) => chatTransferConfiguration(args, s));
    const chat = new Workflow(NAMES.chatTransfer, { workspaceSid: workspace.sid, ...workflowIdentity(args.chatTransferWorkflow), configuration: chatConfiguration }, parent);
    this.chatTransferWorkflowSid = chat.sid;

    if (args.voiceTransfer) {
      const voiceConfiguration = sids.apply((s) => voiceTransferConfiguration(args, s));
      const voice = new Workflow(
        NAMES.voiceTransfer,
        {
          workspaceSid: workspace.sid,
          ...workflowIdentity(args.voiceTransferWorkflow),
          configuration: voiceConfiguration,
          assignmentCallbackUrl: args.voiceAssignmentCallbackUrl,
        },
        parent,
      );
      this.voiceTransferWorkflowSid = voice.sid;
    } else {
      this.voiceTransferWorkflowSid = pulumi.output('');
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

/** A workflow's name, and which existing one it is when adopted. */
function workflowIdentity(w: WorkflowSettings): { friendlyName?: string; adoptSid?: string; adoptName?: string } {
  return { ...(w.adopt ? adoptionInputs(w.adopt) : {}), ...(w.friendlyName !== undefined ? { friendlyName: w.friendlyName } : {}) };
}
