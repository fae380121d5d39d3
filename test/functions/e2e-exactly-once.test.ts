/**
 * Exactly-once transfers, end to end against the deployed stack: each case
 * that once went wrong (double submits, racing transfers, a customer left
 * alone, leaks of state or tokens, too many Twilio calls) as a named test.
 * Concurrency is real: the requests are in flight at the same time, each
 * function invocation on its own, sharing nothing but Twilio (the emulator).
 */
import type { Emulator, EmulatorState } from '../../emulator';
import type { VoiceNetworkApi } from '../../emulator';
import type { TransferStack } from '../../support';
import { callFunction, pendingReservations, resetToDeployed, setActivity, startChat, startDeployedStack, startVoiceCall, type Call, type Chat, type FnResponse } from '../../support';
import { customerNotAlone, liveChatTransferTasks, liveVoiceTransferTasks } from './helpers/invariants';
import { apiOps, callerOf } from './helpers/faults';

let emu: Emulator;
let stack: TransferStack;
let clean: EmulatorState;
let voice: VoiceNetworkApi;

beforeAll(async () => {
  ({ emu, stack, clean } = await startDeployedStack());
  voice = emu.core.apiOf<VoiceNetworkApi>('api') as VoiceNetworkApi;
});
afterAll(async () => emu?.stop());
beforeEach(() => resetToDeployed(emu, clean));

const token = (worker: string, roles?: string[]) => emu.mintFlexToken({ workerSid: stack.workers[worker], roles });
const ws = () => stack.client.taskrouter.v1.workspaces(stack.workspaceSid);

async function connectedLegs(call: Call): Promise<string[]> {
  const conf = await stack.client.conferences(call.conferenceSid).fetch();
  if (conf.status === 'completed') return [];
  return (await stack.client.conferences(call.conferenceSid).participants.list()).filter((p) => p.status === 'connected').map((p) => p.callSid);
}

/** Answers whatever agent call is ringing (the `call` instruction of a transfer reservation). */
async function answerIfRinging(agent: string): Promise<boolean> {
  await emu.whenIdle();
  try {
    voice.answerRinging(stack.accountSid, `client:${agent}`);
  } catch {
    return false;
  }
  await emu.whenIdle();
  return true;
}

async function rejectPending(taskSid: string): Promise<void> {
  await emu.whenIdle();
  for (const r of await pendingReservations(stack, taskSid)) await ws().tasks(taskSid).reservations(r.sid).update({ reservationStatus: 'rejected' });
  await emu.whenIdle();
}

describe('voice: a double submit never duplicates the transfer', () => {
  test('two identical concurrent blind transfers: one transfer task, both answers name it, the repeat says reused', async () => {
    const call = await startVoiceCall(emu, stack, 'alice');
    await setActivity(stack, ['bob', 'carol'], 'Available');
    const req = { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.workers.bob, mode: 'blind' };
    const [a, b] = await Promise.all([callFunction(stack, '/voice/transfer', req), callFunction(stack, '/voice/transfer', req)]);
    await emu.whenIdle();
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.transferTaskSid).toBe(b.body.transferTaskSid);
    expect([a.body.reused, b.body.reused].sort()).toEqual([false, true]);
    expect((await liveVoiceTransferTasks(stack, call.taskSid)).map((t) => t.sid)).toEqual([a.body.transferTaskSid]);
  });

  test('after the target answered, no duplicate rings a third agent into the call', async () => {
    const call = await startVoiceCall(emu, stack, 'alice');
    await setActivity(stack, ['bob', 'carol'], 'Available');
    const req = { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.workers.bob, mode: 'blind' };
    await Promise.all([callFunction(stack, '/voice/transfer', req), callFunction(stack, '/voice/transfer', req)]);
    expect(await answerIfRinging('bob')).toBe(true);
    // Past the requested agent's timeout a duplicate would fall back to anyone: Carol is available and must not be called.
    emu.clock.advance(130_000);
    expect(await answerIfRinging('carol')).toBe(false);
    expect((await connectedLegs(call)).length).toBe(2);
  });

  test('two identical concurrent warm transfers: one transfer task', async () => {
    const call = await startVoiceCall(emu, stack, 'alice');
    await setActivity(stack, ['bob', 'carol'], 'Available');
    const req = { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.queues.sales, mode: 'warm' };
    const [a, b] = await Promise.all([callFunction(stack, '/voice/transfer', req), callFunction(stack, '/voice/transfer', req)]);
    await emu.whenIdle();
    expect(a.body.transferTaskSid).toBe(b.body.transferTaskSid);
    expect((await liveVoiceTransferTasks(stack, call.taskSid)).length).toBe(1);
  });

  test('blind transfers to two different agents at once: one wins, the other is 409', async () => {
    const call = await startVoiceCall(emu, stack, 'alice');
    await setActivity(stack, ['bob', 'carol'], 'Available');
    const t = token('alice');
    const [a, b] = await Promise.all([
      callFunction(stack, '/voice/transfer', { Token: t, taskSid: call.taskSid, targetSid: stack.workers.bob, mode: 'blind' }),
      callFunction(stack, '/voice/transfer', { Token: t, taskSid: call.taskSid, targetSid: stack.workers.carol, mode: 'blind' }),
    ]);
    await emu.whenIdle();
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    // transfer_in_progress when the two overlapped; task_not_active when the
    // winner had already moved the call's task to wrapping.
    expect([a, b].find((r) => r.status === 409)?.body.error).toMatch(/^(transfer_in_progress|task_not_active)$/);
    expect((await liveVoiceTransferTasks(stack, call.taskSid)).length).toBe(1);
  });
});

describe('chat: racing cold transfers', () => {
  test('concurrent cold transfers of one chat to two different queues: exactly one succeeds, one live transfer task', async () => {
    for (let round = 0; round < 5; round++) {
      await resetToDeployed(emu, clean);
      const chat = await startChat(emu, stack, 'alice');
      await setActivity(stack, ['bob', 'carol', 'dave'], 'Available');
      const t = token('alice');
      const [a, b] = await Promise.all([
        callFunction(stack, '/chat/transfer', { Token: t, taskSid: chat.taskSid, targetSid: stack.queues.sales }),
        callFunction(stack, '/chat/transfer', { Token: t, taskSid: chat.taskSid, targetSid: stack.queues.support }),
      ]);
      await emu.whenIdle();
      // The loser either overlapped the winner (409) or ran after the winner
      // had already closed the agent's part in the chat (403 not_a_participant).
      const loser = [a, b].find((r) => r.status !== 200);
      expect({ winners: [a, b].filter((r) => r.status === 200).length, loser: `${loser?.status} ${String(loser?.body.error)}` }).toEqual({
        winners: 1,
        loser: expect.stringMatching(/^(409 \w+|403 not_a_participant)$/),
      });
      expect((await liveChatTransferTasks(stack, chat)).length).toBe(1);
    }
  });
});

describe('chat: the customer is never left alone', () => {
  test('the agent invites a colleague, leaves while the invite is pending, and the colleague rejects', async () => {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['bob'], 'Available');
    const inv = await callFunction(stack, '/chat/invite', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.workers.bob });
    expect(inv.status).toBe(200);
    await emu.whenIdle();
    expect((await callFunction(stack, '/chat/leave', { Token: token('alice'), taskSid: chat.taskSid })).status).toBe(200);
    await rejectPending(String(inv.body.inviteTaskSid));
    expect(await customerNotAlone(stack, chat)).toEqual({ ok: true });
  });

  test('the agent invites a queue, leaves, then cancels the invite', async () => {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['carol'], 'Available');
    const inv = await callFunction(stack, '/chat/invite', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.queues.sales });
    expect(inv.status).toBe(200);
    await emu.whenIdle();
    expect((await callFunction(stack, '/chat/leave', { Token: token('alice'), taskSid: chat.taskSid })).status).toBe(200);
    await emu.whenIdle();
    await callFunction(stack, '/chat/cancel-invite', { Token: token('alice'), inviteTaskSid: String(inv.body.inviteTaskSid) });
    await emu.whenIdle();
    expect(await customerNotAlone(stack, chat)).toEqual({ ok: true });
  });
});

describe('smaller leaks', () => {
  test("a supervisor's leave with another agent's taskSid removes only the supervisor, not the agent", async () => {
    const chat = await startChat(emu, stack, 'alice');
    const res = await callFunction(stack, '/chat/leave', { Token: token('dave', ['supervisor']), taskSid: chat.taskSid });
    await emu.whenIdle();
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('not_in_conversation');
    expect((await ws().tasks(chat.taskSid).fetch()).assignmentStatus).toBe('assigned');
    expect((await stack.client.flexApi.v1.interaction(chat.interactionSid).channels(chat.channelSid).fetch()).status).toBe('active');
    // Saying so explicitly removes the agent.
    const explicit = await callFunction(stack, '/chat/leave', { Token: token('dave', ['supervisor']), taskSid: chat.taskSid, remove: 'taskAgent' });
    expect(explicit.status).toBe(200);
    await emu.whenIdle();
    expect((await ws().tasks(chat.taskSid).fetch()).assignmentStatus).toBe('completed');
  });

  test('complete-transfer by a non-participant is refused before anything is read back', async () => {
    const call = await startVoiceCall(emu, stack, 'alice');
    const res = await callFunction(stack, '/voice/complete-transfer', { Token: token('dave'), taskSid: call.taskSid });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('not_a_participant');
    expect(JSON.stringify(res.body)).not.toContain('transfer in progress');
  });

  test('a token in the URL query string is refused, naming Token, and nothing is done', async () => {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['bob'], 'Available');
    const query = new URLSearchParams({ Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.workers.bob }).toString();
    const get = await fetch(`${stack.baseUrl}/chat/invite?${query}`);
    const getBody = (await get.json()) as Record<string, unknown>;
    expect(get.status).toBe(400);
    expect(getBody).toMatchObject({ error: 'invalid_parameter', field: 'Token' });
    const post = await fetch(`${stack.baseUrl}/chat/invite?Token=${encodeURIComponent(token('alice'))}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ taskSid: chat.taskSid, targetSid: stack.workers.bob }).toString(),
    });
    expect(post.status).toBe(400);
    expect(((await post.json()) as Record<string, unknown>).field).toBe('Token');
    await emu.whenIdle();
    expect(await liveChatTransferTasks(stack, chat)).toEqual([]);
  });

  test('a token sent as an array is a clear 400 naming Token', async () => {
    const chat = await startChat(emu, stack, 'alice');
    const body = new URLSearchParams([
      ['Token', token('alice')],
      ['Token', token('alice')],
      ['taskSid', chat.taskSid],
    ]).toString();
    const res = await fetch(`${stack.baseUrl}/chat/leave`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    const json = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(400);
    expect(json).toMatchObject({ error: 'invalid_parameter', field: 'Token' });
    expect(String(json.message)).toMatch(/more than once/);
  });

  test('the token is also accepted in the X-Flex-Token header', async () => {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['bob'], 'Available');
    const res = await callFunction(stack, '/chat/invite', { taskSid: chat.taskSid, targetSid: stack.workers.bob }, { 'X-Flex-Token': token('alice') });
    expect(res.status).toBe(200);
  });
});

/** The Twilio API calls the function at `path` made for one request (the emulator's request log, by caller). */
async function callsOf(path: string, body: Record<string, string | undefined>): Promise<{ res: FnResponse; ops: string[] }> {
  await emu.whenIdle();
  const since = emu.log.list().reduce((m, e) => Math.max(m, e.seq), 0);
  const res = await callFunction(stack, path, body);
  await emu.whenIdle();
  const ops = apiOps(emu, since, callerOf(path));
  // Zero would satisfy every bound: the calls must be attributed to the function, not lost.
  if (ops.length === 0) throw new Error(`no Twilio call was attributed to ${callerOf(path)} (its Flex-Transfer-Caller header)`);
  return { res, ops };
}

describe('Twilio calls per operation (token validation included)', () => {
  async function chatWithBob(): Promise<Chat> {
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['bob', 'carol', 'dave'], 'Available');
    return chat;
  }

  test('cold transfer to a queue and to a worker: at most 6', async () => {
    for (const target of [stack.queues.sales, stack.workers.dave]) {
      await resetToDeployed(emu, clean);
      const chat = await chatWithBob();
      const { res, ops } = await callsOf('/chat/transfer', { Token: token('alice'), taskSid: chat.taskSid, targetSid: target });
      expect(res.status).toBe(200);
      expect(ops.length).toBeLessThanOrEqual(6);
    }
  });

  test('invite: at most 6; cancel-invite and leave: at most 8', async () => {
    const chat = await chatWithBob();
    const inv = await callsOf('/chat/invite', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.workers.bob });
    expect(inv.res.status).toBe(200);
    expect(inv.ops.length).toBeLessThanOrEqual(6);
    const cancel = await callsOf('/chat/cancel-invite', { Token: token('alice'), inviteTaskSid: String(inv.res.body.inviteTaskSid) });
    expect(cancel.res.status).toBe(200);
    expect(cancel.ops.length).toBeLessThanOrEqual(8);
    const leave = await callsOf('/chat/leave', { Token: token('alice'), taskSid: chat.taskSid });
    expect(leave.res.status).toBe(200);
    expect(leave.ops.length).toBeLessThanOrEqual(8);
  });

  test('voice blind transfer, warm transfer, complete and cancel: at most 8 each', async () => {
    const blindCall = await startVoiceCall(emu, stack, 'alice');
    await setActivity(stack, ['bob', 'carol'], 'Available');
    const blind = await callsOf('/voice/transfer', { Token: token('alice'), taskSid: blindCall.taskSid, targetSid: stack.queues.sales, mode: 'blind' });
    expect(blind.res.status).toBe(200);
    expect(blind.ops.length).toBeLessThanOrEqual(8);

    await resetToDeployed(emu, clean);
    const call = await startVoiceCall(emu, stack, 'alice');
    await setActivity(stack, ['bob'], 'Available');
    const warm = await callsOf('/voice/transfer', { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.workers.bob, mode: 'warm' });
    expect(warm.res.status).toBe(200);
    expect(warm.ops.length).toBeLessThanOrEqual(8);
    const cancel = await callsOf('/voice/cancel-transfer', { Token: token('alice'), taskSid: call.taskSid });
    expect(cancel.res.status).toBe(200);
    expect(cancel.ops.length).toBeLessThanOrEqual(8);

    await callFunction(stack, '/voice/transfer', { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.workers.bob, mode: 'warm' });
    expect(await answerIfRinging('bob')).toBe(true);
    const complete = await callsOf('/voice/complete-transfer', { Token: token('alice'), taskSid: call.taskSid });
    expect(complete.res.status).toBe(200);
    expect(complete.ops.length).toBeLessThanOrEqual(8);
  });
});
