/**
 * Conformance: every implemented TaskRouter, Flex, Conversations and API 2010
 * (voice) operation is exercised through the real SDK with the core's spec
 * checker on (`specCheck`): each request's parameters and each response body
 * (paging included) must match the official OpenAPI specs. Prints coverage
 * (operations exercised / implemented / in the spec) per product.
 */
import { startReceiver, startTestEmulator, type TestEmu } from './taskrouter.helpers';
import { flexSeedSids, type VoiceNetworkApi } from '../../emulator';

const PRODUCTS = ['taskrouter_v1', 'flex_v1', 'conversations_v1', 'api_v2010'];

describe('conformance with the OpenAPI specs', () => {
  let t: TestEmu;
  beforeAll(async () => {
    t = await startTestEmulator({ specCheck: true });
  });
  afterAll(() => t.stop());

  /** Lists with PageSize=1 and follows every next page (the SDK's paging over the emulator's URLs). */
  async function pages<T>(list: (o: { pageSize: number; limit?: number }) => Promise<T[]>): Promise<T[]> {
    return list({ pageSize: 1 });
  }

  test('every implemented operation conforms to the specs', async () => {
    const rx = await startReceiver();
    const sids = flexSeedSids(t.accountSid);
    const c = t.client;
    const trw = c.taskrouter.v1.workspaces;
    const ws = trw(sids.workspace);

    // ---- TaskRouter ----
    await pages((o) => trw.list(o));
    const other = await trw.create({ friendlyName: 'Conformance', template: 'FIFO', eventCallbackUrl: `${rx.url}/events` });
    await trw(other.sid).fetch();
    await trw(other.sid).update({ friendlyName: 'Conformance 2', prioritizeQueueOrder: 'LIFO' });
    await trw.list({ friendlyName: 'Conformance 2' });

    const act = await ws.activities.create({ friendlyName: 'Training', available: false });
    await pages((o) => ws.activities.list(o));
    await ws.activities.list({ available: 'true' });
    await ws.activities(act.sid).fetch();
    await ws.activities(act.sid).update({ friendlyName: 'Training 2' });
    await ws.activities(act.sid).remove();

    const ch = await ws.taskChannels.create({ friendlyName: 'Callback', uniqueName: 'callback', channelOptimizedRouting: true });
    await pages((o) => ws.taskChannels.list(o));
    await ws.taskChannels(ch.sid).fetch();
    await ws.taskChannels(ch.sid).update({ friendlyName: 'Callbacks' });
    await ws.taskChannels(ch.sid).remove();

    const q = await ws.taskQueues.create({ friendlyName: 'Sales', targetWorkers: "routing.skills HAS 'sales'", maxReservedWorkers: 2, reservationActivitySid: sids.activities.Unavailable });
    await pages((o) => ws.taskQueues.list(o));
    await ws.taskQueues.list({ workerSid: sids.workers.alice });
    await ws.taskQueues(q.sid).fetch();
    await ws.taskQueues(q.sid).update({ taskOrder: 'LIFO', reservationActivitySid: sids.activities.Break });
    await ws.taskQueues(q.sid).statistics().fetch();
    await ws.taskQueues(q.sid).realTimeStatistics().fetch();
    await ws.taskQueues(q.sid).cumulativeStatistics().fetch({ minutes: 60 });
    await ws.taskQueues.statistics.list({ pageSize: 1 });
    await ws.taskQueues.bulkRealTimeStatistics.create({ task_queue_sids: [q.sid, sids.everyoneQueue] } as never);

    const cfg = JSON.stringify({
      task_routing: {
        filters: [{ filter_friendly_name: 'Sales', expression: "type == 'sales'", targets: [{ queue: q.sid, timeout: 30 }, { queue: sids.everyoneQueue }] }],
        default_filter: { queue: sids.everyoneQueue },
      },
    });
    const wf = await ws.workflows.create({ friendlyName: 'Conformance', configuration: cfg, assignmentCallbackUrl: `${rx.url}/assign`, taskReservationTimeout: 60 });
    await pages((o) => ws.workflows.list(o));
    await ws.workflows(wf.sid).fetch();
    await ws.workflows(wf.sid).update({ friendlyName: 'Conformance 2', reEvaluateTasks: 'true' });
    await ws.workflows(wf.sid).statistics().fetch();
    await ws.workflows(wf.sid).realTimeStatistics().fetch();
    await ws.workflows(wf.sid).cumulativeStatistics().fetch();

    const worker = await ws.workers.create({
      friendlyName: 'erin',
      attributes: JSON.stringify({ routing: { skills: ['sales'] }, contact_uri: 'client:erin' }),
      activitySid: sids.activities.Available,
    });
    await pages((o) => ws.workers.list(o));
    await ws.workers.list({ available: 'true', targetWorkersExpression: "routing.skills HAS 'sales'" });
    await ws.workers(worker.sid).fetch();
    await ws.workers(worker.sid).update({ attributes: JSON.stringify({ routing: { skills: ['sales', 'support'] }, contact_uri: 'client:erin' }) });
    await pages((o) => ws.workers(worker.sid).workerChannels.list(o));
    const wc = await ws.workers(worker.sid).workerChannels('chat').fetch();
    await ws.workers(worker.sid).workerChannels(wc.sid).update({ capacity: 2 });
    await ws.workers(worker.sid).statistics().fetch();
    await ws.workers.statistics().fetch();
    await ws.workers.realTimeStatistics().fetch();
    await ws.workers.cumulativeStatistics().fetch();

    const task = await ws.tasks.create({ attributes: JSON.stringify({ type: 'sales' }), workflowSid: wf.sid, taskChannel: 'chat', priority: 1 });
    await t.emu.whenIdle();
    await pages((o) => ws.tasks.list(o));
    await ws.tasks.list({ assignmentStatus: ['reserved'], ordering: 'DateCreated:desc' });
    await ws.tasks(task.sid).fetch();
    await ws.tasks(task.sid).update({ priority: 2 });
    const [res] = await pages((o) => ws.tasks(task.sid).reservations.list(o));
    await ws.tasks(task.sid).reservations(res.sid).fetch();
    await ws.workers(worker.sid).reservations.list({ pageSize: 1 });
    await ws.workers(worker.sid).reservations(res.sid).fetch();
    await ws.tasks(task.sid).reservations(res.sid).update({ reservationStatus: 'accepted' });
    await ws.workers(worker.sid).reservations(res.sid).update({ reservationStatus: 'wrapping' });
    await ws.tasks(task.sid).update({ assignmentStatus: 'completed', reason: 'done' });
    await ws.tasks(task.sid).remove();
    await ws.workers(worker.sid).remove();

    const evs = await pages((o) => ws.events.list({ ...o, limit: 3 }));
    await ws.events(evs[0].sid).fetch();
    await ws.statistics().fetch();
    await ws.realTimeStatistics().fetch();
    await ws.cumulativeStatistics().fetch({ splitByWaitTime: '10,60' });
    await ws.workflows(wf.sid).remove();
    await ws.taskQueues(q.sid).remove();
    await trw(other.sid).remove();

    // ---- Conversations (account-level and service-scoped) ----
    const conv = await c.conversations.v1.conversations.create({ friendlyName: 'Conformance', uniqueName: 'conformance', attributes: '{}' });
    const service = conv.chatServiceSid;
    // The service-scoped list has the same call shape as the account-level one.
    const scopes = [c.conversations.v1.conversations, c.conversations.v1.services(service).conversations as unknown as typeof c.conversations.v1.conversations];
    for (const scope of scopes) {
      const cv = await scope.create({ friendlyName: 'scoped', 'timers.inactive': 'PT10M' } as never);
      await pages((o) => scope.list(o));
      await scope(cv.sid).fetch();
      await scope(cv.sid).update({ state: 'active', attributes: '{"a":1}' });
      const p = await scope(cv.sid).participants.create({ identity: `id-${cv.sid}`, attributes: '{}' });
      await pages((o) => scope(cv.sid).participants.list(o));
      await scope(cv.sid).participants(p.sid).fetch();
      await scope(cv.sid).participants(p.sid).update({ attributes: '{"b":2}' });
      const m = await scope(cv.sid).messages.create({ author: `id-${cv.sid}`, body: 'hello' });
      await scope(cv.sid).messages.create({ body: 'again' });
      await pages((o) => scope(cv.sid).messages.list(o));
      await scope(cv.sid).messages(m.sid).fetch();
      await scope(cv.sid).messages(m.sid).update({ body: 'edited' });
      await scope(cv.sid).messages(m.sid).deliveryReceipts.list();
      await scope(cv.sid)
        .messages(m.sid)
        .deliveryReceipts('DY' + '0'.repeat(32))
        .fetch()
        .catch(() => undefined);
      const wh = await scope(cv.sid).webhooks.create({ target: 'webhook', 'configuration.url': `${rx.url}/conv`, 'configuration.filters': ['onMessageAdded'] } as never);
      await scope(cv.sid).webhooks.list();
      await scope(cv.sid).webhooks(wh.sid).fetch();
      await scope(cv.sid)
        .webhooks(wh.sid)
        .update({ 'configuration.method': 'post' } as never);
      await scope(cv.sid).webhooks(wh.sid).remove();
      await scope(cv.sid).messages(m.sid).remove();
      await scope(cv.sid).participants(p.sid).remove();
      await scope(cv.sid).remove();
    }

    // ---- Flex ----
    await c.flexApi.v1.configuration().fetch();
    await c.flexApi.v1.configuration().update({ account_sid: t.accountSid, ui_attributes: { conformance: true } } as never);
    await ws.workers(sids.workers.alice).update({ activitySid: sids.activities.Available });
    await c.conversations.v1.conversations(conv.sid).participants.create({ identity: 'customer' });
    const interaction = await c.flexApi.v1.interaction.create({
      channel: { type: 'chat', initiated_by: 'customer', properties: { media_channel_sid: conv.sid } },
      routing: { properties: { workspace_sid: sids.workspace, workflow_sid: sids.assignToAnyoneWorkflow, task_channel_unique_name: 'chat', attributes: { a: 1 } } },
    });
    await c.flexApi.v1.interaction(interaction.sid).fetch();
    await c.flexApi.v1.interaction(interaction.sid).update({ webhookTtid: 'flex_interactionwebhook_1' });
    const [channel] = await pages((o) => c.flexApi.v1.interaction(interaction.sid).channels.list(o));
    await c.flexApi.v1.interaction(interaction.sid).channels(channel.sid).fetch();
    const itask = (interaction.routing as { properties: { sid: string } }).properties.sid;
    const [ires] = await ws.tasks(itask).reservations.list();
    await ws.tasks(itask).reservations(ires.sid).update({ reservationStatus: 'accepted' });
    const parts = await pages((o) => c.flexApi.v1.interaction(interaction.sid).channels(channel.sid).participants.list(o));
    const ext = await c.flexApi.v1
      .interaction(interaction.sid)
      .channels(channel.sid)
      .participants.create({ type: 'external', mediaProperties: { identity: 'ext' } });
    await c.flexApi.v1.interaction(interaction.sid).channels(channel.sid).participants(ext.sid).update({ status: 'closed' });
    const inv = await c.flexApi.v1
      .interaction(interaction.sid)
      .channels(channel.sid)
      .invites.create({ routing: { properties: { workspace_sid: sids.workspace, workflow_sid: sids.assignToAnyoneWorkflow, task_channel_unique_name: 'chat', attributes: { b: 2 } } } });
    expect(inv.sid).toMatch(/^KG/);
    await pages((o) => c.flexApi.v1.interaction(interaction.sid).channels(channel.sid).invites.list(o));
    const agent = parts.find((p) => p.type === 'agent')!;
    const transfer = await c.flexApi.v1
      .interaction(interaction.sid)
      .channels(channel.sid)
      .transfers.create({ type: 'cold', from: agent.sid, to: sids.workers.bob } as never);
    await c.flexApi.v1.interaction(interaction.sid).channels(channel.sid).transfers(transfer.sid).fetch();
    await c.flexApi.v1
      .interaction(interaction.sid)
      .channels(channel.sid)
      .transfers(transfer.sid)
      .update({ status: 'completed' } as never);
    await c.flexApi.v1.interaction(interaction.sid).channels(channel.sid).participants(agent.sid).update({ status: 'wrapup' });
    await c.flexApi.v1
      .interaction(interaction.sid)
      .channels(channel.sid)
      .update({ status: 'closed', routing: { status: 'closed' } });

    // ---- API 2010 voice ----
    const voice = t.emu.core.apiOf<VoiceNetworkApi>('api')!;
    await ws.workers(sids.workers.bob).update({ activitySid: sids.activities.Available });
    const call = await c.calls.create({
      to: '+15551230000',
      from: '+15559870000',
      twiml: `<Response><Enqueue workflowSid="${sids.assignToAnyoneWorkflow}"><Task>{}</Task></Enqueue></Response>`,
      statusCallback: `${rx.url}/status`,
      statusCallbackEvent: ['initiated', 'answered', 'completed'],
    });
    await t.emu.whenIdle();
    const [vtask] = await ws.tasks.list({ assignmentStatus: ['reserved'] });
    const [vres] = await ws.tasks(vtask.sid).reservations.list();
    await ws
      .tasks(vtask.sid)
      .reservations(vres.sid)
      .update({ instruction: 'conference', from: '+15559870000' } as never);
    await t.emu.whenIdle();
    voice.answerRinging(t.accountSid, 'client:bob');
    await t.emu.whenIdle();
    await pages((o) => c.calls.list(o));
    await c.calls(call.sid).fetch();
    const [conf] = await pages((o) => c.conferences.list(o));
    await c.conferences(conf.sid).fetch();
    const added = await c.conferences(conf.sid).participants.create({ from: '+15559870000', to: '+15557770000', label: 'expert' });
    await t.emu.whenIdle();
    await pages((o) => c.conferences(conf.sid).participants.list(o));
    await c.conferences(conf.sid).participants(call.sid).fetch();
    await c.conferences(conf.sid).participants(call.sid).update({ hold: true, holdUrl: 'https://example.com/hold' });
    await c.conferences(conf.sid).participants(added.callSid).remove();
    await c.calls(call.sid).update({ twiml: '<Response><Say>bye</Say></Response>' });
    await c.conferences(conf.sid).update({ status: 'completed' });
    await c.calls(call.sid).remove();
    await t.emu.whenIdle();
    await rx.close();

    // ---- verdict ----
    // API 2010's host-relative `*_uri` fields are checked as URI references by the core.
    const violations = t.emu.spec.violations();
    expect(violations).toEqual([]);
    const coverage = t.emu.spec.coverage();
    const lines: string[] = [];
    for (const name of PRODUCTS) {
      const p = coverage.products[name];
      expect(p).toBeDefined();
      // Everything implemented was exercised here.
      expect(p.implementedOperations.filter((op) => !p.exercisedOperations.includes(op))).toEqual([]);
      lines.push(`${name}: exercised ${p.exercised} / implemented ${p.implemented} / in spec ${p.specOperations}`);
    }
    expect(coverage.products.taskrouter_v1.implemented).toBe(coverage.products.taskrouter_v1.specOperations);
    process.stdout.write(`spec coverage:\n  ${lines.join('\n  ')}\n`);
  });
});
