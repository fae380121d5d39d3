// What the stack's TaskRouter routing is made of, computed from its settings
// alone (no Pulumi, no Twilio): the queues it declares and the JSON of its
// workflows given those queues' SIDs. TransferRouting builds its workflows
// with these functions, and the `workflow` command line (`--stack`) builds
// the same workflows offline, so both always agree.
import { buildChatTransferWorkflow, buildVoiceTransferWorkflow, NOT_IN_CONVERSATION } from '../workflows';
import type { QueueSettings, StackSettings } from './config';
import { WORKFLOW_NAMES } from '../functions/lib/contract.private';

/** What the workflows' JSON is built from. */
export type WorkflowSettings = Pick<StackSettings, 'everyoneQueue' | 'queues' | 'workerTransferTimeoutSeconds' | 'chatTransferWorkflow' | 'voiceTransferWorkflow'>;
/** What the routing plan is built from: the workflows' settings, and whether voice transfers are on. */
export type RoutingSettings = WorkflowSettings & Pick<StackSettings, 'features'>;

export interface PlannedQueue {
  friendlyName: string;
  /** What the stack declares; undefined for an adopted queue that keeps its own. */
  targetWorkers?: string;
  /** The queue existed before the stack (Flex's Everyone, a template's queue). */
  adopted: boolean;
  /** The all-agents queue (known-worker routing, fallbacks). */
  everyone: boolean;
}

/** The queues' SIDs: the all-agents queue's, and each declared queue's by name. */
export interface QueueSids {
  everyone: string;
  byName: Record<string, string>;
}

export interface PlannedWorkflow {
  key: 'chat-transfer' | 'voice-transfer';
  friendlyName: string;
  /** The configuration JSON, as the stack sends it to TaskRouter. */
  configuration: string;
}

export const DEFAULT_WORKFLOW_NAMES = { chat: WORKFLOW_NAMES.chatTransfer, voice: WORKFLOW_NAMES.voiceTransfer } as const;

/** The all-agents queue first, then the declared queues in config order. */
export function plannedQueues(settings: Pick<RoutingSettings, 'everyoneQueue' | 'queues'>): PlannedQueue[] {
  const everyone = settings.everyoneQueue;
  return [
    // A created all-agents queue has every worker; an adopted one (Flex's Everyone) keeps its own.
    { friendlyName: everyone.name, targetWorkers: everyone.adopt ? undefined : '1==1', adopted: everyone.adopt !== undefined, everyone: true },
    ...settings.queues.map((q) => ({ friendlyName: q.name, targetWorkers: q.targetWorkers, adopted: q.adopt !== undefined, everyone: false })),
  ];
}

export function chatTransferConfiguration(settings: WorkflowSettings, sids: QueueSids): string {
  const config = buildChatTransferWorkflow({
    everyoneQueueSid: sids.everyone,
    queues: settings.queues.map((q) => ({ name: q.name, sid: sids.byName[q.name] })),
    workerTransferTimeoutSeconds: settings.workerTransferTimeoutSeconds,
  });
  return JSON.stringify(withTransferExpressions(config, settings.queues, sids.byName));
}

export function voiceTransferConfiguration(settings: WorkflowSettings, sids: QueueSids): string {
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
  const workflows: PlannedWorkflow[] = [
    { key: 'chat-transfer', friendlyName: settings.chatTransferWorkflow.friendlyName ?? DEFAULT_WORKFLOW_NAMES.chat, configuration: chatTransferConfiguration(settings, sids) },
  ];
  if (settings.features.voiceTransfer) {
    workflows.push({ key: 'voice-transfer', friendlyName: settings.voiceTransferWorkflow.friendlyName ?? DEFAULT_WORKFLOW_NAMES.voice, configuration: voiceTransferConfiguration(settings, sids) });
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
