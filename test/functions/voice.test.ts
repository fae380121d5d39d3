/**
 * Voice transfer functions against the FakeWorld: blind and warm sequences,
 * the assignment instruction and the join TwiML, and a fault at every single
 * Twilio call of each flow: the customer is never dropped, never left on hold
 * without an agent on the call or a transfer on its way, and every failure
 * names its step.
 */
import { FakeWorld, VOICE_WF, WS } from './helpers/fake-twilio';
import { invoke, useWorld } from './helpers/harness';

function setup(opts: { agentEndsConference?: boolean } = {}) {
  const world = new FakeWorld();
  useWorld(world);
  const alice = world.addWorker('Alice');
  const bob = world.addWorker('Bob');
  const carol = world.addWorker('Carol');
  const sales = world.addQueue('Sales');
  const call = world.startCall(alice, opts);
  return { world, alice, bob, carol, sales, call, token: world.token(alice) };
}

type World = ReturnType<typeof setup>;

function liveTransfers(w: World) {
  return [...w.world.tasks.values()].filter((t) => t.attributes.originalTaskSid === w.call.task.sid && ['pending', 'reserved', 'assigned'].includes(t.status));
}

/** The never-drop-the-customer invariant. */
function expectCustomerSafe(w: World, context: string) {
  const { world, call } = w;
  expect({ context, dropped: world.dropped }).toEqual({ context, dropped: [] });
  const customer = world.confParticipant(call.conferenceSid, call.customerCallSid);
  expect({ context, customerInConference: !!customer }).toEqual({ context, customerInConference: true });
  if (customer!.hold) {
    const agentThere = !!world.confParticipant(call.conferenceSid, call.agentCallSid);
    const transferComing = liveTransfers(w).some((t) => t.status === 'pending' || t.status === 'reserved');
    expect({ context, heldWithHelp: agentThere || transferComing }).toEqual({ context, heldWithHelp: true });
  }
}

describe('voice/transfer blind', () => {
  test('to a worker: hold, task with requested_agent + conference + original SID, agent leg removed, original wrapping', async () => {
    const w = setup();
    const { world, bob, call, token } = w;
    const res = await invoke('voice/transfer', { Token: token, taskSid: call.task.sid, targetSid: bob, mode: 'blind' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'blind', agentRemoved: true, customerOnHold: true, originalTaskStatus: 'wrapping' });
    const t = world.tasks.get(String(res.body.transferTaskSid))!;
    expect(t.workflowSid).toBe(VOICE_WF);
    expect(t.taskChannel).toBe('voice');
    expect(t.attributes).toMatchObject({
      requested_agent: bob,
      desired_queue: null,
      transferMode: 'blind',
      originalTaskSid: call.task.sid,
      conference: { sid: call.conferenceSid, room_name: call.task.sid, participants: { customer: call.customerCallSid, worker: call.agentCallSid } },
      transferCallerId: '+15550002222',
      from: '+15550001111',
    });
    expect(world.confParticipant(call.conferenceSid, call.customerCallSid)!.hold).toBe(true);
    expect(world.confParticipant(call.conferenceSid, call.agentCallSid)).toBeUndefined();
    expect(world.tasks.get(call.task.sid)!.status).toBe('wrapping');
    expectCustomerSafe(w, 'blind');
    // Order: hold, create, remove, wrap.
    const c = world.calls;
    const hold = c.indexOf('updateConferenceParticipant');
    expect(hold).toBeLessThan(c.indexOf('createTask'));
    expect(c.indexOf('createTask')).toBeLessThan(c.indexOf('removeConferenceParticipant'));
    expect(c.indexOf('removeConferenceParticipant')).toBeLessThan(c.lastIndexOf('updateTaskStatus'));
  });

  test('the agent leg ending the conference on exit is neutralized before removal (customer not dropped)', async () => {
    const w = setup({ agentEndsConference: true });
    const res = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.sales, mode: 'blind', originalTaskAction: 'complete' });
    expect(res.status).toBe(200);
    expect(w.world.dropped).toEqual([]);
    expect(w.world.tasks.get(w.call.task.sid)!.status).toBe('completed');
    expect(w.world.tasks.get(String(res.body.transferTaskSid))!.attributes).toMatchObject({ desired_queue: w.sales, requested_agent: null });
  });

  test('creating the task fails: the customer comes off hold and the error names the step', async () => {
    const w = setup();
    w.world.fail({ method: 'createTask', status: 400 });
    const res = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body).toMatchObject({ success: false, failedStep: 'create-transfer-task', customerOnHold: false, agentRemoved: false });
    expect(w.world.confParticipant(w.call.conferenceSid, w.call.customerCallSid)!.hold).toBe(false);
    expect(w.world.confParticipant(w.call.conferenceSid, w.call.agentCallSid)).toBeDefined();
    expect(liveTransfers(w)).toHaveLength(0);
  });

  test('create answer lost: the created task is found by request id and used (no duplicate)', async () => {
    const w = setup();
    w.world.fail({ method: 'createTask', kind: 'lost' });
    const res = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob });
    expect(res.status).toBe(200);
    expect(liveTransfers(w)).toHaveLength(1);
    expect(res.body.transferTaskSid).toBe(liveTransfers(w)[0].sid);
  });

  test('removing the agent fails: rolled back (transfer canceled, customer off hold, agent still on)', async () => {
    const w = setup();
    w.world.fail({ method: 'removeConferenceParticipant', status: 500, times: 5 });
    const res = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ failedStep: 'remove-agent', rolledBack: true, transferCanceled: true, customerOnHold: false, agentRemoved: false });
    expect(liveTransfers(w)).toHaveLength(0);
    expect(w.world.tasks.get(w.call.task.sid)!.status).toBe('assigned');
  });

  test('wrapping the original fails: reported with the transfer in place; repeating finishes it', async () => {
    const w = setup();
    w.world.fail({ method: 'updateTaskStatus', status: 500, times: 3 });
    const res = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ failedStep: 'finish-original-task', agentRemoved: true, customerOnHold: true });
    expectCustomerSafe(w, 'wrap failed');
    const again = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ reused: true, transferTaskSid: res.body.transferTaskSid, originalTaskStatus: 'wrapping' });
    expect(liveTransfers(w)).toHaveLength(1);
  });

  test('another transfer in progress: 409; other agent: 403; supervisor: allowed', async () => {
    const w = setup();
    const first = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob, mode: 'warm' });
    expect(first.status).toBe(200);
    const second = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.sales, mode: 'warm' });
    expect(second.status).toBe(409);
    expect(second.body.error).toBe('transfer_in_progress');
    const other = await invoke('voice/transfer', { Token: w.world.token(w.carol), taskSid: w.call.task.sid, targetSid: w.bob, mode: 'warm' });
    expect(other.status).toBe(403);
    const sup = await invoke('voice/transfer', { Token: w.world.token(w.carol, ['supervisor']), taskSid: w.call.task.sid, targetSid: w.bob, mode: 'warm' });
    expect(sup.status).toBe(200);
    expect(sup.body.reused).toBe(true);
  });

  test('a task without a conference: 409; voice disabled: 409', async () => {
    const w = setup();
    const t = w.world.createRawTask({ call_sid: 'CA' + '1'.repeat(32) }, { channel: 'voice' });
    w.world.acceptTask(t.sid, w.alice);
    const a = await invoke('voice/transfer', { Token: w.token, taskSid: t.sid, targetSid: w.bob });
    expect(a.status).toBe(409);
    expect(a.body.error).toBe('no_conference');
    const b = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob }, { env: { FLEX_TRANSFER_VOICE_ENABLED: 'false' } });
    expect(b.status).toBe(409);
    expect(b.body.error).toBe('feature_disabled');
  });
});

describe('voice/transfer warm', () => {
  test('hold, task, agent stays; new agent joins (customer off hold, three-way); complete removes agent and wraps', async () => {
    const w = setup();
    const { world, bob, call, token } = w;
    const res = await invoke('voice/transfer', { Token: token, taskSid: call.task.sid, targetSid: bob, mode: 'warm' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'warm', agentRemoved: false, customerOnHold: true });
    const transferSid = String(res.body.transferTaskSid);
    expect(world.confParticipant(call.conferenceSid, call.agentCallSid)).toBeDefined();
    expect(world.confParticipant(call.conferenceSid, call.customerCallSid)!.hold).toBe(true);
    expectCustomerSafe(w, 'warm started');

    // TaskRouter reserves Bob: the assignment callback answers a call instruction.
    const reservationSid = world.reserve(transferSid, bob);
    const assign = await invoke('voice/assignment', {
      WorkspaceSid: WS,
      TaskSid: transferSid,
      WorkerSid: bob,
      ReservationSid: reservationSid,
      TaskAttributes: JSON.stringify(world.tasks.get(transferSid)!.attributes),
      WorkerAttributes: JSON.stringify({ contact_uri: 'client:bob' }),
    });
    expect(assign.status).toBe(200);
    // Not accepted by the instruction: join-conference accepts once Bob answers.
    expect(assign.body).toMatchObject({ instruction: 'call', to: 'client:bob', from: '+15550002222', accept: false });
    const url = new URL(String(assign.body.url));
    expect(url.host).toBe('transfers-1234-dev.twil.io');
    expect(url.pathname).toBe('/voice/join-conference');
    expect(url.searchParams.get('reservationSid')).toBe(reservationSid);
    expect(world.tasks.get(transferSid)!.status).toBe('reserved');

    // Bob answers: Twilio fetches the join URL; the reservation is accepted then.
    const bobCall = world.joinConference(call.conferenceSid);
    const join = await invoke('voice/join-conference', { ...Object.fromEntries(url.searchParams), CallSid: bobCall, From: '+15550002222', To: 'client:bob' });
    expect(join.status).toBe(200);
    expect(join.headers['Content-Type']).toBe('text/xml');
    expect(join.text).toContain(`<Dial><Conference startConferenceOnEnter="true" endConferenceOnExit="false" beep="false">${call.task.sid}</Conference></Dial>`);
    expect(world.confParticipant(call.conferenceSid, call.customerCallSid)!.hold).toBe(false);
    expect(world.tasks.get(transferSid)!.status).toBe('assigned');
    // Three-way: customer, Alice, Bob.
    expect(world.conferences.get(call.conferenceSid)!.participants.size).toBe(3);
    expect((world.tasks.get(transferSid)!.attributes.conference as { participants: { worker: string } }).participants.worker).toBe(bobCall);

    const done = await invoke('voice/complete-transfer', { Token: token, taskSid: call.task.sid });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ agentRemoved: true, newAgentJoined: true, customerOnHold: false, originalTaskStatus: 'wrapping' });
    expect(world.confParticipant(call.conferenceSid, call.agentCallSid)).toBeUndefined();
    expect(world.conferences.get(call.conferenceSid)!.participants.size).toBe(2);
    expectCustomerSafe(w, 'warm completed');
  });

  test('cancel before anyone takes it: task canceled, customer off hold; blind cannot be canceled', async () => {
    const w = setup();
    const res = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.sales, mode: 'warm' });
    const c = await invoke('voice/cancel-transfer', { Token: w.token, taskSid: w.call.task.sid });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ transferTaskSid: res.body.transferTaskSid, transferCanceled: true, customerOnHold: false });
    expect(w.world.confParticipant(w.call.conferenceSid, w.call.customerCallSid)!.hold).toBe(false);
    const w2 = setup();
    await invoke('voice/transfer', { Token: w2.token, taskSid: w2.call.task.sid, targetSid: w2.sales, mode: 'blind' });
    const c2 = await invoke('voice/cancel-transfer', { Token: w2.token, taskSid: w2.call.task.sid });
    expect(c2.status).toBe(409);
  });

  test('a warm transfer nobody takes (task canceled by TaskRouter): the event takes the customer off hold', async () => {
    const w = setup();
    const res = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.sales, mode: 'warm' });
    w.world.setTaskStatus(String(res.body.transferTaskSid), 'canceled');
    const ev = await invoke('chat/taskrouter-events', { EventType: 'task.canceled', TaskSid: res.body.transferTaskSid, WorkspaceSid: WS });
    expect(ev.body).toMatchObject({ kind: 'voice', unheld: true });
    expect(w.world.confParticipant(w.call.conferenceSid, w.call.customerCallSid)!.hold).toBe(false);
  });

  test('reservation.accepted backup: unholds only once the new agent leg is in the conference', async () => {
    const w = setup();
    const res = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob, mode: 'blind' });
    const sid = String(res.body.transferTaskSid);
    const early = await invoke('chat/taskrouter-events', { EventType: 'reservation.accepted', TaskSid: sid, WorkspaceSid: WS });
    expect(early.body).toMatchObject({ kind: 'voice', unheld: false });
    expect(w.world.confParticipant(w.call.conferenceSid, w.call.customerCallSid)!.hold).toBe(true);
    w.world.joinConference(w.call.conferenceSid);
    const late = await invoke('chat/taskrouter-events', { EventType: 'reservation.accepted', TaskSid: sid, WorkspaceSid: WS });
    expect(late.body).toMatchObject({ unheld: true });
  });
});

describe('voice callbacks', () => {
  test('assignment: not a transfer task -> no instruction; no contact_uri -> reject', async () => {
    const w = setup();
    const a = await invoke('voice/assignment', { WorkspaceSid: WS, TaskSid: w.call.task.sid, WorkerSid: w.bob, TaskAttributes: '{}', WorkerAttributes: '{}' });
    expect(a.status).toBe(200);
    expect(a.body).toEqual({});
    const res = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob, mode: 'warm' });
    const attrs = JSON.stringify(w.world.tasks.get(String(res.body.transferTaskSid))!.attributes);
    const b = await invoke('voice/assignment', { WorkspaceSid: WS, TaskSid: res.body.transferTaskSid, WorkerSid: w.bob, TaskAttributes: attrs, WorkerAttributes: '{}' });
    expect(b.body).toEqual({ instruction: 'reject' });
  });

  test('join-conference after the reservation timed out: the agent is hung up, the customer stays on hold', async () => {
    const w = setup();
    const res = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob, mode: 'blind' });
    const transferSid = String(res.body.transferTaskSid);
    const wr = w.world.reserve(transferSid, w.bob);
    w.world.tasks.get(transferSid)!.reservations.find((r) => r.sid === wr)!.status = 'timeout';
    const join = await invoke('voice/join-conference', { originalTaskSid: w.call.task.sid, transferTaskSid: transferSid, conferenceSid: w.call.conferenceSid, customerCallSid: w.call.customerCallSid, reservationSid: wr, CallSid: 'CA' + '7'.repeat(32) });
    expect(join.status).toBe(200);
    expect(join.text).toContain('<Hangup/>');
    expect(w.world.confParticipant(w.call.conferenceSid, w.call.customerCallSid)!.hold).toBe(true);
  });

  test('join-conference validates its parameters (400 naming the field) and escapes the name', async () => {
    const w = setup();
    const bad = await invoke('voice/join-conference', { originalTaskSid: 'WT<x>', transferTaskSid: 'WT' + '1'.repeat(32), conferenceSid: w.call.conferenceSid, customerCallSid: w.call.customerCallSid });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('originalTaskSid');
    const { escapeXml } = await import('../../functions/lib/params.private');
    expect(escapeXml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  });
});

describe('a fault at every Twilio call: the customer is never dropped and the failure is named', () => {
  const flows: Array<{ name: string; run: (w: World) => Promise<{ status: number; body: Record<string, unknown> }> }> = [
    { name: 'blind to worker', run: (w) => invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob, mode: 'blind' }) },
    { name: 'blind to queue', run: (w) => invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.sales, mode: 'blind' }) },
    { name: 'warm start', run: (w) => invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob, mode: 'warm' }) },
    {
      name: 'warm complete',
      run: async (w) => {
        w.world.clearFaults();
        return invoke('voice/complete-transfer', { Token: w.token, taskSid: w.call.task.sid });
      },
    },
  ];

  for (const flow of flows) {
    test(flow.name, async () => {
      const prepare = async (w: World) => {
        if (flow.name === 'warm complete') {
          const r = await invoke('voice/transfer', { Token: w.token, taskSid: w.call.task.sid, targetSid: w.bob, mode: 'warm' });
          w.world.acceptTask(String(r.body.transferTaskSid), w.bob);
          w.world.joinConference(w.call.conferenceSid);
          w.world.confParticipant(w.call.conferenceSid, w.call.customerCallSid)!.hold = false;
        }
      };
      // Count the calls of a clean run.
      const clean = setup();
      await prepare(clean);
      const before = clean.world.count();
      const ok = await flow.run(clean);
      expect(ok.status).toBe(200);
      const n = clean.world.count() - before;
      expect(n).toBeGreaterThan(3);
      for (let i = 1; i <= n; i++) {
        for (const kind of ['error', 'lost'] as const) {
          for (const status of kind === 'error' ? [500, 429, 400] : [0]) {
            const w = setup();
            await prepare(w);
            w.world.fail({ method: '*', nth: i, kind, status, times: kind === 'error' && status !== 400 ? 3 : 1 });
            const r = await flow.run(w);
            const ctx = `${flow.name}: ${kind} ${status} at call ${i}`;
            if (r.status !== 200) {
              expect({ ctx, status: r.status < 600 && r.status >= 400 }).toEqual({ ctx, status: true });
              expect({ ctx, named: typeof r.body.error === 'string' && typeof r.body.message === 'string' }).toEqual({ ctx, named: true });
            }
            expectCustomerSafe(w, ctx);
            // At most one live transfer task, ever.
            expect({ ctx, live: liveTransfers(w).length <= 1 }).toEqual({ ctx, live: true });
          }
        }
      }
    });
  }
});
