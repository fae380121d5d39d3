// The Chat Transfer workflow: routes the task that a chat transfer (an
// Interactions invite) creates. Design and rationale: workflows/README.md.

import type { WorkflowConfiguration, WorkflowFilter } from '../routing';
import { checkDeclaredQueues, requireQueueSid, requireTimeout, type DeclaredQueue } from './shared';
import { NOT_IN_CONVERSATION, TASK_ATTRIBUTES as A } from '../functions/lib/contract.private';

export interface ChatTransferWorkflowOptions {
  /** The all-workers queue (target_workers 1==1): known-worker routing and the fallback for everything. */
  everyoneQueueSid: string;
  /** Queues a chat can be transferred to. */
  queues: readonly DeclaredQueue[];
  /** How long the named worker has to take a worker transfer before anyone else may. Default 120. */
  workerTransferTimeoutSeconds?: number;
}

/** Excludes agents already in the conversation; a missing list excludes nobody (NOT IN a non-array is true). */
export { NOT_IN_CONVERSATION };

export const CHAT_TRANSFER_FILTER_NAMES = {
  worker: 'Transfer to worker',
  queue: (name: string) => `Transfer to queue ${name}`,
  unmatched: 'Unmatched transfer',
} as const;

export function buildChatTransferWorkflow(options: ChatTransferWorkflowOptions): WorkflowConfiguration {
  const everyone = requireQueueSid(options.everyoneQueueSid, 'everyoneQueueSid');
  const timeout = requireTimeout(options.workerTransferTimeoutSeconds, 'workerTransferTimeoutSeconds');
  const queues = checkDeclaredQueues(options.queues);

  const workerFilter: WorkflowFilter = {
    filter_friendly_name: CHAT_TRANSFER_FILTER_NAMES.worker,
    expression: `${A.transferTargetType} == 'worker'`,
    targets: [
      { queue: everyone, known_worker_sid: `task.${A.transferTargetSid}`, timeout },
      { queue: everyone, expression: NOT_IN_CONVERSATION },
    ],
  };
  const queueFilters: WorkflowFilter[] = queues.map((queue) => ({
    filter_friendly_name: CHAT_TRANSFER_FILTER_NAMES.queue(queue.name),
    // SID match survives a rename; name match serves plugins that send only the name.
    expression: `${A.transferTargetType} == 'queue' AND (${A.transferTargetSid} == '${queue.sid}' OR ${A.transferQueueName} == ${queue.quotedName})`,
    targets: [{ queue: queue.sid, expression: NOT_IN_CONVERSATION }],
  }));
  const unmatchedFilter: WorkflowFilter = {
    filter_friendly_name: CHAT_TRANSFER_FILTER_NAMES.unmatched,
    expression: '1 == 1',
    targets: [{ queue: everyone, expression: NOT_IN_CONVERSATION }],
  };

  return {
    task_routing: {
      filters: [workerFilter, ...queueFilters, unmatchedFilter],
      default_filter: { queue: everyone },
    },
  };
}
