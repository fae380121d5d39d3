/**
 * Assignment callbacks (signed POST, instructions in the answer, fallback
 * URL) and Events (the list with its filters, and event callbacks with
 * Twilio's form parameters and events_filter).
 */
import { startReceiver, startTestEmulator, type Receiver, type TestEmu } from './taskrouter.helpers';
import { flexSeedSids, type FlexSeedSids } from '../../emulator';

describe('assignment callbacks and events', () => {
  let t: TestEmu;
  let sids: FlexSeedSids;
  let rx: Receiver;
  const ws = () => t.client.taskrouter.v1.workspaces(sids.workspace);
  const token = () => t.emu.credentials.authToken;

  beforeAll(async () => {
    t = await startTestEmulator();
    sids = flexSeedSids(t.accountSid);
  });
  beforeEach(async () => {
    t.emu.reset();
    rx = await startReceiver();
    await ws().workers(sids.workers.alice).update({ activitySid: sids.activities.Available });
  });
  afterEach(() => rx.close());
  afterAll(() => t.stop());

  test('a reservation POSTs the assignment callback, signed, with task/worker/reservation parameters; "accept" accepts it', async () => {
    rx.answer('/assign', { instruction: 'accept' });
    await ws()
      .workflows(sids.assignToAnyoneWorkflow)
      .update({ assignmentCallbackUrl: `${rx.url}/assign` });
    const task = await ws().tasks.create({ attributes: JSON.stringify({ customer: 'c1' }), taskChannel: 'chat' });
    await t.emu.whenIdle();
    const cb = rx.received.find((r) => r.path === '/assign')!;
    expect(cb.validFor(token())).toBe(true);
    expect(cb.validFor('wrong-token')).toBe(false);
    const [res] = await ws().tasks(task.sid).reservations.list();
    expect(cb.params).toMatchObject({
      AccountSid: t.accountSid,
      WorkspaceSid: sids.workspace,
      WorkflowSid: sids.assignToAnyoneWorkflow,
      TaskQueueSid: sids.everyoneQueue,
      TaskSid: task.sid,
      WorkerSid: sids.workers.alice,
      ReservationSid: res.sid,
      TaskPriority: '0',
      TaskAge: '0',
    });
    expect(JSON.parse(cb.params.TaskAttributes)).toEqual({ customer: 'c1' });
    expect(JSON.parse(cb.params.WorkerAttributes).contact_uri).toBe('client:alice');
    expect(res.reservationStatus).toBe('accepted');
    expect((await ws().tasks(task.sid).fetch()).assignmentStatus).toBe('assigned');
  });

  test('"reject" with activity_sid rejects and moves the worker; an empty answer leaves the reservation pending', async () => {
    rx.answer('/assign', { instruction: 'reject', activity_sid: sids.activities.Break });
    await ws()
      .workflows(sids.assignToAnyoneWorkflow)
      .update({ assignmentCallbackUrl: `${rx.url}/assign` });
    const task = await ws().tasks.create({ taskChannel: 'chat' });
    await t.emu.whenIdle();
    expect((await ws().tasks(task.sid).reservations.list()).map((r) => r.reservationStatus)).toEqual(['rejected']);
    expect((await ws().workers(sids.workers.alice).fetch()).activityName).toBe('Break');

    // Bob gets the task; an empty 200 answer is no instruction.
    rx.answer('/assign', '');
    await ws().workers(sids.workers.bob).update({ activitySid: sids.activities.Available });
    await t.emu.whenIdle();
    t.emu.clock.advance(60_000);
    const res = await ws().tasks(task.sid).reservations.list();
    expect(res.map((r) => `${r.workerName}:${r.reservationStatus}`)).toEqual(['alice:rejected', 'bob:pending']);
  });

  test('a failing assignment callback falls back to FallbackAssignmentCallbackUrl', async () => {
    rx.answer('/broken', { message: 'boom' }, 500);
    rx.answer('/fallback', { instruction: 'accept' });
    await ws()
      .workflows(sids.assignToAnyoneWorkflow)
      .update({ assignmentCallbackUrl: `${rx.url}/broken`, fallbackAssignmentCallbackUrl: `${rx.url}/fallback` });
    const task = await ws().tasks.create({ taskChannel: 'chat' });
    await t.emu.whenIdle();
    expect(rx.received.map((r) => r.path)).toEqual(['/broken', '/fallback']);
    expect((await ws().tasks(task.sid).fetch()).assignmentStatus).toBe('assigned');
  });

  test("event callbacks: signed form POSTs with Twilio's parameters, filtered by events_filter", async () => {
    await ws().update({ eventCallbackUrl: `${rx.url}/events`, eventsFilter: 'task.created,task.canceled,reservation.created' });
    const task = await ws().tasks.create({ attributes: JSON.stringify({ a: 1 }), taskChannel: 'chat', timeout: 120 });
    const [res] = await ws().tasks(task.sid).reservations.list();
    await ws().tasks(task.sid).update({ assignmentStatus: 'canceled', reason: 'customer left' });
    await t.emu.whenIdle();
    const got = rx.received.filter((r) => r.path === '/events');
    expect(got.map((r) => r.params.EventType)).toEqual(['task.created', 'reservation.created', 'task.canceled']);
    for (const r of got) expect(r.validFor(token())).toBe(true);
    const canceled = got[2].params;
    expect(canceled).toMatchObject({
      AccountSid: t.accountSid,
      WorkspaceSid: sids.workspace,
      WorkspaceName: 'Flex Task Assignment',
      ResourceType: 'task',
      ResourceSid: task.sid,
      TaskSid: task.sid,
      TaskAssignmentStatus: 'canceled',
      TaskCanceledReason: 'customer left',
      TaskQueueSid: sids.everyoneQueue,
      TaskChannelUniqueName: 'chat',
      WorkflowSid: sids.assignToAnyoneWorkflow,
    });
    expect(JSON.parse(canceled.TaskAttributes)).toEqual({ a: 1 });
    expect(Number(canceled.Timestamp)).toBe(Math.floor(t.emu.clock.now() / 1000));
    expect(canceled.EventDescription).toContain('canceled');
    expect(got[1].params).toMatchObject({ ReservationSid: res.sid, WorkerSid: sids.workers.alice, WorkerName: 'alice' });
  });

  test('task.canceled is sent for TTL and workflow timeouts too', async () => {
    await ws().update({ eventCallbackUrl: `${rx.url}/events`, eventsFilter: 'task.canceled,workflow.timeout' });
    const nobody = await ws().taskQueues.create({ friendlyName: 'Nobody', targetWorkers: '1==2' });
    const wf = await ws().workflows.create({
      friendlyName: 'Timeout',
      configuration: JSON.stringify({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: nobody.sid, timeout: 10 }] }] } }),
    });
    const a = await ws().tasks.create({ workflowSid: wf.sid });
    const b = await ws().tasks.create({ workflowSid: wf.sid, timeout: 5 });
    t.emu.clock.advance(10_000);
    await t.emu.whenIdle();
    const got = rx.received.map((r) => `${r.params.EventType}:${r.params.TaskSid}:${r.params.TaskCanceledReason ?? ''}`);
    expect(got).toEqual([`task.canceled:${b.sid}:Task TTL Exceeded`, `workflow.timeout:${a.sid}:`, `task.canceled:${a.sid}:Task canceled on Workflow timeout`]);
  });

  test('Events list: newest first, filters by EventType, TaskSid, WorkerSid, ReservationSid, Minutes; fetch by SID', async () => {
    const task = await ws().tasks.create({ taskChannel: 'chat' });
    const [res] = await ws().tasks(task.sid).reservations.list();
    await ws().tasks(task.sid).reservations(res.sid).update({ reservationStatus: 'accepted' });
    const all = await ws().events.list({ taskSid: task.sid });
    expect(all[0].eventType).toBe('reservation.accepted');
    expect((await ws().events.list({ eventType: 'reservation.created' })).map((e) => e.resourceSid)).toEqual([res.sid]);
    expect((await ws().events.list({ reservationSid: res.sid })).map((e) => e.eventType).sort()).toEqual(['reservation.accepted', 'reservation.created']);
    expect((await ws().events.list({ workerSid: sids.workers.alice })).map((e) => e.eventType)).toContain('worker.activity.update');
    const one = await ws().events(all[0].sid).fetch();
    expect(one.eventData).toMatchObject({ task_sid: task.sid, worker_sid: sids.workers.alice, reservation_sid: res.sid });
    t.emu.clock.advance(10 * 60_000);
    await ws().tasks(task.sid).update({ assignmentStatus: 'completed' });
    const recent = await ws().events.list({ minutes: 5 });
    expect(recent.map((e) => e.eventType).sort()).toEqual(['reservation.completed', 'task.completed', 'task.updated']);
  });
});
