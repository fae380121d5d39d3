/**
 * The voice transitions Twilio drives:
 *
 *  - `/voice/assignment` (TaskRouter's assignment callback for the voice
 *    transfer workflow): a `call` instruction to the new agent, not accepting
 *    the reservation (an unanswered call lets it time out and TaskRouter
 *    offers the transfer to someone else);
 *  - `/voice/join-conference` (the new agent answered): accepts the
 *    reservation, takes the customer off hold, answers
 *    `<Dial><Conference>` on the call's conference;
 *  - TaskRouter events of voice transfer tasks: `task.created` (blind: the
 *    handover; a task whose request gave up is canceled), `reservation.accepted`
 *    (backup unhold), `task.canceled`/`workflow.timeout` (warm: the customer
 *    goes back to the first agent; blind: back in line for anyone).
 */
import { randomUUID } from 'node:crypto';
import type * as Load from './load.private';
import type * as Params from './params.private';
import type * as Config from './config.private';
import type * as TaskRouter from './taskrouter.private';
import type * as VoiceState from './voice-state.private';
import type { TwilioEndpointEnv } from './http.private';
import type { TaskRecord, TwilioPort, ConferenceParticipantRecord } from './twilio.private';
import type { ConferenceRefs } from './voice-state.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const load = (): typeof Load => require(Runtime.getFunctions()['lib/load'].path) as typeof Load;
const params = () => load().loadLib<typeof Params>('lib/params');
const tr = () => load().loadLib<typeof TaskRouter>('lib/taskrouter');
const vs = () => load().loadLib<typeof VoiceState>('lib/voice-state');

// ---------------------------------------------------------------------------
// POST /voice/assignment

export async function assignment(env: TwilioEndpointEnv): Promise<{ status?: number; body: unknown }> {
  const p = params();
  const v = vs();
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
  if (!v.isVoiceTransferTask(attrs)) {
    console.warn(`[voice/assignment] task ${taskSid} is not a voice transfer task; no instruction`);
    return { body: {} };
  }
  const conf = v.conferenceOf({ sid: String(attrs.originalTaskSid), attributes: attrs }, {});
  const contactUri = worker.contact_uri;
  if (typeof contactUri !== 'string' || !v.CALLER_ID.test(contactUri)) {
    console.error(`[voice/assignment] worker ${workerSid} has no usable contact_uri; rejecting the reservation so TaskRouter offers the call elsewhere`);
    return { body: { instruction: 'reject' } };
  }
  const from = v.callerIdOf({ attributes: attrs });
  if (!from) {
    console.error(`[voice/assignment] transfer task ${taskSid} has no caller ID; rejecting`);
    return { body: { instruction: 'reject' } };
  }
  const domain = env.config.domainName;
  if (!domain) {
    const { ConfigError } = load().loadLib<typeof Config>('lib/config');
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
// /voice/join-conference

export function joinConferenceTwiml(roomName: string): string {
  const { escapeXml, isSid } = params();
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
  const p = params();
  const roomName = p.sid(env.event, 'originalTaskSid', ['WT'], { required: true });
  const transferTaskSid = p.sid(env.event, 'transferTaskSid', ['WT'], { required: true });
  const conferenceSid = p.sid(env.event, 'conferenceSid', ['CF'], { required: true });
  const customerCallSid = p.sid(env.event, 'customerCallSid', ['CA'], { required: true });
  const agentCallSid = p.sid(env.event, 'CallSid', ['CA']);
  const reservationSid = p.sid(env.event, 'reservationSid', ['WR']);
  const conf: ConferenceRefs = { conferenceSid, roomName, customerCallSid, agentCallSid: agentCallSid ?? null };
  if (reservationSid && !(await acceptOnAnswer(env.port, transferTaskSid, reservationSid))) {
    // The offer is gone (timed out, canceled, taken by someone else): this agent must not join.
    return { body: hangupTwiml(), contentType: 'text/xml' };
  }
  // The new agent has answered and is being put into the conference: the customer comes off hold.
  await vs().tryUnhold(env.port, conf);
  if (agentCallSid) {
    // Record the new agent's leg on the transfer task (a later transfer by them removes the right leg); conditional, best effort.
    try {
      const t = await env.port.fetchTask(transferTaskSid);
      await tr().compareAndSet(env.port, t, (current) => {
        const c = (current.attributes.conference && typeof current.attributes.conference === 'object' ? current.attributes.conference : {}) as Record<string, unknown>;
        const parts = (c.participants && typeof c.participants === 'object' ? c.participants : {}) as Record<string, unknown>;
        if (parts.worker === agentCallSid) return { done: null };
        return { write: { attributes: { ...current.attributes, conference: { ...c, participants: { ...parts, worker: agentCallSid } } } }, result: null };
      });
    } catch (err) {
      console.warn(`[voice/join-conference] could not record the agent leg on ${transferTaskSid}: ${(err as Error).message}`);
    }
  }
  return { body: joinConferenceTwiml(roomName), contentType: 'text/xml' };
}

// ---------------------------------------------------------------------------
// TaskRouter events of voice transfer tasks

/** The events of voice transfer tasks that move the state machine. */
export const VOICE_EVENTS = new Set(['task.created', 'reservation.accepted', 'task.canceled', 'workflow.timeout']);

/**
 * The transfer task exists. Blind: the first agent leaves now (the handover),
 * unless the request gave up (then this task came late: it is canceled, the
 * first agent stayed). Warm: only the late-task check.
 */
async function onCreated(env: TwilioEndpointEnv, task: TaskRecord, conf: ConferenceRefs): Promise<Record<string, unknown>> {
  const v = vs();
  const a = task.attributes;
  if (typeof a.requeuedFrom === 'string') return { handled: true, requeue: true };
  const original = await env.port.fetchTask(String(a.originalTaskSid)).catch((err: { status?: number }) => {
    if (err.status === 404) return null;
    throw err;
  });
  const record = original ? v.recordOf(original.attributes) : null;
  const ours = !!record && record.requestId === a.transferRequestId && !record.abandoned;
  if (!ours) {
    if (!original || original.status !== 'assigned') return { handled: true, handedOver: false };
    const current = await env.port.fetchTask(task.sid);
    const { value } = await tr().compareAndSet(env.port, current, (t) =>
      t.status === 'pending' || t.status === 'reserved' ? { write: { status: 'canceled', reason: 'transfer request gave up (the task came late)' }, result: true } : { done: false },
    );
    return { handled: true, orphanCanceled: value };
  }
  if (a.transferMode !== 'blind' || original?.status !== 'assigned') return { handled: true, handedOver: false };
  // Only while the transfer still waits for (or has) its agent: the first agent never leaves a customer with nobody coming.
  const current = await env.port.fetchTask(task.sid);
  if (!['pending', 'reserved', 'assigned'].includes(current.status)) return { handled: true, handedOver: false, transferTaskStatus: current.status };
  const done = await v.handover(env.port, original, conf, (record as { originalTaskAction: 'wrap' | 'complete' }).originalTaskAction);
  return { handled: true, handedOver: true, ...done };
}

export async function handleVoiceTaskEvent(env: TwilioEndpointEnv, eventType: string, task: TaskRecord): Promise<Record<string, unknown>> {
  const v = vs();
  const a = task.attributes;
  let conf: ConferenceRefs;
  try {
    conf = v.conferenceOf({ sid: String(a.originalTaskSid), attributes: a }, {});
  } catch {
    return { handled: false, reason: 'transfer task has no conference' };
  }
  if (eventType === 'task.created') return onCreated(env, task, conf);
  const originalAgent = conf.agentCallSid;
  if (eventType === 'reservation.accepted') {
    // Backup for join-conference: unhold once the new agent's leg is in the conference.
    const participants: ConferenceParticipantRecord[] = await env.port.listConferenceParticipants(conf.conferenceSid);
    const newAgentIn = participants.some((x) => x.callSid !== conf.customerCallSid && x.callSid !== originalAgent && x.status !== 'complete');
    const customer = participants.find((x) => x.callSid === conf.customerCallSid);
    if (newAgentIn && customer?.hold) {
      await v.setHold(env.port, conf, false);
      return { handled: true, unheld: true };
    }
    return { handled: true, unheld: false };
  }
  if (eventType === 'task.canceled' || eventType === 'workflow.timeout') {
    // Nobody took the transfer. If the first agent is still on the call (a warm transfer not completed), they get
    // the customer back; if they left (blind, or warm completed), the customer goes back in line.
    const original = await env.port.fetchTask(String(a.originalTaskSid)).catch(() => null);
    if (original?.status === 'assigned') return { handled: true, unheld: await v.tryUnhold(env.port, conf) };
    if (eventType === 'task.canceled') return requeueTransfer(env, task, conf);
  }
  return { handled: true };
}

/** How many times a canceled transfer is put back in line before a person must step in. */
export const MAX_BLIND_REQUEUES = 3;

/**
 * A transfer task was canceled (its TTL, or someone canceled it) after the
 * first agent left (blind, or a completed warm transfer), so the customer
 * waits on hold with nobody coming. Put them back in line for any agent (the voice workflow routes a task
 * with neither `requested_agent` nor `desired_queue` to everyone), unless the
 * call is over, another transfer is already live, or the limit is reached.
 * The new task's request id derives from the canceled task, so a repeated
 * event finds the requeue it already made.
 */
async function requeueTransfer(env: TwilioEndpointEnv, task: TaskRecord, conf: ConferenceRefs): Promise<Record<string, unknown>> {
  const a = task.attributes;
  const count = typeof a.requeueCount === 'number' ? a.requeueCount : 0;
  if (count >= MAX_BLIND_REQUEUES) {
    console.error(`[voice] transfer task ${task.sid} was canceled after ${count} requeues; customer ${conf.customerCallSid} stays on hold in ${conf.conferenceSid} for a supervisor`);
    return { handled: true, requeued: false, reason: 'requeue limit reached' };
  }
  const participants: ConferenceParticipantRecord[] = await env.port.listConferenceParticipants(conf.conferenceSid);
  if (!participants.some((x) => x.callSid === conf.customerCallSid && x.status !== 'complete')) {
    return { handled: true, requeued: false, reason: 'the customer has left' };
  }
  const workflowSid = task.workflowSid ?? env.config.voiceWorkflowSid;
  if (!workflowSid) return { handled: true, requeued: false, reason: 'the transfer task has no workflow' };
  const originalTaskSid = String(a.originalTaskSid);
  if (!params().isSid(originalTaskSid, ['WT'])) return { handled: true, requeued: false, reason: 'no original task' };
  const live = await env.port.listTasks({ workflowSid, statuses: ['pending', 'reserved', 'assigned'], evaluate: `originalTaskSid == '${originalTaskSid}'` });
  if (live.some((t) => t.attributes.originalTaskSid === originalTaskSid && vs().isVoiceTransferTask(t.attributes))) return { handled: true, requeued: false, reason: 'another transfer is live' };
  const attributes = { ...a, requested_agent: null, desired_queue: null, requeuedFrom: task.sid, requeueCount: count + 1, transferRequestId: randomUUID() };
  const created = await env.port.createTask({ workflowSid, taskChannel: task.taskChannel ?? 'voice', attributes });
  console.warn(`[voice] transfer task ${task.sid} was canceled; customer ${conf.customerCallSid} requeued as ${created.sid}`);
  return { handled: true, requeued: true, transferTaskSid: created.sid };
}
