/**
 * End to end, chat: the stack deployed to the emulator (workflows from
 * `workflows/`, functions from `dist/functions`), functions called over
 * HTTP, routing done by the deployed Chat Transfer workflow, invite records
 * cleared by the TaskRouter event callback.
 *
 * The transfer scenarios run on two Functions runtimes: the emulator's own
 * (Twilio's @twilio/runtime-handler behind the emulator's gateway) and the
 * Serverless Toolkit's `twilio-run`, serving the same files with the
 * emulator's callbacks routed to it. The platform checks (signatures,
 * private functions), 20 concurrent invites and the fault sweeps run on the
 * emulator's runtime.
 */
import type { Emulator, EmulatorState } from '../../emulator';
import type { TransferStack } from '../../support';
import {
  acceptReservation,
  agentParticipants,
  callFunction,
  channelStatus,
  conversationAttributes,
  pendingReservations,
  resetToDeployed,
  setActivity,
  startChat,
  startDeployedStack,
  taskOf,
  RUNTIMES,
  serveOn,
  type Chat,
} from '../../support';
import { sweepFaults } from './helpers/faults';

let emu: Emulator;
/** The stack as the current tests call it (its baseUrl names the runtime). */
let stack: TransferStack;
let deployed: TransferStack;
let clean: EmulatorState;

beforeAll(async () => {
  ({ emu, stack: deployed, clean } = await startDeployedStack());
  stack = deployed;
});
afterAll(async () => emu?.stop());
beforeEach(() => resetToDeployed(emu, clean));

const token = (worker: string, roles?: string[]) => emu.mintFlexToken({ workerSid: stack.workers[worker], roles });

async function outstandingInviteTasks(chat: Chat): Promise<string[]> {
  const ws = stack.client.taskrouter.v1.workspaces(stack.workspaceSid);
  const tasks = await ws.tasks.list({ assignmentStatus: ['pending', 'reserved'] });
  return tasks
    .filter((t) => (JSON.parse(t.attributes) as Record<string, unknown>).conversationSid === chat.conversationSid && (JSON.parse(t.attributes) as Record<string, unknown>).transferType)
    .map((t) => t.sid);
}

async function recordedInvites(chat: Chat): Promise<Record<string, Record<string, unknown>>> {
  return ((await conversationAttributes(stack, chat.conversationSid)).invites ?? {}) as Record<string, Record<string, unknown>>;
}

describe.each(RUNTIMES)('on the %s runtime', (runtime) => {
  const served = serveOn(
    runtime,
    () => ({ emu, stack: deployed }),
    (s) => (stack = s),
  );

  describe('cold transfer', () => {
    test('to a queue: reserves an eligible worker who is not in the conversation; the first agent task completes', async () => {
      const chat = await startChat(emu, stack, 'alice');
      // Alice (sales) is still available with chat capacity; Carol is the other sales agent.
      await setActivity(stack, ['alice', 'bob', 'carol', 'dave'], 'Available');
      const res = await callFunction(stack, '/chat/transfer', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.queues.sales });
      expect(res.status).toBe(200);
      // The transferring agent leaves once TaskRouter reports the transfer's task (the event callback).
      expect(res.body).toMatchObject({ success: true, transferType: 'cold', transferTargetType: 'queue', reused: false });
      await emu.whenIdle();
      const inviteTaskSid = String(res.body.inviteTaskSid);
      const reserved = await pendingReservations(stack, inviteTaskSid);
      expect(reserved.map((r) => r.workerSid)).toEqual([stack.workers.carol]);
      // Attributes as specified.
      const original = await taskOf(stack, chat.taskSid);
      const t = await taskOf(stack, inviteTaskSid);
      expect(original.status).toBe('completed');
      expect(t.workflowSid).toBe(stack.chatTransferWorkflowSid);
      expect(t.channel).toBe('chat');
      expect(t.queueSid).toBe(stack.queues.sales);
      // All of the original's attributes, except the transfer records (the new task starts with the conversation's others).
      for (const [k, v] of Object.entries(original.attributes)) if (!['flexChannelInviteSid', 'conversations', 'flexTransfers'].includes(k)) expect(t.attributes[k]).toEqual(v);
      expect(Object.keys((original.attributes.flexTransfers ?? {}) as object)).toEqual([t.attributes.transferRequestId]);
      expect(t.attributes.flexTransfers).toEqual({});
      expect(t.attributes).toMatchObject({
        transferTargetType: 'queue',
        transferTargetSid: stack.queues.sales,
        transferQueueName: 'Sales',
        workerSidsInConversation: [stack.workers.alice],
        conversations: { conversation_id: (original.attributes.conversations as Record<string, unknown>).conversation_id },
      });
      // Carol takes it: she joins, the record is cleared, Alice is gone.
      await acceptReservation(emu, stack, inviteTaskSid, stack.workers.carol);
      const agents = await agentParticipants(stack, chat);
      expect(agents.filter((a) => a.taskStatus === 'assigned').map((a) => a.workerSid)).toEqual([stack.workers.carol]);
      expect(await recordedInvites(chat)).toEqual({});
      expect(await channelStatus(stack, chat)).toBe('active');
    });

    test('to a worker: reserves exactly that worker', async () => {
      const chat = await startChat(emu, stack, 'alice');
      await setActivity(stack, ['bob', 'carol', 'dave'], 'Available');
      const res = await callFunction(stack, '/chat/transfer', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.workers.dave });
      expect(res.status).toBe(200);
      await emu.whenIdle();
      const reserved = await pendingReservations(stack, String(res.body.inviteTaskSid));
      expect(reserved.map((r) => r.workerSid)).toEqual([stack.workers.dave]);
      const t = await taskOf(stack, String(res.body.inviteTaskSid));
      expect(t.attributes).toMatchObject({ transferTargetType: 'worker', transferTargetSid: stack.workers.dave, workerSidsInConversation: [stack.workers.alice] });
      expect(t.attributes).not.toHaveProperty('transferQueueName');
      expect((await taskOf(stack, chat.taskSid)).status).toBe('completed');
    });

    test('security: 403 without a valid token and for an outsider; CORS for Flex origins only', async () => {
      const chat = await startChat(emu, stack, 'alice');
      expect((await callFunction(stack, '/chat/transfer', { taskSid: chat.taskSid, targetSid: stack.queues.sales })).status).toBe(403);
      expect((await callFunction(stack, '/chat/transfer', { Token: 'forged', taskSid: chat.taskSid, targetSid: stack.queues.sales })).status).toBe(403);
      const outsider = await callFunction(stack, '/chat/transfer', { Token: token('dave'), taskSid: chat.taskSid, targetSid: stack.queues.sales });
      expect(outsider.status).toBe(403);
      expect(outsider.body.error).toBe('not_a_participant');
      const cors = await callFunction(stack, '/chat/transfer', { Token: token('alice'), taskSid: 'bad' }, { Origin: 'https://flex.twilio.com' });
      expect(cors.status).toBe(400);
      expect(cors.body.field).toBe('taskSid');
      expect(cors.headers.get('access-control-allow-origin')).toBe('https://flex.twilio.com');
      expect((await callFunction(stack, '/chat/transfer', { Token: token('alice') }, { Origin: 'https://evil.example' })).status).toBe(403);
      expect((await taskOf(stack, chat.taskSid)).status).toBe('assigned');
    });
  });

  describe('multi-participant', () => {
    test('invite and join (record cleared), cancel, invite that times out (record cleared), leave (channel closed only when it should be)', async () => {
      const chat = await startChat(emu, stack, 'alice');
      await setActivity(stack, ['bob', 'carol', 'dave'], 'Available');

      // Invite Bob; he joins.
      const inv = await callFunction(stack, '/chat/invite', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.workers.bob });
      expect(inv.status).toBe(200);
      expect(inv.body).toMatchObject({ reused: false });
      const bobTask = String(inv.body.inviteTaskSid);
      // The record follows TaskRouter's task.created event.
      await emu.whenIdle();
      expect(Object.keys(await recordedInvites(chat))).toEqual([bobTask]);
      expect((await recordedInvites(chat))[bobTask]).toMatchObject({ targetSid: stack.workers.bob, targetType: 'worker', targetName: 'bob', requestedBy: stack.workers.alice });
      // Repeating the same request returns the same invite.
      const again = await callFunction(stack, '/chat/invite', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.workers.bob });
      expect(again.body).toMatchObject({ reused: true, inviteTaskSid: bobTask });
      // A cold transfer is refused while the invite is outstanding.
      const cold = await callFunction(stack, '/chat/transfer', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.queues.support });
      expect(cold.status).toBe(409);
      expect(cold.body.error).toBe('invite_outstanding');
      await acceptReservation(emu, stack, bobTask, stack.workers.bob);
      expect(await recordedInvites(chat)).toEqual({});
      expect(
        (await agentParticipants(stack, chat))
          .filter((a) => a.taskStatus === 'assigned')
          .map((a) => a.workerSid)
          .sort(),
      ).toEqual([stack.workers.alice, stack.workers.bob].sort());

      // Invite Carol, then cancel (Bob cancels: any agent in the conversation may).
      const c = await callFunction(stack, '/chat/invite', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.workers.carol });
      const carolTask = String(c.body.inviteTaskSid);
      await emu.whenIdle();
      const cancel = await callFunction(stack, '/chat/cancel-invite', { Token: token('bob'), inviteTaskSid: carolTask });
      expect(cancel.status).toBe(200);
      expect(cancel.body).toMatchObject({ canceled: true, taskStatus: 'canceled' });
      await emu.whenIdle();
      expect((await taskOf(stack, carolTask)).status).toBe('canceled');
      expect(await recordedInvites(chat)).toEqual({});

      // Invite Dave, who never answers: the reservation times out, the record is cleared.
      const d = await callFunction(stack, '/chat/invite', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.workers.dave });
      const daveTask = String(d.body.inviteTaskSid);
      await emu.whenIdle();
      expect((await pendingReservations(stack, daveTask)).map((r) => r.workerSid)).toEqual([stack.workers.dave]);
      expect(Object.keys(await recordedInvites(chat))).toEqual([daveTask]);
      emu.clock.advance(121_000);
      await emu.whenIdle();
      expect((await taskOf(stack, daveTask)).status).toBe('canceled');
      expect(await recordedInvites(chat)).toEqual({});

      // Alice leaves: Bob remains, the channel stays open.
      const l1 = await callFunction(stack, '/chat/leave', { Token: token('alice'), taskSid: chat.taskSid });
      expect(l1.status).toBe(200);
      expect(l1.body).toMatchObject({ participantClosed: true, channelClosed: false, remainingAgents: 1 });
      expect((await taskOf(stack, chat.taskSid)).status).toBe('completed');
      expect(await channelStatus(stack, chat)).toBe('active');
      // Bob leaves last: the channel is closed (no orphaned chat).
      const l2 = await callFunction(stack, '/chat/leave', { Token: token('bob'), taskSid: bobTask });
      expect(l2.body).toMatchObject({ participantClosed: true, channelClosed: true, remainingAgents: 0 });
      expect(await channelStatus(stack, chat)).toBe('closed');
    });

    test('the last agent leaves while an invite is pending: the channel stays open for the invitee', async () => {
      const chat = await startChat(emu, stack, 'alice');
      // Nobody of Support is available: the invite stays pending.
      const inv = await callFunction(stack, '/chat/invite', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.queues.support });
      expect(inv.status).toBe(200);
      const l = await callFunction(stack, '/chat/leave', { Token: token('alice'), taskSid: chat.taskSid });
      expect(l.body).toMatchObject({ channelClosed: false, remainingAgents: 0 });
      expect(await channelStatus(stack, chat)).toBe('active');
      await setActivity(stack, ['bob'], 'Available');
      await acceptReservation(emu, stack, String(inv.body.inviteTaskSid), stack.workers.bob);
      expect(await recordedInvites(chat)).toEqual({});
    });
  });

  test('the functions ran on this runtime, and every TaskRouter event reached them', () => {
    if (runtime === 'emulator') expect(served.emulatorInvocations().length).toBeGreaterThan(20);
    else expect(served.emulatorInvocations()).toEqual([]);
    const events = served.webhooks().filter((w) => w.url === `https://${deployed.domain}/taskrouter/events`);
    expect(events.length).toBeGreaterThan(20);
    // Delivered, and handled: an event about something already gone is handled too (its end state is reached).
    expect(events.filter((w) => !(w.status >= 200 && w.status < 300)).map((w) => `${w.status} ${w.params.EventType} ${w.params.TaskSid} ${w.params.TaskAttributes}`)).toEqual([]);
  });
});

describe("the emulator's platform", () => {
  test('an unsigned call to a protected endpoint is refused; private (shared) code is not served', async () => {
    expect((await callFunction(stack, '/taskrouter/events', { EventType: 'task.canceled' })).status).toBe(403);
    expect((await callFunction(stack, '/voice/assignment', {})).status).toBe(403);
    expect((await fetch(`${stack.baseUrl}/lib/chat`)).status).toBe(404);
  });

  test('20 concurrent invites on one conversation: every invite recorded, or an explicit conflict', async () => {
    const chat = await startChat(emu, stack, 'alice');
    const ws = stack.client.taskrouter.v1.workspaces(stack.workspaceSid);
    const targets: string[] = [];
    for (let i = 0; i < 20; i++) targets.push((await ws.workers.create({ friendlyName: `extra-${i}`, attributes: JSON.stringify({ contact_uri: `client:extra-${i}`, routing: { skills: [] } }) })).sid);
    const t = token('alice');
    const results = await Promise.all(targets.map((target) => callFunction(stack, '/chat/invite', { Token: t, taskSid: chat.taskSid, targetSid: target })));
    await emu.whenIdle();
    const recorded = await recordedInvites(chat);
    let ok = 0;
    for (const r of results) {
      if (r.status === 200) {
        ok += 1;
        expect(recorded[String(r.body.inviteTaskSid)]).toBeDefined();
      } else {
        // Too many requests racing on one conversation: refused, and nothing was created for it.
        expect(r.status).toBe(409);
        expect(r.body).toMatchObject({ error: 'conflict' });
      }
    }
    expect(ok).toBeGreaterThan(0);
    expect((await outstandingInviteTasks(chat)).length).toBe(ok);
    // Nothing silently lost, nothing stale: the records are exactly the outstanding invites.
    expect(Object.keys(recorded).sort()).toEqual((await outstandingInviteTasks(chat)).sort());
  });
});

describe('faults injected at every Twilio call of each flow', () => {
  /** The chat invariant: the channel is open and someone is in it or coming. */
  async function expectChatAlive(chat: Chat, ctx: string) {
    const status = await channelStatus(stack, chat);
    const agents = (await agentParticipants(stack, chat)).filter((a) => a.taskStatus === 'assigned');
    const coming = await outstandingInviteTasks(chat);
    expect({ ctx, status, alive: agents.length + coming.length > 0 }).toEqual({ ctx, status: 'active', alive: true });
  }
  async function expectRecordsExact(chat: Chat, ctx: string) {
    expect({ ctx, records: Object.keys(await recordedInvites(chat)).sort() }).toEqual({ ctx, records: (await outstandingInviteTasks(chat)).sort() });
  }

  for (const flow of [
    { name: 'cold transfer', path: '/chat/transfer', target: () => stack.queues.support },
    { name: 'invite', path: '/chat/invite', target: () => stack.workers.dave },
  ]) {
    test(flow.name, async () => {
      const chat = await startChat(emu, stack, 'alice');
      const scenario = emu.snapshot();
      const request = () => callFunction(stack, flow.path, { Token: token('alice'), taskSid: chat.taskSid, targetSid: flow.target() });
      const { runs } = await sweepFaults({
        emu,
        scenario,
        run: request,
        functionPath: flow.path,
        check: async (r, ctx) => {
          if (r.status !== 200 && r.body.participantClosed === false) expect({ ctx, original: (await taskOf(stack, chat.taskSid)).status }).toEqual({ ctx, original: 'assigned' });
          await expectChatAlive(chat, ctx);
          expect({ ctx, outstanding: (await outstandingInviteTasks(chat)).length <= 1 }).toEqual({ ctx, outstanding: true });
          if (flow.name === 'invite') await expectRecordsExact(chat, ctx);
          // Repeating the request (as the plugin may) finishes the operation, without a second invite.
          const again = await request();
          await emu.whenIdle();
          expect({ ctx, repeat: again.status, body: again.status === 200 ? null : again.text }).toEqual({ ctx, repeat: 200, body: null });
          expect({ ctx, one: (await outstandingInviteTasks(chat)).length }).toEqual({ ctx, one: 1 });
          expect({ ctx, original: (await taskOf(stack, chat.taskSid)).status }).toEqual({ ctx, original: flow.name === 'invite' ? 'assigned' : 'completed' });
          await expectRecordsExact(chat, ctx);
        },
      });
      // Every call of the flow (six) under each of the three fault kinds.
      expect(runs).toBeGreaterThanOrEqual(15);
    });
  }

  test('cancel invite', async () => {
    const chat = await startChat(emu, stack, 'alice');
    const inv = await callFunction(stack, '/chat/invite', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.workers.bob });
    const inviteTaskSid = String(inv.body.inviteTaskSid);
    await emu.whenIdle();
    const request = () => callFunction(stack, '/chat/cancel-invite', { Token: token('alice'), inviteTaskSid });
    await sweepFaults({
      emu,
      scenario: emu.snapshot(),
      run: request,
      functionPath: '/chat/cancel-invite',
      check: async (r, ctx) => {
        await expectChatAlive(chat, ctx);
        await expectRecordsExact(chat, ctx);
        const again = await request();
        await emu.whenIdle();
        expect({ ctx, repeat: again.status, status: (await taskOf(stack, inviteTaskSid)).status }).toEqual({ ctx, repeat: 200, status: 'canceled' });
        await expectRecordsExact(chat, ctx);
      },
    });
  });

  test('leave (another agent stays) and leave (last agent: channel closed)', async () => {
    // Alice and Bob in the chat; Alice leaves: the channel must stay open whatever fails.
    const chat = await startChat(emu, stack, 'alice');
    await setActivity(stack, ['bob'], 'Available');
    const inv = await callFunction(stack, '/chat/invite', { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.workers.bob });
    const bobTask = String(inv.body.inviteTaskSid);
    await acceptReservation(emu, stack, bobTask, stack.workers.bob);
    const two = emu.snapshot();
    await sweepFaults({
      emu,
      scenario: two,
      kinds: ['500', 'lost-response'],
      run: () => callFunction(stack, '/chat/leave', { Token: token('alice'), taskSid: chat.taskSid }),
      functionPath: '/chat/leave',
      check: async (r, ctx) => {
        await expectChatAlive(chat, ctx);
        expect({ ctx, bob: (await taskOf(stack, bobTask)).status }).toEqual({ ctx, bob: 'assigned' });
      },
    });
    // Bob alone leaves: a success closes the channel; a failure says so and a repeat closes it.
    emu.restore(two);
    await callFunction(stack, '/chat/leave', { Token: token('alice'), taskSid: chat.taskSid });
    await emu.whenIdle();
    const last = () => callFunction(stack, '/chat/leave', { Token: token('bob'), taskSid: bobTask });
    await sweepFaults({
      emu,
      scenario: emu.snapshot(),
      kinds: ['500', 'lost-response'],
      run: last,
      functionPath: '/chat/leave',
      check: async (r, ctx) => {
        if (r.status === 200) expect({ ctx, channel: await channelStatus(stack, chat) }).toEqual({ ctx, channel: 'closed' });
        else {
          // Before the agent's part was closed nothing changed; after it, the
          // event that close raised may already have closed the channel.
          const channel = await channelStatus(stack, chat);
          const possible = r.body.participantClosed === true ? ['active', 'closed'] : ['active'];
          expect({ ctx, channel, possible: possible.includes(channel) }).toEqual({ ctx, channel, possible: true });
          const again = await last();
          expect({ ctx, repeat: again.status, closed: again.body.channelClosed, body: again.status === 200 ? null : again.text }).toEqual({ ctx, repeat: 200, closed: true, body: null });
        }
      },
    });
  });
});
