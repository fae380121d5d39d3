/**
 * The transitions of the chat state machine that Twilio drives, through the
 * workspace's event callback (and, where an endpoint finishes a step left
 * over, through a repeat of the request):
 *
 *  - a transfer's task exists (`task.created`): a cold transfer's leaving
 *    agent leaves now; a task whose request gave up is canceled (it came late);
 *  - an invited agent joined (`reservation.accepted`): its entry leaves the
 *    records; a cold transfer's leaving agent is gone for sure;
 *  - a named agent declined or did not answer an invite
 *    (`reservation.rejected`/`.timeout`): the invite is canceled while an agent
 *    is still in the conversation, else it stays the customer's way back;
 *  - a transfer ended without an agent (`task.canceled`, deleted): its entry
 *    leaves the records; if nobody is left and nothing waits, the
 *    conversation is closed with a message to the customer;
 *  - an agent left (`task.wrapup`/`task.completed` of an agent task, or the
 *    leave endpoint): if nobody is left, outstanding invites become the
 *    customer's way back (marked so nobody cancels them); with none, the
 *    conversation is closed.
 */
import type * as Load from './load.private';
import type * as TaskRouter from './taskrouter.private';
import type * as ChatState from './chat-state.private';
import type { TaskRecord, TwilioPort } from './twilio.private';
import type { ChatRefs } from './chat-state.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const load = (): typeof Load => require(Runtime.getFunctions()['lib/load'].path) as typeof Load;
const tr = () => load().loadLib<typeof TaskRouter>('lib/taskrouter');
const state = () => load().loadLib<typeof ChatState>('lib/chat-state');

const LIVE = ['pending', 'reserved'];

/** The message the customer gets when the conversation is closed because a transfer ended with nobody left. */
export const CLOSING_MESSAGE = 'Sorry, no agent is available to continue this conversation. It is now closed; please contact us again.';

function isLive(t: TaskRecord): boolean {
  return LIVE.includes(t.status);
}

/** Cancels a task with `If-Match` unless it already left the waiting states (then reports where it is). */
export async function cancelIfWaiting(port: TwilioPort, task: TaskRecord, reason: string, keepIf: (t: TaskRecord) => boolean = () => false): Promise<TaskRecord> {
  const { value } = await tr().compareAndSet<TaskRecord>(port, task, (current) => {
    if (!isLive(current) || keepIf(current)) return { done: current };
    return { write: { status: 'canceled', reason }, result: { ...current, status: 'canceled' as const } };
  });
  return value;
}

/**
 * Marks an invite as the customer's way back: it is never canceled. With
 * `retarget` (its agent declined, or someone asked to cancel it) it also goes
 * to anyone now instead of waiting for the named agent or queue.
 */
export async function keepForCustomer(port: TwilioPort, task: TaskRecord, retarget = false): Promise<TaskRecord> {
  const { WAITING_KEY } = state();
  const { value } = await tr().compareAndSet<TaskRecord>(port, task, (current) => {
    if (!isLive(current)) return { done: current };
    const retargeted = current.attributes.transferTargetType === 'anyone';
    if (current.attributes[WAITING_KEY] === true && (!retarget || retargeted || current.attributes.transferType !== 'invite')) return { done: current };
    const attributes: Record<string, unknown> = { ...current.attributes, [WAITING_KEY]: true };
    if (retarget && current.attributes.transferType === 'invite') {
      // The named agent or queue did not come and nobody is left: the customer waits for anyone.
      attributes.transferRetargetedFrom = current.attributes.transferTargetSid;
      attributes.transferTargetType = 'anyone';
      attributes.transferTargetSid = 'anyone';
      attributes.workerSidsInConversation = [];
      delete attributes.transferQueueName;
    }
    return { write: { attributes }, result: { ...current, attributes } };
  });
  return value;
}

export interface AfterLeft {
  remainingAgents: number;
  /** Transfer tasks still waiting for an agent (the customer's way back). */
  waiting: string[];
  channelClosed: boolean;
  /** The conversation was closed because a transfer ended under us (the customer got a message). */
  closedWithMessage: boolean;
}

/**
 * After an agent left: nobody left → every waiting invite is marked as the
 * customer's way back (a conditional update: a concurrent cancel either sees
 * the mark or makes the mark fail), and with nothing waiting the conversation
 * is closed. Reads the conversation's tasks after the agent's own change, so
 * of two agents leaving at once the later check sees both gone.
 */
/** Where a handler leaves the conversation's tasks it listed (the invite view reuses them: one call less). */
export interface Seen {
  tasks?: Map<string, TaskRecord>;
}

export async function afterAgentLeft(port: TwilioPort, refs: ChatRefs, leftTaskSid?: string, seen: Seen = {}): Promise<AfterLeft> {
  const tasks = await state().conversationTasks(port, refs);
  const remaining = [...tasks.values()].filter((t) => t.status === 'assigned' && t.sid !== leftTaskSid);
  if (remaining.length > 0) {
    // Nothing changed after this listing: the view may start from it.
    seen.tasks = tasks;
    return { remainingAgents: remaining.length, waiting: [], channelClosed: false, closedWithMessage: false };
  }
  const waiting: string[] = [];
  let lostOne = false;
  for (const t of [...tasks.values()].filter(isLive)) {
    // Marked conditionally (compare-and-set reads a listed task for its ETag first).
    const marked = await keepForCustomer(port, t);
    if (isLive(marked)) waiting.push(marked.sid);
    else lostOne = true;
  }
  if (waiting.length > 0) return { remainingAgents: 0, waiting, channelClosed: false, closedWithMessage: false };
  if (lostOne) await port.createConversationMessage(refs.conversationSid, CLOSING_MESSAGE).catch((err: unknown) => console.warn(`[chat] closing message not sent: ${(err as Error).message}`));
  await port.closeInteractionChannel(refs.interactionSid, refs.channelSid);
  return { remainingAgents: 0, waiting: [], channelClosed: true, closedWithMessage: lostOne };
}

/**
 * A transfer's task exists. A cold transfer's leaving agent leaves now (the
 * customer has the transfer); a task whose request gave up, or whose entry is
 * gone while it still waits, came late and is canceled (the agent stayed).
 */
export async function onTransferCreated(port: TwilioPort, refs: ChatRefs, task: TaskRecord): Promise<Record<string, unknown>> {
  const { recordOf, closeParticipant } = state();
  const a = task.attributes;
  const requestId = String(a.transferRequestId ?? '');
  const fromSid = String(a.transferOriginalTaskSid ?? '');
  let from: TaskRecord | null = null;
  try {
    from = await port.fetchTask(fromSid);
  } catch (err) {
    if ((err as { status?: unknown }).status !== 404) throw err;
  }
  const entry = from ? recordOf(from.attributes).get(requestId) : undefined;
  const current = await port.fetchTask(task.sid).catch(() => task);
  if (isLive(current) && (!entry || entry.abandoned) && from?.status === 'assigned') {
    const after = await cancelIfWaiting(port, current, 'transfer request gave up (the task came late)');
    return { handled: true, orphanCanceled: after.status === 'canceled' };
  }
  if (a.transferType !== 'cold' || !from || from.status !== 'assigned' || !entry?.leavingParticipantSid || entry.abandoned) return { handled: true, handedOver: false };
  await closeParticipant(port, refs, entry.leavingParticipantSid);
  return { handled: true, handedOver: true, closedParticipantSid: entry.leavingParticipantSid };
}

/** Removes a settled transfer's entry from the records of the conversation's agent tasks. */
async function forget(port: TwilioPort, tasks: Map<string, TaskRecord>, requestId: string): Promise<number> {
  const { recordOf, amend } = state();
  const holders = [...tasks.values()].filter((t) => t.status === 'assigned' && recordOf(t.attributes).has(requestId));
  if (holders.length === 0) return 0;
  // Read all holders at once (listings carry no ETag), rather than one by one in the conditional updates.
  const fetched = await Promise.all(holders.map((t) => port.fetchTask(t.sid)));
  return amend(port, fetched, requestId, 'remove');
}

/**
 * An invited agent joined: the entry leaves the records (the joiner's task
 * started with a copy); a cold transfer's leaving agent is closed if the
 * `task.created` step did not run.
 */
export async function onTransferJoined(port: TwilioPort, refs: ChatRefs, task: TaskRecord, seen: Seen = {}): Promise<Record<string, unknown>> {
  const a = task.attributes;
  const tasks = await state().conversationTasks(port, refs);
  seen.tasks = tasks;
  let closedLeaving = false;
  const from = tasks.get(String(a.transferOriginalTaskSid ?? ''));
  if (a.transferType === 'cold' && from?.status === 'assigned' && typeof a.transferLeavingParticipantSid === 'string') {
    await state().closeParticipant(port, refs, a.transferLeavingParticipantSid);
    closedLeaving = true;
  }
  const forgotten = await forget(port, tasks, String(a.transferRequestId ?? ''));
  return { handled: true, joined: true, closedLeaving, recordsUpdated: forgotten };
}

/**
 * A transfer ended without an agent (canceled, deleted): its entry leaves
 * the records; if nobody is in the conversation and nothing else waits, the
 * conversation is closed with a message (the customer is never left alone).
 */
export async function onTransferEnded(port: TwilioPort, refs: ChatRefs, task: TaskRecord, seen: Seen = {}): Promise<Record<string, unknown>> {
  const tasks = await state().conversationTasks(port, refs);
  seen.tasks = tasks;
  const forgotten = await forget(port, tasks, String(task.attributes.transferRequestId ?? ''));
  const agents = [...tasks.values()].filter((t) => t.status === 'assigned');
  const waiting = [...tasks.values()].filter(isLive);
  if (agents.length > 0 || waiting.length > 0) return { handled: true, recordsUpdated: forgotten, remainingAgents: agents.length, waiting: waiting.map((t) => t.sid) };
  await port.createConversationMessage(refs.conversationSid, CLOSING_MESSAGE).catch((err: unknown) => console.warn(`[chat] closing message not sent: ${(err as Error).message}`));
  await port.closeInteractionChannel(refs.interactionSid, refs.channelSid);
  return { handled: true, recordsUpdated: forgotten, channelClosed: true, closedWithMessage: true };
}

/**
 * A named agent declined or did not answer an invite. While someone is in
 * the conversation the invite is canceled (they can invite someone else);
 * once nobody is, it stays and goes to anyone (the customer's way back).
 */
export async function onInviteDeclined(port: TwilioPort, refs: ChatRefs, taskSid: string, why: string): Promise<Record<string, unknown>> {
  const { WAITING_KEY } = state();
  const task = await port.fetchTask(taskSid);
  if (!isLive(task)) return { handled: true, inviteCanceled: false };
  const tasks = await state().conversationTasks(port, refs);
  const agents = [...tasks.values()].filter((t) => t.status === 'assigned');
  if (agents.length === 0 || task.attributes[WAITING_KEY] === true) {
    const kept = await keepForCustomer(port, task, true);
    return { handled: true, inviteCanceled: false, keptForCustomer: isLive(kept) };
  }
  const after = await cancelIfWaiting(port, task, why, (t) => t.attributes[WAITING_KEY] === true);
  return { handled: true, inviteCanceled: after.status === 'canceled' };
}
