/**
 * Routing in the emulator (the routing engine driving TaskRouter state):
 * filters, targets, known-worker routing, target expressions, queue
 * membership, availability, capacity, target timeouts on the manual clock,
 * skip_if, default_filter, workflow timeout, TTL, re-routing after reject or
 * timeout, multi-reservation, priority, ReEvaluateTasks, direct routing.
 */
import { startTestEmulator, twilioError, type TestEmu } from './taskrouter.helpers';
import { flexSeedSids, type FlexSeedSids } from '../../emulator';

describe('routing', () => {
  let t: TestEmu;
  let sids: FlexSeedSids;
  const ws = () => t.client.taskrouter.v1.workspaces(sids.workspace);
  const available = (...names: string[]) => Promise.all(names.map((n) => ws().workers(sids.workers[n]).update({ activitySid: sids.activities.Available })));
  const reservations = async (taskSid: string) => (await ws().tasks(taskSid).reservations.list()).map((r) => `${r.workerName}:${r.reservationStatus}`);
  const status = async (taskSid: string) => (await ws().tasks(taskSid).fetch()).assignmentStatus;
  const events = async (taskSid: string) => (await ws().events.list({ taskSid })).map((e) => e.eventType).reverse();
  let salesQueue: string;
  let nobodyQueue: string;

  const workflow = (config: unknown, extra: Record<string, unknown> = {}) => ws().workflows.create({ friendlyName: `wf-${Math.random()}`, configuration: JSON.stringify(config), ...extra });

  beforeEach(async () => {
    t.emu.reset();
    salesQueue = (await ws().taskQueues.create({ friendlyName: 'Sales', targetWorkers: "routing.skills HAS 'sales'" })).sid;
    nobodyQueue = (await ws().taskQueues.create({ friendlyName: 'Nobody', targetWorkers: '1==2' })).sid;
  });
  beforeAll(async () => {
    t = await startTestEmulator();
    sids = flexSeedSids(t.accountSid);
  });
  afterAll(() => t.stop());

  test('the first matching filter wins; unmatched tasks use default_filter; queue membership follows target_workers', async () => {
    await available('alice', 'bob', 'carol', 'dave');
    const wf = await workflow({
      task_routing: {
        filters: [{ filter_friendly_name: 'Sales', expression: "type == 'sales'", targets: [{ queue: salesQueue }] }],
        default_filter: { queue: sids.everyoneQueue },
      },
    });
    const sale = await ws().tasks.create({ attributes: JSON.stringify({ type: 'sales' }), workflowSid: wf.sid, taskChannel: 'voice' });
    expect(sale.taskQueueFriendlyName).toBe('Sales');
    const [r] = await ws().tasks(sale.sid).reservations.list();
    expect(['alice', 'carol']).toContain(r.workerName);
    const other = await ws().tasks.create({ attributes: JSON.stringify({ type: 'billing' }), workflowSid: wf.sid, taskChannel: 'voice' });
    expect(other.taskQueueFriendlyName).toBe('Everyone');
    expect(await events(sale.sid)).toEqual(['workflow.entered', 'task-queue.entered', 'task.created', 'workflow.target-matched', 'reservation.created']);
  });

  test('the longest idle available worker is offered first; unavailable workers never are', async () => {
    await available('bob');
    t.emu.clock.advance(1000);
    await available('alice');
    const task = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow, taskChannel: 'voice' });
    expect(await reservations(task.sid)).toEqual(['bob:pending']);
  });

  test('target expressions exclude workers (worker.sid NOT IN task.workerSidsInConversation)', async () => {
    await available('alice', 'carol');
    const wf = await workflow({
      task_routing: {
        filters: [{ expression: "transferQueueName == 'Sales'", targets: [{ queue: salesQueue, expression: 'worker.sid NOT IN task.workerSidsInConversation' }] }],
      },
    });
    const task = await ws().tasks.create({
      attributes: JSON.stringify({ transferQueueName: 'Sales', workerSidsInConversation: [sids.workers.alice] }),
      workflowSid: wf.sid,
      taskChannel: 'chat',
    });
    expect(await reservations(task.sid)).toEqual(['carol:pending']);
  });

  test('known worker routing reserves only that worker and waits while it is unavailable', async () => {
    await available('alice', 'bob');
    const wf = await workflow({
      task_routing: { filters: [{ expression: "transferTargetType == 'worker'", targets: [{ queue: sids.everyoneQueue, known_worker_sid: 'task.transferTargetSid' }] }] },
    });
    const direct = await ws().tasks.create({ attributes: JSON.stringify({ transferTargetType: 'worker', transferTargetSid: sids.workers.bob }), workflowSid: wf.sid, taskChannel: 'chat' });
    expect(await reservations(direct.sid)).toEqual(['bob:pending']);
    const waiting = await ws().tasks.create({ attributes: JSON.stringify({ transferTargetType: 'worker', transferTargetSid: sids.workers.dave }), workflowSid: wf.sid, taskChannel: 'chat' });
    expect(await status(waiting.sid)).toBe('pending');
    await available('dave');
    expect(await reservations(waiting.sid)).toEqual(['dave:pending']);
  });

  test('known_worker_friendly_name matches case-insensitively', async () => {
    await available('alice', 'carol');
    const wf = await workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: sids.everyoneQueue, known_worker_friendly_name: 'task.agent' }] }] } });
    const task = await ws().tasks.create({ attributes: JSON.stringify({ agent: 'CAROL' }), workflowSid: wf.sid, taskChannel: 'chat' });
    expect(await reservations(task.sid)).toEqual(['carol:pending']);
  });

  test('channel capacity: voice 1 holds the second voice task until the first completes; chat 3 takes three at once', async () => {
    await available('alice');
    const v1 = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow, taskChannel: 'voice' });
    const v2 = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow, taskChannel: 'voice' });
    expect(await status(v2.sid)).toBe('pending');
    const chats = [];
    for (let i = 0; i < 4; i++) chats.push(await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow, taskChannel: 'chat' }));
    expect(await Promise.all(chats.map((c) => status(c.sid)))).toEqual(['reserved', 'reserved', 'reserved', 'pending']);
    const wc = await ws().workers(sids.workers.alice).workerChannels('chat').fetch();
    expect(wc.availableCapacityPercentage).toBe(0);
    const [r1] = await ws().tasks(v1.sid).reservations.list();
    await ws().tasks(v1.sid).reservations(r1.sid).update({ reservationStatus: 'accepted' });
    expect(await status(v2.sid)).toBe('pending');
    await ws().tasks(v1.sid).update({ assignmentStatus: 'wrapping' });
    expect(await status(v2.sid)).toBe('pending');
    await ws().tasks(v1.sid).update({ assignmentStatus: 'completed' });
    expect(await reservations(v2.sid)).toEqual(['alice:pending']);
  });

  test('a worker channel marked unavailable takes no tasks on that channel', async () => {
    await available('alice');
    await ws().workers(sids.workers.alice).workerChannels('chat').update({ available: false });
    const chat = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow, taskChannel: 'chat' });
    expect(await status(chat.sid)).toBe('pending');
    await ws().workers(sids.workers.alice).workerChannels('chat').update({ available: true });
    expect(await status(chat.sid)).toBe('reserved');
  });

  test('target timeouts are cumulative on task age and move the task on the clock', async () => {
    await available('bob');
    const wf = await workflow({
      task_routing: {
        filters: [{ expression: '1==1', targets: [{ queue: nobodyQueue, timeout: 10 }, { queue: nobodyQueue, timeout: 5, priority: 7 }, { queue: sids.everyoneQueue }] }],
      },
    });
    const task = await ws().tasks.create({ workflowSid: wf.sid, taskChannel: 'voice' });
    expect(task.taskQueueFriendlyName).toBe('Nobody');
    t.emu.clock.advance(9_999);
    expect(await status(task.sid)).toBe('pending');
    t.emu.clock.advance(1);
    const mid = await ws().tasks(task.sid).fetch();
    expect(mid.priority).toBe(7);
    expect(mid.assignmentStatus).toBe('pending');
    t.emu.clock.advance(5_000);
    const after = await ws().tasks(task.sid).fetch();
    expect(after.taskQueueFriendlyName).toBe('Everyone');
    expect(await reservations(task.sid)).toEqual(['bob:pending']);
    const ev = await events(task.sid);
    expect(ev.filter((e) => e === 'task-queue.timeout').length).toBe(2);
    expect(ev).toContain('task-queue.moved');
  });

  test('the last target timing out cancels the task on Workflow timeout (not the default_filter)', async () => {
    const wf = await workflow({
      task_routing: { filters: [{ expression: '1==1', targets: [{ queue: nobodyQueue, timeout: 30 }] }], default_filter: { queue: sids.everyoneQueue } },
    });
    const task = await ws().tasks.create({ workflowSid: wf.sid });
    t.emu.clock.advance(30_000);
    const after = await ws().tasks(task.sid).fetch();
    expect(after.assignmentStatus).toBe('canceled');
    expect(after.reason).toBe('Task canceled on Workflow timeout');
    expect(await events(task.sid)).toEqual(expect.arrayContaining(['workflow.timeout', 'task.canceled']));
  });

  test('the last target timing out moves the task to the next filter that matches; none matching cancels it', async () => {
    await available('alice');
    const wf = await workflow({
      task_routing: {
        filters: [
          { filter_friendly_name: 'First', expression: '1==1', targets: [{ queue: nobodyQueue, timeout: 30 }] },
          { filter_friendly_name: 'Not this one', expression: "type == 'other'", targets: [{ queue: nobodyQueue }] },
          { filter_friendly_name: 'Sales', expression: "type == 'sales'", targets: [{ queue: salesQueue }] },
        ],
        default_filter: { queue: sids.everyoneQueue },
      },
    });
    const task = await ws().tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify({ type: 'sales' }), taskChannel: 'voice' });
    t.emu.clock.advance(30_000);
    const moved = await ws().tasks(task.sid).fetch();
    expect(moved.taskQueueFriendlyName).toBe('Sales');
    expect(await reservations(task.sid)).toEqual(['alice:pending']);
    const lone = await ws().tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify({ type: 'billing' }), taskChannel: 'voice' });
    t.emu.clock.advance(30_000);
    const after = await ws().tasks(lone.sid).fetch();
    expect(after.assignmentStatus).toBe('canceled');
    expect(after.reason).toBe('Task canceled on Workflow timeout');
  });

  test('skip_if skips a target nobody can take now; after the last target it continues with later filters and default_filter', async () => {
    await available('dave');
    const wf = await workflow({
      task_routing: {
        filters: [
          { filter_friendly_name: 'Sales first', expression: '1==1', targets: [{ queue: salesQueue, skip_if: 'workers.available == 0' }] },
          { filter_friendly_name: 'Never', expression: "x == 'never'", targets: [{ queue: salesQueue }] },
        ],
        default_filter: { queue: sids.everyoneQueue },
      },
    });
    const task = await ws().tasks.create({ workflowSid: wf.sid, taskChannel: 'voice' });
    expect((await ws().tasks(task.sid).fetch()).taskQueueFriendlyName).toBe('Everyone');
    expect(await reservations(task.sid)).toEqual(['dave:pending']);
    expect(await events(task.sid)).toContain('workflow.skipped');
    // With a sales worker available the first target is not skipped.
    await available('carol');
    const task2 = await ws().tasks.create({ workflowSid: wf.sid, taskChannel: 'voice' });
    expect((await ws().tasks(task2.sid).fetch()).taskQueueFriendlyName).toBe('Sales');
  });

  test('skip_if is only evaluated on entering a target (a later change does not skip a waiting task)', async () => {
    const wf = await workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: salesQueue, skip_if: 'workers.available == 0' }, { queue: nobodyQueue }] }] } });
    await available('carol');
    await ws().workers(sids.workers.carol).workerChannels('voice').update({ capacity: 0 });
    const task = await ws().tasks.create({ workflowSid: wf.sid, taskChannel: 'voice' });
    expect((await ws().tasks(task.sid).fetch()).taskQueueFriendlyName).toBe('Sales');
    await ws().workers(sids.workers.carol).update({ activitySid: sids.activities.Offline });
    expect((await ws().tasks(task.sid).fetch()).taskQueueFriendlyName).toBe('Sales');
  });

  test('no matching filter and no default_filter: the task is canceled', async () => {
    const wf = await workflow({ task_routing: { filters: [{ expression: "type == 'x'", targets: [{ queue: salesQueue }] }] } });
    const task = await ws().tasks.create({ attributes: JSON.stringify({ type: 'y' }), workflowSid: wf.sid });
    const after = await ws().tasks(task.sid).fetch();
    expect(after.assignmentStatus).toBe('canceled');
    expect(after.reason).toMatch(/did not match any filter/);
  });

  test('reservation timeout: the worker goes to the timeout activity and the task is re-routed to the next worker', async () => {
    await available('alice');
    t.emu.clock.advance(1000);
    await available('bob');
    const wf = await workflow({ task_routing: { default_filter: { queue: sids.everyoneQueue } } }, { taskReservationTimeout: 5 });
    const task = await ws().tasks.create({ workflowSid: wf.sid, taskChannel: 'voice' });
    expect(await reservations(task.sid)).toEqual(['alice:pending']);
    t.emu.clock.advance(5_000);
    expect(await reservations(task.sid)).toEqual(['alice:timeout', 'bob:pending']);
    expect((await ws().workers(sids.workers.alice).fetch()).activityName).toBe('Offline');
    expect(await events(task.sid)).toContain('reservation.timeout');
  });

  test('reject: the task is re-routed; WorkerActivitySid moves the rejecting worker', async () => {
    await available('alice');
    t.emu.clock.advance(1000);
    await available('bob');
    const task = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow, taskChannel: 'voice' });
    const [r] = await ws().tasks(task.sid).reservations.list();
    await ws().tasks(task.sid).reservations(r.sid).update({ reservationStatus: 'rejected', workerActivitySid: sids.activities.Break });
    expect(await reservations(task.sid)).toEqual(['alice:rejected', 'bob:pending']);
    expect((await ws().workers(sids.workers.alice).fetch()).activityName).toBe('Break');
    const bad = await twilioError(ws().tasks(task.sid).reservations(r.sid).update({ reservationStatus: 'accepted' }));
    expect(bad.message).toMatch(/status is rejected/);
  });

  test('a rejecting worker who stays available is offered the task again', async () => {
    await available('alice');
    const task = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow, taskChannel: 'voice' });
    const [r] = await ws().tasks(task.sid).reservations.list();
    await ws().workers(sids.workers.alice).reservations(r.sid).update({ reservationStatus: 'rejected' });
    expect(await reservations(task.sid)).toEqual(['alice:rejected', 'alice:pending']);
  });

  test('max_reserved_workers creates several reservations; the first accept rescinds the others', async () => {
    await available('alice', 'carol');
    await ws().taskQueues(salesQueue).update({ maxReservedWorkers: 2 });
    const wf = await workflow({ task_routing: { default_filter: { queue: salesQueue } } });
    const task = await ws().tasks.create({ workflowSid: wf.sid, taskChannel: 'voice' });
    const res = await ws().tasks(task.sid).reservations.list();
    expect(res.length).toBe(2);
    await ws().tasks(task.sid).reservations(res[1].sid).update({ reservationStatus: 'accepted' });
    const after = (await ws().tasks(task.sid).reservations.list()).map((r) => r.reservationStatus).sort();
    expect(after).toEqual(['accepted', 'rescinded']);
    expect(await status(task.sid)).toBe('assigned');
  });

  test('higher priority is assigned first, then the oldest', async () => {
    const low = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow, taskChannel: 'voice', priority: 1 });
    t.emu.clock.advance(1000);
    const high = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow, taskChannel: 'voice', priority: 10 });
    t.emu.clock.advance(1000);
    const high2 = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow, taskChannel: 'voice', priority: 10 });
    await available('alice');
    expect(await status(high.sid)).toBe('reserved');
    expect(await status(high2.sid)).toBe('pending');
    expect(await status(low.sid)).toBe('pending');
  });

  test('a target priority overrides the task priority', async () => {
    const wf = await workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: nobodyQueue, priority: '50' }] }] } });
    const task = await ws().tasks.create({ workflowSid: wf.sid, priority: 3 });
    expect((await ws().tasks(task.sid).fetch()).priority).toBe(50);
  });

  test('TTL: a task not assigned within Timeout is canceled with "Task TTL Exceeded"', async () => {
    const task = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow, timeout: 60 });
    t.emu.clock.advance(60_000);
    const after = await ws().tasks(task.sid).fetch();
    expect(after.assignmentStatus).toBe('canceled');
    expect(after.reason).toBe('Task TTL Exceeded');
  });

  test('ended tasks are deleted 5 minutes later (task.system-deleted)', async () => {
    const task = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow });
    await ws().tasks(task.sid).update({ assignmentStatus: 'canceled' });
    t.emu.clock.advance(4 * 60_000);
    expect(await status(task.sid)).toBe('canceled');
    t.emu.clock.advance(60_000);
    expect((await twilioError(ws().tasks(task.sid).fetch())).status).toBe(404);
    expect((await ws().events.list({ eventType: 'task.system-deleted' })).map((e) => e.resourceSid)).toContain(task.sid);
  });

  test("updating a waiting task's attributes re-evaluates the workflow", async () => {
    await available('carol');
    await ws().workers(sids.workers.carol).workerChannels('voice').update({ capacity: 1 });
    const wf = await workflow({ task_routing: { filters: [{ expression: "type == 'sales'", targets: [{ queue: salesQueue }] }], default_filter: { queue: nobodyQueue } } });
    const task = await ws().tasks.create({ attributes: JSON.stringify({ type: 'other' }), workflowSid: wf.sid, taskChannel: 'voice' });
    expect((await ws().tasks(task.sid).fetch()).taskQueueFriendlyName).toBe('Nobody');
    await ws()
      .tasks(task.sid)
      .update({ attributes: JSON.stringify({ type: 'sales' }) });
    expect(await reservations(task.sid)).toEqual(['carol:pending']);
  });

  test('ReEvaluateTasks moves waiting tasks to the new configuration; without it they keep the old logic', async () => {
    const wf = await workflow({ task_routing: { default_filter: { queue: nobodyQueue } } });
    const task = await ws().tasks.create({ workflowSid: wf.sid, taskChannel: 'voice' });
    await ws()
      .workflows(wf.sid)
      .update({ configuration: JSON.stringify({ task_routing: { default_filter: { queue: salesQueue } } }) });
    expect((await ws().tasks(task.sid).fetch()).taskQueueFriendlyName).toBe('Nobody');
    await ws()
      .workflows(wf.sid)
      .update({ configuration: JSON.stringify({ task_routing: { default_filter: { queue: sids.everyoneQueue } } }), reEvaluateTasks: 'true' });
    expect((await ws().tasks(task.sid).fetch()).taskQueueFriendlyName).toBe('Everyone');
  });

  test('time-of-day filters read the emulator clock (UTC)', async () => {
    const wf = await workflow({
      task_routing: { filters: [{ expression: 'taskrouter.currentTime >= 900 AND taskrouter.currentTime < 1700', targets: [{ queue: salesQueue }] }], default_filter: { queue: nobodyQueue } },
    });
    const day = await ws().tasks.create({ workflowSid: wf.sid });
    expect(day.taskQueueFriendlyName).toBe('Sales'); // 12:00 UTC
    t.emu.clock.advance(6 * 3600_000);
    const night = await ws().tasks.create({ workflowSid: wf.sid });
    expect(night.taskQueueFriendlyName).toBe('Nobody');
  });

  test('direct routing to a worker ignores capacity by default; a rejected direct task is canceled', async () => {
    const task = await ws().tasks.create({ routingTarget: sids.workers.dave, taskChannel: 'chat', workflowSid: sids.assignToAnyoneWorkflow });
    expect(task.routingTarget).toBe(sids.workers.dave);
    expect(task.ignoreCapacity).toBe(true);
    const [r] = await ws().tasks(task.sid).reservations.list();
    expect(r.workerName).toBe('dave');
    await ws().tasks(task.sid).reservations(r.sid).update({ reservationStatus: 'rejected' });
    const after = await ws().tasks(task.sid).fetch();
    expect(after.assignmentStatus).toBe('canceled');
  });

  test('deadlines survive snapshot/restore (re-armed from state)', async () => {
    const wf = await workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: nobodyQueue, timeout: 20 }, { queue: sids.everyoneQueue }] }] } });
    const task = await ws().tasks.create({ workflowSid: wf.sid });
    const snap = t.emu.snapshot();
    t.emu.restore(snap);
    t.emu.clock.advance(20_000);
    expect((await ws().tasks(task.sid).fetch()).taskQueueFriendlyName).toBe('Everyone');
  });

  test("RejectPendingReservations with an unavailable activity rejects the worker's pending reservations", async () => {
    await available('alice');
    const task = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow, taskChannel: 'voice' });
    await ws().workers(sids.workers.alice).update({ activitySid: sids.activities.Break, rejectPendingReservations: true });
    expect(await reservations(task.sid)).toEqual(['alice:rejected']);
    expect(await status(task.sid)).toBe('pending');
  });
});
