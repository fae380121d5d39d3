// What the stack's TaskRouter routing is made of, computed from its settings
// alone (no Pulumi, no Twilio): the queues it declares and the JSON of its
// workflows given those queues' SIDs. TransferRouting builds its resources
// from this, and the `workflow` command line (`--stack`) builds the same
// workflows offline, so both always agree.
import { buildChatTransferWorkflow, buildVoiceTransferWorkflow, NOT_IN_CONVERSATION } from "../workflows";
import { slugOf, type QueueSettings, type StackSettings } from "./config";

export type RoutingSettings = Pick<StackSettings, "everyoneQueueName" | "queues" | "workerTransferTimeoutSeconds" | "voiceTransfer">;

export interface PlannedQueue {
  /** Suffix of the TaskQueue's resource name (`<component>-queue-<key>`). */
  key: string;
  friendlyName: string;
  targetWorkers: string;
  taskOrder?: QueueSettings["taskOrder"];
  maxReservedWorkers?: number;
}

/** The queues' SIDs: the all-workers queue's, and each declared queue's by name. */
export interface QueueSids {
  everyone: string;
  byName: Record<string, string>;
}

export interface PlannedWorkflow {
  /** Suffix of the Workflow's resource name (`<component>-<key>`). */
  key: "chat-transfer" | "voice-transfer";
  friendlyName: string;
  /** The configuration JSON, as the stack sends it to TaskRouter. */
  configuration: string;
}

export const EVERYONE_QUEUE_KEY = "everyone";
export const WORKFLOW_NAMES = { chat: "Chat Transfer", voice: "Voice Transfer" } as const;

/** The all-workers queue first, then the declared queues in config order. */
export function plannedQueues(settings: Pick<RoutingSettings, "everyoneQueueName" | "queues">): PlannedQueue[] {
  return [
    { key: EVERYONE_QUEUE_KEY, friendlyName: settings.everyoneQueueName, targetWorkers: "1==1" },
    ...settings.queues.map((q) => ({
      key: slugOf(q.name),
      friendlyName: q.name,
      targetWorkers: q.targetWorkers,
      taskOrder: q.taskOrder,
      maxReservedWorkers: q.maxReservedWorkers,
    })),
  ];
}

export function chatTransferConfiguration(settings: RoutingSettings, sids: QueueSids): string {
  const declared = settings.queues.map((q) => ({ name: q.name, sid: sids.byName[q.name] }));
  const config = buildChatTransferWorkflow({
    everyoneQueueSid: sids.everyone,
    queues: declared,
    workerTransferTimeoutSeconds: settings.workerTransferTimeoutSeconds,
  });
  return JSON.stringify(withTransferExpressions(config, settings.queues, sids.byName));
}

export function voiceTransferConfiguration(settings: RoutingSettings, sids: QueueSids): string {
  return JSON.stringify(
    buildVoiceTransferWorkflow({
      everyoneQueueSid: sids.everyone,
      queues: settings.queues.map((q) => ({ name: q.name, sid: sids.byName[q.name] })),
      workerTransferTimeoutSeconds: settings.workerTransferTimeoutSeconds,
    }),
  );
}

/** Every workflow the stack deploys: Chat Transfer, and Voice Transfer unless voice transfer is off. */
export function plannedWorkflows(settings: RoutingSettings, sids: QueueSids): PlannedWorkflow[] {
  const workflows: PlannedWorkflow[] = [{ key: "chat-transfer", friendlyName: WORKFLOW_NAMES.chat, configuration: chatTransferConfiguration(settings, sids) }];
  if (settings.voiceTransfer) {
    workflows.push({ key: "voice-transfer", friendlyName: WORKFLOW_NAMES.voice, configuration: voiceTransferConfiguration(settings, sids) });
  }
  return workflows;
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
