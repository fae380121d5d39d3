/**
 * End to end, the flex-project-template plugin (feature conversation-transfer)
 * against our deployed functions: every request is built the way the
 * plugin's code builds it (fields passed through `encodeURIComponent` and
 * joined with `&`, `Content-Type: application/x-www-form-urlencoded`, the
 * Flex token in the `Token` field, sent from the Flex origin), to the
 * template's paths; the answers carry the fields the plugin reads
 * (`success`, `invitesTaskSid`, `queues`), and the transfer invariants hold
 * after each flow.
 */
import type { Emulator, EmulatorState } from '../../emulator';
import type { TransferStack } from '../../support';
import {
  acceptReservation,
  agentParticipants,
  channelStatus,
  conversationAttributes,
  pendingReservations,
  resetToDeployed,
  setActivity,
  startChat,
  startDeployedStack,
  taskOf,
  type Chat,
  type FnResponse,
} from '../../support';
import { customerNotAlone, liveChatTransferTasks } from './helpers/invariants';
import { apiOps, callerOf } from './helpers/faults';

let emu: Emulator;
let stack: TransferStack;
let clean: EmulatorState;

beforeAll(async () => {
  ({ emu, stack, clean } = await startDeployedStack());
});
afterAll(async () => emu?.stop());
beforeEach(() => resetToDeployed(emu, clean));

const FLEX_ORIGIN = 'https://flex.twilio.com';
const INVITE = '/features/conversation-transfer/flex/invite-participant';
const REMOVE = '/features/conversation-transfer/flex/remove-participant';
const GET_QUEUES = '/common/flex/taskrouter/get-queues';
const UPDATE_STATUS = '/common/flex/taskrouter/update-task-assignment-status';
const UPDATE_ATTRIBUTES = '/common/flex/conversations/update-attributes';

const token = (worker: string, roles?: string[]) => emu.mintFlexToken({ workerSid: stack.workers[worker], roles });

/** The plugin's ApiService: `buildBody` of `encodeURIComponent`-ed values, POSTed form-encoded from the Flex UI. */
async function pluginPost(path: string, encodedParams: Record<string, string>): Promise<FnResponse> {
  const body = Object.entries(encodedParams)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  const res = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: FLEX_ORIGIN }, body });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON: the assertions on the body say so */
  }
  return { status: res.status, body: json, text, headers: res.headers };
}

/** The fields the plugin's `buildInviteParticipantAPIPayload` sends, from what the agent's Flex UI sees. */
async function invitePayload(chat: Chat, agent: string, targetSid: string, cold: boolean, taskSid = chat.taskSid): Promise<Record<string, string>> {
  const task = await taskOf(stack, taskSid);
  const attrs = task.attributes;
  const participants = await agentParticipants(stack, chat);
  const mine = participants.find((p) => p.workerSid === stack.workers[agent] && p.taskSid === taskSid);
  const queues = (await pluginPost(GET_QUEUES, { Token: token(agent) })).body.queues as Array<{ sid: string; friendlyName: string }>;
  return {
    Token: token(agent),
    taskSid,
    conversationId: String((attrs.conversations as { conversation_id?: string } | undefined)?.conversation_id ?? taskSid),
    conversationSid: String(attrs.conversationSid),
    jsonAttributes: JSON.stringify(attrs),
    transferTargetSid: targetSid,
    transferQueueName: targetSid.startsWith('WQ') ? (queues.find((q) => q.sid === targetSid)?.friendlyName ?? '') : '',
    transferWorkerName: targetSid.startsWith('WK') ? (Object.entries(stack.workers).find(([, sid]) => sid === targetSid)?.[0] ?? targetSid) : '',
    workersToIgnore: JSON.stringify({ workerSidsInConversation: participants.filter((p) => p.taskStatus === 'assigned').map((p) => p.workerSid) }),
    flexInteractionSid: String(attrs.flexInteractionSid),
    flexInteractionChannelSid: String(attrs.flexInteractionChannelSid),
    removeFlexInteractionParticipantSid: cold ? String(mine?.sid ?? '') : '',
  };
}

/** The plugin's `buildRemove…APIPayload`: the interaction and the participant to close. */
function removePayload(chat: Chat, agent: string, participantSid: string): Record<string, string> {
  return {
    Token: token(agent),
    conversationSid: chat.conversationSid,
    flexInteractionSid: chat.interactionSid,
    flexInteractionChannelSid: chat.channelSid,
    flexInteractionParticipantSid: participantSid,
  };
}

/** The plugin's `removeInvitedParticipant`: the conversation's attributes as Flex sees them, less `invites[taskSid]`. */
async function withoutInvite(chat: Chat, agent: string, invitesTaskSid: string): Promise<Record<string, string>> {
  const current = await conversationAttributes(stack, chat.conversationSid);
  const invites = { ...((current.invites ?? {}) as Record<string, unknown>) };
  delete invites[invitesTaskSid];
  return { Token: token(agent), conversationSid: chat.conversationSid, attributes: JSON.stringify({ ...current, invites }) };
}

async function invites(chat: Chat): Promise<Record<string, Record<string, unknown>>> {
  return ((await conversationAttributes(stack, chat.conversationSid)).invites ?? {}) as Record<string, Record<string, unknown>>;
}

async function assigned(chat: Chat): Promise<string[]> {
  return (await agentParticipants(stack, chat))
    .filter((a) => a.taskStatus === 'assigned')
    .map((a) => a.workerSid)
    .sort();
}

/** The Twilio API calls the endpoint at `path` made for one request (the emulator's request log, by caller). */
async function counted(path: string, payload: Record<string, string>): Promise<{ res: FnResponse; ops: string[] }> {
  await emu.whenIdle();
  const since = emu.log.list().reduce((m, e) => Math.max(m, e.seq), 0);
  const res = await pluginPost(path, payload);
  await emu.whenIdle();
  const ops = apiOps(emu, since, callerOf(path));
  // Zero would satisfy every bound: the calls must be attributed to the function, not lost.
  if (ops.length === 0) throw new Error(`no Twilio call was attributed to ${callerOf(path)} (its Flex-Transfer-Caller header)`);
  return { res, ops };
}

async function expectInvariants(chat: Chat): Promise<void> {
  expect(await customerNotAlone(stack, chat)).toEqual({ ok: true });
  // Invariant 2: at most one cold transfer, and never beside an invite.
  const live = await liveChatTransferTasks(stack, chat);
  const cold = live.filter((t) => t.attributes.transferType === 'cold');
  expect(cold.length <= 1 && (cold.length === 0 || live.length === 1)).toBe(true);
  // The invite records list exactly the outstanding transfer tasks.
  expect(Object.keys(await invites(chat)).sort()).toEqual(live.map((t) => t.sid).sort());
}

describe('get-queues', () => {
  test('the workspace queues with the fields the plugin reads; 403 without a valid token', async () => {
    const res = await pluginPost(GET_QUEUES, { Token: token('alice') });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(FLEX_ORIGIN);
    expect(res.body.success).toBe(true);
    const queues = res.body.queues as Array<Record<string, unknown>>;
    expect(queues.find((q) => q.sid === stack.queues.sales)).toMatchObject({ friendlyName: 'Sales', targetWorkers: expect.any(String) });
    const all = await stack.client.taskrouter.v1.workspaces(stack.workspaceSid).taskQueues.list();
    expect(queues.map((q) => q.sid).sort()).toEqual(all.map((q) => q.sid).sort());
    expect(queues.map((q) => q.sid)).toEqual(expect.arrayContaining(Object.values(stack.queues)));
    expect((await pluginPost(GET_QUEUES, { Token: 'forged' })).status).toBe(403);
  });
});

describe('invite-participant', () => {
  test('invite to a worker: 201 with invitesTaskSid, the record the plugin reads, the worker joins beside the agent', async () => {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['bob', 'carol', 'dave'], 'Available');
    const { res, ops } = await counted(INVITE, await invitePayload(chat, 'alice', stack.workers.bob, false));
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(FLEX_ORIGIN);
    expect(res.body).toMatchObject({ success: true, invitesTaskSid: expect.stringMatching(/^WT/), participantInviteSid: expect.stringMatching(/^KG/), transferType: 'invite' });
    expect(res.body.message).toBe(`Participant invite ${String(res.body.participantInviteSid)}`);
    // As many Twilio calls as /chat/invite (token validation included).
    expect(ops.length).toBeLessThanOrEqual(6);
    const invitesTaskSid = String(res.body.invitesTaskSid);
    expect((await pendingReservations(stack, invitesTaskSid)).map((r) => r.workerSid)).toEqual([stack.workers.bob]);
    expect((await invites(chat))[invitesTaskSid]).toMatchObject({ invitesTaskSid, targetSid: stack.workers.bob, inviteTargetType: 'Worker', targetName: 'bob', timestampCreated: expect.any(String) });
    const t = await taskOf(stack, invitesTaskSid);
    expect(t.attributes).toMatchObject({ conversations: { conversation_id: expect.any(String) }, transferTargetSid: stack.workers.bob });
    expect(await assigned(chat)).toEqual([stack.workers.alice]);
    await expectInvariants(chat);
    await acceptReservation(emu, stack, invitesTaskSid, stack.workers.bob);
    expect(await assigned(chat)).toEqual([stack.workers.alice, stack.workers.bob].sort());
    await expectInvariants(chat);
  });

  test('invite to a queue: an eligible worker not in the conversation; jsonAttributes and workersToIgnore cannot steer it', async () => {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['alice', 'bob', 'carol', 'dave'], 'Available');
    const payload = await invitePayload(chat, 'alice', stack.queues.sales, false);
    // A client that injects routing attributes and claims other workers are in the conversation.
    const injected = {
      ...(JSON.parse(payload.jsonAttributes) as Record<string, unknown>),
      transferTargetSid: stack.workers.dave,
      requested_agent: stack.workers.dave,
      workerSidsInConversation: [stack.workers.carol],
      routingOverride: 'vip',
    };
    const res = await pluginPost(INVITE, { ...payload, jsonAttributes: JSON.stringify(injected), workersToIgnore: JSON.stringify({ workerSidsInConversation: [stack.workers.carol] }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ success: true, transferTargetType: 'queue' });
    const invitesTaskSid = String(res.body.invitesTaskSid);
    await emu.whenIdle();
    const t = await taskOf(stack, invitesTaskSid);
    expect(t.queueSid).toBe(stack.queues.sales);
    // Server-side attributes: derived from the task, the injected fields are not there.
    expect(t.attributes).toMatchObject({ transferTargetSid: stack.queues.sales, transferQueueName: 'Sales', workerSidsInConversation: [stack.workers.alice] });
    expect(t.attributes).not.toHaveProperty('routingOverride');
    expect(t.attributes).not.toHaveProperty('requested_agent');
    // Carol is the sales agent not in the conversation (the injected list would have excluded her).
    expect((await pendingReservations(stack, invitesTaskSid)).map((r) => r.workerSid)).toEqual([stack.workers.carol]);
    expect((await invites(chat))[invitesTaskSid]).toMatchObject({ inviteTargetType: 'Queue', targetSid: stack.queues.sales, targetName: 'Sales' });
    await expectInvariants(chat);
  });

  test('cold transfer (removeFlexInteractionParticipantSid): the agent leaves once the invite exists, the target takes over', async () => {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['bob', 'carol', 'dave'], 'Available');
    const payload = await invitePayload(chat, 'alice', stack.workers.dave, true);
    expect(payload.removeFlexInteractionParticipantSid).toMatch(/^UT/);
    const res = await pluginPost(INVITE, payload);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ success: true, transferType: 'cold', leavingParticipantSid: payload.removeFlexInteractionParticipantSid });
    const invitesTaskSid = String(res.body.invitesTaskSid);
    await emu.whenIdle();
    expect((await taskOf(stack, chat.taskSid)).status).toBe('completed');
    await expectInvariants(chat);
    await acceptReservation(emu, stack, invitesTaskSid, stack.workers.dave);
    expect(await assigned(chat)).toEqual([stack.workers.dave]);
    expect(await channelStatus(stack, chat)).toBe('active');
    await expectInvariants(chat);
  });

  test('refusals: a missing parameter (400 naming it), jsonAttributes of another interaction, an outsider (403); nothing created', async () => {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['bob'], 'Available');
    const payload = await invitePayload(chat, 'alice', stack.workers.bob, false);
    const { workersToIgnore: _omitted, ...missing } = payload;
    const noWorkers = await pluginPost(INVITE, missing);
    expect(noWorkers.status).toBe(400);
    expect(noWorkers.body).toMatchObject({ success: false, field: 'workersToIgnore' });
    const other = JSON.stringify({ ...(JSON.parse(payload.jsonAttributes) as Record<string, unknown>), flexInteractionSid: `KD${'0'.repeat(32)}` });
    const foreign = await pluginPost(INVITE, { ...payload, jsonAttributes: other });
    expect(foreign.status).toBe(400);
    expect(foreign.body.field).toBe('jsonAttributes');
    const badTarget = await pluginPost(INVITE, { ...payload, transferTargetSid: 'WA123' });
    expect(badTarget.status).toBe(400);
    expect(badTarget.body.field).toBe('transferTargetSid');
    const outsider = await pluginPost(INVITE, { ...payload, Token: token('dave') });
    expect(outsider.status).toBe(403);
    expect(await liveChatTransferTasks(stack, chat)).toEqual([]);
  });
});

describe('remove-participant', () => {
  test('an agent leaves (201, the other stays); an agent cannot remove another agent, a supervisor can; the last one out closes the channel', async () => {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['bob', 'carol', 'dave'], 'Available');
    const inv = await pluginPost(INVITE, await invitePayload(chat, 'alice', stack.workers.bob, false));
    await acceptReservation(emu, stack, String(inv.body.invitesTaskSid), stack.workers.bob);
    const agents = await agentParticipants(stack, chat);
    const alice = agents.find((a) => a.workerSid === stack.workers.alice && a.taskStatus === 'assigned');
    const bob = agents.find((a) => a.workerSid === stack.workers.bob && a.taskStatus === 'assigned');
    if (!alice || !bob) throw new Error('alice and bob are not both in the chat');

    // Alice cannot remove Bob: only the participant or a supervisor.
    const notHers = await pluginPost(REMOVE, removePayload(chat, 'alice', bob.sid));
    expect(notHers.status).toBe(403);
    expect(await assigned(chat)).toEqual([stack.workers.alice, stack.workers.bob].sort());

    // Bob leaves (the plugin's leave button: his own participant).
    const leave = await pluginPost(REMOVE, removePayload(chat, 'bob', bob.sid));
    expect(leave.status).toBe(201);
    expect(leave.body).toMatchObject({ success: true, participantClosed: true });
    await emu.whenIdle();
    expect(await assigned(chat)).toEqual([stack.workers.alice]);
    expect(await channelStatus(stack, chat)).toBe('active');
    await expectInvariants(chat);

    // A supervisor removes Alice, the last agent with nothing waiting: the channel closes.
    const sup = await pluginPost(REMOVE, { ...removePayload(chat, 'dave', alice.sid), Token: token('dave', ['supervisor']) });
    expect(sup.status).toBe(201);
    await emu.whenIdle();
    expect(await assigned(chat)).toEqual([]);
    expect(await channelStatus(stack, chat)).toBe('closed');
    await expectInvariants(chat);
  });

  test('a participant that is not in the channel: 404 naming flexInteractionParticipantSid', async () => {
    const chat = await startChat(emu, stack, 'alice');
    const res = await pluginPost(REMOVE, removePayload(chat, 'alice', `UT${'0'.repeat(32)}`));
    expect(res.status).toBe(404);
    expect(res.body.field).toBe('flexInteractionParticipantSid');
  });
});

describe('cancel invite (update-task-assignment-status, then update-attributes)', () => {
  test('the invite task is canceled, its record removed; the agent stays', async () => {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['bob'], 'Available');
    const inv = await pluginPost(INVITE, await invitePayload(chat, 'alice', stack.workers.bob, false));
    const invitesTaskSid = String(inv.body.invitesTaskSid);
    await emu.whenIdle();
    const cancel = await pluginPost(UPDATE_STATUS, { Token: token('alice'), taskSid: invitesTaskSid, assignmentStatus: 'canceled' });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ success: true, canceled: true });
    expect((await taskOf(stack, invitesTaskSid)).status).toBe('canceled');
    const update = await pluginPost(UPDATE_ATTRIBUTES, await withoutInvite(chat, 'alice', invitesTaskSid));
    expect(update.status).toBe(200);
    expect(update.body.success).toBe(true);
    expect(await invites(chat)).toEqual({});
    expect(await pendingReservations(stack, invitesTaskSid)).toEqual([]);
    expect(await assigned(chat)).toEqual([stack.workers.alice]);
    await expectInvariants(chat);
  });

  test('the record of an invite not yet canceled is not removed (409); the attribute update only removes records; and only for a participant', async () => {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['bob'], 'Available');
    const inv = await pluginPost(INVITE, await invitePayload(chat, 'alice', stack.workers.bob, false));
    const invitesTaskSid = String(inv.body.invitesTaskSid);
    await emu.whenIdle();
    const before = await conversationAttributes(stack, chat.conversationSid);

    const early = await pluginPost(UPDATE_ATTRIBUTES, await withoutInvite(chat, 'alice', invitesTaskSid));
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: 'invite_outstanding', field: `attributes.invites.${invitesTaskSid}` });

    const extra = await pluginPost(UPDATE_ATTRIBUTES, { Token: token('alice'), conversationSid: chat.conversationSid, attributes: JSON.stringify({ ...before, routing: { priority: 100 } }) });
    expect(extra.status).toBe(400);
    expect(extra.body.field).toBe('attributes.routing');

    const forged = { ...before, invites: { ...(before.invites as object), [`WT${'1'.repeat(32)}`]: { targetSid: stack.workers.dave } } };
    const added = await pluginPost(UPDATE_ATTRIBUTES, { Token: token('alice'), conversationSid: chat.conversationSid, attributes: JSON.stringify(forged) });
    expect(added.status).toBe(400);
    expect(added.body.field).toBe(`attributes.invites.WT${'1'.repeat(32)}`);

    const changed = { ...before, invites: { [invitesTaskSid]: { ...(before.invites as Record<string, object>)[invitesTaskSid], targetSid: stack.workers.dave } } };
    const rewrite = await pluginPost(UPDATE_ATTRIBUTES, { Token: token('alice'), conversationSid: chat.conversationSid, attributes: JSON.stringify(changed) });
    expect(rewrite.status).toBe(400);
    expect(rewrite.body.field).toBe(`attributes.invites.${invitesTaskSid}`);

    const notJson = await pluginPost(UPDATE_ATTRIBUTES, { Token: token('alice'), conversationSid: chat.conversationSid, attributes: 'not json' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.field).toBe('attributes');

    // Dave is not in the conversation.
    await pluginPost(UPDATE_STATUS, { Token: token('alice'), taskSid: invitesTaskSid, assignmentStatus: 'canceled' });
    const outsider = await pluginPost(UPDATE_ATTRIBUTES, await withoutInvite(chat, 'dave', invitesTaskSid));
    expect(outsider.status).toBe(403);
    // Nothing of the refused writes is there; the canceled invite's record went with the event.
    await emu.whenIdle();
    const after = await conversationAttributes(stack, chat.conversationSid);
    expect(after).not.toHaveProperty('routing');
    expect(after.invites).toEqual({});
  });

  test("the status update cancels only an invite task of the caller's conversation, and only to canceled", async () => {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['bob', 'carol'], 'Available');
    const inv = await pluginPost(INVITE, await invitePayload(chat, 'alice', stack.workers.bob, false));
    const invitesTaskSid = String(inv.body.invitesTaskSid);
    await emu.whenIdle();

    const own = await pluginPost(UPDATE_STATUS, { Token: token('alice'), taskSid: chat.taskSid, assignmentStatus: 'canceled' });
    expect(own.status).toBe(400);
    expect(own.body).toMatchObject({ error: 'not_an_invite', field: 'taskSid' });
    expect((await taskOf(stack, chat.taskSid)).status).toBe('assigned');

    const complete = await pluginPost(UPDATE_STATUS, { Token: token('alice'), taskSid: invitesTaskSid, assignmentStatus: 'completed' });
    expect(complete.status).toBe(400);
    expect(complete.body.field).toBe('assignmentStatus');

    const outsider = await pluginPost(UPDATE_STATUS, { Token: token('carol'), taskSid: invitesTaskSid, assignmentStatus: 'canceled' });
    expect(outsider.status).toBe(403);
    expect((await taskOf(stack, invitesTaskSid)).status).toMatch(/pending|reserved/);
    await expectInvariants(chat);
  });
});
