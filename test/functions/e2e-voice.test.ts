/**
 * End to end, voice: a customer call enqueued to Flex's workflow, answered by
 * an agent through TaskRouter's `conference` instruction, then transferred
 * blind or warm by the deployed functions; the voice transfer workflow routes
 * the transfer task, its assignment callback (`/voice/assignment`) calls the
 * new agent, whose answered call fetches `/voice/join-conference`.
 * Conference and participant state are checked at every step, and a fault is
 * injected at every Twilio call of each flow.
 *
 * The transfer scenarios run on two Functions runtimes: the emulator's own
 * (Twilio's @twilio/runtime-handler behind the emulator's gateway) and the
 * Serverless Toolkit's `twilio-run`, serving the same files with the
 * emulator's callbacks and TwiML fetches routed to it. The fault sweeps run
 * on the emulator's runtime.
 */
import type { Emulator, EmulatorState, VoiceNetworkApi } from '../../emulator';
import type { TransferStack } from '../../support';
import { RUNTIMES, callFunction, pendingReservations, resetToDeployed, serveOn, setActivity, startDeployedStack, startVoiceCall, taskOf, type Call } from '../../support';
import { sweepFaults } from './helpers/faults';

let emu: Emulator;
/** The stack as the current tests call it (its baseUrl names the runtime). */
let stack: TransferStack;
let deployed: TransferStack;
let clean: EmulatorState;
let voice: VoiceNetworkApi;

beforeAll(async () => {
  ({ emu, stack: deployed, clean } = await startDeployedStack());
  stack = deployed;
  voice = emu.core.apiOf<VoiceNetworkApi>('api') as VoiceNetworkApi;
});
afterAll(async () => emu?.stop());
beforeEach(() => resetToDeployed(emu, clean));

const token = (worker: string, roles?: string[]) => emu.mintFlexToken({ workerSid: stack.workers[worker], roles });

/** Ann calls; Flex's workflow reserves `agent`, who is connected through the `conference` instruction. */
const startCall = (agent: string): Promise<Call> => startVoiceCall(emu, stack, agent, { type: 'inbound', name: 'Ann' });

async function participants(call: Call): Promise<Record<string, { hold: boolean; endConferenceOnExit: boolean }>> {
  const conf = await stack.client.conferences(call.conferenceSid).fetch();
  if (conf.status === 'completed') return {};
  const list = await stack.client.conferences(call.conferenceSid).participants.list();
  return Object.fromEntries(list.filter((p) => p.status === 'connected').map((p) => [p.callSid, { hold: p.hold, endConferenceOnExit: p.endConferenceOnExit }]));
}

function customerLive(call: Call): boolean {
  const c = voice.call(stack.accountSid, call.customerCallSid);
  return !!c && c.status === 'in-progress';
}

async function liveTransferTasks(call: Call) {
  const ws = stack.client.taskrouter.v1.workspaces(stack.workspaceSid);
  const tasks = await ws.tasks.list({ workflowSid: stack.voiceTransferWorkflowSid, assignmentStatus: ['pending', 'reserved', 'assigned'] });
  return tasks.filter((t) => (JSON.parse(t.attributes) as { originalTaskSid?: string }).originalTaskSid === call.taskSid);
}

/** The new agent answers the call placed by the `call` instruction; Twilio fetches join-conference. */
async function newAgentAnswers(agent: string): Promise<string> {
  await emu.whenIdle();
  const c = voice.answerRinging(stack.accountSid, `client:${agent}`);
  await emu.whenIdle();
  return c.sid;
}

describe.each(RUNTIMES)('on the %s runtime', (runtime) => {
  const served = serveOn(
    runtime,
    () => ({ emu, stack: deployed }),
    (s) => (stack = s),
  );

  describe('voice blind transfer', () => {
    test('to a worker: hold, transfer task, first agent removed, original wrapping; new agent joins, customer off hold', async () => {
      const call = await startCall('alice');
      expect(await participants(call)).toEqual({
        [call.customerCallSid]: expect.objectContaining({ hold: false }),
        [call.agentCallSid]: expect.objectContaining({ hold: false, endConferenceOnExit: true }),
      });
      await setActivity(stack, ['bob', 'carol'], 'Available');

      const res = await callFunction(stack, '/voice/transfer', { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.workers.bob, mode: 'blind' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ mode: 'blind', customerOnHold: true, reused: false });
      // The handover follows TaskRouter's task.created event: the first agent leaves, their task wraps.
      await emu.whenIdle();
      // The customer waits on hold, alone, with the transfer on its way; the call is not dropped.
      expect(await participants(call)).toEqual({ [call.customerCallSid]: expect.objectContaining({ hold: true }) });
      expect(customerLive(call)).toBe(true);
      expect((await taskOf(stack, call.taskSid)).status).toBe('wrapping');
      const transfer = await taskOf(stack, String(res.body.transferTaskSid));
      expect(transfer.workflowSid).toBe(stack.voiceTransferWorkflowSid);
      expect(transfer.attributes).toMatchObject({
        requested_agent: stack.workers.bob,
        desired_queue: null,
        originalTaskSid: call.taskSid,
        conference: { sid: call.conferenceSid, room_name: call.taskSid, participants: { customer: call.customerCallSid } },
        call_sid: call.customerCallSid,
      });

      // TaskRouter reserved Bob; /voice/assignment answered the call instruction; Bob's phone rings.
      await emu.whenIdle();
      expect((await taskOf(stack, transfer.sid)).status).toBe('reserved');
      expect(voice.calls(stack.accountSid).some((c) => c.to === 'client:bob' && c.status === 'ringing')).toBe(true);
      const bobCall = await newAgentAnswers('bob');
      // Answered: join-conference accepted the reservation and took the customer off hold.
      expect((await taskOf(stack, transfer.sid)).status).toBe('assigned');
      const after = await participants(call);
      expect(after).toEqual({ [call.customerCallSid]: expect.objectContaining({ hold: false }), [bobCall]: expect.objectContaining({ hold: false, endConferenceOnExit: false }) });
      expect(customerLive(call)).toBe(true);
      expect(((await taskOf(stack, transfer.sid)).attributes.conference as { participants: { worker: string } }).participants.worker).toBe(bobCall);
      // The TwiML the new agent's call ran.
      const fetchedJoin = emu.webhooks().find((w) => w.url.includes('/voice/join-conference'));
      expect(fetchedJoin?.status).toBe(200);
    });

    test('to a queue: the transfer task is routed through the queue', async () => {
      const call = await startCall('alice');
      await setActivity(stack, ['bob'], 'Available');
      const res = await callFunction(stack, '/voice/transfer', { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.queues.support, originalTaskAction: 'complete' });
      expect(res.status).toBe(200);
      await emu.whenIdle();
      expect((await taskOf(stack, call.taskSid)).status).toBe('completed');
      const t = await taskOf(stack, String(res.body.transferTaskSid));
      expect(t.queueSid).toBe(stack.queues.support);
      expect(t.attributes).toMatchObject({ desired_queue: stack.queues.support, requested_agent: null });
      await newAgentAnswers('bob');
      expect(Object.keys(await participants(call))).toHaveLength(2);
      expect(customerLive(call)).toBe(true);
    });
  });

  test('blind transfer, the new agent never answers: the reservation times out and the call is offered to another agent', async () => {
    const call = await startCall('alice');
    await setActivity(stack, ['alice'], 'Offline');
    await setActivity(stack, ['bob', 'carol'], 'Available');
    const res = await callFunction(stack, '/voice/transfer', { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.queues.sales, originalTaskAction: 'complete' });
    expect(res.status).toBe(200);
    await emu.whenIdle();
    const transferSid = String(res.body.transferTaskSid);
    const [first] = await pendingReservations(stack, transferSid);
    expect(first.workerSid).toBe(stack.workers.carol);
    // Carol's phone rings out; her reservation times out (workflow default 120 s).
    emu.clock.advance(121_000);
    await emu.whenIdle();
    expect(customerLive(call)).toBe(true);
    expect((await participants(call))[call.customerCallSid].hold).toBe(true);
    // Another sales agent (Alice, done with her task) becomes available and gets it.
    await setActivity(stack, ['alice'], 'Available');
    await emu.whenIdle();
    const [second] = await pendingReservations(stack, transferSid);
    expect(second.workerSid).toBe(stack.workers.alice);
    await newAgentAnswers('alice');
    expect((await taskOf(stack, transferSid)).status).toBe('assigned');
    expect((await participants(call))[call.customerCallSid].hold).toBe(false);
  });

  test('a canceled blind transfer puts the customer back in line for anyone, once per cancel', async () => {
    const call = await startCall('alice');
    await setActivity(stack, ['alice'], 'Offline');
    const res = await callFunction(stack, '/voice/transfer', { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.workers.bob, originalTaskAction: 'complete' });
    expect(res.status).toBe(200);
    await emu.whenIdle();
    const transferSid = String(res.body.transferTaskSid);
    // The transfer task is canceled (its TTL, or someone in the console): nobody would come.
    const ws = stack.client.taskrouter.v1.workspaces(stack.workspaceSid);
    await ws.tasks(transferSid).update({ assignmentStatus: 'canceled', reason: 'test: canceled by hand' });
    await emu.whenIdle();
    const live = (await ws.tasks.list({ assignmentStatus: ['pending', 'reserved'] })).filter((t) => (JSON.parse(t.attributes) as { originalTaskSid?: string }).originalTaskSid === call.taskSid);
    expect(live).toHaveLength(1);
    const requeued = JSON.parse(live[0].attributes) as Record<string, unknown>;
    expect(requeued).toMatchObject({ requeuedFrom: transferSid, requeueCount: 1, requested_agent: null, desired_queue: null, transferMode: 'blind' });
    expect(customerLive(call)).toBe(true);
    expect((await participants(call))[call.customerCallSid].hold).toBe(true);
    // Any available agent gets it, and the customer comes off hold when they join.
    await setActivity(stack, ['carol'], 'Available');
    await emu.whenIdle();
    const [offer] = await pendingReservations(stack, live[0].sid);
    expect(offer.workerSid).toBe(stack.workers.carol);
    await newAgentAnswers('carol');
    expect((await participants(call))[call.customerCallSid].hold).toBe(false);
  });

  test('a second hop: the new agent transfers the call again (the conference keeps its name)', async () => {
    const call = await startCall('alice');
    await setActivity(stack, ['bob'], 'Available');
    const first = await callFunction(stack, '/voice/transfer', { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.workers.bob });
    expect(first.status).toBe(200);
    const bobCall = await newAgentAnswers('bob');
    const bobTask = String(first.body.transferTaskSid);
    await setActivity(stack, ['carol'], 'Available');
    const second = await callFunction(stack, '/voice/transfer', { Token: token('bob'), taskSid: bobTask, targetSid: stack.workers.carol });
    expect(second.status).toBe(200);
    await emu.whenIdle();
    // Bob's leg (recorded by join-conference) was the one removed; the customer waits on hold.
    expect(await participants(call)).toEqual({ [call.customerCallSid]: expect.objectContaining({ hold: true }) });
    expect(bobCall).not.toBe(call.agentCallSid);
    const carolCall = await newAgentAnswers('carol');
    expect(await participants(call)).toEqual({ [call.customerCallSid]: expect.objectContaining({ hold: false }), [carolCall]: expect.anything() });
    expect((await taskOf(stack, String(second.body.transferTaskSid))).attributes).toMatchObject({ originalTaskSid: bobTask, conference: { room_name: call.taskSid } });
    expect(customerLive(call)).toBe(true);
  });

  describe('voice warm transfer', () => {
    test('three-way once the new agent joins; the second call removes the first agent and wraps the original', async () => {
      const call = await startCall('alice');
      await setActivity(stack, ['bob'], 'Available');
      const res = await callFunction(stack, '/voice/transfer', { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.workers.bob, mode: 'warm' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ mode: 'warm', agentRemoved: false, customerOnHold: true });
      // The first agent stays; the customer is on hold.
      expect(await participants(call)).toEqual({ [call.customerCallSid]: expect.objectContaining({ hold: true }), [call.agentCallSid]: expect.objectContaining({ hold: false }) });
      expect((await taskOf(stack, call.taskSid)).status).toBe('assigned');

      const bobCall = await newAgentAnswers('bob');
      // Three-way: the customer is off hold.
      expect(await participants(call)).toEqual({
        [call.customerCallSid]: expect.objectContaining({ hold: false }),
        [call.agentCallSid]: expect.objectContaining({ hold: false }),
        [bobCall]: expect.objectContaining({ hold: false }),
      });

      const done = await callFunction(stack, '/voice/complete-transfer', { Token: token('alice'), taskSid: call.taskSid });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ agentRemoved: true, newAgentJoined: true, customerOnHold: false, originalTaskStatus: 'wrapping' });
      expect(await participants(call)).toEqual({ [call.customerCallSid]: expect.objectContaining({ hold: false }), [bobCall]: expect.anything() });
      expect((await taskOf(stack, call.taskSid)).status).toBe('wrapping');
      expect(customerLive(call)).toBe(true);
    });

    test('cancel before anyone answers: the transfer task is canceled and the customer comes off hold', async () => {
      const call = await startCall('alice');
      const res = await callFunction(stack, '/voice/transfer', { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.queues.sales, mode: 'warm' });
      expect(res.status).toBe(200);
      const c = await callFunction(stack, '/voice/cancel-transfer', { Token: token('alice'), taskSid: call.taskSid });
      expect(c.status).toBe(200);
      expect(c.body).toMatchObject({ transferCanceled: true, customerOnHold: false });
      expect(await participants(call)).toEqual({ [call.customerCallSid]: expect.objectContaining({ hold: false }), [call.agentCallSid]: expect.anything() });
      expect(await liveTransferTasks(call)).toHaveLength(0);
    });
  });

  test('the functions ran on this runtime, and every assignment callback and TwiML fetch reached it', () => {
    if (runtime === 'emulator') expect(served.emulatorInvocations().length).toBeGreaterThan(10);
    else expect(served.emulatorInvocations()).toEqual([]);
    const calls = served.webhooks().filter((w) => w.url.includes('/voice/assignment') || w.url.includes('/voice/join-conference'));
    expect(calls.length).toBeGreaterThan(10);
    expect(calls.filter((w) => w.status !== 200)).toEqual([]);
  });
});

describe('faults injected at every Twilio call of each voice flow', () => {
  /** Never dropped; never on hold without the first agent on the call or a transfer on its way. */
  async function expectCustomerSafe(call: Call, ctx: string) {
    expect({ ctx, customerLive: customerLive(call) }).toEqual({ ctx, customerLive: true });
    const ps = await participants(call);
    expect({ ctx, customerIn: !!ps[call.customerCallSid] }).toEqual({ ctx, customerIn: true });
    const live = await liveTransferTasks(call);
    if (ps[call.customerCallSid].hold) {
      const agentThere = !!ps[call.agentCallSid];
      // A transfer task not yet taken, or taken with the new agent's call on its way.
      const coming = live.length > 0;
      expect({ ctx, heldWithHelp: agentThere || coming }).toEqual({ ctx, heldWithHelp: true });
    }
    expect({ ctx, atMostOneTransfer: live.length <= 1 }).toEqual({ ctx, atMostOneTransfer: true });
  }

  for (const mode of ['blind', 'warm'] as const) {
    test(`${mode} transfer`, async () => {
      const call = await startCall('alice');
      const request = () => callFunction(stack, '/voice/transfer', { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.queues.sales, mode });
      const { runs } = await sweepFaults({
        emu,
        scenario: emu.snapshot(),
        run: request,
        functionPath: '/voice/transfer',
        check: async (r, ctx) => {
          await expectCustomerSafe(call, ctx);
          if (process.env.SHOW_FAULTS) console.log(`${mode}: ${ctx}`);
          // Repeating the request finishes the transfer, with one transfer task.
          const again = await request();
          await emu.whenIdle();
          expect({ ctx, repeat: again.status, body: again.status === 200 ? null : again.text }).toEqual({ ctx, repeat: 200, body: null });
          await expectCustomerSafe(call, `${ctx}, repeated`);
          const ps = await participants(call);
          expect({ ctx, held: ps[call.customerCallSid]?.hold, agent1: !!ps[call.agentCallSid], transfers: (await liveTransferTasks(call)).length }).toEqual({
            ctx,
            held: true,
            agent1: mode === 'warm',
            transfers: 1,
          });
          expect({ ctx, original: (await taskOf(stack, call.taskSid)).status }).toEqual({ ctx, original: mode === 'warm' ? 'assigned' : 'wrapping' });
        },
      });
      expect(runs).toBeGreaterThan(15);
    });
  }

  test('warm transfer, second step (complete)', async () => {
    const call = await startCall('alice');
    await setActivity(stack, ['bob'], 'Available');
    const r = await callFunction(stack, '/voice/transfer', { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.workers.bob, mode: 'warm' });
    expect(r.status).toBe(200);
    const bobCall = await newAgentAnswers('bob');
    const request = () => callFunction(stack, '/voice/complete-transfer', { Token: token('alice'), taskSid: call.taskSid });
    await sweepFaults({
      emu,
      scenario: emu.snapshot(),
      kinds: ['500', 'lost-response'],
      run: request,
      functionPath: '/voice/complete-transfer',
      check: async (res, ctx) => {
        await expectCustomerSafe(call, ctx);
        const ps = await participants(call);
        expect({ ctx, held: ps[call.customerCallSid].hold, bob: !!ps[bobCall] }).toEqual({ ctx, held: false, bob: true });
        const again = await request();
        await emu.whenIdle();
        expect({ ctx, repeat: again.status, agent1: !!(await participants(call))[call.agentCallSid], original: (await taskOf(stack, call.taskSid)).status }).toEqual({
          ctx,
          repeat: 200,
          agent1: false,
          original: 'wrapping',
        });
      },
    });
  });
});
