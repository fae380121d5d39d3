/**
 * The transfer invariants (docs/functions.md, "Invariants"), read from the
 * emulator's state through the Twilio API, as the end-to-end and model-based
 * tests check them.
 */
import type { TransferStack } from './deploy';
import type { Chat } from './scenario';

export interface TaskView {
  sid: string;
  status: string;
  attributes: Record<string, unknown>;
  workflowSid: string | null;
}

const LIVE = ['pending', 'reserved'];

export async function allTasks(stack: TransferStack): Promise<TaskView[]> {
  const tasks = await stack.client.taskrouter.v1.workspaces(stack.workspaceSid).tasks.list({ limit: 1000 });
  return tasks.map((t) => ({ sid: t.sid, status: t.assignmentStatus, attributes: JSON.parse(t.attributes) as Record<string, unknown>, workflowSid: t.workflowSid }));
}

/** Transfer tasks of the chat still waiting for an agent (pending or reserved). */
export async function liveChatTransferTasks(stack: TransferStack, chat: Chat, tasks?: TaskView[]): Promise<TaskView[]> {
  return (tasks ?? (await allTasks(stack))).filter((t) => t.attributes.conversationSid === chat.conversationSid && typeof t.attributes.transferTargetType === 'string' && LIVE.includes(t.status));
}

/** Transfer tasks of the call not yet ended (pending, reserved or assigned). */
export async function liveVoiceTransferTasks(stack: TransferStack, originalTaskSid: string, tasks?: TaskView[]): Promise<TaskView[]> {
  return (tasks ?? (await allTasks(stack))).filter((t) => t.attributes.originalTaskSid === originalTaskSid && typeof t.attributes.transferMode === 'string' && [...LIVE, 'assigned'].includes(t.status));
}

/**
 * "No conversation is ever active with no agent and no live task": the
 * interaction channel is closed, or an agent participant's task is assigned,
 * or a task of the conversation waits for an agent.
 */
export async function customerNotAlone(stack: TransferStack, chat: Chat, tasks?: TaskView[]): Promise<{ ok: true } | { ok: false; reason: string }> {
  const channel = await stack.client.flexApi.v1.interaction(chat.interactionSid).channels(chat.channelSid).fetch();
  if (channel.status === 'closed' || channel.status === 'inactive') return { ok: true };
  const all = tasks ?? (await allTasks(stack));
  const byConversation = all.filter((t) => t.attributes.conversationSid === chat.conversationSid);
  const participants = await stack.client.flexApi.v1.interaction(chat.interactionSid).channels(chat.channelSid).participants.list();
  const agentTasks = participants
    .filter((p) => p.type === 'agent')
    .map((p) => (p.routingProperties as { task_sid?: string } | null)?.task_sid)
    .filter((s): s is string => typeof s === 'string');
  if (all.some((t) => agentTasks.includes(t.sid) && t.status === 'assigned')) return { ok: true };
  if (byConversation.some((t) => LIVE.includes(t.status))) return { ok: true };
  return {
    ok: false,
    reason: `channel ${chat.channelSid} is ${String(channel.status)} with no agent and no live task (tasks: ${byConversation.map((t) => `${t.sid}:${t.status}`).join(', ') || 'none'})`,
  };
}
