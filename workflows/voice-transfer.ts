// The Voice Transfer workflow, following Twilio's call-control blind/warm
// transfer pattern: the transferring app creates a new task carrying the
// conference SID and the original task SID, plus either `requested_agent`
// (a worker SID) or `desired_queue` (a queue name or SID), and the workflow
// acts on those. Design and rationale: workflows/README.md.

import type { WorkflowConfiguration, WorkflowFilter } from '../routing';
import { checkDeclaredQueues, requireQueueSid, requireTimeout, type DeclaredQueue } from './shared';
import { TASK_ATTRIBUTES as A } from '../functions/lib/contract.private';

export interface VoiceTransferWorkflowOptions {
  /** The all-workers queue (target_workers 1==1). */
  everyoneQueueSid: string;
  /** Queues a call can be transferred to. */
  queues: readonly DeclaredQueue[];
  /** How long the requested agent has before anyone may take the call. Default 120. */
  workerTransferTimeoutSeconds?: number;
}

export const VOICE_TRANSFER_FILTER_NAMES = {
  agent: 'Transfer to agent',
  queue: (name: string) => `Transfer to queue ${name}`,
  unmatched: 'Unmatched transfer',
} as const;

export function buildVoiceTransferWorkflow(options: VoiceTransferWorkflowOptions): WorkflowConfiguration {
  const everyone = requireQueueSid(options.everyoneQueueSid, 'everyoneQueueSid');
  const timeout = requireTimeout(options.workerTransferTimeoutSeconds, 'workerTransferTimeoutSeconds');
  const queues = checkDeclaredQueues(options.queues);

  const agentFilter: WorkflowFilter = {
    filter_friendly_name: VOICE_TRANSFER_FILTER_NAMES.agent,
    expression: `${A.requestedAgent} != null`,
    targets: [
      { queue: everyone, known_worker_sid: `task.${A.requestedAgent}`, timeout },
      // The caller is on hold in the conference: if the agent does not answer, anyone may.
      { queue: everyone },
    ],
  };
  const queueFilters: WorkflowFilter[] = queues.map((queue) => ({
    filter_friendly_name: VOICE_TRANSFER_FILTER_NAMES.queue(queue.name),
    expression: `${A.desiredQueue} == '${queue.sid}' OR ${A.desiredQueue} == ${queue.quotedName}`,
    targets: [{ queue: queue.sid }],
  }));
  const unmatchedFilter: WorkflowFilter = {
    filter_friendly_name: VOICE_TRANSFER_FILTER_NAMES.unmatched,
    expression: '1 == 1',
    targets: [{ queue: everyone }],
  };

  return {
    task_routing: {
      filters: [agentFilter, ...queueFilters, unmatchedFilter],
      default_filter: { queue: everyone },
    },
  };
}
