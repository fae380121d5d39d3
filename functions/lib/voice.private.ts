/**
 * Voice transfers through the call's conference (Twilio's call-control
 * blind/warm transfer pattern).
 *
 * Never-drop-the-customer ordering:
 *  1. hold the customer (`conference.participants.customer`);
 *  2. create the transfer task (voice transfer workflow, `requested_agent` or
 *     `desired_queue`, the conference and the original task SID). If this
 *     fails the customer is taken off hold and the error returned: the first
 *     agent is still on the call, so the customer is never alone on hold;
 *  3. (blind, or the second call of a warm transfer) make sure the first
 *     agent's leg cannot end the conference (`endConferenceOnExit=false`),
 *     then remove it. If that fails the transfer is rolled back (transfer task
 *     canceled, customer off hold): the first agent is still there;
 *  4. wrap (or complete) the original task. A failure here is reported with
 *     the transfer in place; repeating the request finishes it.
 *
 * The new agent: TaskRouter calls `/voice/assignment` (the workflow's
 * assignment callback) which answers a `call` instruction (not accepting the
 * reservation); when the agent answers, Twilio fetches
 * `/voice/join-conference`, which accepts the reservation, takes the customer
 * off hold and returns `<Dial><Conference>` on the conference's name (the
 * original task SID). An unanswered call lets the reservation time out, so
 * TaskRouter offers the transfer to someone else. A `reservation.accepted`
 * event repeats the unhold as a backup once the new agent's leg is in the
 * conference.
 */
import { randomUUID } from 'node:crypto';
import type * as Load from './load.private';
import type { EndpointEnv, Result, TwilioEndpointEnv } from './http.private';
import type { TaskRecord, TwilioPort, ConferenceParticipantRecord } from './twilio.private';
import type { Target } from './chat.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const lib: typeof Load.loadLib = (name) => (require(Runtime.getFunctions()['lib/load'].path) as typeof Load).loadLib(name);

export type TransferMode = 'blind' | 'warm';
export type OriginalTaskAction = 'wrap' | 'complete';

export interface ConferenceRefs {
  conferenceSid: string;
  /** The conference's friendly name: the task SID it was created for. */
  roomName: string;
  customerCallSid: string;
  agentCallSid: string | null;
}

const LIVE_STATUSES = ['pending', 'reserved', 'assigned'] as const;
const CALLER_ID = /^(\+[1-9]\d{6,14}|client:[A-Za-z0-9_.@-]{1,256}|sip:[^\s<>"']{3,256})$/;

function httpError(status: number, error: string, message: string, details: Record<string, unknown> = {}) {
  const { HttpError } = lib('lib/http');
  return new HttpError(status, error, message, details);
}

function requireVoiceEnabled(env: { config: { flags: { voiceEnabled: boolean } } }): void {
  if (!env.config.flags.voiceEnabled) throw httpError(409, 'feature_disabled', 'voice transfers are disabled (FLEX_TRANSFER_VOICE_ENABLED is false)');
}

/** The conference of a voice task (attributes `conference.*`); optional parameters must agree. */
export function conferenceOf(task: TaskRecord, event: Record<string, unknown>): ConferenceRefs {
  const p = lib('lib/params');
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
    throw httpError(409, 'no_conference', `task ${task.sid} has no conference with a customer (attributes.conference.sid and conference.participants.customer); the call must be in a conference to be transferred`);
  }
  const roomName = p.isSid(attrRoom, ['WT']) ? attrRoom : task.sid;
  return { conferenceSid, roomName, customerCallSid, agentCallSid: agentCallSid ?? null };
}

/** Workers the task was (or is) assigned to. */
function taskWorkers(port: TwilioPort, taskSid: string): Promise<string[]> {
  return lib('lib/chat').taskWorkers(port, taskSid);
}

function callerIdOf(task: TaskRecord): string | undefined {
  const a = task.attributes;
  for (const key of ['transferCallerId', 'to', 'called']) {
    const v = a[key];
    if (typeof v === 'string' && CALLER_ID.test(v)) return v;
  }
  return undefined;
}

export function isVoiceTransferTask(attributes: Record<string, unknown>): boolean {
  return (attributes.transferMode === 'blind' || attributes.transferMode === 'warm') && typeof attributes.originalTaskSid === 'string';
}

/** Live transfer tasks (pending/reserved/assigned) created for `originalTaskSid`. */
export async function findLiveTransfers(port: TwilioPort, workflowSid: string, originalTaskSid: string): Promise<TaskRecord[]> {
  // Filtered server-side (the SID is validated, so it is safe inside the expression) and again here.
  const tasks = await port.listTasks({ workflowSid, statuses: [...LIVE_STATUSES], evaluate: `originalTaskSid == '${originalTaskSid}'` });
  return tasks.filter((t) => isVoiceTransferTask(t.attributes) && t.attributes.originalTaskSid === originalTaskSid && (LIVE_STATUSES as readonly string[]).includes(t.status));
}

export function buildVoiceTransferAttributes(
  original: TaskRecord,
  target: Target,
  conf: ConferenceRefs,
  extra: { mode: TransferMode; callerId: string; requestedBy: string | null; requestId: string },
): Record<string, unknown> {
  const attrs: Record<string, unknown> = { ...original.attributes };
  const conversations = original.attributes.conversations;
  const prev = conversations && typeof conversations === 'object' && !Array.isArray(conversations) ? (conversations as Record<string, unknown>) : {};
  attrs.requested_agent = target.type === 'worker' ? target.sid : null;
  attrs.desired_queue = target.type === 'queue' ? target.sid : null;
  attrs.transferTargetType = target.type;
  attrs.transferTargetSid = target.sid;
  attrs.transferTargetName = target.name;
  attrs.transferMode = extra.mode;
  attrs.originalTaskSid = original.sid;
  attrs.conference = {
    ...(original.attributes.conference && typeof original.attributes.conference === 'object' ? (original.attributes.conference as Record<string, unknown>) : {}),
    sid: conf.conferenceSid,
    room_name: conf.roomName,
    participants: { customer: conf.customerCallSid, ...(conf.agentCallSid ? { worker: conf.agentCallSid } : {}) },
  };
  attrs.conversations = { ...prev, conversation_id: typeof prev.conversation_id === 'string' && prev.conversation_id ? prev.conversation_id : original.sid };
  attrs.transferCallerId = extra.callerId;
  attrs.transferRequestedBy = extra.requestedBy;
  attrs.transferRequestId = extra.requestId;
  return attrs;
}

/** Holds or un-holds the customer. Idempotent (retried by the port). */
async function setHold(port: TwilioPort, conf: ConferenceRefs, hold: boolean): Promise<void> {
  await port.updateConferenceParticipant(conf.conferenceSid, conf.customerCallSid, { hold });
}

/** Best-effort unhold; reports whether the customer is (known to be) off hold. */
async function tryUnhold(port: TwilioPort, conf: ConferenceRefs): Promise<boolean> {
  try {
    await setHold(port, conf, false);
    return true;
  } catch (err) {
    console.error(`[voice] could not take customer ${conf.customerCallSid} off hold in ${conf.conferenceSid}: ${(err as Error).message}`);
    return false;
  }
}

/** Removes the first agent's leg without ending the conference. 404 = already gone. */
async function removeAgentLeg(port: TwilioPort, conf: ConferenceRefs): Promise<'removed' | 'absent'> {
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

/** Wraps or completes the original task; an already finished task is fine. */
async function finishOriginal(port: TwilioPort, task: TaskRecord, action: OriginalTaskAction): Promise<string> {
  if (task.status === 'completed' || (task.status === 'wrapping' && action === 'wrap')) return task.status;
  try {
    const t = await port.updateTaskStatus(task.sid, action === 'wrap' ? 'wrapping' : 'completed', 'call transferred');
    return t.status;
  } catch (err) {
    const t = await port.fetchTask(task.sid).catch(() => undefined);
    if (t && (t.status === 'completed' || (t.status === 'wrapping' && action === 'wrap'))) return t.status;
    throw err;
  }
}

async function cancelTransferTask(port: TwilioPort, taskSid: string, reason: string): Promise<boolean> {
  try {
    const t = await port.updateTaskStatus(taskSid, 'canceled', reason);
    return t.status === 'canceled';
  } catch {
    const t = await port.fetchTask(taskSid).catch(() => undefined);
    return !!t && t.status === 'canceled';
  }
}

interface VoiceInputs {
  original: TaskRecord;
  conf: ConferenceRefs;
  workers: string[];
}

async function loadOriginal(env: EndpointEnv): Promise<VoiceInputs> {
  const p = lib('lib/params');
  const { fetchTaskParam } = lib('lib/chat');
  const taskSid = p.sid(env.event, 'taskSid', ['WT'], { required: true });
  const original = await fetchTaskParam(env.port, taskSid, 'taskSid');
  const conf = conferenceOf(original, env.event);
  const workers = await taskWorkers(env.port, original.sid);
  return { original, conf, workers };
}

// ---------------------------------------------------------------------------
// POST /voice/transfer

export async function transfer(env: EndpointEnv): Promise<Result> {
  requireVoiceEnabled(env);
  const p = lib('lib/params');
  const { step } = lib('lib/http');
  const { resolveTarget } = lib('lib/chat');
  const { isTwilioCallError } = lib('lib/twilio');
  const targetSid = p.sid(env.event, 'targetSid', ['WK', 'WQ'], { required: true });
  const mode = p.oneOf<TransferMode>(env.event, 'mode', ['blind', 'warm'], 'blind');
  const action = p.oneOf<OriginalTaskAction>(env.event, 'originalTaskAction', ['wrap', 'complete'], 'wrap');
  const workflowSid = env.config.voiceWorkflowSid as string;
  const { original, conf, workers } = await loadOriginal(env);
  lib('lib/auth').authorize(env.actor, workers, `task ${original.sid}`);
  const target = await resolveTarget(env.port, targetSid);
  if (target.type === 'worker' && workers.includes(target.sid) && original.status === 'assigned') {
    throw httpError(409, 'target_already_on_call', `worker ${target.sid} is the agent on this call`, { field: 'targetSid' });
  }

  const live = await step('find-transfer-tasks', () => findLiveTransfers(env.port, workflowSid, original.sid));
  let transferTask = live.find((t) => t.attributes.transferTargetSid === target.sid && t.attributes.transferMode === mode);
  if (!transferTask && live.length > 0) {
    throw httpError(409, 'transfer_in_progress', `a transfer of task ${original.sid} is already in progress (task ${live[0].sid} to ${String(live[0].attributes.transferTargetSid)}); complete or cancel it first`, {
      transferTaskSid: live[0].sid,
    });
  }
  if (!transferTask && original.status !== 'assigned') {
    throw httpError(409, 'task_not_active', `task ${original.sid} is ${original.status}, not assigned: only a call in progress can be transferred`, { taskStatus: original.status });
  }
  const reused = !!transferTask;

  if (!transferTask) {
    const callerId = callerIdOf(original);
    if (!callerId) {
      throw httpError(409, 'no_caller_id', `task ${original.sid} has no caller ID to call the new agent from (attributes.to or attributes.called, E.164 or client:)`);
    }
    // 1. Hold the customer.
    try {
      await setHold(env.port, conf, true);
    } catch (err) {
      const unheld = await tryUnhold(env.port, conf);
      if (!isTwilioCallError(err)) throw err;
      return step('hold-customer', () => Promise.reject(err), () => ({ customerOnHold: !unheld, transferTaskSid: null, agentRemoved: false }));
    }
    // 2. Create the transfer task; on failure the customer comes off hold.
    const attributes = buildVoiceTransferAttributes(original, target, conf, { mode, callerId, requestedBy: env.actor.workerSid, requestId: randomUUID() });
    try {
      transferTask = await env.port.createTask({ workflowSid, taskChannel: original.taskChannel ?? 'voice', attributes });
    } catch (err) {
      if (!isTwilioCallError(err)) throw err;
      if (err.ambiguous) {
        const again = await findLiveTransfers(env.port, workflowSid, original.sid).catch(() => []);
        transferTask = again.find((t) => t.attributes.transferRequestId === attributes.transferRequestId);
      }
      if (!transferTask) {
        const unheld = await tryUnhold(env.port, conf);
        return step('create-transfer-task', () => Promise.reject(err), () => ({ customerOnHold: !unheld, transferTaskSid: null, agentRemoved: false }));
      }
    }
  } else if (transferTask.status !== 'assigned') {
    // Repeated request: the customer waits on hold for the new agent.
    await step('hold-customer', () => setHold(env.port, conf, true), () => ({ transferTaskSid: transferTask?.sid, agentRemoved: false }));
  }
  const transferTaskSid = transferTask.sid;

  if (mode === 'warm') {
    return { body: { mode, transferTaskSid, reused, transferTargetType: target.type, transferTargetSid: target.sid, customerOnHold: transferTask.status !== 'assigned', agentRemoved: false, originalTaskStatus: original.status } };
  }

  // 3. Blind: the first agent leaves; on failure roll back (they are still on the call).
  try {
    await removeAgentLeg(env.port, conf);
  } catch (err) {
    if (!isTwilioCallError(err)) throw err;
    const canceled = reused ? false : await cancelTransferTask(env.port, transferTaskSid, 'transfer rolled back: the first agent could not be removed');
    const unheld = canceled ? await tryUnhold(env.port, conf) : false;
    return step('remove-agent', () => Promise.reject(err), () => ({
      transferTaskSid,
      transferCanceled: canceled,
      rolledBack: canceled && unheld,
      customerOnHold: !unheld,
      agentRemoved: false,
    }));
  }
  // 4. Wrap or complete the original task.
  const originalTaskStatus = await step('finish-original-task', () => finishOriginal(env.port, original, action), () => ({
    transferTaskSid,
    agentRemoved: true,
    customerOnHold: true,
    hint: 'the transfer is in place; repeat the same request to finish the original task',
  }));
  return { body: { mode, transferTaskSid, reused, transferTargetType: target.type, transferTargetSid: target.sid, customerOnHold: transferTask.status !== 'assigned', agentRemoved: true, originalTaskStatus } };
}

async function transferTaskOf(env: EndpointEnv, original: TaskRecord): Promise<TaskRecord> {
  const p = lib('lib/params');
  const { step } = lib('lib/http');
  const { fetchTaskParam } = lib('lib/chat');
  const given = p.sid(env.event, 'transferTaskSid', ['WT']);
  if (given) {
    const t = await fetchTaskParam(env.port, given, 'transferTaskSid');
    if (!isVoiceTransferTask(t.attributes) || t.attributes.originalTaskSid !== original.sid) {
      throw httpError(400, 'invalid_parameter', `transferTaskSid ${given} is not a transfer of task ${original.sid}`, { field: 'transferTaskSid' });
    }
    return t;
  }
  const live = await step('find-transfer-tasks', () => findLiveTransfers(env.port, env.config.voiceWorkflowSid as string, original.sid));
  if (live.length === 0) throw httpError(409, 'no_transfer', `task ${original.sid} has no transfer in progress`);
  return live[0];
}

// ---------------------------------------------------------------------------
// POST /voice/complete-transfer (second step of a warm transfer)

export async function completeTransfer(env: EndpointEnv): Promise<Result> {
  requireVoiceEnabled(env);
  const p = lib('lib/params');
  const { step } = lib('lib/http');
  const action = p.oneOf<OriginalTaskAction>(env.event, 'originalTaskAction', ['wrap', 'complete'], 'wrap');
  const { original, conf, workers } = await loadOriginal(env);
  const transferTask = await transferTaskOf(env, original);
  const newAgents = transferTask.status === 'assigned' ? await taskWorkers(env.port, transferTask.sid) : [];
  lib('lib/auth').authorize(env.actor, [...workers, ...newAgents], `task ${original.sid}`);
  if (transferTask.status === 'canceled' || transferTask.status === 'completed') {
    throw httpError(409, 'transfer_not_live', `transfer task ${transferTask.sid} is ${transferTask.status}`, { transferTaskSid: transferTask.sid });
  }
  await step('remove-agent', () => removeAgentLeg(env.port, conf), () => ({ transferTaskSid: transferTask.sid, agentRemoved: false }));
  const originalTaskStatus = await step('finish-original-task', () => finishOriginal(env.port, original, action), () => ({
    transferTaskSid: transferTask.sid,
    agentRemoved: true,
    hint: 'the first agent has left; repeat the same request to finish the original task',
  }));
  return {
    body: { transferTaskSid: transferTask.sid, agentRemoved: true, newAgentJoined: transferTask.status === 'assigned', customerOnHold: transferTask.status !== 'assigned', originalTaskStatus },
  };
}

// ---------------------------------------------------------------------------
// POST /voice/cancel-transfer (warm transfer not yet accepted)

export async function cancelTransfer(env: EndpointEnv): Promise<Result> {
  requireVoiceEnabled(env);
  const { step } = lib('lib/http');
  const { original, conf, workers } = await loadOriginal(env);
  lib('lib/auth').authorize(env.actor, workers, `task ${original.sid}`);
  const transferTask = await transferTaskOf(env, original);
  if (transferTask.attributes.transferMode !== 'warm') {
    throw httpError(409, 'not_cancelable', `transfer task ${transferTask.sid} is a blind transfer: the first agent has left, so it cannot be canceled`, { transferTaskSid: transferTask.sid });
  }
  if (transferTask.status === 'assigned' || transferTask.status === 'completed' || transferTask.status === 'wrapping') {
    throw httpError(409, 'transfer_already_accepted', `the new agent already took transfer task ${transferTask.sid}`, { transferTaskSid: transferTask.sid });
  }
  let canceled = transferTask.status === 'canceled';
  if (!canceled) {
    canceled = await step('cancel-transfer-task', async () => {
      const t = await env.port.updateTaskStatus(transferTask.sid, 'canceled', `warm transfer canceled by ${env.actor.workerSid ?? 'a supervisor'}`).catch(async (err) => {
        const now = await env.port.fetchTask(transferTask.sid);
        if (now.status === 'canceled') return now;
        if (now.status === 'assigned') throw httpError(409, 'transfer_already_accepted', `the new agent took transfer task ${transferTask.sid} meanwhile`, { transferTaskSid: transferTask.sid });
        throw err;
      });
      return t.status === 'canceled';
    });
  }
  await step('unhold-customer', () => setHold(env.port, conf, false), () => ({ transferTaskSid: transferTask.sid, transferCanceled: canceled, customerOnHold: true }));
  return { body: { transferTaskSid: transferTask.sid, transferCanceled: canceled, customerOnHold: false } };
}

// ---------------------------------------------------------------------------
// POST /voice/assignment (TaskRouter assignment callback; protected)

export async function assignment(env: TwilioEndpointEnv): Promise<{ status?: number; body: unknown }> {
  const p = lib('lib/params');
  const ev = env.event;
  const workspaceSid = p.str(ev, 'WorkspaceSid', { maxLength: 64 });
  if (workspaceSid !== undefined && workspaceSid !== env.config.workspaceSid) {
    console.error(`[voice/assignment] callback for workspace ${workspaceSid}, expected ${env.config.workspaceSid}`);
    return { body: {} };
  }
  const taskSid = p.sid(ev, 'TaskSid', ['WT'], { required: true });
  const workerSid = p.sid(ev, 'WorkerSid', ['WK'], { required: true });
  const attrs = p.parseJsonObject(p.str(ev, 'TaskAttributes', { maxLength: 65536 }));
  const worker = p.parseJsonObject(p.str(ev, 'WorkerAttributes', { maxLength: 65536 }));
  if (!isVoiceTransferTask(attrs)) {
    // Not a transfer task: leave the reservation to whoever handles it.
    console.warn(`[voice/assignment] task ${taskSid} is not a voice transfer task; no instruction`);
    return { body: {} };
  }
  const conf = conferenceOf({ sid: String(attrs.originalTaskSid), attributes: attrs } as TaskRecord, {});
  const contactUri = worker.contact_uri;
  if (typeof contactUri !== 'string' || !CALLER_ID.test(contactUri)) {
    console.error(`[voice/assignment] worker ${workerSid} has no usable contact_uri; rejecting the reservation so TaskRouter offers the call elsewhere`);
    return { body: { instruction: 'reject' } };
  }
  const from = callerIdOf({ attributes: attrs } as TaskRecord);
  if (!from) {
    console.error(`[voice/assignment] transfer task ${taskSid} has no caller ID; rejecting`);
    return { body: { instruction: 'reject' } };
  }
  const domain = env.config.domainName;
  if (!domain) {
    const { ConfigError } = lib('lib/config');
    throw new ConfigError('DOMAIN_NAME', 'DOMAIN_NAME (the functions domain) is not set in the runtime context; cannot build the join-conference URL');
  }
  const reservationSid = p.sid(ev, 'ReservationSid', ['WR']);
  const query = new URLSearchParams({
    originalTaskSid: conf.roomName,
    transferTaskSid: taskSid,
    conferenceSid: conf.conferenceSid,
    customerCallSid: conf.customerCallSid,
    ...(reservationSid ? { reservationSid } : {}),
  });
  return {
    body: {
      instruction: 'call',
      from,
      to: contactUri,
      url: `https://${domain}/voice/join-conference?${query.toString()}`,
      // Not accepted here: join-conference accepts the reservation once the agent answered, so an
      // unanswered call lets the reservation time out and TaskRouter offer the call to someone else.
      accept: !reservationSid,
      timeout: 30,
    },
  };
}

// ---------------------------------------------------------------------------
// /voice/join-conference (the new agent answered; protected; TwiML)

export function joinConferenceTwiml(roomName: string): string {
  const { escapeXml, isSid } = lib('lib/params');
  if (!isSid(roomName, ['WT'])) throw new Error('conference name must be a task SID');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<Response><Dial><Conference startConferenceOnEnter="true" endConferenceOnExit="false" beep="false">${escapeXml(roomName)}</Conference></Dial></Response>`
  );
}

export function hangupTwiml(): string {
  return '<?xml version="1.0" encoding="UTF-8"?><Response><Say>This transfer is no longer available.</Say><Hangup/></Response>';
}

/**
 * Accepts the reservation once the agent answered. True when it is (now or
 * already) accepted; false when the offer is over (timeout, canceled,
 * rescinded, rejected). When Twilio cannot be reached, the agent joins anyway:
 * connecting the customer comes first.
 */
async function acceptOnAnswer(port: TwilioPort, taskSid: string, reservationSid: string): Promise<boolean> {
  try {
    const r = await port.acceptReservation(taskSid, reservationSid);
    return r.status === 'accepted';
  } catch (err) {
    const r = await port.fetchReservation(taskSid, reservationSid).catch(() => undefined);
    if (r) return r.status === 'accepted' || r.status === 'wrapping' || r.status === 'completed';
    console.error(`[voice/join-conference] could not accept reservation ${reservationSid}: ${(err as Error).message}; connecting the agent anyway`);
    return true;
  }
}

export async function joinConference(env: TwilioEndpointEnv): Promise<{ status?: number; body: unknown; contentType?: string }> {
  const p = lib('lib/params');
  const roomName = p.sid(env.event, 'originalTaskSid', ['WT'], { required: true });
  const transferTaskSid = p.sid(env.event, 'transferTaskSid', ['WT'], { required: true });
  const conferenceSid = p.sid(env.event, 'conferenceSid', ['CF'], { required: true });
  const customerCallSid = p.sid(env.event, 'customerCallSid', ['CA'], { required: true });
  const agentCallSid = p.sid(env.event, 'CallSid', ['CA']);
  const reservationSid = p.sid(env.event, 'reservationSid', ['WR']);
  const conf: ConferenceRefs = { conferenceSid, roomName, customerCallSid, agentCallSid: agentCallSid ?? null };
  if (reservationSid) {
    // The agent answered: now the reservation is accepted (the call instruction did not accept it).
    const accepted = await acceptOnAnswer(env.port, transferTaskSid, reservationSid);
    if (!accepted) {
      // The offer is gone (timed out, canceled, taken by someone else): this agent must not join.
      return { body: hangupTwiml(), contentType: 'text/xml' };
    }
  }
  // The new agent has answered and is being put into the conference: the customer comes off hold.
  await tryUnhold(env.port, conf);
  if (agentCallSid) {
    // Record the new agent's leg on the transfer task, so a later transfer by them removes the right leg.
    try {
      const t = await env.port.fetchTask(transferTaskSid);
      const c = (t.attributes.conference && typeof t.attributes.conference === 'object' ? t.attributes.conference : {}) as Record<string, unknown>;
      const parts = (c.participants && typeof c.participants === 'object' ? c.participants : {}) as Record<string, unknown>;
      if (parts.worker !== agentCallSid) {
        await env.port.updateTaskAttributes(transferTaskSid, { ...t.attributes, conference: { ...c, participants: { ...parts, worker: agentCallSid } } });
      }
    } catch (err) {
      console.warn(`[voice/join-conference] could not record the agent leg on ${transferTaskSid}: ${(err as Error).message}`);
    }
  }
  return { body: joinConferenceTwiml(roomName), contentType: 'text/xml' };
}

// ---------------------------------------------------------------------------
// TaskRouter events for voice transfer tasks

export async function handleVoiceTaskEvent(env: TwilioEndpointEnv, eventType: string, task: TaskRecord): Promise<Record<string, unknown>> {
  const a = task.attributes;
  let conf: ConferenceRefs;
  try {
    conf = conferenceOf({ sid: String(a.originalTaskSid), attributes: a } as TaskRecord, {});
  } catch {
    return { handled: false, reason: 'transfer task has no conference' };
  }
  const originalAgent = conf.agentCallSid;
  if (eventType === 'reservation.accepted') {
    // Backup for join-conference: unhold once the new agent's leg is in the conference.
    const participants: ConferenceParticipantRecord[] = await env.port.listConferenceParticipants(conf.conferenceSid);
    const newAgentIn = participants.some((x) => x.callSid !== conf.customerCallSid && x.callSid !== originalAgent && x.status !== 'complete');
    const customer = participants.find((x) => x.callSid === conf.customerCallSid);
    if (newAgentIn && customer?.hold) {
      await setHold(env.port, conf, false);
      return { handled: true, unheld: true };
    }
    return { handled: true, unheld: false };
  }
  if ((eventType === 'task.canceled' || eventType === 'workflow.timeout') && a.transferMode === 'warm') {
    // A warm transfer nobody took: the first agent is still there; give them the customer back.
    const unheld = await tryUnhold(env.port, conf);
    return { handled: true, unheld };
  }
  if (eventType === 'task.canceled' && a.transferMode === 'blind') return requeueBlindTransfer(env, task, conf);
  return { handled: true };
}

/** How many times a canceled blind transfer is put back in line before a person must step in. */
export const MAX_BLIND_REQUEUES = 3;

/**
 * A blind transfer task was canceled (its TTL, or someone canceled it): the
 * first agent left when it was made, so the customer waits on hold with nobody
 * coming. Put them back in line for any agent (the voice workflow routes a task
 * with neither `requested_agent` nor `desired_queue` to everyone), unless the
 * call is over, another transfer is already live, or the limit is reached.
 */
async function requeueBlindTransfer(env: TwilioEndpointEnv, task: TaskRecord, conf: ConferenceRefs): Promise<Record<string, unknown>> {
  const a = task.attributes;
  const count = typeof a.requeueCount === 'number' ? a.requeueCount : 0;
  if (count >= MAX_BLIND_REQUEUES) {
    console.error(`[voice] blind transfer task ${task.sid} was canceled after ${count} requeues; customer ${conf.customerCallSid} stays on hold in ${conf.conferenceSid} for a supervisor`);
    return { handled: true, requeued: false, reason: 'requeue limit reached' };
  }
  const participants: ConferenceParticipantRecord[] = await env.port.listConferenceParticipants(conf.conferenceSid);
  if (!participants.some((x) => x.callSid === conf.customerCallSid && x.status !== 'complete')) {
    return { handled: true, requeued: false, reason: 'the customer has left' };
  }
  const workflowSid = task.workflowSid ?? env.config.voiceWorkflowSid;
  if (!workflowSid) return { handled: true, requeued: false, reason: 'the transfer task has no workflow' };
  const originalTaskSid = String(a.originalTaskSid);
  // A repeated event (or a transfer made meanwhile) must not put the customer in line twice.
  if ((await findLiveTransfers(env.port, workflowSid, originalTaskSid)).length > 0) {
    return { handled: true, requeued: false, reason: 'another transfer is live' };
  }
  const attributes = { ...a, requested_agent: null, desired_queue: null, requeuedFrom: task.sid, requeueCount: count + 1, transferRequestId: randomUUID() };
  const created = await env.port.createTask({ workflowSid, taskChannel: task.taskChannel ?? 'voice', attributes });
  console.warn(`[voice] blind transfer task ${task.sid} was canceled; customer ${conf.customerCallSid} requeued as ${created.sid}`);
  return { handled: true, requeued: true, transferTaskSid: created.sid };
}
