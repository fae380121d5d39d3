// The Chat Transfer workflow: routes the task that a chat transfer (an
// Interactions invite) creates. Design and rationale: workflows/README.md.

import type { WorkflowConfiguration, WorkflowFilter } from "../routing";
import { checkDeclaredQueues, requireQueueSid, requireTimeout, type DeclaredQueue } from "./shared";

export interface ChatTransferWorkflowOptions {
  /** The all-workers queue (target_workers 1==1): known-worker routing and the fallback for everything. */
  everyoneQueueSid: string;
  /** Queues a chat can be transferred to. */
  queues: readonly DeclaredQueue[];
  /** How long the named worker has to take a worker transfer before anyone else may. Default 120. */
  workerTransferTimeoutSeconds?: number;
}

/** Excludes agents already in the conversation; a missing list excludes nobody (NOT IN a non-array is true). */
export const NOT_IN_CONVERSATION = "worker.sid NOT IN task.workerSidsInConversation";

export const CHAT_TRANSFER_FILTER_NAMES = {
  worker: "Transfer to worker",
  queue: (name: string) => `Transfer to queue ${name}`,
  unmatched: "Unmatched transfer",
} as const;

export function buildChatTransferWorkflow(options: ChatTransferWorkflowOptions): WorkflowConfiguration {
  const everyone = requireQueueSid(options.everyoneQueueSid, "everyoneQueueSid");
  const timeout = requireTimeout(options.workerTransferTimeoutSeconds, "workerTransferTimeoutSeconds");
  const queues = checkDeclaredQueues(options.queues);

  const workerFilter: WorkflowFilter = {
    filter_friendly_name: CHAT_TRANSFER_FILTER_NAMES.worker,
    expression: "transferTargetType == 'worker'",
    targets: [
      { queue: everyone, known_worker_sid: "task.transferTargetSid", timeout },
      { queue: everyone, expression: NOT_IN_CONVERSATION },
    ],
  };
  const queueFilters: WorkflowFilter[] = queues.map((queue) => ({
    filter_friendly_name: CHAT_TRANSFER_FILTER_NAMES.queue(queue.name),
    // SID match survives a rename; name match serves plugins that send only the name.
    expression: `transferTargetType == 'queue' AND (transferTargetSid == '${queue.sid}' OR transferQueueName == ${queue.quotedName})`,
    targets: [{ queue: queue.sid, expression: NOT_IN_CONVERSATION }],
  }));
  const unmatchedFilter: WorkflowFilter = {
    filter_friendly_name: CHAT_TRANSFER_FILTER_NAMES.unmatched,
    expression: "1 == 1",
    targets: [{ queue: everyone, expression: NOT_IN_CONVERSATION }],
  };

  return {
    task_routing: {
      filters: [workerFilter, ...queueFilters, unmatchedFilter],
      default_filter: { queue: everyone },
    },
  };
}
