/**
 * Chat transfers on Flex Conversations (Interactions API): cold transfer,
 * multi-participant invite, cancel invite, leave, and the TaskRouter event
 * handling that clears invite records. Endpoints in functions/chat/ are thin
 * wrappers around these.
 *
 * Ordering rules that keep the customer safe:
 *  - cold transfer closes the transferring agent's participant only after the
 *    invite exists (created now, or an identical pending one reused);
 *  - leave closes the interaction channel only when, after the participant
 *    was closed, no agent remains and no invite is pending (checked on a fresh
 *    listing, so two agents leaving at once cannot both skip the close).
 */
import { randomUUID } from 'node:crypto';
import type { FunctionEvent } from '../types';
import type * as Load from './load.private';
import type { EndpointEnv, Result, TwilioEndpointEnv } from './http.private';
import type { TaskRecord, TwilioPort, InteractionParticipantRecord, InviteRecord } from './twilio.private';
import type { ChatRefs, Ledger, LedgerEntry, TaskFactCache, SyncResult, SyncOptions } from './ledger.private';
import type { Actor } from './auth.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const lib: typeof Load.loadLib = (name) => (require(Runtime.getFunctions()['lib/load'].path) as typeof Load).loadLib(name);

const TASK_ACTIVE = 'assigned';

export interface AgentParticipant {
  participantSid: string;
  workerSid: string | null;
  taskSid: string | null;
  /** The agent is in the conversation now (its task is assigned). */
  active: boolean;
}

export interface Target {
  type: 'worker' | 'queue';
  sid: string;
  name: string;
}

// ---------------------------------------------------------------------------
// Shared steps

function httpError(status: number, error: string, message: string, details: Record<string, unknown> = {}) {
  const { HttpError } = lib('lib/http');
  return new HttpError(status, error, message, details);
}

/** Fetches a task named by a request parameter: 404 naming the field when it does not exist. */
export async function fetchTaskParam(port: TwilioPort, taskSid: string, field: string, cache?: TaskFactCache): Promise<TaskRecord> {
  const { step } = lib('lib/http');
  try {
    const task = await port.fetchTask(taskSid);
    cache?.set(task.sid, task.status, task.attributes, task.dateCreated);
    return task;
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) throw httpError(404, 'task_not_found', `${field} ${taskSid} was not found in the workspace`, { field });
    return step('fetch-task', () => Promise.reject(err));
  }
}

/** The Interactions/Conversations SIDs of a chat task; optional parameters must agree. */
export function chatRefsOf(task: TaskRecord, event: FunctionEvent, field = 'taskSid'): ChatRefs {
  const p = lib('lib/params');
  const a = task.attributes;
  const interactionSid = a.flexInteractionSid;
  const channelSid = a.flexInteractionChannelSid;
  const conversationSid = a.conversationSid ?? p.get(a, 'conversations', 'media', '0', 'sid');
  if (!p.isSid(interactionSid, ['KD']) || !p.isSid(channelSid, ['UO']) || !p.isSid(conversationSid, ['CH'])) {
    throw httpError(400, 'not_a_conversation_task', `${field} ${task.sid} is not a Flex Conversations task (its attributes lack flexInteractionSid, flexInteractionChannelSid or conversationSid)`, { field });
  }
  p.mustMatch('flexInteractionSid', p.sid(event, 'flexInteractionSid', ['KD']), interactionSid, `the task's interaction`);
  p.mustMatch('flexInteractionChannelSid', p.sid(event, 'flexInteractionChannelSid', ['UO']), channelSid, `the task's interaction channel`);
  p.mustMatch('conversationSid', p.sid(event, 'conversationSid', ['CH']), conversationSid, `the task's conversation`);
  return { interactionSid, channelSid, conversationSid };
}

/**
 * Agent participants of the interaction channel. A participant counts as in
 * the conversation while its task is `assigned` (the Participants resource has
 * no status field in the spec, so the task is the reliable signal).
 */
export async function agentsOf(port: TwilioPort, refs: ChatRefs, cache: TaskFactCache): Promise<AgentParticipant[]> {
  const { step } = lib('lib/http');
  const participants: InteractionParticipantRecord[] = await step('list-participants', () => port.listInteractionParticipants(refs.interactionSid, refs.channelSid));
  const agents = participants.filter((p) => p.type === 'agent');
  return Promise.all(
    agents.map(async (p): Promise<AgentParticipant> => {
      if (p.status === 'closed' || p.status === 'wrapup') return { participantSid: p.sid, workerSid: p.workerSid, taskSid: p.taskSid, active: false };
      if (!p.taskSid) return { participantSid: p.sid, workerSid: p.workerSid, taskSid: null, active: true };
      let status = cache.get(p.taskSid)?.status;
      if (status === undefined) {
        try {
          const t = await port.fetchTask(p.taskSid);
          cache.set(t.sid, t.status, t.attributes, t.dateCreated);
          status = t.status;
        } catch (err) {
          if ((err as { status?: unknown }).status !== 404) return step('fetch-participant-task', () => Promise.reject(err));
          status = 'missing';
        }
      }
      return { participantSid: p.sid, workerSid: p.workerSid, taskSid: p.taskSid, active: status === TASK_ACTIVE };
    }),
  );
}

/** Workers who hold (or held) the task: accepted, wrapping or completed reservations. */
export async function taskWorkers(port: TwilioPort, taskSid: string): Promise<string[]> {
  const { step } = lib('lib/http');
  const reservations = await step('list-reservations', () => port.listTaskReservations(taskSid));
  return reservations.filter((r) => ['accepted', 'wrapping', 'completed'].includes(r.status) && r.workerSid).map((r) => r.workerSid as string);
}

export function activeWorkers(agents: AgentParticipant[]): string[] {
  return [...new Set(agents.filter((a) => a.active && a.workerSid).map((a) => a.workerSid as string))];
}

/** Resolves and checks the transfer target (404 naming `targetSid` when unknown). */
export async function resolveTarget(port: TwilioPort, targetSid: string): Promise<Target> {
  const { step } = lib('lib/http');
  try {
    if (targetSid.startsWith('WK')) {
      const w = await port.fetchWorker(targetSid);
      return { type: 'worker', sid: w.sid, name: w.friendlyName };
    }
    const q = await port.fetchQueue(targetSid);
    return { type: 'queue', sid: q.sid, name: q.friendlyName };
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) {
      throw httpError(404, 'target_not_found', `targetSid ${targetSid} is not a ${targetSid.startsWith('WK') ? 'worker' : 'queue'} of the workspace`, { field: 'targetSid' });
    }
    return step(targetSid.startsWith('WK') ? 'fetch-target-worker' : 'fetch-target-queue', () => Promise.reject(err));
  }
}

/** The new task's attributes (issue 5): all of the original's, plus the transfer fields. */
export function buildTransferAttributes(
  original: TaskRecord,
  target: Target,
  workerSidsInConversation: string[],
  extra: { transferType: 'cold' | 'invite'; requestedBy: string | null; requestId: string },
): Record<string, unknown> {
  const attrs: Record<string, unknown> = { ...original.attributes };
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
  attrs.transferType = extra.transferType;
  attrs.transferRequestedBy = extra.requestedBy;
  attrs.transferRequestId = extra.requestId;
  attrs.transferOriginalTaskSid = original.sid;
  return attrs;
}

/** Finds the invite carrying `requestId` (reconciling an ambiguous create). */
async function findInviteByRequestId(port: TwilioPort, refs: ChatRefs, requestId: string, known: Set<string>, cache: TaskFactCache): Promise<InviteRecord | undefined> {
  const invites = await port.listInvites(refs.interactionSid, refs.channelSid);
  for (const inv of invites) {
    if (!inv.taskSid || known.has(inv.taskSid)) continue;
    let attrs = inv.attributes;
    if (!attrs || attrs.transferRequestId === undefined) {
      try {
        const t = await port.fetchTask(inv.taskSid);
        cache.set(t.sid, t.status, t.attributes, t.dateCreated);
        attrs = t.attributes;
      } catch {
        continue;
      }
    }
    if (attrs && attrs.transferRequestId === requestId) return inv;
  }
  return undefined;
}

/**
 * Creates the invite (a new task on the interaction channel). 429s are
 * retried; any other transport/5xx failure is ambiguous and reconciled by
 * looking for our request id among the channel's invites.
 */
export async function createInvite(
  env: { port: TwilioPort; config: { workspaceSid: string; chatWorkflowSid?: string } },
  refs: ChatRefs,
  original: TaskRecord,
  attributes: Record<string, unknown>,
  ledger: Ledger,
  cache: TaskFactCache,
  failureDetails: Record<string, unknown>,
): Promise<{ inviteSid: string; taskSid: string }> {
  const { isTwilioCallError } = lib('lib/twilio');
  const requestId = String(attributes.transferRequestId);
  const routing = {
    properties: {
      workspace_sid: env.config.workspaceSid,
      workflow_sid: env.config.chatWorkflowSid as string,
      task_channel_unique_name: original.taskChannel ?? 'chat',
      attributes,
    },
  };
  let invite: InviteRecord | undefined;
  try {
    invite = await env.port.createInvite(refs.interactionSid, refs.channelSid, routing);
  } catch (err) {
    if (!isTwilioCallError(err)) throw err;
    if (err.status !== 0 && err.status < 500) {
      const status = err.status === 429 ? 429 : err.status === 404 ? 404 : 409;
      throw httpError(status, err.status === 429 ? 'rate_limited' : 'invite_rejected', `the invite was not created: Twilio answered ${err.status}: ${err.message}`, {
        failedStep: 'create-invite',
        twilioStatus: err.status,
        twilioCode: err.code,
        ...failureDetails,
      });
    }
    // Ambiguous: it may exist. Look for our request id.
    try {
      invite = await findInviteByRequestId(env.port, refs, requestId, new Set(ledger.entries.map((e) => e.taskSid)), cache);
    } catch {
      invite = undefined;
    }
    if (!invite) {
      throw httpError(502, 'invite_failed', `the invite was not created: Twilio ${err.network ? 'did not answer' : `answered ${err.status}`}: ${err.message}`, {
        failedStep: 'create-invite',
        twilioStatus: err.status,
        twilioCode: err.code,
        ...failureDetails,
      });
    }
  }
  if (!invite.taskSid) {
    throw httpError(502, 'invite_failed', `the invite ${invite.sid} was created but Twilio returned no task SID for it`, { failedStep: 'create-invite', inviteSid: invite.sid, ...failureDetails });
  }
  // Not cached: the ledger fetches it, so every writer derives the same record from the same facts.
  return { inviteSid: invite.sid, taskSid: invite.taskSid };
}

/** Cancels an invite task (idempotent: an already settled task is reported, not an error). */
export async function cancelInviteTask(port: TwilioPort, taskSid: string, reason: string, cache: TaskFactCache): Promise<{ canceled: boolean; status: string }> {
  const { isOutstandingStatus } = lib('lib/ledger');
  try {
    const t = await port.updateTaskStatus(taskSid, 'canceled', reason);
    cache.set(t.sid, t.status, t.attributes, t.dateCreated);
    return { canceled: t.status === 'canceled', status: t.status };
  } catch (err) {
    // It may have moved on (accepted, canceled by TaskRouter) meanwhile, or the cancel
    // committed without an answer: the task's state says which.
    let t: TaskRecord;
    try {
      t = await port.fetchTask(taskSid);
    } catch (err2) {
      if ((err2 as { status?: unknown }).status === 404) {
        cache.settle(taskSid, 'missing');
        return { canceled: false, status: 'missing' };
      }
      throw err;
    }
    cache.set(t.sid, t.status, t.attributes, t.dateCreated);
    if (!isOutstandingStatus(t.status)) return { canceled: t.status === 'canceled', status: t.status };
    throw err;
  }
}

/**
 * After creating an invite: two identical requests that raced both created
 * one. The first in creation (ledger) order is kept; later duplicates are
 * canceled (whoever sees them). Returns the invite to report and the ledger
 * read, for the sync's first round.
 */
export async function dedupeAfterCreate(
  port: TwilioPort,
  refs: ChatRefs,
  targetSid: string,
  transferType: 'cold' | 'invite',
  mine: { inviteSid: string; taskSid: string },
  cache: TaskFactCache,
): Promise<{ invite: { inviteSid: string; taskSid: string }; reused: boolean; first: NonNullable<SyncOptions['first']> }> {
  const { readLedger, settledHintOf, duplicatesOf } = lib('lib/ledger');
  const conv = await port.fetchConversation(refs.conversationSid);
  const after = await readLedger(port, refs, cache, settledHintOf(conv.attributes));
  const { canonical, duplicates } = duplicatesOf(after);
  for (const d of duplicates) {
    await cancelInviteTask(port, d.taskSid, 'duplicate transfer invite', cache).catch(() => undefined);
  }
  const first = { attributes: conv.attributes, ledger: after };
  // Ours is a later duplicate (canceled above), or a racing peer already canceled it as one.
  const winner = canonical.get(`${targetSid}/${transferType}`);
  if (winner && winner.taskSid !== mine.taskSid) return { invite: { inviteSid: winner.inviteSid, taskSid: winner.taskSid }, reused: true, first };
  return { invite: mine, reused: false, first };
}

function syncFailureWarning(err: unknown): string {
  return `the invite record could not be synchronized now (${(err as Error).message}); it is derived from the invite ledger and will be corrected by the next transfer operation or TaskRouter event`;
}

async function readLedgerStep(port: TwilioPort, refs: ChatRefs, cache: TaskFactCache, details: Record<string, unknown> = {}): Promise<Ledger> {
  const { step } = lib('lib/http');
  const { readLedger, settledHintOf } = lib('lib/ledger');
  const conv = await step('fetch-conversation', () => port.fetchConversation(refs.conversationSid), () => details);
  return step('read-invite-ledger', () => readLedger(port, refs, cache, settledHintOf(conv.attributes)), () => details);
}

function requireChatEnabled(env: EndpointEnv): void {
  if (!env.config.flags.enabled) throw httpError(409, 'feature_disabled', 'chat transfers are disabled (FLEX_TRANSFER_ENABLED is false)');
}

function inviteSummary(e: LedgerEntry) {
  return { inviteTaskSid: e.taskSid, inviteSid: e.inviteSid, targetSid: e.attributes?.transferTargetSid ?? null, transferType: e.attributes?.transferType ?? null };
}

interface TransferInputs {
  original: TaskRecord;
  refs: ChatRefs;
  agents: AgentParticipant[];
  target: Target;
}

/** Common checks for cold transfer and invite: the original task, the caller, the target. */
async function prepareTransfer(env: EndpointEnv, cache: TaskFactCache): Promise<TransferInputs> {
  const p = lib('lib/params');
  const taskSid = p.sid(env.event, 'taskSid', ['WT'], { required: true });
  const targetSid = p.sid(env.event, 'targetSid', ['WK', 'WQ'], { required: true });
  p.sid(env.event, 'flexInteractionParticipantSid', ['UT']);
  const original = await fetchTaskParam(env.port, taskSid, 'taskSid', cache);
  const refs = chatRefsOf(original, env.event);
  const agents = await agentsOf(env.port, refs, cache);
  const owner = agents.find((a) => a.taskSid === original.sid);
  const allowed: Array<string | null | undefined> = [...activeWorkers(agents), owner?.workerSid];
  // The task's own agent may act even after leaving (to repeat a cold transfer whose answer was lost).
  if (!owner && !env.actor.privileged && !allowed.includes(env.actor.workerSid) && original.status !== TASK_ACTIVE) allowed.push(...(await taskWorkers(env.port, original.sid)));
  lib('lib/auth').authorize(env.actor, allowed, `conversation ${refs.conversationSid}`);
  const target = await resolveTarget(env.port, targetSid);
  if (target.type === 'worker' && activeWorkers(agents).includes(target.sid)) {
    throw httpError(409, 'target_already_in_conversation', `worker ${target.sid} is already in the conversation`, { field: 'targetSid' });
  }
  return { original, refs, agents, target };
}

function notActive(original: TaskRecord) {
  return httpError(409, 'task_not_active', `task ${original.sid} is ${original.status}, not assigned: only a task in progress can be transferred`, { taskStatus: original.status });
}

/**
 * Closes an agent's participant (completing its task). Idempotent: when the
 * call fails but the participant's task is no longer assigned, it is closed.
 */
export async function closeParticipant(port: TwilioPort, refs: ChatRefs, agent: AgentParticipant, cache: TaskFactCache): Promise<void> {
  try {
    await port.updateInteractionParticipant(refs.interactionSid, refs.channelSid, agent.participantSid, 'closed');
  } catch (err) {
    if (!agent.taskSid) throw err;
    let status: string;
    try {
      status = (await port.fetchTask(agent.taskSid)).status;
    } catch {
      throw err;
    }
    if (status === TASK_ACTIVE) throw err;
  }
  if (agent.taskSid) cache.settle(agent.taskSid, 'completed');
}

// ---------------------------------------------------------------------------
// Cold transfer

export async function coldTransfer(env: EndpointEnv): Promise<Result> {
  requireChatEnabled(env);
  if (!env.config.flags.coldTransfer) throw httpError(409, 'cold_transfer_disabled', 'cold transfer is disabled (FLEX_TRANSFER_COLD_TRANSFER is false)');
  const { TaskFactCache, syncView } = lib('lib/ledger');
  const { step } = lib('lib/http');
  const p = lib('lib/params');
  const cache = new TaskFactCache();
  const { original, refs, agents, target } = await prepareTransfer(env, cache);

  const notRemoved = { participantClosed: false, removed: false };
  const ledger = await readLedgerStep(env.port, refs, cache, notRemoved);
  const existing = ledger.outstanding.find((e) => e.attributes?.transferTargetSid === target.sid && e.attributes?.transferType === 'cold');
  if (original.status !== TASK_ACTIVE) {
    // A repeat of a cold transfer whose first attempt closed the participant
    // but lost the answer: report the transfer that exists.
    const done = ledger.entries.find((e) => e.attributes?.transferOriginalTaskSid === original.sid && e.attributes?.transferType === 'cold' && e.attributes?.transferTargetSid === target.sid);
    if (!done) throw notActive(original);
    // The first attempt may have failed to record it: bring the view up to date.
    await syncView(env.port, refs, { cache }).catch(() => undefined);
    return {
      body: {
        transferType: 'cold',
        inviteSid: done.inviteSid,
        inviteTaskSid: done.taskSid,
        transferTargetType: target.type,
        transferTargetSid: target.sid,
        reused: true,
        participantClosed: true,
        workerSidsInConversation: activeWorkers(agents),
      },
    };
  }

  const givenParticipant = p.sid(env.event, 'flexInteractionParticipantSid', ['UT']);
  const leaving = givenParticipant ? agents.find((a) => a.participantSid === givenParticipant) : agents.find((a) => a.taskSid === original.sid);
  if (!leaving) {
    throw httpError(
      givenParticipant ? 400 : 409,
      'participant_not_found',
      givenParticipant
        ? `flexInteractionParticipantSid ${givenParticipant} is not an agent participant of the interaction channel`
        : `no agent participant of the interaction channel is linked to task ${original.sid}`,
      givenParticipant ? { field: 'flexInteractionParticipantSid', ...notRemoved } : notRemoved,
    );
  }
  if (leaving.taskSid && leaving.taskSid !== original.sid) {
    throw httpError(400, 'invalid_parameter', `flexInteractionParticipantSid ${leaving.participantSid} belongs to task ${leaving.taskSid}, not ${original.sid}`, { field: 'flexInteractionParticipantSid', ...notRemoved });
  }
  if (env.config.flags.multiParticipant) {
    const others = ledger.outstanding.filter((e) => e !== existing);
    if (others.length > 0) {
      throw httpError(409, 'invite_outstanding', 'a cold transfer is not possible while an invite is outstanding: cancel it or wait until the invited agent joins', {
        outstandingInvites: others.map(inviteSummary),
        ...notRemoved,
      });
    }
  }

  let invite: { inviteSid: string; taskSid: string };
  let reused = !!existing;
  let first: SyncOptions['first'];
  if (existing) {
    invite = { inviteSid: existing.inviteSid, taskSid: existing.taskSid };
  } else {
    const attributes = buildTransferAttributes(original, target, activeWorkers(agents), { transferType: 'cold', requestedBy: env.actor.workerSid, requestId: randomUUID() });
    invite = await createInvite(env, refs, original, attributes, ledger, cache, notRemoved);
    // Two identical requests that raced (a double click): keep one invite.
    const d = await step('read-invite-ledger', () => dedupeAfterCreate(env.port, refs, target.sid, 'cold', invite, cache), () => ({ inviteTaskSid: invite.taskSid, ...notRemoved }));
    invite = d.invite;
    reused = d.reused;
    first = d.first;
  }

  // Only now, with the invite in place, the transferring agent leaves (completing their task).
  if (leaving.active) {
    await step('close-participant', () => closeParticipant(env.port, refs, leaving, cache), () => ({
      inviteSid: invite.inviteSid,
      inviteTaskSid: invite.taskSid,
      participantClosed: false,
      removed: false,
      hint: 'the invite exists; repeat the same request to finish the transfer (it reuses the pending invite)',
    }));
  }

  const warnings: string[] = [];
  let sync: SyncResult | undefined;
  try {
    sync = await syncView(env.port, refs, { cache, first });
    if (!sync.ok) warnings.push('the invite record is still being updated by concurrent requests; it converges on the next operation');
  } catch (err) {
    warnings.push(syncFailureWarning(err));
  }
  return {
    body: {
      transferType: 'cold',
      inviteSid: invite.inviteSid,
      inviteTaskSid: invite.taskSid,
      transferTargetType: target.type,
      transferTargetSid: target.sid,
      reused,
      participantClosed: true,
      closedParticipantSid: leaving.participantSid,
      workerSidsInConversation: activeWorkers(agents),
      ...(warnings.length ? { warnings } : {}),
    },
  };
}

// ---------------------------------------------------------------------------
// Multi-participant invite

export async function invite(env: EndpointEnv): Promise<Result> {
  requireChatEnabled(env);
  if (!env.config.flags.multiParticipant) throw httpError(409, 'multi_participant_disabled', 'inviting agents is disabled (FLEX_TRANSFER_MULTI_PARTICIPANT is false)');
  const { TaskFactCache, syncView } = lib('lib/ledger');
  const cache = new TaskFactCache();
  const { original, refs, agents, target } = await prepareTransfer(env, cache);
  if (original.status !== TASK_ACTIVE) throw notActive(original);

  const ledger = await readLedgerStep(env.port, refs, cache);
  const existing = ledger.outstanding.find((e) => e.attributes?.transferTargetSid === target.sid && e.attributes?.transferType === 'invite');
  let created = false;
  let inv: { inviteSid: string; taskSid: string };
  if (existing) {
    inv = { inviteSid: existing.inviteSid, taskSid: existing.taskSid };
  } else {
    const attributes = buildTransferAttributes(original, target, activeWorkers(agents), { transferType: 'invite', requestedBy: env.actor.workerSid, requestId: randomUUID() });
    inv = await createInvite(env, refs, original, attributes, ledger, cache, { recorded: false });
    created = true;
  }

  let reused = !!existing;
  const cancelOwn = async (why: string) => {
    try {
      const r = await cancelInviteTask(env.port, inv.taskSid, why, cache);
      return r.canceled || r.status === 'missing';
    } catch {
      return false;
    }
  };

  let sync: SyncResult;
  try {
    let first: SyncOptions['first'];
    if (created) {
      const d = await dedupeAfterCreate(env.port, refs, target.sid, 'invite', inv, cache);
      first = d.first;
      if (d.reused) {
        inv = d.invite;
        reused = true;
        created = false;
      }
    }
    sync = await syncView(env.port, refs, { cache, first });
  } catch (err) {
    const { isTwilioCallError } = lib('lib/twilio');
    if (!isTwilioCallError(err)) throw err;
    const canceled = created ? await cancelOwn('transfer invite could not be recorded') : false;
    if (canceled) await syncView(env.port, refs, { cache, maxRounds: 3 }).catch(() => undefined);
    throw httpError(502, 'record_failed', `the invite could not be recorded in the conversation (${err.operation}: ${err.message})${created ? (canceled ? '; the invite was canceled' : '; canceling the invite also failed') : ''}`, {
      failedStep: 'record-invite',
      inviteSid: inv.inviteSid,
      inviteTaskSid: inv.taskSid,
      inviteCanceled: canceled,
      recorded: false,
    });
  }
  if (!sync.ok) {
    const canceled = created ? await cancelOwn('transfer invite could not be recorded (conflict)') : false;
    if (canceled) {
      // Our task is settled now; leave a consistent view behind if we can.
      await syncView(env.port, refs, { cache, maxRounds: 3 }).catch(() => undefined);
    }
    throw httpError(409, 'conflict', `too many concurrent changes to the conversation's invites; ${created ? (canceled ? 'this invite was canceled' : 'canceling this invite failed, it may still be routed') : 'the existing invite is unchanged'}: retry`, {
      inviteSid: inv.inviteSid,
      inviteTaskSid: inv.taskSid,
      inviteCanceled: canceled,
      recorded: false,
    });
  }
  const recorded = !!sync.view.invites[inv.taskSid];
  return {
    body: {
      transferType: 'invite',
      inviteSid: inv.inviteSid,
      inviteTaskSid: inv.taskSid,
      transferTargetType: target.type,
      transferTargetSid: target.sid,
      reused,
      recorded,
      // The invite may already be settled (accepted in the meantime): then it is no longer outstanding.
      outstandingInvites: Object.keys(sync.view.invites).length,
      workerSidsInConversation: activeWorkers(agents),
    },
  };
}

// ---------------------------------------------------------------------------
// Cancel invite

export async function cancelInvite(env: EndpointEnv): Promise<Result> {
  requireChatEnabled(env);
  const p = lib('lib/params');
  const { TaskFactCache, syncView, isTransferTask, isOutstandingStatus } = lib('lib/ledger');
  const { step } = lib('lib/http');
  const inviteTaskSid = p.sid(env.event, 'inviteTaskSid', ['WT'], { required: true });
  const cache = new TaskFactCache();
  const task = await fetchTaskParam(env.port, inviteTaskSid, 'inviteTaskSid', cache);
  if (!isTransferTask(task.attributes)) {
    throw httpError(400, 'not_an_invite', `inviteTaskSid ${inviteTaskSid} is not a transfer invite task`, { field: 'inviteTaskSid' });
  }
  const refs = chatRefsOf(task, env.event, 'inviteTaskSid');
  const agents = await agentsOf(env.port, refs, cache);
  const requester = typeof task.attributes.transferRequestedBy === 'string' ? task.attributes.transferRequestedBy : null;
  lib('lib/auth').authorize(env.actor, [...activeWorkers(agents), requester], `conversation ${refs.conversationSid}`);

  let result: { canceled: boolean; status: string };
  if (isOutstandingStatus(task.status)) {
    result = await step('cancel-invite-task', () => cancelInviteTask(env.port, inviteTaskSid, `transfer invite canceled by ${env.actor.workerSid ?? env.actor.identity ?? 'a supervisor'}`, cache));
  } else {
    result = { canceled: false, status: task.status };
  }
  if (['assigned', 'wrapping', 'completed'].includes(result.status)) {
    // Keep the record view right even so (the invitee joined).
    await syncView(env.port, refs, { cache }).catch(() => undefined);
    throw httpError(409, 'invite_already_accepted', `the invite was already accepted (task ${inviteTaskSid} is ${result.status})`, { inviteTaskSid, taskStatus: result.status });
  }
  const warnings: string[] = [];
  try {
    const sync = await syncView(env.port, refs, { cache });
    if (!sync.ok) warnings.push('the invite record is still being updated by concurrent requests; it converges on the next operation');
  } catch (err) {
    warnings.push(syncFailureWarning(err));
  }
  return {
    body: {
      inviteTaskSid,
      taskStatus: result.status,
      canceled: result.status === 'canceled' || result.status === 'missing',
      alreadySettled: !result.canceled,
      ...(warnings.length ? { warnings } : {}),
    },
  };
}

// ---------------------------------------------------------------------------
// Leave

export async function leave(env: EndpointEnv): Promise<Result> {
  requireChatEnabled(env);
  const p = lib('lib/params');
  const { TaskFactCache } = lib('lib/ledger');
  const { step } = lib('lib/http');
  const taskSid = p.sid(env.event, 'taskSid', ['WT'], { required: true });
  const givenParticipant = p.sid(env.event, 'flexInteractionParticipantSid', ['UT']);
  const cache = new TaskFactCache();
  const task = await fetchTaskParam(env.port, taskSid, 'taskSid', cache);
  const refs = chatRefsOf(task, env.event);
  const agents = await agentsOf(env.port, refs, cache);
  const found = givenParticipant ? agents.find((a) => a.participantSid === givenParticipant) : agents.find((a) => a.taskSid === task.sid);
  if (!found && task.status === TASK_ACTIVE) {
    throw httpError(givenParticipant ? 400 : 409, 'participant_not_found', givenParticipant ? `flexInteractionParticipantSid ${givenParticipant} is not an agent participant of the interaction channel` : `no agent participant of the interaction channel is linked to task ${task.sid}`, givenParticipant ? { field: 'flexInteractionParticipantSid' } : {});
  }
  if (found?.taskSid && found.taskSid !== task.sid) {
    throw httpError(400, 'invalid_parameter', `flexInteractionParticipantSid ${found.participantSid} belongs to task ${found.taskSid}, not ${task.sid}`, { field: 'flexInteractionParticipantSid' });
  }
  // Not listed and the task is over: the agent already left (a repeated request). Finish the channel check.
  const leavingWorkers = found ? [found.workerSid] : await taskWorkers(env.port, task.sid);
  lib('lib/auth').authorize(env.actor, [...activeWorkers(agents), ...leavingWorkers], `conversation ${refs.conversationSid}`);

  let participantClosed = false;
  if (found?.active) {
    await step('close-participant', () => closeParticipant(env.port, refs, found, cache), () => ({ participantClosed: false, channelClosed: false }));
    participantClosed = true;
  }

  // Re-check on fresh listings (participants and invites), after our own close:
  // if two agents leave at once, the later check sees both gone.
  const fresh = new TaskFactCache();
  fresh.settle(task.sid, 'completed');
  const alreadyLeft = !found?.active;
  const state = () => ({ participantClosed: participantClosed || alreadyLeft, channelClosed: false });
  const remaining = (await step('list-participants', () => agentsOf(env.port, refs, fresh), state)).filter((a) => a.active && a.taskSid !== task.sid && (!found || a.participantSid !== found.participantSid));
  const ledger = await readLedgerStep(env.port, refs, fresh, state());
  let channelClosed = false;
  if (remaining.length === 0 && ledger.outstanding.length === 0) {
    await step('close-channel', () => env.port.closeInteractionChannel(refs.interactionSid, refs.channelSid), state);
    channelClosed = true;
  }
  return {
    body: {
      participantSid: found?.participantSid ?? null,
      participantClosed: participantClosed || alreadyLeft,
      alreadyLeft,
      channelClosed,
      remainingAgents: remaining.length,
      pendingInvites: ledger.outstanding.map(inviteSummary),
    },
  };
}

// ---------------------------------------------------------------------------
// TaskRouter events (workspace event callback)

/** Events that can settle an invite task (it joined, or it can no longer be taken). */
export const CHAT_EVENTS = new Set([
  'task.canceled',
  'task.completed',
  'task.wrapup',
  'task.deleted',
  'task.system-deleted',
  'reservation.accepted',
  'reservation.rejected',
  'reservation.timeout',
  'workflow.timeout',
]);

/**
 * A chat invite task changed: re-derive the conversation's invite records.
 * A worker-targeted *invite* (multi-participant) whose reservation timed out
 * or was rejected is canceled: the named agent did not take it and the
 * inviting agent is still in the chat. Cold transfers are never canceled here
 * (the first agent already left; TaskRouter re-routes per the workflow).
 */
export async function handleChatTaskEvent(env: TwilioEndpointEnv, eventType: string, task: TaskRecord): Promise<Record<string, unknown>> {
  const { TaskFactCache, syncView, isOutstandingStatus } = lib('lib/ledger');
  const p = lib('lib/params');
  const a = task.attributes;
  const refs: ChatRefs = {
    interactionSid: String(a.flexInteractionSid),
    channelSid: String(a.flexInteractionChannelSid),
    conversationSid: String(a.conversationSid ?? p.get(a, 'conversations', 'media', '0', 'sid')),
  };
  if (!p.isSid(refs.interactionSid, ['KD']) || !p.isSid(refs.channelSid, ['UO']) || !p.isSid(refs.conversationSid, ['CH'])) {
    return { handled: false, reason: 'task has no conversation references' };
  }
  const cache = new TaskFactCache();
  let canceled = false;
  if ((eventType === 'reservation.timeout' || eventType === 'reservation.rejected') && a.transferType === 'invite' && a.transferTargetType === 'worker' && isOutstandingStatus(task.status)) {
    const r = await cancelInviteTask(env.port, task.sid, eventType === 'reservation.timeout' ? 'invited worker did not answer' : 'invited worker declined', cache);
    canceled = r.canceled;
  }
  const sync = await syncView(env.port, refs, { cache });
  return { handled: true, conversationSid: refs.conversationSid, inviteCanceled: canceled, synced: sync.ok, outstandingInvites: Object.keys(sync.view.invites).length };
}

export type { Actor };

// ---------------------------------------------------------------------------
// The workspace's event callback: dispatch to chat or voice handling.

const VOICE_EVENTS = new Set(['reservation.accepted', 'task.canceled', 'workflow.timeout']);

export async function taskRouterEvent(env: TwilioEndpointEnv): Promise<{ status?: number; body: unknown }> {
  const p = lib('lib/params');
  const eventType = p.str(env.event, 'EventType', { maxLength: 100 });
  if (!eventType) throw httpError(400, 'invalid_parameter', 'EventType is required', { field: 'EventType' });
  if (!CHAT_EVENTS.has(eventType) && !VOICE_EVENTS.has(eventType)) return { body: { success: true, handled: false, reason: `event ${eventType} is not used` } };
  const workspaceSid = p.str(env.event, 'WorkspaceSid', { maxLength: 64 });
  if (workspaceSid !== undefined && workspaceSid !== env.config.workspaceSid) {
    return { body: { success: true, handled: false, reason: `event of another workspace (${workspaceSid})` } };
  }
  const taskSid = p.sid(env.event, 'TaskSid', ['WT']);
  if (!taskSid) return { body: { success: true, handled: false, reason: 'event without a task' } };
  const { isVoiceTransferTask, handleVoiceTaskEvent } = lib('lib/voice');
  const { isTransferTask } = lib('lib/ledger');
  // Classify from the attributes the event carries, to spend no API call on other tasks' events.
  const carried = p.str(env.event, 'TaskAttributes', { maxLength: 65536 });
  if (carried !== undefined) {
    const attrs = p.parseJsonObject(carried);
    const voice = isVoiceTransferTask(attrs);
    if (!voice && !isTransferTask(attrs)) return { body: { success: true, handled: false, reason: 'not a transfer task' } };
    if (voice && !VOICE_EVENTS.has(eventType)) return { body: { success: true, handled: false, reason: 'voice transfer event not used' } };
  }
  let task: TaskRecord;
  try {
    task = await env.port.fetchTask(taskSid);
  } catch (err) {
    if ((err as { status?: unknown }).status !== 404) throw err;
    // Deleted: fall back to what the event carries.
    const status = p.str(env.event, 'TaskAssignmentStatus', { maxLength: 20 }) ?? 'canceled';
    task = {
      sid: taskSid,
      workspaceSid: env.config.workspaceSid,
      workflowSid: null,
      queueSid: null,
      status: (['pending', 'reserved', 'assigned', 'canceled', 'completed', 'wrapping'].includes(status) ? status : 'canceled') as TaskRecord['status'],
      attributes: p.parseJsonObject(p.str(env.event, 'TaskAttributes', { maxLength: 65536 })),
      taskChannel: null,
      dateCreated: new Date(0).toISOString(),
    };
  }
  if (isVoiceTransferTask(task.attributes)) {
    if (!VOICE_EVENTS.has(eventType)) return { body: { success: true, handled: false, reason: 'voice transfer event not used' } };
    return { body: { success: true, kind: 'voice', ...(await handleVoiceTaskEvent(env, eventType, task)) } };
  }
  if (isTransferTask(task.attributes) && (task.attributes.transferType === 'cold' || task.attributes.transferType === 'invite') && CHAT_EVENTS.has(eventType)) {
    return { body: { success: true, kind: 'chat', ...(await handleChatTaskEvent(env, eventType, task)) } };
  }
  return { body: { success: true, handled: false, reason: 'not a transfer task' } };
}
