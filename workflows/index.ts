// Pure builders of the project's TaskRouter workflow configurations. The stack
// serializes their output (canonicalized) as each Workflow's Configuration.

export { buildChatTransferWorkflow, CHAT_TRANSFER_FILTER_NAMES, NOT_IN_CONVERSATION, type ChatTransferWorkflowOptions } from './chat-transfer';
export { buildVoiceTransferWorkflow, VOICE_TRANSFER_FILTER_NAMES, type VoiceTransferWorkflowOptions } from './voice-transfer';
export { DEFAULT_WORKER_TRANSFER_TIMEOUT_SECONDS, type DeclaredQueue } from './shared';
