/**
 * The chat transfer state machine (docs/functions.md, "Chat transfers: one
 * state machine"). Its state lives in Twilio, never in a function's memory:
 *
 *  - the conversation's tasks (TaskRouter): an agent is *in* the
 *    conversation while its task is `assigned`; a transfer (cold or invite)
 *    is *outstanding* while its task is `pending` or `reserved`;
 *  - a transfer record, `flexTransfers`, in the attributes of every agent task
 *    of the conversation: one entry per transfer asked for, keyed by its
 *    request id (which the transfer's task carries as `transferRequestId`).
 *
 * Every change to the records is a conditional Task update (`If-Match` with
 * the ETag read; Twilio answers 412 when the task changed meanwhile), made on
 * the conversation's agent tasks oldest first. Two requests that conflict
 * both write the oldest agent task, so Twilio lets exactly one through; the
 * other reads again, sees the first one's entry and answers from it.
 */
import type * as Load from './load.private';
import type * as TaskRouter from './taskrouter.private';
import type * as Params from './params.private';
import type { FunctionEvent } from '../types';
import type { TaskRecord, TwilioPort, InteractionParticipantRecord } from './twilio.private';
import type { Target } from './taskrouter.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const load = (): typeof Load => require(Runtime.getFunctions()['lib/load'].path) as typeof Load;
const tr = () => load().loadLib<typeof TaskRouter>('lib/taskrouter');
const params = () => load().loadLib<typeof Params>('lib/params');

/** The attribute holding the transfer records on an agent task. */
export const RECORD_KEY = 'flexTransfers';
/** Set on an invite once no agent is left: it is the customer's way back, so it is never canceled. */
export const WAITING_KEY = 'transferCustomerWaiting';
/**
 * A claimed transfer whose task does not exist this long after the claim will
 * never get one from its own request (Twilio stops a Function at 10 s).
 */
export const CLAIM_TTL_MS = 15_000;

export interface ChatRefs {
  interactionSid: string;
  channelSid: string;
  conversationSid: string;
}

export interface TransferEntry {
  requestId: string;
  type: 'cold' | 'invite';
  targetType: 'worker' | 'queue';
  targetSid: string;
  targetName: string | null;
  requestedBy: string | null;
  /** The task the transfer was asked on (cold: the leaving agent's). */
  fromTaskSid: string;
  /** Cold: the participant that leaves once the transfer's task exists. */
  leavingParticipantSid: string | null;
  /** When it was claimed (epoch ms, the function's clock). */
  at: number;
  /** Its request gave up (the task may still appear late: it is then canceled). */
  abandoned?: boolean;
}

/** An entry resolved against the conversation's tasks. */
export interface EntryState {
  entry: TransferEntry;
  task: TaskRecord | null;
  /** in-flight: claimed, task not created yet; outstanding: waiting for an agent; joined: taken; over: ended or given up. */
  phase: 'in-flight' | 'outstanding' | 'joined' | 'over';
}

export interface AgentTask {
  participantSid: string;
  workerSid: string | null;
  taskSid: string | null;
}

/** What a request knows of a conversation. */
export interface ChatSnapshot {
  refs: ChatRefs;
  agents: AgentTask[];
  /** Tasks of the conversation by SID (all statuses Twilio still keeps). */
  tasks: Map<string, TaskRecord>;
  /** Assigned agent tasks, oldest first (the first one serializes changes). */
  active: TaskRecord[];
  /** Union of the records of the active tasks (and of the task the request names). */
  entries: Map<string, TransferEntry>;
}

const LIVE = ['pending', 'reserved'];

function isEntry(v: unknown): v is TransferEntry {
  const e = v as TransferEntry;
  return !!e && typeof e === 'object' && typeof e.requestId === 'string' && (e.type === 'cold' || e.type === 'invite') && typeof e.targetSid === 'string' && typeof e.at === 'number';
}

/** The transfer records in a task's attributes (malformed entries are ignored). */
export function recordOf(attributes: Record<string, unknown>): Map<string, TransferEntry> {
  const raw = attributes[RECORD_KEY];
  const out = new Map<string, TransferEntry>();
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const v of Object.values(raw as Record<string, unknown>)) if (isEntry(v)) out.set(v.requestId, v);
  return out;
}

/** Attributes with the records replaced. */
export function withRecord(attributes: Record<string, unknown>, entries: Iterable<TransferEntry>): Record<string, unknown> {
  const record: Record<string, TransferEntry> = {};
  for (const e of entries) record[e.requestId] = e;
  return { ...attributes, [RECORD_KEY]: record };
}

/** The Interactions/Conversations SIDs of a chat task; optional parameters must agree. */
export function chatRefsOf(task: TaskRecord, event: FunctionEvent, field = 'taskSid'): ChatRefs {
  const p = params();
  const a = task.attributes;
  const interactionSid = a.flexInteractionSid;
  const channelSid = a.flexInteractionChannelSid;
  const conversationSid = a.conversationSid ?? p.get(a, 'conversations', 'media', '0', 'sid');
  if (!p.isSid(interactionSid, ['KD']) || !p.isSid(channelSid, ['UO']) || !p.isSid(conversationSid, ['CH'])) {
    throw tr().httpError(
      400,
      'not_a_conversation_task',
      `${field} ${task.sid} is not a Flex Conversations task (its attributes lack flexInteractionSid, flexInteractionChannelSid or conversationSid)`,
      { field },
    );
  }
  p.mustMatch('flexInteractionSid', p.sid(event, 'flexInteractionSid', ['KD']), interactionSid, `the task's interaction`);
  p.mustMatch('flexInteractionChannelSid', p.sid(event, 'flexInteractionChannelSid', ['UO']), channelSid, `the task's interaction channel`);
  p.mustMatch('conversationSid', p.sid(event, 'conversationSid', ['CH']), conversationSid, `the task's conversation`);
  return { interactionSid, channelSid, conversationSid };
}

/** Refs of a task whose attributes name a conversation (events), or null. */
export function refsOfAttributes(a: Record<string, unknown>): ChatRefs | null {
  const p = params();
  const conversationSid = a.conversationSid ?? p.get(a, 'conversations', 'media', '0', 'sid');
  if (!p.isSid(a.flexInteractionSid, ['KD']) || !p.isSid(a.flexInteractionChannelSid, ['UO']) || !p.isSid(conversationSid, ['CH'])) return null;
  return { interactionSid: a.flexInteractionSid, channelSid: a.flexInteractionChannelSid, conversationSid };
}

/** An invite task created by these functions (it carries the transfer attributes). */
export function isTransferTask(attributes: Record<string, unknown> | null): boolean {
  return (
    !!attributes &&
    (attributes.transferTargetType === 'worker' || attributes.transferTargetType === 'queue' || attributes.transferTargetType === 'anyone') &&
    typeof attributes.transferTargetSid === 'string'
  );
}

/** Every task of the conversation (one call: TaskRouter evaluates the expression server-side). */
export async function conversationTasks(port: TwilioPort, refs: ChatRefs): Promise<Map<string, TaskRecord>> {
  // The SID is validated (CH + 32 hex), so it is safe inside the expression.
  const list = await port.listTasks({ evaluate: `conversationSid == '${refs.conversationSid}'` });
  return new Map(list.filter((t) => t.attributes.conversationSid === refs.conversationSid).map((t) => [t.sid, t]));
}

function byAge(a: TaskRecord, b: TaskRecord): number {
  return a.dateCreated === b.dateCreated ? a.sid.localeCompare(b.sid) : a.dateCreated.localeCompare(b.dateCreated);
}

/**
 * Reads the conversation: its agent participants and, when more than the
 * named task is involved, every task of the conversation (one listing).
 */
export async function readChat(port: TwilioPort, named: TaskRecord, refs: ChatRefs): Promise<ChatSnapshot> {
  const { step } = load().loadLib<typeof import('./http.private')>('lib/http');
  const participants: InteractionParticipantRecord[] = await step('list-participants', () => port.listInteractionParticipants(refs.interactionSid, refs.channelSid));
  const agents = participants.filter((p) => p.type === 'agent').map((p) => ({ participantSid: p.sid, workerSid: p.workerSid, taskSid: p.taskSid }));
  let tasks = new Map<string, TaskRecord>([[named.sid, named]]);
  const onlyNamed = agents.every((a) => a.taskSid === named.sid) && recordOf(named.attributes).size === 0;
  if (!onlyNamed) {
    tasks = await step('list-conversation-tasks', () => conversationTasks(port, refs));
    tasks.set(named.sid, named); // the fetched one carries its ETag
  }
  const agentTaskSids = new Set(agents.map((a) => a.taskSid));
  const active = [...tasks.values()].filter((t) => t.status === 'assigned' && agentTaskSids.has(t.sid)).sort(byAge);
  const entries = new Map<string, TransferEntry>();
  for (const t of [named, ...active]) for (const [k, v] of recordOf(t.attributes)) entries.set(k, v);
  return { refs, agents, tasks, active, entries };
}

export function workerOf(snapshot: ChatSnapshot, taskSid: string): string | null {
  return snapshot.agents.find((a) => a.taskSid === taskSid)?.workerSid ?? null;
}

export function activeWorkers(snapshot: ChatSnapshot): string[] {
  return [...new Set(snapshot.active.map((t) => workerOf(snapshot, t.sid)).filter((w): w is string => !!w))];
}

/** Resolves entries against the conversation's tasks (listing them if the snapshot has not). */
export async function resolveEntries(port: TwilioPort, snapshot: ChatSnapshot, now = Date.now()): Promise<EntryState[]> {
  if (snapshot.entries.size === 0) return [];
  if (snapshot.tasks.size <= 1) {
    const listed = await conversationTasks(port, snapshot.refs);
    for (const [k, v] of listed) if (!snapshot.tasks.has(k)) snapshot.tasks.set(k, v);
  }
  const byRequest = new Map<string, TaskRecord>();
  for (const t of snapshot.tasks.values()) if (typeof t.attributes.transferRequestId === 'string') byRequest.set(t.attributes.transferRequestId, t);
  return [...snapshot.entries.values()].map((entry) => {
    const task = byRequest.get(entry.requestId) ?? null;
    if (task) return { entry, task, phase: LIVE.includes(task.status) ? 'outstanding' : task.status === 'canceled' ? 'over' : 'joined' };
    return { entry, task: null, phase: !entry.abandoned && now - entry.at < CLAIM_TTL_MS ? 'in-flight' : 'over' };
  });
}

export type Decision = { proceed: true } | { reuse: EntryState } | { conflict: { status: number; error: string; message: string; details: Record<string, unknown> } };

function summary(s: EntryState): Record<string, unknown> {
  return { requestId: s.entry.requestId, transferType: s.entry.type, targetSid: s.entry.targetSid, inviteTaskSid: s.task?.sid ?? null, phase: s.phase };
}

/**
 * The transition rules ("at most one cold transfer per conversation, and none
 * while an invite is outstanding"; "a repeat returns the first one's result"):
 * a pure function of the request and the live entries.
 */
export function decide(kind: 'cold' | 'invite', target: { sid: string }, states: EntryState[]): Decision {
  const live = states.filter((s) => s.phase === 'in-flight' || s.phase === 'outstanding');
  const same = live.find((s) => s.entry.type === kind && s.entry.targetSid === target.sid);
  if (same) return { reuse: same };
  const cold = live.find((s) => s.entry.type === 'cold');
  if (cold) {
    return {
      conflict: { status: 409, error: 'transfer_in_progress', message: `a cold transfer of this conversation to ${cold.entry.targetSid} is already in progress`, details: { transfer: summary(cold) } },
    };
  }
  if (kind === 'cold' && live.length > 0) {
    return {
      conflict: {
        status: 409,
        error: 'invite_outstanding',
        message: 'a cold transfer is not possible while an invite is outstanding: cancel it or wait until the invited agent joins',
        details: { outstandingInvites: live.map(summary) },
      },
    };
  }
  return { proceed: true };
}

/** Entries treated as live when they appear in a record a request had not seen (just claimed by someone else). */
function unseen(record: Map<string, TransferEntry>, seen: Map<string, TransferEntry>): EntryState[] {
  return [...record.values()].filter((e) => !seen.has(e.requestId) && !e.abandoned).map((entry) => ({ entry, task: null, phase: 'in-flight' as const }));
}

export type ClaimOutcome = { claimed: TaskRecord[] } | { lost: Decision; claimed: TaskRecord[] };

/**
 * Claims a transfer: adds `entry` to the record of every active agent task,
 * oldest first, each with `If-Match`. Entries found over (`drop`) are removed
 * on the way. If a task shows an entry this request had not seen and it
 * conflicts, the claim stops (`lost`) and the caller undoes what it wrote.
 */
export async function claim(port: TwilioPort, snapshot: ChatSnapshot, entry: TransferEntry, drop: Set<string>): Promise<ClaimOutcome> {
  const { compareAndSet } = tr();
  const claimed: TaskRecord[] = [];
  for (const task of snapshot.active) {
    const { value, task: written } = await compareAndSet<'gone' | 'ok' | Decision>(port, task, (current) => {
      if (current.status !== 'assigned') return { done: 'gone' as const };
      const record = recordOf(current.attributes);
      // Our own write, committed though its answer was lost.
      if (record.has(entry.requestId)) return { done: 'ok' as const };
      const d = decide(entry.type, { sid: entry.targetSid }, unseen(record, snapshot.entries));
      if (!('proceed' in d)) return { done: d };
      for (const k of drop) record.delete(k);
      record.set(entry.requestId, entry);
      return { write: { attributes: withRecord(current.attributes, record.values()) }, result: 'ok' as const };
    });
    if (value === 'gone') {
      // An agent left while this request was being made: the conversation it decided on is gone.
      return {
        lost: {
          conflict: {
            status: 409,
            error: 'conflict',
            message: `the conversation changed while this request was made (task ${task.sid} ended): nothing was done, retry`,
            details: { taskSid: task.sid },
          },
        },
        claimed,
      };
    }
    if (value !== 'ok') return { lost: value, claimed };
    claimed.push(written);
  }
  return { claimed };
}

/** Changes one entry (remove it, or mark it abandoned) in the records of the given tasks; best effort. */
export async function amend(port: TwilioPort, tasks: TaskRecord[], requestId: string, change: 'remove' | 'abandon'): Promise<number> {
  const { compareAndSet } = tr();
  let done = 0;
  for (const task of tasks) {
    try {
      await compareAndSet<null>(port, task, (current) => {
        const record = recordOf(current.attributes);
        const e = record.get(requestId);
        if (!e || (change === 'abandon' && e.abandoned)) return { done: null };
        if (change === 'remove') record.delete(requestId);
        else record.set(requestId, { ...e, abandoned: true });
        return { write: { attributes: withRecord(current.attributes, record.values()) }, result: null };
      });
      done++;
    } catch (err) {
      console.warn(`[chat] could not ${change} transfer ${requestId} on task ${task.sid}: ${(err as Error).message}`);
    }
  }
  return done;
}

/** The new task's attributes: all of the original's, plus the transfer fields. */
export function buildTransferAttributes(original: TaskRecord, target: Target, workerSidsInConversation: string[], entry: TransferEntry, record: Iterable<TransferEntry>): Record<string, unknown> {
  const attrs: Record<string, unknown> = { ...original.attributes };
  delete attrs[WAITING_KEY];
  const conversations = original.attributes.conversations;
  const prevConversations = conversations && typeof conversations === 'object' && !Array.isArray(conversations) ? (conversations as Record<string, unknown>) : {};
  const conversationId = typeof prevConversations.conversation_id === 'string' && prevConversations.conversation_id !== '' ? prevConversations.conversation_id : original.sid;
  attrs.transferTargetType = target.type;
  attrs.transferTargetSid = target.sid;
  attrs.transferTargetName = target.name;
  if (target.type === 'queue') attrs.transferQueueName = target.name;
  else delete attrs.transferQueueName;
  attrs.workerSidsInConversation = workerSidsInConversation;
  attrs.conversations = { ...prevConversations, conversation_id: conversationId };
  attrs.transferType = entry.type;
  attrs.transferRequestedBy = entry.requestedBy;
  attrs.transferRequestId = entry.requestId;
  attrs.transferOriginalTaskSid = original.sid;
  if (entry.leavingParticipantSid) attrs.transferLeavingParticipantSid = entry.leavingParticipantSid;
  else delete attrs.transferLeavingParticipantSid;
  // The joining agent's task starts with the conversation's records (its own entry is removed when it joins).
  return withRecord(attrs, record);
}

/**
 * Closes an agent's participant (completing its task). Idempotent: closing an
 * already closed participant is fine.
 */
export async function closeParticipant(port: TwilioPort, refs: ChatRefs, participantSid: string): Promise<void> {
  try {
    await port.updateInteractionParticipant(refs.interactionSid, refs.channelSid, participantSid, 'closed');
  } catch (err) {
    // Twilio refuses to close a participant twice (400): already done.
    if ((err as { status?: unknown }).status !== 400) throw err;
  }
}
