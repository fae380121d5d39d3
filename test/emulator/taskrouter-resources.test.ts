/**
 * TaskRouter resources over HTTP with the real SDK: create/fetch/list/update/
 * delete and Twilio's rules (uniqueness, immutability, deletion guards,
 * validation errors naming the field), as the adopt/destroy flows need.
 */
import { raw, startTestEmulator, twilioError, type TestEmu } from './taskrouter.helpers';
import { flexSeedSids, type FlexSeedSids } from '../../emulator';

describe('TaskRouter resources', () => {
  let t: TestEmu;
  let sids: FlexSeedSids;
  const ws = () => t.client.taskrouter.v1.workspaces(sids.workspace);

  beforeAll(async () => {
    t = await startTestEmulator();
    sids = flexSeedSids(t.accountSid);
  });
  afterAll(() => t.stop());
  afterEach(() => t.emu.reset());

  describe('workspaces', () => {
    test('a new workspace gets Offline/Available/Unavailable and the default channels; FIFO adds Sample Queue and Default Fifo Workflow', async () => {
      const w = await t.client.taskrouter.v1.workspaces.create({ friendlyName: 'Support', template: 'FIFO', eventCallbackUrl: 'http://127.0.0.1:9/events' });
      expect(w.sid).toMatch(/^WS[0-9a-f]{32}$/);
      expect(w.defaultActivityName).toBe('Offline');
      expect(w.timeoutActivityName).toBe('Offline');
      expect(w.eventCallbackUrl).toBe('http://127.0.0.1:9/events');
      const acts = await t.client.taskrouter.v1.workspaces(w.sid).activities.list();
      expect(acts.map((a) => `${a.friendlyName}:${a.available}`)).toEqual(['Offline:false', 'Available:true', 'Unavailable:false']);
      const chans = await t.client.taskrouter.v1.workspaces(w.sid).taskChannels.list();
      expect(chans.map((c) => c.uniqueName)).toEqual(expect.arrayContaining(['default', 'voice', 'chat', 'sms']));
      const queues = await t.client.taskrouter.v1.workspaces(w.sid).taskQueues.list();
      expect(queues.map((q) => `${q.friendlyName}:${q.targetWorkers}`)).toEqual(['Sample Queue:1==1']);
      const wfs = await t.client.taskrouter.v1.workspaces(w.sid).workflows.list();
      expect(wfs.map((x) => x.friendlyName)).toEqual(['Default Fifo Workflow']);
      expect(JSON.parse(wfs[0].configuration).task_routing.default_filter.queue).toBe(queues[0].sid);
    });

    test('FriendlyName list filter, update of declared fields only, and delete', async () => {
      await t.client.taskrouter.v1.workspaces.create({ friendlyName: 'A' });
      const b = await t.client.taskrouter.v1.workspaces.create({ friendlyName: 'B' });
      expect((await t.client.taskrouter.v1.workspaces.list({ friendlyName: 'B' })).map((w) => w.sid)).toEqual([b.sid]);
      const updated = await t.client.taskrouter.v1.workspaces(b.sid).update({ eventsFilter: 'task.canceled' });
      expect(updated.friendlyName).toBe('B');
      expect(updated.eventsFilter).toBe('task.canceled');
      await t.client.taskrouter.v1.workspaces(b.sid).remove();
      expect(await twilioError(t.client.taskrouter.v1.workspaces(b.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    });

    test('missing FriendlyName -> 400 naming it; bad default activity -> 400 naming DefaultActivitySid', async () => {
      const missing = await raw(t, 'POST', '/taskrouter/v1/Workspaces', { EventCallbackUrl: 'http://127.0.0.1:9/x' });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ code: 20001, message: 'Missing required parameter FriendlyName in the post body', more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 });
      const bad = await twilioError(ws().update({ defaultActivitySid: 'WA' + '0'.repeat(32) }));
      expect(bad.status).toBe(400);
      expect(bad.message).toContain('DefaultActivitySid');
    });

    test("the Flex workspace can't become single-tasking or be deleted", async () => {
      expect((await twilioError(ws().update({ multiTaskEnabled: false }))).message).toContain('MultiTaskEnabled');
      expect((await twilioError(ws().remove())).status).toBe(400);
    });
  });

  describe('activities', () => {
    test('create, FriendlyName/Available filters, Available is immutable (ignored on update)', async () => {
      const a = await ws().activities.create({ friendlyName: 'Lunch', available: false });
      expect((await ws().activities.list({ friendlyName: 'Lunch' })).map((x) => x.sid)).toEqual([a.sid]);
      expect((await ws().activities.list({ available: 'true' })).map((x) => x.friendlyName)).toEqual(['Available']);
      const u = await ws()
        .activities(a.sid)
        .update({ friendlyName: 'Long Lunch', available: true } as never);
      expect(u.friendlyName).toBe('Long Lunch');
      expect(u.available).toBe(false);
    });

    test('duplicate friendly name -> 400; the default/timeout activity and one a worker is in cannot be deleted', async () => {
      const dup = await twilioError(ws().activities.create({ friendlyName: 'Available' }));
      expect(dup).toMatchObject({ status: 400, code: 20001 });
      const def = await twilioError(ws().activities(sids.activities.Offline).remove());
      expect(def.message).toMatch(/default_activity_sid/);
      await ws().workers(sids.workers.alice).update({ activitySid: sids.activities.Break });
      const used = await twilioError(ws().activities(sids.activities.Break).remove());
      expect(used.message).toContain(sids.workers.alice);
      const a = await ws().activities.create({ friendlyName: 'Temp' });
      await ws().activities(a.sid).remove();
      expect((await twilioError(ws().activities(a.sid).fetch())).status).toBe(404);
    });
  });

  describe('task channels', () => {
    test('unique_name is unique and immutable; new channels get a worker channel on every worker', async () => {
      const dup = await twilioError(ws().taskChannels.create({ friendlyName: 'Voice 2', uniqueName: 'voice' }));
      expect(dup.status).toBe(400);
      expect(dup.message).toContain('UniqueName');
      const c = await ws().taskChannels.create({ friendlyName: 'Callback', uniqueName: 'callback' });
      const u = await ws()
        .taskChannels(c.sid)
        .update({ friendlyName: 'Callbacks', uniqueName: 'other' } as never);
      expect(u.uniqueName).toBe('callback');
      expect(u.friendlyName).toBe('Callbacks');
      // Fetch by unique name works too.
      expect((await ws().taskChannels('callback').fetch()).sid).toBe(c.sid);
      const wc = await ws().workers(sids.workers.bob).workerChannels('callback').fetch();
      expect(wc.configuredCapacity).toBe(1);
    });

    test('a channel with live tasks cannot be deleted', async () => {
      await ws().tasks.create({ taskChannel: 'sms', workflowSid: sids.assignToAnyoneWorkflow });
      const err = await twilioError(ws().taskChannels(sids.channels.sms).remove());
      expect(err.status).toBe(400);
      expect(err.message).toMatch(/pending/);
    });
  });

  describe('task queues', () => {
    test("defaults, FriendlyName filter, unique name per workspace with Twilio's message", async () => {
      const q = await ws().taskQueues.create({ friendlyName: 'Sales', targetWorkers: "routing.skills HAS 'sales'" });
      expect(q.maxReservedWorkers).toBe(1);
      expect(q.taskOrder).toBe('FIFO');
      expect((await ws().taskQueues.list({ friendlyName: 'Sales' })).map((x) => x.sid)).toEqual([q.sid]);
      const dup = await twilioError(ws().taskQueues.create({ friendlyName: 'Sales' }));
      expect(dup).toMatchObject({ status: 400, code: 20001 });
      expect(dup.message).toBe(`Queue named Sales already exists for workspace ${sids.workspace} for account ${t.accountSid}`);
      expect((await twilioError(ws().taskQueues(q.sid).update({ friendlyName: 'Everyone' }))).status).toBe(400);
    });

    test('TargetWorkers syntax errors name the field; membership filters (WorkerSid, EvaluateWorkerAttributes)', async () => {
      const bad = await twilioError(ws().taskQueues.create({ friendlyName: 'Bad', targetWorkers: 'skill-level > 3' }));
      expect(bad.status).toBe(400);
      expect(bad.message).toContain('TargetWorkers');
      const q = await ws().taskQueues.create({ friendlyName: 'Billing', targetWorkers: "routing.skills HAS 'billing'" });
      const forDave = await ws().taskQueues.list({ workerSid: sids.workers.dave });
      expect(forDave.map((x) => x.friendlyName).sort()).toEqual(['Billing', 'Everyone']);
      const forBob = await ws().taskQueues.list({ workerSid: sids.workers.bob });
      expect(forBob.map((x) => x.sid)).not.toContain(q.sid);
      const evalAttrs = await ws().taskQueues.list({ evaluateWorkerAttributes: JSON.stringify({ routing: { skills: ['billing'] } }) });
      expect(evalAttrs.map((x) => x.friendlyName).sort()).toEqual(['Billing', 'Everyone']);
      const members = await ws().workers.list({ taskQueueSid: q.sid });
      expect(members.map((w) => w.friendlyName).sort()).toEqual(['carol', 'dave']);
    });

    test('MaxReservedWorkers is 1..50', async () => {
      const err = await twilioError(ws().taskQueues.create({ friendlyName: 'Many', maxReservedWorkers: 51 }));
      expect(err.message).toContain('MaxReservedWorkers');
    });

    test('a queue referenced by a workflow cannot be deleted until the workflow stops naming it', async () => {
      const q = await ws().taskQueues.create({ friendlyName: 'Temp' });
      const wf = await ws().workflows.create({ friendlyName: 'Uses Temp', configuration: JSON.stringify({ task_routing: { default_filter: { queue: q.sid } } }) });
      const err = await twilioError(ws().taskQueues(q.sid).remove());
      expect(err.status).toBe(400);
      expect(err.message).toContain(wf.sid);
      await ws()
        .workflows(wf.sid)
        .update({ configuration: JSON.stringify({ task_routing: { default_filter: { queue: sids.everyoneQueue } } }) });
      await ws().taskQueues(q.sid).remove();
      expect((await twilioError(ws().taskQueues(q.sid).fetch())).code).toBe(20404);
    });
  });

  describe('workflows', () => {
    test('configuration is validated: malformed JSON, expression syntax and unknown queue SIDs -> 400/20001 naming the problem', async () => {
      const json = await twilioError(ws().workflows.create({ friendlyName: 'x', configuration: '{"task_routing":' }));
      expect(json).toMatchObject({ status: 400, code: 20001 });
      expect(json.message).toMatch(/Configuration.*JSON/);
      const expr = await twilioError(
        ws().workflows.create({
          friendlyName: 'x',
          configuration: JSON.stringify({ task_routing: { filters: [{ filter_friendly_name: 'F', expression: 'type ==', targets: [{ queue: sids.everyoneQueue }] }] } }),
        }),
      );
      expect(expr.message).toContain('filters[0].expression');
      const queue = await twilioError(ws().workflows.create({ friendlyName: 'x', configuration: JSON.stringify({ task_routing: { default_filter: { queue: 'WQ' + '1'.repeat(32) } } }) }));
      expect(queue.message).toContain('default_filter.queue');
      expect(queue.message).toContain('WQ' + '1'.repeat(32));
    });

    test('missing Configuration -> 400 naming it; TaskReservationTimeout range; FriendlyName filter', async () => {
      const missing = await raw(t, 'POST', `/taskrouter/v1/Workspaces/${sids.workspace}/Workflows`, { FriendlyName: 'x' });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toBe('Missing required parameter Configuration in the post body');
      const cfg = JSON.stringify({ task_routing: { default_filter: { queue: sids.everyoneQueue } } });
      const timeout = await twilioError(ws().workflows.create({ friendlyName: 'x', configuration: cfg, taskReservationTimeout: 86_401 }));
      expect(timeout.message).toContain('TaskReservationTimeout');
      const wf = await ws().workflows.create({ friendlyName: 'Chat Transfer', configuration: cfg, taskReservationTimeout: 30 });
      expect(wf.taskReservationTimeout).toBe(30);
      expect(wf.documentContentType).toBe('application/json');
      expect((await ws().workflows.list({ friendlyName: 'Chat Transfer' })).map((w) => w.sid)).toEqual([wf.sid]);
    });

    test('update changes only declared fields', async () => {
      const wf = await ws().workflows(sids.assignToAnyoneWorkflow).update({ assignmentCallbackUrl: 'https://example.twil.io/assign' });
      expect(wf.assignmentCallbackUrl).toBe('https://example.twil.io/assign');
      expect(wf.friendlyName).toBe('Assign to Anyone');
      expect(JSON.parse(wf.configuration).task_routing.default_filter.queue).toBe(sids.everyoneQueue);
    });
  });

  describe('workers', () => {
    test('friendly names are unique case-insensitively; attributes must be JSON', async () => {
      const dup = await twilioError(ws().workers.create({ friendlyName: 'ALICE' }));
      expect(dup.status).toBe(400);
      expect(dup.message).toContain('friendly name');
      const bad = await twilioError(ws().workers.create({ friendlyName: 'eve', attributes: '{nope' }));
      expect(bad.status).toBe(400);
      expect(bad.message).toContain('Attributes');
    });

    test('new worker starts in the default activity; list filters by activity, availability and expression', async () => {
      const eve = await ws().workers.create({ friendlyName: 'eve', attributes: JSON.stringify({ routing: { skills: ['sales'] } }) });
      expect(eve.activityName).toBe('Offline');
      expect(eve.available).toBe(false);
      await ws().workers(sids.workers.alice).update({ activitySid: sids.activities.Available });
      expect((await ws().workers.list({ available: 'true' })).map((w) => w.friendlyName)).toEqual(['alice']);
      expect((await ws().workers.list({ activityName: 'Offline' })).length).toBe(4);
      expect((await ws().workers.list({ targetWorkersExpression: "routing.skills HAS 'sales'" })).map((w) => w.friendlyName)).toEqual(['alice', 'carol', 'eve']);
      const badExpr = await twilioError(ws().workers.list({ targetWorkersExpression: 'a ==' }));
      expect(badExpr.message).toContain('TargetWorkersExpression');
    });

    test('worker channel capacity and availability update', async () => {
      const wc = await ws().workers(sids.workers.bob).workerChannels('chat').update({ capacity: 5, available: false });
      expect(wc.configuredCapacity).toBe(5);
      expect(wc.available).toBe(false);
      expect(wc.availableCapacityPercentage).toBe(0);
      expect((await twilioError(ws().workers(sids.workers.bob).workerChannels('chat').update({ capacity: 51 }))).message).toContain('Capacity');
    });

    test('a worker with an assigned task cannot be deleted', async () => {
      await ws().workers(sids.workers.alice).update({ activitySid: sids.activities.Available });
      const task = await ws().tasks.create({ taskChannel: 'voice', workflowSid: sids.assignToAnyoneWorkflow });
      const [res] = await ws().tasks(task.sid).reservations.list();
      await ws().tasks(task.sid).reservations(res.sid).update({ reservationStatus: 'accepted' });
      expect((await twilioError(ws().workers(sids.workers.alice).remove())).status).toBe(400);
      await ws().tasks(task.sid).update({ assignmentStatus: 'completed', reason: 'done' });
      await ws().workers(sids.workers.alice).remove();
      expect((await twilioError(ws().workers(sids.workers.alice).fetch())).code).toBe(20404);
    });
  });

  describe('tasks', () => {
    test('attributes must be a JSON object; unknown channel or workflow name the parameter', async () => {
      expect((await twilioError(ws().tasks.create({ attributes: '[1]', workflowSid: sids.assignToAnyoneWorkflow }))).message).toContain('Attributes');
      expect((await twilioError(ws().tasks.create({ taskChannel: 'fax', workflowSid: sids.assignToAnyoneWorkflow }))).message).toContain('TaskChannel');
      expect((await twilioError(ws().tasks.create({ workflowSid: 'WW' + '2'.repeat(32) }))).message).toContain('WorkflowSid');
    });

    test('WorkflowSid may be omitted only when the workspace has a single workflow', async () => {
      const one = await ws().tasks.create({});
      expect(one.workflowSid).toBe(sids.assignToAnyoneWorkflow);
      await ws().workflows.create({ friendlyName: 'Second', configuration: JSON.stringify({ task_routing: { default_filter: { queue: sids.everyoneQueue } } }) });
      const err = await twilioError(ws().tasks.create({}));
      expect(err.message).toContain('WorkflowSid');
    });

    test('list filters: AssignmentStatus (comma list), TaskQueueSid, EvaluateTaskAttributes, Ordering; paging follows next_page_url', async () => {
      for (let i = 0; i < 5; i++) await ws().tasks.create({ attributes: JSON.stringify({ n: i }), priority: i % 2, workflowSid: sids.assignToAnyoneWorkflow });
      const pending = await ws().tasks.list({ assignmentStatus: ['pending', 'reserved'] });
      expect(pending.length).toBe(5);
      expect((await ws().tasks.list({ evaluateTaskAttributes: 'n >= 3' })).length).toBe(2);
      expect((await ws().tasks.list({ taskQueueSid: sids.everyoneQueue })).length).toBe(5);
      const ordered = await ws().tasks.list({ ordering: 'Priority:desc,DateCreated:asc' });
      expect(ordered.map((x) => JSON.parse(x.attributes).n)).toEqual([1, 3, 0, 2, 4]);
      const paged = await ws().tasks.list({ pageSize: 2 });
      expect(paged.length).toBe(5);
      const page = await ws().tasks.page({ pageSize: 2 });
      expect(page.instances.length).toBe(2);
      expect(page.nextPageUrl).toContain('PageToken=PA');
    });

    test('ETag / If-Match: a stale version -> 412 with Twilio error 20412 and nothing changes (task and reservation updates)', async () => {
      const task = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow });
      const res = await fetch(`${t.emu.baseUrl}/taskrouter/v1/Workspaces/${sids.workspace}/Tasks/${task.sid}`, {
        method: 'POST',
        headers: {
          Authorization: 'Basic ' + Buffer.from(`${t.accountSid}:${t.emu.credentials.authToken}`).toString('base64'),
          'Content-Type': 'application/x-www-form-urlencoded',
          'If-Match': '"999"',
        },
        body: 'Priority=5',
      });
      // Twilio: "If the ETag does not match the provided version, the operation will fail with a 412 response" (error 20412, Precondition failed).
      expect(res.status).toBe(412);
      expect(await res.json()).toMatchObject({ status: 412, code: 20412, more_info: 'https://www.twilio.com/docs/errors/20412' });
      expect((await ws().tasks(task.sid).fetch()).priority).toBe(0);
      // The SDK surfaces it as a RestException like any Twilio error.
      await expect(ws().tasks(task.sid).update({ priority: 7, ifMatch: '"999"' })).rejects.toMatchObject({ status: 412, code: 20412 });
      const fetched = await fetch(`${t.emu.baseUrl}/taskrouter/v1/Workspaces/${sids.workspace}/Tasks/${task.sid}`, {
        headers: { Authorization: 'Basic ' + Buffer.from(`${t.accountSid}:${t.emu.credentials.authToken}`).toString('base64') },
      });
      const etag = fetched.headers.get('etag')!;
      const ok = await fetch(`${t.emu.baseUrl}/taskrouter/v1/Workspaces/${sids.workspace}/Tasks/${task.sid}`, {
        method: 'POST',
        headers: {
          Authorization: 'Basic ' + Buffer.from(`${t.accountSid}:${t.emu.credentials.authToken}`).toString('base64'),
          'Content-Type': 'application/x-www-form-urlencoded',
          'If-Match': etag,
        },
        body: 'Priority=5',
      });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { priority: number }).priority).toBe(5);
    });

    test('unknown SIDs -> 404/20404 with the path', async () => {
      const e = await twilioError(
        ws()
          .tasks('WT' + '3'.repeat(32))
          .fetch(),
      );
      expect(e).toMatchObject({ status: 404, code: 20404 });
      expect(e.message).toContain(`/v1/Workspaces/${sids.workspace}/Tasks/WT${'3'.repeat(32)}`);
      expect((await twilioError(t.client.taskrouter.v1.workspaces('WS' + '4'.repeat(32)).workers.list())).status).toBe(404);
    });

    test('a task can only be completed once assigned, and canceled only before', async () => {
      const task = await ws().tasks.create({ workflowSid: sids.assignToAnyoneWorkflow });
      expect((await twilioError(ws().tasks(task.sid).update({ assignmentStatus: 'completed' }))).message).toMatch(/must be assigned or wrapping/);
      expect(
        (
          await twilioError(
            ws()
              .tasks(task.sid)
              .update({ assignmentStatus: 'assigned' as never }),
          )
        ).message,
      ).toContain('AssignmentStatus');
      const canceled = await ws().tasks(task.sid).update({ assignmentStatus: 'canceled', reason: 'no longer needed' });
      expect(canceled.assignmentStatus).toBe('canceled');
      expect(canceled.reason).toBe('no longer needed');
      expect((await twilioError(ws().tasks(task.sid).update({ attributes: '{}' }))).status).toBe(400);
      await ws().tasks(task.sid).remove();
      expect((await twilioError(ws().tasks(task.sid).fetch())).status).toBe(404);
    });
  });
});
