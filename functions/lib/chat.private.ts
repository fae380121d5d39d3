/**
 * The chat transfer endpoints (Flex Conversations, Interactions API): cold
 * transfer, multi-participant invite, cancel invite, leave. Each is one
 * request-driven transition of the chat state machine (lib/chat-state); the
 * transitions Twilio drives are in lib/chat-events. Contract and invariants:
 * docs/functions.md.
 *
 * Ordering that keeps the customer safe:
 *  - a transfer is claimed (conditional update of the conversation's agent
 *    tasks) before its task is created, so two requests never both create one;
 *  - a cold transfer's agent leaves only once the transfer's task exists
 *    (TaskRouter's `task.created` event, or a repeat of the request);
 *  - when the last agent leaves, waiting invites become the customer's way
 *    back; with none, the conversation is closed.
 */
import { randomUUID } from 'node:crypto';
import type * as Load from './load.private';
import type * as Http from './http.private';
import type * as Params from './params.private';
import type * as Auth from './auth.private';
import type * as TwilioLib from './twilio.private';
import type * as TaskRouter from './taskrouter.private';
import type * as ChatState from './chat-state.private';
import type * as ChatEvents from './chat-events.private';
import type * as Ledger from './ledger.private';
import type { EndpointEnv, Result } from './http.private';
import type { TaskRecord } from './twilio.private';
import type { ChatRefs, ChatSnapshot, EntryState, TransferEntry } from './chat-state.private';
import type { Target } from './taskrouter.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const load = (): typeof Load => require(Runtime.getFunctions()['lib/load'].path) as typeof Load;
const http = () => load().loadLib<typeof Http>('lib/http');
const params = () => load().loadLib<typeof Params>('lib/params');
const auth = () => load().loadLib<typeof Auth>('lib/auth');
const twilio = () => load().loadLib<typeof TwilioLib>('lib/twilio');
const tr = () => load().loadLib<typeof TaskRouter>('lib/taskrouter');
const state = () => load().loadLib<typeof ChatState>('lib/chat-state');
const events = () => load().loadLib<typeof ChatEvents>('lib/chat-events');

const LIVE = ['pending', 'reserved'];
/** A repeat that finds the first request still creating its task asks this often, this far apart. */
const REUSE_POLLS = 3;
const REUSE_POLL_MS = 250;

function notActive(original: TaskRecord): Error {
  return tr().httpError(409, 'task_not_active', `task ${original.sid} is ${original.status}, not assigned: only a task in progress can be transferred`, { taskStatus: original.status });
}

/** The answer for a transfer (new or repeated). */
function transferBody(
  kind: 'cold' | 'invite',
  task: TaskRecord,
  entry: Pick<TransferEntry, 'targetType' | 'targetSid' | 'leavingParticipantSid'>,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    transferType: kind,
    inviteSid: typeof task.attributes.flexChannelInviteSid === 'string' ? task.attributes.flexChannelInviteSid : (extra.inviteSid ?? null),
    inviteTaskSid: task.sid,
    transferTargetType: entry.targetType,
    transferTargetSid: entry.targetSid,
    ...(kind === 'cold' ? { leavingParticipantSid: entry.leavingParticipantSid } : {}),
    ...extra,
  };
}

/**
 * A repeat of a request whose transfer exists (or is being created): the
 * first one's task. While the first request is still creating it, the
 * conversation's tasks are read a few times.
 */
async function reuse(env: EndpointEnv, snap: ChatSnapshot, found: EntryState): Promise<TaskRecord | null> {
  if (found.task) return found.task;
  for (let i = 0; i < REUSE_POLLS && env.budget.callTimeout() > 500; i++) {
    await new Promise((r) => setTimeout(r, REUSE_POLL_MS));
    const tasks = await state().conversationTasks(env.port, snap.refs);
    const t = [...tasks.values()].find((x) => x.attributes.transferRequestId === found.entry.requestId);
    if (t) return t;
  }
  return null;
}

async function answerRepeat(env: EndpointEnv, kind: 'cold' | 'invite', snap: ChatSnapshot, found: EntryState, original: TaskRecord): Promise<Result> {
  const task = await reuse(env, snap, found);
  if (!task) {
    throw tr().httpError(409, 'transfer_in_progress', 'the same transfer was just requested and is still being created: repeat the request in a moment', {
      requestId: found.entry.requestId,
      retry: true,
    });
  }
  // A repeat finishes what is left: the cold transfer's agent leaves once its task exists.
  let participantClosed = original.status !== 'assigned';
  if (kind === 'cold' && !participantClosed && found.entry.leavingParticipantSid && found.entry.fromTaskSid === original.sid && LIVE.concat('assigned').includes(task.status)) {
    await http().step('close-participant', () => state().closeParticipant(env.port, snap.refs, found.entry.leavingParticipantSid as string));
    participantClosed = true;
  }
  // The plugin's view of outstanding invites may have missed an event: a repeat puts it right (best effort).
  if (env.budget.callTimeout() > 500)
    await load()
      .loadLib<typeof Ledger>('lib/ledger')
      .syncView(env.port, snap.refs, { maxRounds: 2 })
      .catch(() => undefined);
  return {
    body: transferBody(kind, task, found.entry, { reused: true, taskStatus: task.status, ...(kind === 'cold' ? { participantClosed } : {}), workerSidsInConversation: state().activeWorkers(snap) }),
  };
}

/** Creates the invite for a claimed entry; an ambiguous failure is reconciled by the request id. */
async function createTransferTask(
  env: EndpointEnv,
  snap: ChatSnapshot,
  original: TaskRecord,
  entry: TransferEntry,
  attributes: Record<string, unknown>,
  claimed: TaskRecord[],
): Promise<{ task: TaskRecord | null; inviteSid: string; taskSid: string }> {
  const { isTwilioCallError } = twilio();
  const { refs } = snap;
  const routing = {
    properties: { workspace_sid: env.config.workspaceSid, workflow_sid: env.config.chatWorkflowSid as string, task_channel_unique_name: original.taskChannel ?? 'chat', attributes },
  };
  const notDone = { participantClosed: false, removed: false };
  try {
    const invite = await env.port.createInvite(refs.interactionSid, refs.channelSid, routing);
    if (!invite.taskSid)
      throw tr().httpError(502, 'invite_failed', `the invite ${invite.sid} was created but Twilio returned no task SID for it`, { failedStep: 'create-invite', inviteSid: invite.sid });
    return { task: null, inviteSid: invite.sid, taskSid: invite.taskSid };
  } catch (err) {
    if (!isTwilioCallError(err)) {
      await state().amend(env.rescue, claimed, entry.requestId, 'abandon');
      throw err;
    }
    if (!err.ambiguous) {
      // Twilio refused it: nothing exists; the claim goes.
      await state().amend(env.rescue, claimed, entry.requestId, 'remove');
      const status = err.status === 429 ? 429 : err.status === 404 ? 404 : 409;
      throw tr().httpError(status, err.status === 429 ? 'rate_limited' : 'invite_rejected', `the invite was not created: Twilio answered ${err.status}: ${err.message}`, {
        failedStep: 'create-invite',
        twilioStatus: err.status,
        twilioCode: err.code,
        ...notDone,
      });
    }
    // It may exist (now or later): look for the request id; if not there, give the claim up (a late task is then canceled).
    const found = await state()
      .conversationTasks(env.rescue, refs)
      .then((tasks) => [...tasks.values()].find((t) => t.attributes.transferRequestId === entry.requestId))
      .catch(() => undefined);
    if (found) return { task: found, inviteSid: String(found.attributes.flexChannelInviteSid ?? ''), taskSid: found.sid };
    await state().amend(env.rescue, claimed, entry.requestId, 'abandon');
    throw tr().httpError(
      err.timedOut ? 504 : 502,
      err.timedOut ? 'twilio_timeout' : 'invite_failed',
      `the invite was not created: Twilio ${err.timedOut ? 'did not answer in time' : err.network ? 'did not answer' : `answered ${err.status}`}: ${err.message}`,
      {
        failedStep: 'create-invite',
        twilioStatus: err.status,
        twilioCode: err.code,
        ...notDone,
      },
    );
  }
}

/** Cold transfer and invite: one transition, `kind` says which. */
async function requestTransfer(env: EndpointEnv, kind: 'cold' | 'invite'): Promise<Result> {
  const p = params();
  const { fetchTaskParam, resolveTarget, httpError } = tr();
  const s = state();
  const taskSid = p.sid(env.event, 'taskSid', ['WT'], { required: true });
  const targetSid = p.sid(env.event, 'targetSid', ['WK', 'WQ'], { required: true });
  const givenParticipant = p.sid(env.event, 'flexInteractionParticipantSid', ['UT']);

  const original = await fetchTaskParam(env.port, taskSid, 'taskSid');
  const refs = s.chatRefsOf(original, env.event);
  const snap = await s.readChat(env.port, original, refs);
  // Authorization comes before anything about the conversation is answered.
  const owner = snap.agents.find((a) => a.taskSid === original.sid);
  const allowed: Array<string | null | undefined> = [...s.activeWorkers(snap), owner?.workerSid];
  // The task's own agent may repeat a transfer after leaving (a lost answer): their reservation says so.
  if (!owner && !env.actor.privileged && !allowed.includes(env.actor.workerSid) && original.status !== 'assigned') allowed.push(...(await tr().taskWorkers(env.port, original.sid)));
  auth().authorize(env.actor, allowed, `conversation ${refs.conversationSid}`);

  const states = await http().step('read-transfers', () => s.resolveEntries(env.port, snap));
  const d = s.decide(kind, { sid: targetSid }, states);
  if ('reuse' in d) return answerRepeat(env, kind, snap, d.reuse, original);
  if ('conflict' in d) throw httpError(d.conflict.status, d.conflict.error, d.conflict.message, { ...d.conflict.details, participantClosed: false });
  if (original.status !== 'assigned') {
    // A repeat after the transfer went through (the entry stays on the ended task): report it.
    const done = states.find((x) => x.entry.type === kind && x.entry.targetSid === targetSid && x.entry.fromTaskSid === original.sid && x.task);
    if (done) return answerRepeat(env, kind, snap, done, original);
    throw notActive(original);
  }

  const target: Target = await resolveTarget(env.port, targetSid);
  if (target.type === 'worker' && s.activeWorkers(snap).includes(target.sid)) {
    throw httpError(409, 'target_already_in_conversation', `worker ${target.sid} is already in the conversation`, { field: 'targetSid' });
  }
  let leavingParticipantSid: string | null = null;
  if (kind === 'cold') {
    const leaving = givenParticipant ? snap.agents.find((a) => a.participantSid === givenParticipant) : owner;
    if (!leaving) {
      throw httpError(
        givenParticipant ? 400 : 409,
        'participant_not_found',
        givenParticipant
          ? `flexInteractionParticipantSid ${givenParticipant} is not an agent participant of the interaction channel`
          : `no agent participant of the interaction channel is linked to task ${original.sid}`,
        givenParticipant ? { field: 'flexInteractionParticipantSid' } : {},
      );
    }
    if (leaving.taskSid && leaving.taskSid !== original.sid) {
      throw httpError(400, 'invalid_parameter', `flexInteractionParticipantSid ${leaving.participantSid} belongs to task ${leaving.taskSid}, not ${original.sid}`, {
        field: 'flexInteractionParticipantSid',
      });
    }
    leavingParticipantSid = leaving.participantSid;
  }

  const entry: TransferEntry = {
    requestId: randomUUID(),
    type: kind,
    targetType: target.type,
    targetSid: target.sid,
    targetName: target.name,
    requestedBy: env.actor.workerSid,
    fromTaskSid: original.sid,
    leavingParticipantSid,
    at: Date.now(),
  };
  const over = new Set(states.filter((x) => x.phase === 'over' || x.phase === 'joined').map((x) => x.entry.requestId));
  const outcome = await http().step('claim-transfer', () => s.claim(env.port, snap, entry, over));
  if ('lost' in outcome) {
    // Another request got there first: undo what this one wrote, answer from the first.
    await s.amend(env.rescue, outcome.claimed, entry.requestId, 'remove');
    if ('reuse' in outcome.lost) return answerRepeat(env, kind, snap, outcome.lost.reuse, original);
    if ('conflict' in outcome.lost)
      throw httpError(outcome.lost.conflict.status, outcome.lost.conflict.error, outcome.lost.conflict.message, { ...outcome.lost.conflict.details, participantClosed: false });
  }
  const claimed = 'claimed' in outcome ? outcome.claimed : [];
  // The new task starts with the conversation's other records (its own entry would only be stale once it is taken).
  const record = [...(claimed[0] ? s.recordOf(claimed[0].attributes).values() : [])].filter((e) => e.requestId !== entry.requestId);
  const attributes = s.buildTransferAttributes(original, target, s.activeWorkers(snap), entry, record);
  const created = await createTransferTask(env, snap, original, entry, attributes, claimed);
  return {
    body: {
      transferType: kind,
      inviteSid: created.inviteSid,
      inviteTaskSid: created.taskSid,
      transferTargetType: target.type,
      transferTargetSid: target.sid,
      reused: false,
      ...(kind === 'cold' ? { participantClosed: false, leavingParticipantSid, handover: 'the transferring agent leaves as soon as TaskRouter reports the transfer task (task.created)' } : {}),
      workerSidsInConversation: s.activeWorkers(snap),
    },
  };
}

// ---------------------------------------------------------------------------
// POST /chat/transfer, POST /chat/invite

export async function coldTransfer(env: EndpointEnv): Promise<Result> {
  tr().requireFlag(env.config, 'enabled');
  tr().requireFlag(env.config, 'coldTransfer');
  return requestTransfer(env, 'cold');
}

export async function invite(env: EndpointEnv): Promise<Result> {
  tr().requireFlag(env.config, 'enabled');
  tr().requireFlag(env.config, 'multiParticipant');
  return requestTransfer(env, 'invite');
}

// ---------------------------------------------------------------------------
// POST /chat/cancel-invite

export async function cancelInvite(env: EndpointEnv): Promise<Result> {
  tr().requireFlag(env.config, 'enabled');
  const p = params();
  const { fetchTaskParam, httpError } = tr();
  const s = state();
  const inviteTaskSid = p.sid(env.event, 'inviteTaskSid', ['WT'], { required: true });
  const task = await fetchTaskParam(env.port, inviteTaskSid, 'inviteTaskSid');
  if (!s.isTransferTask(task.attributes)) throw httpError(400, 'not_an_invite', `inviteTaskSid ${inviteTaskSid} is not a transfer invite task`, { field: 'inviteTaskSid' });
  const refs = s.chatRefsOf(task, env.event, 'inviteTaskSid');
  const participants = await http().step('list-participants', () => env.port.listInteractionParticipants(refs.interactionSid, refs.channelSid));
  const tasks = await http().step('list-conversation-tasks', () => s.conversationTasks(env.port, refs));
  const active = [...tasks.values()].filter((t) => t.status === 'assigned' && t.sid !== task.sid);
  const activeWorkerSids = participants.filter((x) => x.type === 'agent' && active.some((t) => t.sid === x.taskSid)).map((x) => x.workerSid);
  const requester = typeof task.attributes.transferRequestedBy === 'string' ? task.attributes.transferRequestedBy : null;
  auth().authorize(env.actor, [...activeWorkerSids, requester], `conversation ${refs.conversationSid}`);

  const now = tasks.get(task.sid) ?? task;
  const base = { inviteTaskSid };
  if (!LIVE.includes(now.status)) {
    if (now.status === 'canceled') return { body: { ...base, taskStatus: now.status, canceled: true, alreadySettled: true } };
    throw httpError(409, 'invite_already_accepted', `the invite was already accepted (task ${inviteTaskSid} is ${now.status})`, { ...base, taskStatus: now.status });
  }
  const ev = events();
  if (active.length === 0) {
    // Nobody is in the conversation: canceling would leave the customer alone. They wait for anyone instead.
    const kept = await http().step('keep-invite-for-customer', () => ev.keepForCustomer(env.port, task, true));
    return {
      body: {
        ...base,
        taskStatus: kept.status,
        canceled: false,
        requeued: LIVE.includes(kept.status),
        message: 'no agent is left in the conversation: instead of being canceled, the transfer now goes to any available agent so the customer is not left alone',
      },
    };
  }
  const who = env.actor.workerSid ?? env.actor.identity ?? 'a supervisor';
  const after = await http().step('cancel-invite-task', () => ev.cancelIfWaiting(env.port, task, `transfer invite canceled by ${who}`, (t) => t.attributes[s.WAITING_KEY] === true));
  if (after.status === 'canceled') return { body: { ...base, taskStatus: 'canceled', canceled: true, alreadySettled: false } };
  if (LIVE.includes(after.status)) {
    return { body: { ...base, taskStatus: after.status, canceled: false, requeued: true, message: 'the last agent left meanwhile: the transfer stays, for any available agent' } };
  }
  throw httpError(409, 'invite_already_accepted', `the invite was accepted meanwhile (task ${inviteTaskSid} is ${after.status})`, { ...base, taskStatus: after.status });
}

// ---------------------------------------------------------------------------
// POST /chat/leave

export async function leave(env: EndpointEnv): Promise<Result> {
  tr().requireFlag(env.config, 'enabled');
  const p = params();
  const { fetchTaskParam, httpError } = tr();
  const s = state();
  const taskSid = p.sid(env.event, 'taskSid', ['WT'], { required: true });
  const remove = p.oneOf<'self' | 'taskAgent'>(env.event, 'remove', ['self', 'taskAgent'], 'self');
  const givenParticipant = p.sid(env.event, 'flexInteractionParticipantSid', ['UT']);
  const task = await fetchTaskParam(env.port, taskSid, 'taskSid');
  const refs: ChatRefs = s.chatRefsOf(task, env.event);
  const participants = await http().step('list-participants', () => env.port.listInteractionParticipants(refs.interactionSid, refs.channelSid));
  const people = participants.filter((x) => x.type === 'agent' || x.type === 'supervisor');

  // Who leaves: by default the caller (a supervisor's leave removes only the supervisor).
  let leaver = remove === 'taskAgent' ? people.find((x) => x.taskSid === task.sid) : people.find((x) => x.workerSid === env.actor.workerSid && x.taskSid === task.sid);
  let leaverTask: TaskRecord | undefined = leaver?.taskSid === task.sid ? task : undefined;
  if (remove === 'self' && (!leaver || task.status !== 'assigned')) {
    // The caller's own participant in this conversation may be another of its tasks.
    const mine = people.filter((x) => x.workerSid !== null && x.workerSid === env.actor.workerSid);
    if (mine.length > 0) {
      const tasks = await http().step('list-conversation-tasks', () => s.conversationTasks(env.port, refs));
      const current = mine.find((x) => x.taskSid && tasks.get(x.taskSid)?.status === 'assigned') ?? mine[mine.length - 1];
      leaver = current;
      leaverTask = current.taskSid ? (tasks.get(current.taskSid) ?? (current.taskSid === task.sid ? task : undefined)) : undefined;
    }
  }
  if (!leaver && remove === 'self' && task.status !== 'assigned' && task.status !== 'pending' && task.status !== 'reserved') {
    // A repeat of a leave whose participant was already closed (the first
    // attempt failed after that): the caller's own ended task says it left.
    // The check after leaving is repeated, so the repeat finishes the job.
    const reservations = await http().step('list-reservations', () => env.port.listTaskReservations(task.sid));
    if (reservations.some((r) => r.workerSid !== null && r.workerSid === env.actor.workerSid && (r.status === 'accepted' || r.status === 'completed' || r.status === 'wrapping'))) {
      return afterLeaving(env, refs, task.sid, undefined, true);
    }
  }
  if (!leaver) {
    if (remove === 'self') {
      throw httpError(
        409,
        'not_in_conversation',
        `${env.actor.workerSid ? `worker ${env.actor.workerSid}` : 'the caller'} is not a participant of conversation ${refs.conversationSid}; a supervisor removes the agent of taskSid only with remove=taskAgent`,
        {
          participantClosed: false,
        },
      );
    }
    throw httpError(409, 'participant_not_found', `no agent participant of the interaction channel is linked to task ${task.sid}`, { participantClosed: false });
  }
  if (givenParticipant && givenParticipant !== leaver.sid) {
    throw httpError(400, 'invalid_parameter', `flexInteractionParticipantSid ${givenParticipant} is not the participant leaving (${leaver.sid})`, { field: 'flexInteractionParticipantSid' });
  }
  auth().authorize(env.actor, [leaver.workerSid], `participant ${leaver.sid}`);

  const alreadyLeft = !leaverTask || leaverTask.status !== 'assigned';
  if (!alreadyLeft)
    await http().step(
      'close-participant',
      () => s.closeParticipant(env.port, refs, leaver.sid),
      () => ({ participantClosed: false, channelClosed: false }),
    );
  return afterLeaving(env, refs, leaver.taskSid ?? undefined, leaver.sid, alreadyLeft);
}

/**
 * Once the agent is out: the check after leaving (nobody left → waiting
 * invites kept for the customer, or the channel closed), and the answer
 * (`participantSid` unknown when the agent left before this request).
 */
async function afterLeaving(env: EndpointEnv, refs: ChatRefs, leftTaskSid: string | undefined, participantSid: string | undefined, alreadyLeft: boolean): Promise<Result> {
  const after = await http().step(
    'after-leave',
    () => events().afterAgentLeft(env.port, refs, leftTaskSid),
    () => ({ participantClosed: true, channelClosed: false }),
  );
  return {
    body: {
      ...(participantSid ? { participantSid } : {}),
      participantClosed: true,
      alreadyLeft,
      channelClosed: after.channelClosed,
      remainingAgents: after.remainingAgents,
      waitingTransfers: after.waiting,
      ...(after.closedWithMessage ? { closedWithMessage: true } : {}),
    },
  };
}
