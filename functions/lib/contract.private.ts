/**
 * The contract: every name more than one layer relies on (infra, functions,
 * workflows, policy, tools, the emulator). It is deployed with the functions
 * as the private function `lib/contract`, and imported directly everywhere
 * else, so each name is spelled in exactly one place. Constants and pure
 * helpers only: this module imports nothing, so it loads the same in Node and
 * in Twilio's Functions runtime.
 */

/**
 * The transfer feature flags, all of one kind. Each is a stack setting
 * (`flex-transfer:features.<setting>`, default on), reaches the functions as
 * the environment variable `env` ("true"/"false"), and, when `flexUi`, is
 * also written to the Flex UI flags the transfer plugin reads. An endpoint
 * the flag switches off answers 409 `offError`. Adding a flag: an entry here,
 * the `requireFlag` call in the code it switches, and its row in docs/infra.md.
 */
export const TRANSFER_FLAGS = {
  enabled: { setting: 'enabled', env: 'FLEX_TRANSFER_ENABLED', flexUi: true, offError: 'feature_disabled', about: 'chat transfers (cold and multi-participant)' },
  coldTransfer: { setting: 'cold_transfer', env: 'FLEX_TRANSFER_COLD_TRANSFER', flexUi: true, offError: 'cold_transfer_disabled', about: 'cold transfer of a chat' },
  multiParticipant: { setting: 'multi_participant', env: 'FLEX_TRANSFER_MULTI_PARTICIPANT', flexUi: true, offError: 'multi_participant_disabled', about: 'inviting agents into a chat' },
  voiceTransfer: { setting: 'voice_transfer', env: 'FLEX_TRANSFER_VOICE_ENABLED', flexUi: false, offError: 'feature_disabled', about: 'voice transfers (off: no Voice Transfer workflow is deployed)' },
} as const;

export type TransferFlag = keyof typeof TRANSFER_FLAGS;
export type TransferFlags = Record<TransferFlag, boolean>;
export const TRANSFER_FLAG_NAMES = Object.keys(TRANSFER_FLAGS) as TransferFlag[];

/** Every flag on: what an unset flag means. */
export function defaultTransferFlags(): TransferFlags {
  return Object.fromEntries(TRANSFER_FLAG_NAMES.map((f) => [f, true])) as TransferFlags;
}

/** Environment variables the stack sets on the functions (besides the flags' own). */
export const FUNCTION_ENV = {
  workspaceSid: 'TWILIO_FLEX_WORKSPACE_SID',
  chatTransferWorkflowSid: 'TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID',
  voiceTransferWorkflowSid: 'TWILIO_FLEX_VOICE_TRANSFER_WORKFLOW_SID',
  allowedOrigins: 'FLEX_TRANSFER_ALLOWED_ORIGINS',
} as const;

/** Origins allowed to call the public endpoints when none are configured: Flex's own UI. */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = ['https://flex.twilio.com'];

/** The workflows' friendly names in TaskRouter. */
export const WORKFLOW_NAMES = { chatTransfer: 'Chat Transfer', voiceTransfer: 'Voice Transfer' } as const;

/** Task attributes the transfer functions write and the workflows route on. */
export const TASK_ATTRIBUTES = {
  /** `worker` | `queue` (chat). */
  transferTargetType: 'transferTargetType',
  transferTargetSid: 'transferTargetSid',
  transferQueueName: 'transferQueueName',
  /** Workers already in the conversation: never offered the transfer. */
  workerSidsInConversation: 'workerSidsInConversation',
  /** Voice: the agent a transfer names. */
  requestedAgent: 'requested_agent',
  /** Voice: the queue a transfer names. */
  desiredQueue: 'desired_queue',
} as const;

/** The target expression that keeps a chat transfer from workers already in the conversation. */
export const NOT_IN_CONVERSATION = `worker.sid NOT IN task.${TASK_ATTRIBUTES.workerSidsInConversation}`;

/**
 * The type token of the project's Pulumi dynamic resource of a kind (e.g.
 * `Workflow`): what state files, policies and the entry's checks match on.
 */
export function resourceType(kind: string): string {
  return `pulumi-nodejs:dynamic/twilio:${kind}`;
}

/** A Twilio SID: two-letter prefix, 32 lowercase hex digits. */
export function sidPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}[0-9a-f]{32}$`);
}

/**
 * Request header naming the endpoint of ours that makes a Twilio API call
 * (e.g. `chat/transfer`). Twilio ignores it; the local emulator logs it and
 * its fault and latency rules can match on it, so a test can tell the calls
 * of the function it invoked from those of an event callback running meanwhile.
 */
export const CALLER_HEADER = 'Flex-Transfer-Caller';

/** The Flex UI flags object the transfer plugin reads: its own flags, by their setting names. */
export function flexUiFlags(flags: TransferFlags): Record<string, boolean> {
  return Object.fromEntries(TRANSFER_FLAG_NAMES.filter((f) => TRANSFER_FLAGS[f].flexUi).map((f) => [TRANSFER_FLAGS[f].setting, flags[f]]));
}
