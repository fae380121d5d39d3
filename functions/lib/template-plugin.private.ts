/**
 * A drop-in backend for the Flex plugin of Twilio's flex-project-template
 * (feature `conversation-transfer`): its endpoint paths, parameters and
 * response fields, served by this project's chat state machine. Each
 * endpoint here is a thin adapter: it checks the template's parameters,
 * renames them to ours and runs the same transition as `/chat/invite`,
 * `/chat/transfer`, `/chat/leave` or `/chat/cancel-invite`, so the
 * invariants, the token and participant checks and the serialization are
 * those of the state machine (docs/functions.md, "flex-project-template
 * plugin").
 *
 * What the plugin sends that the server derives itself is validated and then
 * ignored: `jsonAttributes` (the new task's attributes are built from the
 * task in TaskRouter, so a client cannot inject routing attributes),
 * `workersToIgnore`, `transferQueueName`, `transferWorkerName`,
 * `conversationId`. The template's general endpoints are served only as far
 * as its transfer flows need them: the attribute update may only remove
 * invite records, the status update may only cancel an invite.
 */
import type { FunctionEvent } from '../types';
import type * as Load from './load.private';
import type * as Http from './http.private';
import type * as Params from './params.private';
import type * as Auth from './auth.private';
import type * as TaskRouter from './taskrouter.private';
import type * as ChatState from './chat-state.private';
import type * as Chat from './chat.private';
import type * as Ledger from './ledger.private';
import type { EndpointEnv, Result } from './http.private';
import type { ChatRefs } from './chat-state.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const load = (): typeof Load => require(Runtime.getFunctions()['lib/load'].path) as typeof Load;
const http = () => load().loadLib<typeof Http>('lib/http');
const params = () => load().loadLib<typeof Params>('lib/params');
const auth = () => load().loadLib<typeof Auth>('lib/auth');
const tr = () => load().loadLib<typeof TaskRouter>('lib/taskrouter');
const state = () => load().loadLib<typeof ChatState>('lib/chat-state');
const chat = () => load().loadLib<typeof Chat>('lib/chat');
const ledger = () => load().loadLib<typeof Ledger>('lib/ledger');

const LIVE = ['pending', 'reserved'];

/** The template's success status for the transfer endpoints. */
const CREATED = 201;

/** A required JSON-object parameter (400 naming the field when it is missing or not an object). */
function jsonObject(event: FunctionEvent, field: string, purpose: string): Record<string, unknown> {
  const text = params().str(event, field, { required: true });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new (params().ParamError)(field, `${field} must be JSON (${purpose}), got text that does not parse`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new (params().ParamError)(field, `${field} must be a JSON object (${purpose})`);
  return parsed as Record<string, unknown>;
}

/**
 * Runs one of our transitions on the template's parameters: `mapping` says
 * which of our parameters each template parameter becomes. Only the mapped
 * parameters reach the transition (a client cannot add ours, e.g. `remove`),
 * and a 400 naming one of our fields is reported under the template's name.
 */
async function asTemplate(env: EndpointEnv, fields: Record<string, string | undefined>, run: (env: EndpointEnv) => Promise<Result>): Promise<Result> {
  const event: FunctionEvent = { request: env.event.request };
  const names = new Map<string, string>();
  for (const [ours, value] of Object.entries(fields)) if (value !== undefined) event[ours] = value;
  for (const [ours, theirs] of Object.entries(TEMPLATE_NAMES)) names.set(ours, theirs);
  try {
    return await run({ ...env, event });
  } catch (err) {
    throw renameField(err, names);
  }
}

/** Our parameter name → the template's, for error messages. */
const TEMPLATE_NAMES: Record<string, string> = {
  targetSid: 'transferTargetSid',
  inviteTaskSid: 'taskSid',
};

function renameField(err: unknown, names: Map<string, string>): unknown {
  const { ParamError } = params();
  const { HttpError } = http();
  const rename = (text: string) => [...names].reduce((t, [ours, theirs]) => t.replace(new RegExp(`\\b${ours}\\b`, 'g'), theirs), text);
  if (err instanceof ParamError && names.has(err.field)) return new ParamError(names.get(err.field) as string, rename(err.message));
  if (err instanceof HttpError && typeof err.details.field === 'string' && names.has(err.details.field)) {
    return new HttpError(err.status, err.error, rename(err.message), { ...err.details, field: names.get(err.details.field) });
  }
  return err;
}

// ---------------------------------------------------------------------------
// POST /features/conversation-transfer/flex/invite-participant

/** The identifiers `jsonAttributes` may carry must be the request's (they are otherwise ignored). */
function checkJsonAttributes(attributes: Record<string, unknown>, event: FunctionEvent): void {
  for (const key of ['flexInteractionSid', 'flexInteractionChannelSid', 'conversationSid']) {
    const given = attributes[key];
    const expected = event[key];
    if (given !== undefined && expected !== undefined && expected !== '' && given !== expected) {
      throw new (params().ParamError)('jsonAttributes', `jsonAttributes.${key} (${String(given)}) does not match the ${key} parameter (${String(expected)})`);
    }
  }
}

function checkWorkersToIgnore(value: Record<string, unknown>): void {
  const list = value.workerSidsInConversation;
  if (!Array.isArray(list) || !list.every((w) => params().isSid(w, ['WK']))) {
    throw new (params().ParamError)('workersToIgnore', 'workersToIgnore must be {"workerSidsInConversation": [WK… SIDs]}');
  }
}

/**
 * Invite (warm, `removeFlexInteractionParticipantSid` empty) or cold
 * transfer (it names the caller's participant, who leaves once the invite's
 * task exists): `/chat/invite` or `/chat/transfer`.
 */
export async function inviteParticipant(env: EndpointEnv): Promise<Result> {
  const p = params();
  const e = env.event;
  // The template's required parameters, in its order, checked before any Twilio call.
  const taskSid = p.sid(e, 'taskSid', ['WT'], { required: true });
  p.str(e, 'conversationId', { required: true });
  const jsonAttributes = jsonObject(e, 'jsonAttributes', "the task attributes the plugin sees; the server derives the new task's attributes from the task itself");
  const transferTargetSid = p.sid(e, 'transferTargetSid', ['WK', 'WQ'], { required: true });
  checkWorkersToIgnore(jsonObject(e, 'workersToIgnore', 'the workers already in the conversation; the server derives them'));
  const flexInteractionSid = p.sid(e, 'flexInteractionSid', ['KD'], { required: true });
  const flexInteractionChannelSid = p.sid(e, 'flexInteractionChannelSid', ['UO'], { required: true });
  const conversationSid = p.sid(e, 'conversationSid', ['CH']);
  const leaving = p.sid(e, 'removeFlexInteractionParticipantSid', ['UT']);
  p.str(e, 'transferQueueName');
  p.str(e, 'transferWorkerName');
  checkJsonAttributes(jsonAttributes, e);

  const names = new Map([...Object.entries(TEMPLATE_NAMES), ['flexInteractionParticipantSid', 'removeFlexInteractionParticipantSid']]);
  const run = leaving ? chat().coldTransfer : chat().invite;
  let result: Result;
  try {
    result = await asTemplate(env, { taskSid, targetSid: transferTargetSid, flexInteractionSid, flexInteractionChannelSid, conversationSid, flexInteractionParticipantSid: leaving }, run);
  } catch (err) {
    throw renameField(err, names);
  }
  const inviteSid = result.body.inviteSid;
  return {
    status: CREATED,
    body: {
      ...result.body,
      message: `Participant invite ${String(inviteSid)}`,
      participantInviteSid: inviteSid,
      invitesTaskSid: result.body.inviteTaskSid,
    },
  };
}

// ---------------------------------------------------------------------------
// POST /features/conversation-transfer/flex/remove-participant

/**
 * Closes a participant: the caller's own (leave), or, for a supervisor,
 * another agent's (`/chat/leave` with `remove=taskAgent`). An agent cannot
 * remove another agent (403 `not_a_participant`), as with `/chat/leave`.
 */
export async function removeParticipant(env: EndpointEnv): Promise<Result> {
  tr().requireFlag(env.config, 'enabled');
  const p = params();
  const e = env.event;
  const flexInteractionSid = p.sid(e, 'flexInteractionSid', ['KD'], { required: true });
  const flexInteractionChannelSid = p.sid(e, 'flexInteractionChannelSid', ['UO'], { required: true });
  const participantSid = p.sid(e, 'flexInteractionParticipantSid', ['UT'], { required: true });
  const conversationSid = p.sid(e, 'conversationSid', ['CH']);
  const participants = await http().step('list-participants', () => env.port.listInteractionParticipants(flexInteractionSid, flexInteractionChannelSid));
  const participant = participants.find((x) => x.sid === participantSid);
  if (!participant || !participant.taskSid) {
    throw tr().httpError(404, 'participant_not_found', `flexInteractionParticipantSid ${participantSid} is not an agent participant with a task in interaction channel ${flexInteractionChannelSid}`, {
      field: 'flexInteractionParticipantSid',
    });
  }
  const remove = participant.workerSid !== null && participant.workerSid === env.actor.workerSid ? 'self' : 'taskAgent';
  const result = await asTemplate(
    env,
    { taskSid: participant.taskSid, remove, flexInteractionParticipantSid: participantSid, flexInteractionSid, flexInteractionChannelSid, conversationSid },
    chat().leave,
  );
  return { status: CREATED, body: { ...result.body, message: `Participant ${participantSid} removed` } };
}

// ---------------------------------------------------------------------------
// POST /common/flex/taskrouter/get-queues

/** The workspace's queues, as the plugin's queue picker reads them. */
export async function getQueues(env: EndpointEnv): Promise<Result> {
  const queues = await http().step('list-queues', () => env.port.listQueues());
  return {
    body: {
      message: `${queues.length} queues`,
      queues: queues.map((q) => ({ targetWorkers: q.targetWorkers ?? null, friendlyName: q.friendlyName, sid: q.sid })),
    },
  };
}

// ---------------------------------------------------------------------------
// POST /common/flex/taskrouter/update-task-assignment-status

/** Only `canceled`, only of an invite task of a conversation the caller is in: `/chat/cancel-invite`. */
export async function updateTaskAssignmentStatus(env: EndpointEnv): Promise<Result> {
  const p = params();
  const taskSid = p.sid(env.event, 'taskSid', ['WT'], { required: true });
  p.str(env.event, 'assignmentStatus', { required: true });
  p.oneOf(env.event, 'assignmentStatus', ['canceled'], 'canceled');
  const result = await asTemplate(env, { inviteTaskSid: taskSid }, chat().cancelInvite);
  const body = result.body;
  const message = body.canceled ? `Task ${taskSid} canceled` : String(body.message ?? `Task ${taskSid} is ${String(body.taskStatus)}`);
  return { status: result.status, body: { ...body, message } };
}

// ---------------------------------------------------------------------------
// POST /common/flex/conversations/update-attributes

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

/**
 * The invite records `wanted` removes from `current`; anything else it would
 * change (another key, a changed or added record) is refused, naming it.
 */
export function removedInvites(current: Record<string, unknown>, wanted: Record<string, unknown>): string[] {
  const { ParamError } = params();
  const { INVITES_KEY } = ledger();
  for (const key of new Set([...Object.keys(current), ...Object.keys(wanted)])) {
    if (key === INVITES_KEY) continue;
    if (canonical(current[key]) !== canonical(wanted[key])) {
      throw new ParamError(`attributes.${key}`, `attributes.${key} differs from the conversation's: this endpoint only removes invite records (attributes.${INVITES_KEY}.<taskSid>)`);
    }
  }
  const has = (o: unknown): o is Record<string, unknown> => !!o && typeof o === 'object' && !Array.isArray(o);
  const now = has(current[INVITES_KEY]) ? current[INVITES_KEY] : {};
  const next = wanted[INVITES_KEY];
  if (!has(next)) throw new ParamError(`attributes.${INVITES_KEY}`, `attributes.${INVITES_KEY} must be an object: the conversation's invite records less the ones removed`);
  for (const [sid, record] of Object.entries(next)) {
    if (!(sid in now) || canonical(now[sid]) !== canonical(record)) {
      throw new ParamError(
        `attributes.${INVITES_KEY}.${sid}`,
        `attributes.${INVITES_KEY}.${sid} ${sid in now ? 'differs from' : 'is not'} the conversation's record: invite records are written by the server, a client may only remove one`,
      );
    }
  }
  return Object.keys(now).filter((sid) => !(sid in next));
}

/**
 * Removes invite records of a conversation the caller is in, and nothing
 * else. `invites` is a view the server derives from TaskRouter, so removing
 * a record is bringing the view in line: a record whose task is still
 * waiting for an agent cannot be removed (409: cancel the invite first).
 */
export async function updateAttributes(env: EndpointEnv): Promise<Result> {
  tr().requireFlag(env.config, 'enabled');
  const p = params();
  const s = state();
  const conversationSid = p.sid(env.event, 'conversationSid', ['CH'], { required: true });
  const wanted = jsonObject(env.event, 'attributes', "the conversation's attributes with invite records removed");

  const tasks = await http().step('list-conversation-tasks', () => env.port.listTasks({ evaluate: `conversationSid == '${conversationSid}'` }));
  const mine = tasks.filter((t) => t.attributes.conversationSid === conversationSid);
  const refs: ChatRefs | null = mine.map((t) => s.refsOfAttributes(t.attributes)).find((r) => r !== null) ?? null;
  if (!refs) throw tr().httpError(404, 'not_found', `conversationSid ${conversationSid} has no Flex task`, { field: 'conversationSid' });
  const participants = await http().step('list-participants', () => env.port.listInteractionParticipants(refs.interactionSid, refs.channelSid));
  const assigned = new Set(mine.filter((t) => t.status === 'assigned').map((t) => t.sid));
  const inConversation = participants.filter((x) => (x.type === 'agent' || x.type === 'supervisor') && x.taskSid !== null && assigned.has(x.taskSid)).map((x) => x.workerSid);
  auth().authorize(env.actor, inConversation, `conversation ${conversationSid}`);

  const current = (await http().step('fetch-conversation', () => env.port.fetchConversation(conversationSid))).attributes;
  const removed = removedInvites(current, wanted);
  const byId = new Map(mine.map((t) => [t.sid, t]));
  const waiting = removed.filter((sid) => LIVE.includes(byId.get(sid)?.status ?? ''));
  if (waiting.length > 0) {
    throw tr().httpError(409, 'invite_outstanding', `the invite ${waiting.join(', ')} still waits for an agent: cancel it first (update-task-assignment-status), then its record goes`, {
      field: `attributes.invites.${waiting[0]}`,
      invites: waiting,
    });
  }
  const synced = removed.length === 0 ? null : await http().step('sync-invites', () => ledger().syncView(env.port, refs, { first: new Map(mine.map((t) => [t.sid, t])) }));
  return { body: { message: `${removed.length} invite record(s) removed`, removed, invites: synced ? synced.view : (current.invites ?? {}) } };
}
