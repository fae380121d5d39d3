/**
 * The conversation's invite records for the Flex plugin: `attributes.invites`
 * on the Conversation lists exactly the outstanding transfer tasks (waiting
 * for an agent), keyed by task SID. It is a **derived view**: the source of
 * truth is TaskRouter (the conversation's tasks, listed in one call), and a
 * plugin reads the view but must not write it.
 *
 * Conversations has no ETag / If-Match, so a plain read-modify-write would
 * lose records when writers interleave. Every writer instead runs "read,
 * list, compare, write, repeat": it stops only at a round where the stored
 * view equals the view of a listing made after that round's read. So the
 * globally last write is always followed by its writer's verification against
 * a listing that contains every task created before it. The loop is bounded
 * (by rounds, and by the invocation's time budget); a view left behind is put
 * right by the next event of the conversation.
 */
import type * as Load from './load.private';
import type * as ChatState from './chat-state.private';
import type { TaskRecord, TwilioPort } from './twilio.private';
import type { ChatRefs } from './chat-state.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const state = () => (require(Runtime.getFunctions()['lib/load'].path) as typeof Load).loadLib<typeof ChatState>('lib/chat-state');

export const INVITES_KEY = 'invites';
export const DEFAULT_SYNC_ROUNDS = 4;

export interface InviteView {
  invitesTaskSid: string;
  inviteSid: string | null;
  targetSid: string;
  targetType: 'worker' | 'queue' | 'anyone';
  /** `Worker` | `Queue`, as the earlier plugin reads it. */
  inviteTargetType: 'Worker' | 'Queue' | 'Anyone';
  targetName: string | null;
  transferType: 'cold' | 'invite';
  requestedBy: string | null;
  timestampCreated: string | null;
  /** Nobody is left in the conversation: this transfer is the customer's way back (it is never canceled). */
  customerWaiting: boolean;
}

export function viewOf(task: TaskRecord): InviteView {
  const a = task.attributes;
  const targetType = a.transferTargetType === 'worker' ? 'worker' : a.transferTargetType === 'anyone' ? 'anyone' : 'queue';
  const name = targetType === 'queue' ? (a.transferQueueName ?? a.transferTargetName) : a.transferTargetName;
  return {
    invitesTaskSid: task.sid,
    inviteSid: typeof a.flexChannelInviteSid === 'string' ? a.flexChannelInviteSid : null,
    targetSid: String(a.transferTargetSid),
    targetType,
    inviteTargetType: targetType === 'worker' ? 'Worker' : targetType === 'anyone' ? 'Anyone' : 'Queue',
    targetName: typeof name === 'string' ? name : null,
    transferType: a.transferType === 'cold' ? 'cold' : 'invite',
    requestedBy: typeof a.transferRequestedBy === 'string' ? a.transferRequestedBy : null,
    timestampCreated: task.dateCreated,
    customerWaiting: a[state().WAITING_KEY] === true,
  };
}

/** The view of the conversation's tasks: a pure function, so all writers compute the same bytes. */
export function computeView(tasks: Iterable<TaskRecord>): Record<string, InviteView> {
  const { isTransferTask } = state();
  const out: Record<string, InviteView> = {};
  const live = [...tasks].filter((t) => (t.status === 'pending' || t.status === 'reserved') && isTransferTask(t.attributes)).sort((a, b) => a.sid.localeCompare(b.sid));
  for (const t of live) out[t.sid] = viewOf(t);
  return out;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function viewMatches(attributes: Record<string, unknown>, view: Record<string, InviteView>): boolean {
  return canonical(attributes[INVITES_KEY] ?? {}) === canonical(view);
}

export interface SyncResult {
  ok: boolean;
  rounds: number;
  writes: number;
  view: Record<string, InviteView>;
}

/** Brings `attributes.invites` in line with the conversation's tasks (see the module comment). */
export async function syncView(port: TwilioPort, refs: ChatRefs, options: { maxRounds?: number; first?: Map<string, TaskRecord> } = {}): Promise<SyncResult> {
  const maxRounds = options.maxRounds ?? DEFAULT_SYNC_ROUNDS;
  let writes = 0;
  let view: Record<string, InviteView> = {};
  for (let round = 1; round <= maxRounds; round++) {
    const attributes = (await port.fetchConversation(refs.conversationSid)).attributes;
    // A listing made after this round's read (the first round may reuse one made just before).
    const tasks = round === 1 && options.first ? options.first : await state().conversationTasks(port, refs);
    view = computeView(tasks.values());
    if (viewMatches(attributes, view)) return { ok: true, rounds: round, writes, view };
    if (round === maxRounds) break;
    await port.updateConversationAttributes(refs.conversationSid, JSON.stringify({ ...attributes, [INVITES_KEY]: view }));
    writes += 1;
    // De-synchronize concurrent writers a little (grows with the round).
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15 * round)));
  }
  return { ok: false, rounds: maxRounds, writes, view };
}
