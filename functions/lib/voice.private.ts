/**
 * The voice transfer endpoints Flex calls (Twilio's call-control blind/warm
 * transfer through the call's conference): transfer, complete-transfer,
 * cancel-transfer. Each is one request-driven transition of the voice state
 * machine (lib/voice-state); what Twilio drives is in lib/voice-calls.
 *
 * Never-drop-the-customer ordering of a transfer:
 *  1. claim: the call task's record, written with `If-Match` (one transfer per call);
 *  2. hold the customer;
 *  3. create the transfer task (voice transfer workflow, `requested_agent` or
 *     `desired_queue`). If that fails the customer comes off hold (the first
 *     agent is still on the call) and the claim is given up;
 *  4. blind: the first agent leaves and their task is wrapped when TaskRouter
 *     reports the transfer task (`task.created`), or on a repeat of the
 *     request; warm: on complete-transfer.
 */
import { randomUUID } from 'node:crypto';
import type * as Load from './load.private';
import type * as Http from './http.private';
import type * as Params from './params.private';
import type * as Auth from './auth.private';
import type * as TwilioLib from './twilio.private';
import type * as TaskRouter from './taskrouter.private';
import type * as VoiceState from './voice-state.private';
import type { EndpointEnv, Result } from './http.private';
import type { TaskRecord } from './twilio.private';
import type { ConferenceRefs, OriginalTaskAction, ResolvedTransfer, TransferMode, VoiceTransferRecord } from './voice-state.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const load = (): typeof Load => require(Runtime.getFunctions()['lib/load'].path) as typeof Load;
const http = () => load().loadLib<typeof Http>('lib/http');
const params = () => load().loadLib<typeof Params>('lib/params');
const auth = () => load().loadLib<typeof Auth>('lib/auth');
const twilio = () => load().loadLib<typeof TwilioLib>('lib/twilio');
const tr = () => load().loadLib<typeof TaskRouter>('lib/taskrouter');
const vs = () => load().loadLib<typeof VoiceState>('lib/voice-state');

const REUSE_POLLS = 3;
const REUSE_POLL_MS = 250;

interface CallInputs {
  original: TaskRecord;
  conf: ConferenceRefs;
  workers: string[];
}

/** The call task, its conference and its workers; the caller must be one of them (or a supervisor) before anything else is read. */
async function loadCall(env: EndpointEnv): Promise<CallInputs> {
  const p = params();
  const taskSid = p.sid(env.event, 'taskSid', ['WT'], { required: true });
  const original = await tr().fetchTaskParam(env.port, taskSid, 'taskSid');
  const workers = await tr().taskWorkers(env.port, original.sid);
  return { original, conf: vs().conferenceOf(original, env.event), workers };
}

function body(mode: TransferMode, task: TaskRecord, record: Pick<VoiceTransferRecord, 'targetType' | 'targetSid'>, extra: Record<string, unknown>): Record<string, unknown> {
  return { mode, transferTaskSid: task.sid, transferTargetType: record.targetType, transferTargetSid: record.targetSid, ...extra };
}

/** A repeat of the same transfer: the first one's task (waiting briefly while the first request still creates it); finishes a blind handover left undone. */
async function answerRepeat(env: EndpointEnv, call: CallInputs, resolved: ResolvedTransfer): Promise<Result> {
  const record = resolved.record as VoiceTransferRecord;
  let task = resolved.task;
  for (let i = 0; !task && i < REUSE_POLLS && env.budget.callTimeout() > 500; i++) {
    await new Promise((r) => setTimeout(r, REUSE_POLL_MS));
    task = await vs().findTransferTask(env.port, env.config.voiceWorkflowSid, record.requestId);
  }
  if (!task) {
    throw tr().httpError(409, 'transfer_in_progress', 'the same transfer was just requested and is still being created: repeat the request in a moment', { requestId: record.requestId, retry: true });
  }
  let agentRemoved = call.original.status !== 'assigned';
  let originalTaskStatus: string = call.original.status;
  if (record.mode === 'blind' && call.original.status === 'assigned') {
    ({ agentRemoved, originalTaskStatus } = await vs().handover(env.port, call.original, call.conf, record.originalTaskAction));
  }
  return { body: body(record.mode, task, record, { reused: true, taskStatus: task.status, customerOnHold: task.status !== 'assigned', agentRemoved, originalTaskStatus }) };
}

// ---------------------------------------------------------------------------
// POST /voice/transfer

export async function transfer(env: EndpointEnv): Promise<Result> {
  tr().requireFlag(env.config, 'voiceTransfer');
  const p = params();
  const { httpError } = tr();
  const v = vs();
  const targetSid = p.sid(env.event, 'targetSid', ['WK', 'WQ'], { required: true });
  const mode = p.oneOf<TransferMode>(env.event, 'mode', ['blind', 'warm'], 'blind');
  const action = p.oneOf<OriginalTaskAction>(env.event, 'originalTaskAction', ['wrap', 'complete'], 'wrap');
  const workflowSid = env.config.voiceWorkflowSid as string;
  const call = await loadCall(env);
  const { original, conf, workers } = call;
  auth().authorize(env.actor, workers, `task ${original.sid}`);

  const resolved = await http().step('find-transfer-task', () => v.resolveTransfer(env.port, workflowSid, original));
  const same = (r: VoiceTransferRecord) => r.targetSid === targetSid && r.mode === mode;
  if (resolved.phase === 'live' || resolved.phase === 'in-flight') {
    const r = resolved.record as VoiceTransferRecord;
    if (same(r)) return answerRepeat(env, call, resolved);
    throw httpError(409, 'transfer_in_progress', `a transfer of task ${original.sid} is already in progress (to ${r.targetSid}, ${r.mode}); complete or cancel it first`, {
      transferTaskSid: resolved.task?.sid ?? null,
    });
  }
  if (original.status !== 'assigned') {
    if (resolved.record && resolved.task && same(resolved.record)) return answerRepeat(env, call, resolved);
    throw httpError(409, 'task_not_active', `task ${original.sid} is ${original.status}, not assigned: only a call in progress can be transferred`, { taskStatus: original.status });
  }
  const target = await tr().resolveTarget(env.port, targetSid);
  if (target.type === 'worker' && workers.includes(target.sid)) throw httpError(409, 'target_already_on_call', `worker ${target.sid} is the agent on this call`, { field: 'targetSid' });
  const callerId = v.callerIdOf(original);
  if (!callerId) throw httpError(409, 'no_caller_id', `task ${original.sid} has no caller ID to call the new agent from (attributes.to or attributes.called, E.164 or client:)`);

  // 1. Claim: one transfer per call, serialized by Twilio (If-Match on the call task).
  const record: VoiceTransferRecord = {
    requestId: randomUUID(),
    mode,
    targetType: target.type,
    targetSid: target.sid,
    targetName: target.name,
    requestedBy: env.actor.workerSid,
    originalTaskAction: action,
    at: Date.now(),
  };
  let lost: VoiceTransferRecord | null = null;
  const claimed = await http().step('claim-transfer', () =>
    v.writeRecord(env.port, original, (current, existing) => {
      if (current.status !== 'assigned') return 'keep';
      // Our own write, committed though its answer was lost.
      if (existing?.requestId === record.requestId) return 'done';
      // Someone else's claim appeared since this request read the task: theirs stands.
      if (existing && existing.requestId !== resolved.record?.requestId) {
        lost = existing;
        return 'keep';
      }
      return record;
    }),
  );
  if (!claimed.written) {
    const winner = lost as VoiceTransferRecord | null;
    if (winner && same(winner)) return answerRepeat(env, { ...call, original: claimed.task }, { record: winner, task: null, phase: 'in-flight' });
    if (winner) throw httpError(409, 'transfer_in_progress', `a transfer of task ${original.sid} was just started (to ${winner.targetSid}, ${winner.mode}); complete or cancel it first`);
    throw httpError(409, 'task_not_active', `task ${original.sid} is ${claimed.task.status}, not assigned: only a call in progress can be transferred`, { taskStatus: claimed.task.status });
  }

  // 2. Hold the customer. If that fails, the claim goes and the customer is (made sure to be) off hold.
  try {
    await v.setHold(env.port, conf, true);
  } catch (err) {
    const unheld = await v.tryUnhold(env.rescue, conf);
    await v.writeRecord(env.rescue, claimed.task, (_c, r) => (r?.requestId === record.requestId ? null : 'keep')).catch(() => undefined);
    return http().step(
      'hold-customer',
      () => Promise.reject(err),
      () => ({ customerOnHold: !unheld, transferTaskSid: null, agentRemoved: false }),
    );
  }

  // 3. Create the transfer task; on failure the customer comes off hold (the first agent is still there).
  const attributes = v.buildVoiceTransferAttributes(original, target, conf, record, callerId);
  let task: TaskRecord | null = null;
  try {
    task = await env.port.createTask({ workflowSid, taskChannel: original.taskChannel ?? 'voice', attributes });
  } catch (err) {
    const { isTwilioCallError } = twilio();
    if (!isTwilioCallError(err)) throw err;
    if (err.ambiguous) task = await v.findTransferTask(env.rescue, workflowSid, record.requestId).catch(() => null);
    if (!task) {
      const unheld = await v.tryUnhold(env.rescue, conf);
      // Given up: a transfer task that Twilio still creates later is canceled when it is reported.
      await v.writeRecord(env.rescue, claimed.task, (_c, r) => (r?.requestId === record.requestId ? { ...record, abandoned: true } : 'keep')).catch(() => undefined);
      return http().step(
        'create-transfer-task',
        () => Promise.reject(err),
        () => ({ customerOnHold: !unheld, transferTaskSid: null, agentRemoved: false }),
      );
    }
  }
  return {
    body: body(mode, task, record, {
      reused: false,
      customerOnHold: true,
      agentRemoved: false,
      originalTaskStatus: original.status,
      handover: mode === 'blind' ? 'the first agent leaves as soon as TaskRouter reports the transfer task (task.created)' : 'the first agent stays until complete-transfer',
    }),
  };
}

/** The call's live transfer (the `transferTaskSid` parameter must name it, when given). */
async function liveTransferOf(env: EndpointEnv, original: TaskRecord): Promise<ResolvedTransfer> {
  const given = params().sid(env.event, 'transferTaskSid', ['WT']);
  const resolved = await http().step('find-transfer-task', () => vs().resolveTransfer(env.port, env.config.voiceWorkflowSid, original));
  if (given && resolved.task && given !== resolved.task.sid) {
    throw tr().httpError(400, 'invalid_parameter', `transferTaskSid ${given} is not the transfer of task ${original.sid} (${resolved.task.sid})`, { field: 'transferTaskSid' });
  }
  return resolved;
}

// ---------------------------------------------------------------------------
// POST /voice/complete-transfer (second step of a warm transfer)

export async function completeTransfer(env: EndpointEnv): Promise<Result> {
  tr().requireFlag(env.config, 'voiceTransfer');
  const p = params();
  // Default: what the transfer request asked for (wrap unless it said complete).
  const given = p.str(env.event, 'originalTaskAction', { maxLength: 20 }) === undefined ? undefined : p.oneOf<OriginalTaskAction>(env.event, 'originalTaskAction', ['wrap', 'complete'], 'wrap');
  const { original, conf, workers } = await loadCall(env);
  const resolved = await liveTransferOf(env, original);
  // The new agent may complete too; authorization comes before anything about the transfer is answered.
  const actorIsFirst = env.actor.privileged || (env.actor.workerSid !== null && workers.includes(env.actor.workerSid));
  const newAgents = !actorIsFirst && resolved.task?.status === 'assigned' ? await tr().taskWorkers(env.port, resolved.task.sid) : [];
  auth().authorize(env.actor, [...workers, ...newAgents], `task ${original.sid}`);
  const task = resolved.task;
  if (!task) throw tr().httpError(409, 'no_transfer', `task ${original.sid} has no transfer in progress`);
  if (resolved.phase !== 'live') throw tr().httpError(409, 'transfer_not_live', `transfer task ${task.sid} is ${task.status}`, { transferTaskSid: task.sid });
  const finish = given ?? resolved.record?.originalTaskAction ?? 'wrap';
  const done = await vs().handover(env.port, original, conf, finish);
  return {
    body: {
      transferTaskSid: task.sid,
      agentRemoved: done.agentRemoved,
      newAgentJoined: task.status === 'assigned',
      customerOnHold: task.status !== 'assigned',
      originalTaskStatus: done.originalTaskStatus,
    },
  };
}

// ---------------------------------------------------------------------------
// POST /voice/cancel-transfer (warm transfer not yet accepted)

export async function cancelTransfer(env: EndpointEnv): Promise<Result> {
  tr().requireFlag(env.config, 'voiceTransfer');
  const { httpError } = tr();
  const { original, conf, workers } = await loadCall(env);
  auth().authorize(env.actor, workers, `task ${original.sid}`);
  const resolved = await liveTransferOf(env, original);
  const task = resolved.task;
  if (!task) throw httpError(409, 'no_transfer', `task ${original.sid} has no transfer in progress`);
  if (task.attributes.transferMode !== 'warm' || original.status !== 'assigned') {
    // Without the first agent on the call, canceling would leave the customer alone on hold.
    throw httpError(
      409,
      'not_cancelable',
      `transfer task ${task.sid} cannot be canceled: ${task.attributes.transferMode !== 'warm' ? 'it is a blind transfer and' : 'the transfer was completed, so'} the first agent has left`,
      { transferTaskSid: task.sid },
    );
  }
  if (['assigned', 'wrapping', 'completed'].includes(task.status))
    throw httpError(409, 'transfer_already_accepted', `the new agent already took transfer task ${task.sid}`, { transferTaskSid: task.sid });
  let canceled = task.status === 'canceled';
  if (!canceled) {
    // Conditional: if the new agent accepts at the same moment, exactly one of the two wins.
    const who = env.actor.workerSid ?? 'a supervisor';
    const { value } = await http().step('cancel-transfer-task', async () =>
      tr().compareAndSet(env.port, await env.port.fetchTask(task.sid), (current) => {
        if (current.status === 'pending' || current.status === 'reserved') return { write: { status: 'canceled', reason: `warm transfer canceled by ${who}` }, result: 'canceled' };
        return { done: current.status };
      }),
    );
    if (value === 'assigned' || value === 'wrapping' || value === 'completed')
      throw httpError(409, 'transfer_already_accepted', `the new agent took transfer task ${task.sid} meanwhile`, { transferTaskSid: task.sid });
    canceled = true;
  }
  await http().step(
    'unhold-customer',
    () => vs().setHold(env.port, conf, false),
    () => ({ transferTaskSid: task.sid, transferCanceled: canceled, customerOnHold: true }),
  );
  return { body: { transferTaskSid: task.sid, transferCanceled: canceled, customerOnHold: false } };
}
