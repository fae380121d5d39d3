/**
 * The transfer invariants (docs/functions.md, "Invariants"), read from the
 * emulator's state through the Twilio API, as the end-to-end and model-based
 * tests check them.
 */
import type { TransferStack } from '../../../support';
import type { Chat } from '../../../support';

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
  return (tasks ?? (await allTasks(stack))).filter(
    (t) => t.attributes.originalTaskSid === originalTaskSid && typeof t.attributes.transferMode === 'string' && [...LIVE, 'assigned'].includes(t.status),
  );
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

export interface CallRefs {
  taskSid: string;
  conferenceSid: string;
  customerCallSid: string;
}

/**
 * "The customer ends connected to an agent or back in line, never alone on
 * hold": the customer's call is live and in the conference, and an agent leg
 * is connected or a transfer of the call is live (waiting for, or reaching,
 * an agent). `chainTasks` are the call's task SIDs (the original and its
 * transfers), whose transfers count.
 */
export async function callNotAlone(stack: TransferStack, customerLive: boolean, call: CallRefs, tasks?: TaskView[]): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!customerLive) return { ok: false, reason: 'the customer call was dropped' };
  const conf = await stack.client.conferences(call.conferenceSid).fetch();
  if (conf.status === 'completed') return { ok: false, reason: 'the conference ended with the customer in it' };
  const legs = (await stack.client.conferences(call.conferenceSid).participants.list()).filter((p) => p.status === 'connected');
  const customer = legs.find((p) => p.callSid === call.customerCallSid);
  if (!customer) return { ok: false, reason: 'the customer is not in the conference' };
  const agents = legs.filter((p) => p.callSid !== call.customerCallSid);
  const all = tasks ?? (await allTasks(stack));
  const live = all.filter(
    (t) =>
      t.attributes.conference && (t.attributes.conference as { sid?: string }).sid === call.conferenceSid && typeof t.attributes.transferMode === 'string' && [...LIVE, 'assigned'].includes(t.status),
  );
  if (agents.length > 0 || live.length > 0) return { ok: true };
  return { ok: false, reason: `the customer is ${customer.hold ? 'on hold' : 'in the conference'} with no agent and no live transfer` };
}

/** The elapsed time and time-outs the function reported about itself (Server-Timing). */
export function budgetReport(headers: Headers): { totalMs: number; budgetMs: number; timedOut: string[] } {
  const h = headers.get('server-timing') ?? '';
  const dur = (name: string) => Number(new RegExp(`${name};dur=(\\d+)`).exec(h)?.[1] ?? NaN);
  const desc = /timeout;desc="([^"]*)"/.exec(h)?.[1] ?? '';
  return { totalMs: dur('total'), budgetMs: dur('budget'), timedOut: desc ? desc.split(' ') : [] };
}
