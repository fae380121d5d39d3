/**
 * Flex Interactions as the chat-transfer functions use them: an interaction
 * on a Conversation routes a task; accepting adds the agent; Invites create
 * transfer tasks (cold and warm); Participants close/wrapup complete or wrap
 * that agent's task; closing the channel wraps up and closes the
 * conversation. Plus the Flex Configuration merge rule.
 */
import { raw, startTestEmulator, twilioError, type TestEmu } from './taskrouter.helpers';
import { type ConversationsApi, flexSeedSids, type FlexSeedSids } from '../../emulator';

describe('Flex Interactions (chat transfer)', () => {
  let t: TestEmu;
  let sids: FlexSeedSids;
  let transferWorkflow: string;
  const tr = () => t.client.taskrouter.v1.workspaces(sids.workspace);
  const flex = () => t.client.flexApi.v1;

  beforeAll(async () => {
    t = await startTestEmulator();
    sids = flexSeedSids(t.accountSid);
  });
  afterAll(() => t.stop());
  beforeEach(async () => {
    t.emu.reset();
    for (const n of ['alice', 'bob', 'carol']) await tr().workers(sids.workers[n]).update({ activitySid: sids.activities.Available });
    transferWorkflow = (
      await tr().workflows.create({
        friendlyName: 'Chat Transfer',
        configuration: JSON.stringify({
          task_routing: {
            filters: [
              { filter_friendly_name: 'Assign to Worker', expression: "transferTargetType == 'worker'", targets: [{ queue: sids.everyoneQueue, known_worker_sid: 'task.transferTargetSid' }] },
              {
                filter_friendly_name: 'Assign to Queue - Everyone',
                expression: "transferQueueName == 'Everyone'",
                targets: [{ queue: sids.everyoneQueue, expression: 'worker.sid NOT IN task.workerSidsInConversation' }],
              },
            ],
          },
        }),
      })
    ).sid;
  });

  /** A customer webchat: a conversation with the customer in it, and its interaction routed to alice (accepted). */
  async function startChat(attributes: Record<string, unknown> = { customerName: 'Pat' }) {
    const conv = await t.client.conversations.v1.conversations.create({ friendlyName: 'web chat' });
    await t.client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'customer-pat' });
    // Only alice is available for the first routing.
    await tr().workers(sids.workers.bob).update({ activitySid: sids.activities.Offline });
    await tr().workers(sids.workers.carol).update({ activitySid: sids.activities.Offline });
    const interaction = await flex().interaction.create({
      channel: { type: 'chat', initiated_by: 'customer', properties: { media_channel_sid: conv.sid } },
      routing: { properties: { workspace_sid: sids.workspace, workflow_sid: sids.assignToAnyoneWorkflow, task_channel_unique_name: 'chat', attributes } },
    });
    const channelSid = (interaction.channel as { sid: string }).sid;
    const taskSid = (interaction.routing as { properties: { sid: string } }).properties.sid;
    return { conv, interaction, channelSid, taskSid };
  }

  async function acceptFor(taskSid: string, worker: string) {
    const res = await tr().tasks(taskSid).reservations.list({ reservationStatus: 'pending' });
    const mine = res.find((r) => r.workerSid === sids.workers[worker]);
    if (!mine) throw new Error(`no pending reservation for ${worker} on ${taskSid}: ${res.map((r) => r.workerName).join(',')}`);
    await tr().tasks(taskSid).reservations(mine.sid).update({ reservationStatus: 'accepted' });
    await t.emu.whenIdle();
    return mine.sid;
  }

  test("creating an interaction routes a task with Twilio's interaction attributes and a customer participant", async () => {
    const { conv, interaction, channelSid, taskSid } = await startChat();
    expect(interaction.sid).toMatch(/^KD/);
    expect(channelSid).toMatch(/^UO/);
    const props = (interaction.routing as { properties: Record<string, unknown> }).properties;
    expect(props).toMatchObject({ workspace_sid: sids.workspace, workflow_sid: sids.assignToAnyoneWorkflow, queue_name: 'Everyone', task_channel_unique_name: 'chat', assignment_status: 'reserved' });
    const task = await tr().tasks(taskSid).fetch();
    const attrs = JSON.parse(task.attributes);
    const invites = await flex().interaction(interaction.sid).channels(channelSid).invites.list();
    expect(invites.length).toBe(1);
    expect(attrs).toMatchObject({
      customerName: 'Pat',
      flexInteractionSid: interaction.sid,
      flexInteractionChannelSid: channelSid,
      flexChannelInviteSid: invites[0].sid,
      conversationSid: conv.sid,
      channelType: 'chat',
      initiatedBy: 'customer',
      direction: 'inbound',
      conversations: { conversation_id: interaction.sid, initiated_by: 'customer', media: [{ type: 'ChatTranscript', sid: conv.sid }] },
    });
    const channel = await flex().interaction(interaction.sid).channels(channelSid).fetch();
    expect(channel.status).toBe('active');
    expect(channel.type).toBe('chat');
    const parts = await flex().interaction(interaction.sid).channels(channelSid).participants.list();
    expect(parts.map((p) => p.type)).toEqual(['customer']);
  });

  test('accepting the reservation adds the agent participant (routing_properties) and the agent to the conversation', async () => {
    const { conv, interaction, channelSid, taskSid } = await startChat();
    const resSid = await acceptFor(taskSid, 'alice');
    const parts = await flex().interaction(interaction.sid).channels(channelSid).participants.list();
    const agent = parts.find((p) => p.type === 'agent')!;
    expect(agent.sid).toMatch(/^UT/);
    expect(agent.routingProperties).toEqual({ task_sid: taskSid, worker_sid: sids.workers.alice, reservation_sid: resSid });
    const convParts = await t.client.conversations.v1.conversations(conv.sid).participants.list();
    expect(convParts.map((p) => p.identity).sort()).toEqual(['alice', 'customer-pat']);
  });

  test('cold transfer to a worker: invite -> new task via the Chat Transfer workflow; closing the sender completes its task; the invitee joins on accept', async () => {
    const { conv, interaction, channelSid, taskSid } = await startChat();
    await acceptFor(taskSid, 'alice');
    await tr().workers(sids.workers.bob).update({ activitySid: sids.activities.Available });
    const original = JSON.parse((await tr().tasks(taskSid).fetch()).attributes);
    const invite = await flex()
      .interaction(interaction.sid)
      .channels(channelSid)
      .invites.create({
        routing: {
          properties: {
            workspace_sid: sids.workspace,
            workflow_sid: transferWorkflow,
            task_channel_unique_name: 'chat',
            attributes: { ...original, transferTargetType: 'worker', transferTargetSid: sids.workers.bob, workerSidsInConversation: [sids.workers.alice] },
          },
        },
      });
    expect(invite.sid).toMatch(/^KG/);
    const inviteTask = (invite.routing as { properties: { sid: string } }).properties.sid;
    expect(inviteTask).toMatch(/^WT/);
    const attrs = JSON.parse((await tr().tasks(inviteTask).fetch()).attributes);
    expect(attrs.flexChannelInviteSid).toBe(invite.sid);
    expect(attrs.flexInteractionSid).toBe(interaction.sid);
    expect(attrs.conversationSid).toBe(conv.sid);
    expect((await tr().tasks(inviteTask).reservations.list()).map((r) => r.workerName)).toEqual(['bob']);

    // Cold: the transferring agent leaves; their task completes, the conversation stays active.
    const alice = (await flex().interaction(interaction.sid).channels(channelSid).participants.list()).find((p) => p.type === 'agent')!;
    const closed = await flex().interaction(interaction.sid).channels(channelSid).participants(alice.sid).update({ status: 'closed' });
    expect(closed.sid).toBe(alice.sid);
    expect((await tr().tasks(taskSid).fetch()).assignmentStatus).toBe('completed');
    expect((await t.client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('active');
    expect((await t.client.conversations.v1.conversations(conv.sid).participants.list()).map((p) => p.identity)).toEqual(['customer-pat']);

    await acceptFor(inviteTask, 'bob');
    const parts = await flex().interaction(interaction.sid).channels(channelSid).participants.list();
    expect(parts.filter((p) => p.type === 'agent').map((p) => (p.routingProperties as { worker_sid: string }).worker_sid)).toEqual([sids.workers.bob]);
    expect((await t.client.conversations.v1.conversations(conv.sid).participants.list()).map((p) => p.identity).sort()).toEqual(['bob', 'customer-pat']);
    const invites = await flex().interaction(interaction.sid).channels(channelSid).invites.list();
    expect(invites.map((i) => (i.routing as { properties: { assignment_status: string } }).properties.assignment_status)).toEqual(['completed', 'assigned']);
  });

  test('warm transfer to a queue excludes the workers already in the conversation, and respects task_channel_unique_name', async () => {
    const { interaction, channelSid, taskSid } = await startChat();
    await acceptFor(taskSid, 'alice');
    await tr().workers(sids.workers.carol).update({ activitySid: sids.activities.Available });
    const invite = await flex()
      .interaction(interaction.sid)
      .channels(channelSid)
      .invites.create({
        routing: {
          properties: {
            workspace_sid: sids.workspace,
            workflow_sid: transferWorkflow,
            task_channel_unique_name: 'sms',
            attributes: { transferTargetType: 'queue', transferQueueName: 'Everyone', workerSidsInConversation: [sids.workers.alice] },
          },
        },
      });
    const inviteTask = (invite.routing as { properties: { sid: string; task_channel_unique_name: string } }).properties;
    expect(inviteTask.task_channel_unique_name).toBe('sms');
    expect((await tr().tasks(inviteTask.sid).reservations.list()).map((r) => r.workerName)).toEqual(['carol']);
    // Warm: both agents end up in the conversation.
    await acceptFor(inviteTask.sid, 'carol');
    const agents = (await flex().interaction(interaction.sid).channels(channelSid).participants.list()).filter((p) => p.type === 'agent');
    expect(agents.length).toBe(2);
  });

  test("an invite whose task is canceled shows up canceled in the Invites list (the functions' ledger)", async () => {
    const { interaction, channelSid, taskSid } = await startChat();
    await acceptFor(taskSid, 'alice');
    const invite = await flex()
      .interaction(interaction.sid)
      .channels(channelSid)
      .invites.create({
        routing: {
          properties: {
            workspace_sid: sids.workspace,
            workflow_sid: transferWorkflow,
            task_channel_unique_name: 'chat',
            timeout: 30,
            attributes: { transferTargetType: 'worker', transferTargetSid: sids.workers.dave },
          },
        },
      });
    t.emu.clock.advance(30_000);
    const list = await flex().interaction(interaction.sid).channels(channelSid).invites.list();
    const mine = list.find((i) => i.sid === invite.sid)!;
    expect((mine.routing as { properties: { assignment_status: string; reason: string } }).properties).toMatchObject({ assignment_status: 'canceled', reason: 'Task TTL Exceeded' });
    const canceled = await tr().events.list({ eventType: 'task.canceled' });
    expect(canceled.map((e) => (e.eventData as { task_sid: string }).task_sid)).toContain((invite.routing as { properties: { sid: string } }).properties.sid);
  });

  test("participant wrapup moves that agent's task to wrapping", async () => {
    const { interaction, channelSid, taskSid } = await startChat();
    await acceptFor(taskSid, 'alice');
    const agent = (await flex().interaction(interaction.sid).channels(channelSid).participants.list()).find((p) => p.type === 'agent')!;
    await flex().interaction(interaction.sid).channels(channelSid).participants(agent.sid).update({ status: 'wrapup' });
    expect((await tr().tasks(taskSid).fetch()).assignmentStatus).toBe('wrapping');
  });

  test('closing the channel wraps up assigned tasks, cancels pending invites and closes the conversation; Routing status closed completes', async () => {
    const { conv, interaction, channelSid, taskSid } = await startChat();
    await acceptFor(taskSid, 'alice');
    const invite = await flex()
      .interaction(interaction.sid)
      .channels(channelSid)
      .invites.create({
        routing: {
          properties: {
            workspace_sid: sids.workspace,
            workflow_sid: transferWorkflow,
            task_channel_unique_name: 'chat',
            attributes: { transferTargetType: 'worker', transferTargetSid: sids.workers.dave },
          },
        },
      });
    const ch = await flex().interaction(interaction.sid).channels(channelSid).update({ status: 'closed' });
    expect(ch.status).toBe('closed');
    expect((await tr().tasks(taskSid).fetch()).assignmentStatus).toBe('wrapping');
    expect(
      (
        await tr()
          .tasks((invite.routing as { properties: { sid: string } }).properties.sid)
          .fetch()
      ).assignmentStatus,
    ).toBe('canceled');
    expect((await t.client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('closed');

    const second = await startChat();
    await acceptFor(second.taskSid, 'alice');
    await flex()
      .interaction(second.interaction.sid)
      .channels(second.channelSid)
      .update({ status: 'closed', routing: { status: 'closed' } });
    expect((await tr().tasks(second.taskSid).fetch()).assignmentStatus).toBe('completed');
    expect(
      (
        await twilioError(
          flex()
            .interaction(second.interaction.sid)
            .channels(second.channelSid)
            .invites.create({ routing: { properties: { workspace_sid: sids.workspace } } }),
        )
      ).status,
    ).toBe(400);
  });

  test('inactive requires Routing status closed; then tasks complete and the conversation goes inactive', async () => {
    const { conv, interaction, channelSid, taskSid } = await startChat();
    await acceptFor(taskSid, 'alice');
    const err = await twilioError(flex().interaction(interaction.sid).channels(channelSid).update({ status: 'inactive' }));
    expect(err.status).toBe(400);
    expect(err.message).toContain('Routing');
    await flex()
      .interaction(interaction.sid)
      .channels(channelSid)
      .update({ status: 'inactive', routing: { status: 'closed' } });
    expect((await tr().tasks(taskSid).fetch()).assignmentStatus).toBe('completed');
    expect((await t.client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('inactive');
  });

  test('an interaction without media_channel_sid gets a new conversation; Routing defaults to the Flex Configuration', async () => {
    const i = await flex().interaction.create({ channel: { type: 'sms', initiated_by: 'customer' }, routing: { properties: { attributes: { from: '+15550001' } } } });
    const props = (i.routing as { properties: Record<string, unknown> }).properties;
    expect(props.workflow_sid).toBe(sids.assignToAnyoneWorkflow);
    expect(props.task_channel_unique_name).toBe('sms');
    const attrs = JSON.parse(props.attributes as string);
    const conv = t.emu.core.apiOf<ConversationsApi>('conversations')!.get(t.accountSid, attrs.conversationSid);
    expect(conv?.state).toBe('active');
  });

  test('bad input: missing Channel, malformed JSON, bad channel type, unknown conversation/workflow, unknown SIDs', async () => {
    const missing = await raw(t, 'POST', '/flex-api/v1/Interactions', { Routing: '{}' });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('Missing required parameter Channel in the post body');
    const malformed = await raw(t, 'POST', '/flex-api/v1/Interactions', { Channel: '{"type":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toContain('Channel');
    expect((await twilioError(flex().interaction.create({ channel: { type: 'fax' } }))).message).toContain('Channel.type');
    expect((await twilioError(flex().interaction.create({ channel: { type: 'chat', properties: { media_channel_sid: 'CH' + '0'.repeat(32) } } }))).message).toContain('media_channel_sid');
    expect(
      (await twilioError(flex().interaction.create({ channel: { type: 'chat' }, routing: { properties: { workspace_sid: sids.workspace, workflow_sid: 'WW' + '1'.repeat(32) } } }))).message,
    ).toContain('workflow_sid');
    expect(
      (
        await twilioError(
          flex()
            .interaction('KD' + '2'.repeat(32))
            .fetch(),
        )
      ).status,
    ).toBe(404);
    const { interaction } = await startChat();
    expect(
      (
        await twilioError(
          flex()
            .interaction(interaction.sid)
            .channels('UO' + '3'.repeat(32))
            .fetch(),
        )
      ).code,
    ).toBe(20404);
    const badStatus = await raw(t, 'POST', `/flex-api/v1/Interactions/${interaction.sid}/Channels/${(interaction.channel as { sid: string }).sid}`, { Status: 'paused' });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.message).toContain('Status');
  });

  test('Participants create: an external participant with an identity joins the conversation', async () => {
    const { conv, interaction, channelSid } = await startChat();
    const p = await flex()
      .interaction(interaction.sid)
      .channels(channelSid)
      .participants.create({ type: 'external', mediaProperties: { identity: 'supervisor-sam' } });
    expect(p.type).toBe('external');
    expect((await t.client.conversations.v1.conversations(conv.sid).participants.list()).map((x) => x.identity)).toContain('supervisor-sam');
    const missing = await raw(t, 'POST', `/flex-api/v1/Interactions/${interaction.sid}/Channels/${channelSid}/Participants`, { Type: 'agent' });
    expect(missing.body.message).toBe('Missing required parameter MediaProperties in the post body');
  });
});

describe('Flex Configuration', () => {
  let t: TestEmu;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(() => t.stop());

  test('update merges top-level ui_attributes keys: new keys added, sent keys replaced whole, others kept', async () => {
    const before = await t.client.flexApi.v1.configuration().fetch();
    const ui = before.uiAttributes as Record<string, unknown>;
    expect(ui.logLevel).toBe('info');
    const after = await t.client.flexApi.v1.configuration().update({
      account_sid: t.accountSid,
      ui_attributes: { custom_data: { features: { conversation_transfer: { enabled: true } } }, newKey: 1 },
      serverless_service_sids: ['ZS' + 'a'.repeat(32)],
    } as never);
    const merged = after.uiAttributes as Record<string, unknown>;
    expect(merged.logLevel).toBe('info');
    expect(merged.colorTheme).toEqual(ui.colorTheme);
    expect(merged.newKey).toBe(1);
    expect(merged.custom_data).toEqual({ features: { conversation_transfer: { enabled: true } } });
    expect(after.serverlessServiceSids).toEqual(['ZS' + 'a'.repeat(32)]);
    expect((await t.client.flexApi.v1.configuration().fetch()).uiAttributes).toEqual(merged);
  });

  test('account_sid is required and must be the caller; unknown fields are rejected', async () => {
    const noAccount = await raw(t, 'POST', '/flex-api/v1/Configuration', undefined, { 'Content-Type': 'application/json' });
    expect(noAccount.status).toBe(400);
    const res = await fetch(`${t.emu.baseUrl}/flex-api/v1/Configuration`, {
      method: 'POST',
      headers: { Authorization: 'Basic ' + Buffer.from(`${t.accountSid}:${t.emu.credentials.authToken}`).toString('base64'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ ui_attributes: {} }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('Missing required parameter account_sid in the post body');
    expect((await twilioError(t.client.flexApi.v1.configuration().update({ account_sid: 'AC' + '0'.repeat(32) } as never))).message).toContain('account_sid');
    expect((await twilioError(t.client.flexApi.v1.configuration().update({ account_sid: t.accountSid, bogus: 1 } as never))).message).toContain('bogus');
  });
});
