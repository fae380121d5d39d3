/**
 * The voice transfer state machine (docs/functions.md, "Voice transfers: one
 * state machine"). Its state lives in Twilio:
 *
 *  - the call's task (the task of the agent on the call): a transfer record,
 *    `flexTransfer`, in its attributes, written only with `If-Match` (so two
 *    requests never both start a transfer of one call), and its status
 *    (`assigned` while the agent is on the call, `wrapping`/`completed` once
 *    they handed it over);
 *  - the transfer task, found by the record's request id (it carries it as
 *    `transferRequestId`);
 *  - the conference: the customer's hold, the agent legs.
 *
 * Phases: idle → claimed (record written) → created (transfer task exists,
 * customer on hold) → handed over (first agent removed, call task wrapped:
 * at once for blind, by complete-transfer for warm) → joined (the new agent
 * answered) or canceled (warm: back to the first agent; blind: back in line).
 */
import type * as Load from './load.private';
import type * as Params from './params.private';
import type * as TaskRouter from './taskrouter.private';
import type { TaskRecord, TwilioPort } from './twilio.private';
import type { Target } from './taskrouter.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const load = (): typeof Load => require(Runtime.getFunctions()['lib/load'].path) as typeof Load;
const params = () => load().loadLib<typeof Params>('lib/params');
const tr = () => load().loadLib<typeof TaskRouter>('lib/taskrouter');

export type TransferMode = 'blind' | 'warm';
export type OriginalTaskAction = 'wrap' | 'complete';

export const RECORD_KEY = 'flexTransfer';
/** A claim without a transfer task this long after it was written will never get one from its own request. */
export const CLAIM_TTL_MS = 15_000;
export const LIVE_STATUSES = ['pending', 'reserved', 'assigned'] as const;
export const CALLER_ID = /^(\+[1-9]\d{6,14}|client:[A-Za-z0-9_.@-]{1,256}|sip:[^\s<>"']{3,256})$/;
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface VoiceTransferRecord {
  requestId: string;
  mode: TransferMode;
  targetType: 'worker' | 'queue';
  targetSid: string;
  targetName: string | null;
  requestedBy: string | null;
  originalTaskAction: OriginalTaskAction;
  /** When it was claimed (epoch ms, the function's clock). */
  at: number;
  /** Its request gave up: a transfer task that appears late is canceled. */
  abandoned?: boolean;
}

export interface ConferenceRefs {
  conferenceSid: string;
  /** The conference's friendly name: the task SID it was created for. */
  roomName: string;
  customerCallSid: string;
  agentCallSid: string | null;
}

export interface ResolvedTransfer {
  record: VoiceTransferRecord | null;
  task: TaskRecord | null;
  phase: 'idle' | 'in-flight' | 'live' | 'ended';
}

export function recordOf(attributes: Record<string, unknown>): VoiceTransferRecord | null {
  const r = attributes[RECORD_KEY] as VoiceTransferRecord | undefined;
  if (
    !r ||
    typeof r !== 'object' ||
    typeof r.requestId !== 'string' ||
    !REQUEST_ID.test(r.requestId) ||
    (r.mode !== 'blind' && r.mode !== 'warm') ||
    typeof r.targetSid !== 'string' ||
    typeof r.at !== 'number'
  )
    return null;
  return r;
}

export function isVoiceTransferTask(attributes: Record<string, unknown>): boolean {
  return (attributes.transferMode === 'blind' || attributes.transferMode === 'warm') && typeof attributes.originalTaskSid === 'string';
}

/** The conference of a voice task (attributes `conference.*`); optional parameters must agree. */
export function conferenceOf(task: Pick<TaskRecord, 'sid' | 'attributes'>, event: Record<string, unknown>): ConferenceRefs {
  const p = params();
  const a = task.attributes;
  const attrConf = p.get(a, 'conference', 'sid');
  const attrCustomer = p.get(a, 'conference', 'participants', 'customer');
  const attrAgent = p.get(a, 'conference', 'participants', 'worker');
  const attrRoom = p.get(a, 'conference', 'room_name');
  const givenConf = p.sid(event, 'conferenceSid', ['CF']);
  const givenCustomer = p.sid(event, 'customerCallSid', ['CA']);
  const givenAgent = p.sid(event, 'agentCallSid', ['CA']);
  const conferenceSid = p.isSid(attrConf, ['CF']) ? attrConf : givenConf;
  const customerCallSid = p.isSid(attrCustomer, ['CA']) ? attrCustomer : givenCustomer;
  const agentCallSid = givenAgent ?? (p.isSid(attrAgent, ['CA']) ? attrAgent : undefined);
  p.mustMatch('conferenceSid', givenConf, p.isSid(attrConf, ['CF']) ? attrConf : undefined, `the task's conference (attributes.conference.sid)`);
  p.mustMatch('customerCallSid', givenCustomer, p.isSid(attrCustomer, ['CA']) ? attrCustomer : undefined, `the task's customer call (attributes.conference.participants.customer)`);
  if (!conferenceSid || !customerCallSid) {
    throw tr().httpError(
      409,
      'no_conference',
      `task ${task.sid} has no conference with a customer (attributes.conference.sid and conference.participants.customer); the call must be in a conference to be transferred`,
    );
  }
  const roomName = p.isSid(attrRoom, ['WT']) ? attrRoom : task.sid;
  return { conferenceSid, roomName, customerCallSid, agentCallSid: agentCallSid ?? null };
}

export function callerIdOf(task: Pick<TaskRecord, 'attributes'>): string | undefined {
  for (const key of ['transferCallerId', 'to', 'called']) {
    const v = task.attributes[key];
    if (typeof v === 'string' && CALLER_ID.test(v)) return v;
  }
  return undefined;
}

/** The transfer task a record's request created (one listing, filtered server-side by the request id). */
export async function findTransferTask(port: TwilioPort, workflowSid: string | undefined, requestId: string): Promise<TaskRecord | null> {
  if (!REQUEST_ID.test(requestId)) return null;
  const tasks = await port.listTasks({ ...(workflowSid ? { workflowSid } : {}), evaluate: `transferRequestId == '${requestId}'` });
  return tasks.find((t) => t.attributes.transferRequestId === requestId) ?? null;
}

/** Where the call's transfer stands (one call, only when the task has a record). */
export async function resolveTransfer(port: TwilioPort, workflowSid: string | undefined, original: TaskRecord, now = Date.now()): Promise<ResolvedTransfer> {
  const record = recordOf(original.attributes);
  if (!record) return { record: null, task: null, phase: 'idle' };
  const task = await findTransferTask(port, workflowSid, record.requestId);
  if (task) return { record, task, phase: (LIVE_STATUSES as readonly string[]).includes(task.status) ? 'live' : 'ended' };
  if (!record.abandoned && now - record.at < CLAIM_TTL_MS) return { record, task: null, phase: 'in-flight' };
  return { record, task: null, phase: 'idle' };
}

export function buildVoiceTransferAttributes(original: TaskRecord, target: Target, conf: ConferenceRefs, record: VoiceTransferRecord, callerId: string): Record<string, unknown> {
  const attrs: Record<string, unknown> = { ...original.attributes };
  // The new agent's task starts with no transfer of its own.
  delete attrs[RECORD_KEY];
  delete attrs.requeuedFrom;
  delete attrs.requeueCount;
  const conversations = original.attributes.conversations;
  const prev = conversations && typeof conversations === 'object' && !Array.isArray(conversations) ? (conversations as Record<string, unknown>) : {};
  attrs.requested_agent = target.type === 'worker' ? target.sid : null;
  attrs.desired_queue = target.type === 'queue' ? target.sid : null;
  attrs.transferTargetType = target.type;
  attrs.transferTargetSid = target.sid;
  attrs.transferTargetName = target.name;
  attrs.transferMode = record.mode;
  attrs.originalTaskSid = original.sid;
  attrs.conference = {
    ...(original.attributes.conference && typeof original.attributes.conference === 'object' ? (original.attributes.conference as Record<string, unknown>) : {}),
    sid: conf.conferenceSid,
    room_name: conf.roomName,
    participants: { customer: conf.customerCallSid, ...(conf.agentCallSid ? { worker: conf.agentCallSid } : {}) },
  };
  attrs.conversations = { ...prev, conversation_id: typeof prev.conversation_id === 'string' && prev.conversation_id ? prev.conversation_id : original.sid };
  attrs.transferCallerId = callerId;
  attrs.transferRequestedBy = record.requestedBy;
  attrs.transferRequestId = record.requestId;
  return attrs;
}

/** Holds or un-holds the customer. Idempotent (retried by the port). */
export async function setHold(port: TwilioPort, conf: ConferenceRefs, hold: boolean): Promise<void> {
  await port.updateConferenceParticipant(conf.conferenceSid, conf.customerCallSid, { hold });
}

/** Best-effort unhold; reports whether the customer is (known to be) off hold. */
export async function tryUnhold(port: TwilioPort, conf: ConferenceRefs): Promise<boolean> {
  try {
    await setHold(port, conf, false);
    return true;
  } catch (err) {
    console.error(`[voice] could not take customer ${conf.customerCallSid} off hold in ${conf.conferenceSid}: ${(err as Error).message}`);
    return false;
  }
}

/** Removes the first agent's leg without ending the conference. 404 = already gone. */
export async function removeAgentLeg(port: TwilioPort, conf: ConferenceRefs): Promise<'removed' | 'absent'> {
  if (!conf.agentCallSid) return 'absent';
  try {
    await port.updateConferenceParticipant(conf.conferenceSid, conf.agentCallSid, { endConferenceOnExit: false });
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) return 'absent';
    throw err;
  }
  try {
    await port.removeConferenceParticipant(conf.conferenceSid, conf.agentCallSid);
    return 'removed';
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) return 'removed';
    throw err;
  }
}

/** Wraps or completes the call's task; an already finished task is fine. */
export async function finishOriginal(port: TwilioPort, task: TaskRecord, action: OriginalTaskAction): Promise<string> {
  if (task.status === 'completed' || (task.status === 'wrapping' && action === 'wrap')) return task.status;
  try {
    const t = await port.updateTask(task.sid, { status: action === 'wrap' ? 'wrapping' : 'completed', reason: 'call transferred' });
    return t.status;
  } catch (err) {
    const t = await port.fetchTask(task.sid).catch(() => undefined);
    if (t && (t.status === 'completed' || (t.status === 'wrapping' && action === 'wrap'))) return t.status;
    throw err;
  }
}

/**
 * The handover: the first agent leaves the conference (it cannot end the call
 * on the way out) and their task is wrapped or completed. Blind: as soon as
 * the transfer task exists; warm: on complete-transfer.
 */
export async function handover(port: TwilioPort, original: TaskRecord, conf: ConferenceRefs, action: OriginalTaskAction): Promise<{ agentRemoved: boolean; originalTaskStatus: string }> {
  const { step } = load().loadLib<typeof import('./http.private')>('lib/http');
  await step(
    'remove-agent',
    () => removeAgentLeg(port, conf),
    () => ({ agentRemoved: false }),
  );
  const originalTaskStatus = await step(
    'finish-original-task',
    () => finishOriginal(port, original, action),
    () => ({
      agentRemoved: true,
      hint: 'the first agent has left; repeat the same request to finish the original task',
    }),
  );
  return { agentRemoved: true, originalTaskStatus };
}

/**
 * Writes (or clears) the call task's record conditionally. `change` returns
 * the record to write, null to clear it, 'keep' to write nothing, or 'done'
 * when the wanted record is already there.
 */
export async function writeRecord(
  port: TwilioPort,
  original: TaskRecord,
  change: (current: TaskRecord, record: VoiceTransferRecord | null) => VoiceTransferRecord | null | 'keep' | 'done',
): Promise<{ written: boolean; task: TaskRecord }> {
  const { value, task } = await tr().compareAndSet<boolean>(port, original, (current) => {
    const next = change(current, recordOf(current.attributes));
    if (next === 'keep') return { done: false };
    if (next === 'done') return { done: true };
    const attributes = { ...current.attributes };
    if (next) attributes[RECORD_KEY] = next;
    else delete attributes[RECORD_KEY];
    return { write: { attributes }, result: true };
  });
  return { written: value, task };
}
