/**
 * Chat transfer functions against the in-memory FakeWorld: attributes,
 * ordering (nobody removed before the invite exists), flags, idempotency,
 * fault handling, invite records, leave, and TaskRouter events.
 */
import { FakeWorld, CHAT_WF, WS } from './helpers/fake-twilio';
import { invoke, useWorld } from './helpers/harness';

function setup() {
  const world = new FakeWorld();
  useWorld(world);
  const alice = world.addWorker('Alice');
  const bob = world.addWorker('Bob');
  const carol = world.addWorker('Carol');
  const sales = world.addQueue('Sales');
  const chat = world.startChat(alice, { conversations: { conversation_id: 'WT' + 'a'.repeat(32), initiated_by: 'customer' } });
  const tokenAlice = world.token(alice);
  return { world, alice, bob, carol, sales, chat, tokenAlice };
}

describe('chat/transfer (cold)', () => {
  test('to a queue: invite with the specified attributes, then the agent leaves', async () => {
    const { world, alice, sales, chat, tokenAlice } = setup();
    const res = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, transferType: 'cold', transferTargetType: 'queue', transferTargetSid: sales, participantClosed: true, reused: false });
    const inviteTask = world.tasks.get(String(res.body.inviteTaskSid))!;
    expect(inviteTask.workflowSid).toBe(CHAT_WF);
    expect(inviteTask.taskChannel).toBe('chat');
    expect(inviteTask.attributes).toMatchObject({
      customerName: 'Ann',
      channelType: 'web',
      transferTargetType: 'queue',
      transferTargetSid: sales,
      transferQueueName: 'Sales',
      workerSidsInConversation: [alice],
      conversations: { conversation_id: 'WT' + 'a'.repeat(32), initiated_by: 'customer' },
      transferType: 'cold',
    });
    // The transferring agent's participant is closed: their task completed.
    expect(world.tasks.get(chat.task.sid)!.status).toBe('completed');
    // Ordering: the invite was created before the participant was closed.
    const calls = world.calls;
    expect(calls.indexOf('createInvite')).toBeLessThan(calls.indexOf('updateInteractionParticipant'));
  });

  test('to a worker: conversation_id falls back to the original task SID; no queue name', async () => {
    const world = new FakeWorld();
    useWorld(world);
    const alice = world.addWorker('Alice');
    const bob = world.addWorker('Bob');
    const chat = world.startChat(alice, { transferQueueName: 'Stale' });
    const res = await invoke('chat/transfer', { Token: world.token(alice), taskSid: chat.task.sid, targetSid: bob });
    expect(res.status).toBe(200);
    const attrs = world.tasks.get(String(res.body.inviteTaskSid))!.attributes;
    expect(attrs.transferTargetType).toBe('worker');
    expect(attrs.transferTargetSid).toBe(bob);
    expect(attrs.transferTargetName).toBe('Bob');
    expect(attrs).not.toHaveProperty('transferQueueName');
    expect((attrs.conversations as Record<string, unknown>).conversation_id).toBe(chat.task.sid);
  });

  test('keeps the original task channel (not a hard-coded chat)', async () => {
    const world = new FakeWorld();
    useWorld(world);
    const alice = world.addWorker('Alice');
    const q = world.addQueue('Support');
    const chat = world.startChat(alice);
    world.tasks.get(chat.task.sid)!.taskChannel = 'sms';
    const res = await invoke('chat/transfer', { Token: world.token(alice), taskSid: chat.task.sid, targetSid: q });
    expect(world.tasks.get(String(res.body.inviteTaskSid))!.taskChannel).toBe('sms');
  });

  test('workerSidsInConversation is computed server-side, ignoring what the caller sends', async () => {
    const { world, alice, bob, sales, chat, tokenAlice } = setup();
    // Bob joined earlier through an accepted invite.
    const t = world.createRawTask({ ...world.tasks.get(chat.task.sid)!.attributes }, { channel: 'chat' });
    world.acceptTask(t.sid, bob);
    const res = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales, workerSidsInConversation: '["WKforged"]', workersToIgnore: 'x' });
    expect(res.status).toBe(200);
    expect((world.tasks.get(String(res.body.inviteTaskSid))!.attributes.workerSidsInConversation as string[]).sort()).toEqual([alice, bob].sort());
  });

  test('invite failure: nobody is removed and the response says so', async () => {
    const { world, sales, chat, tokenAlice } = setup();
    world.fail({ method: 'createInvite', status: 400 });
    const res = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ success: false, error: 'invite_rejected', failedStep: 'create-invite', participantClosed: false, removed: false });
    expect(world.tasks.get(chat.task.sid)!.status).toBe('assigned');
    expect(world.count('updateInteractionParticipant')).toBe(0);
  });

  test('invite 500 (not committed): 502, nobody removed', async () => {
    const { world, sales, chat, tokenAlice } = setup();
    world.fail({ method: 'createInvite', status: 500 });
    const res = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ error: 'invite_failed', participantClosed: false });
    expect(world.count('createInvite')).toBe(1); // a create is never blindly retried
    expect(world.tasks.get(chat.task.sid)!.status).toBe('assigned');
  });

  test('invite 429 is retried (Twilio did not process it)', async () => {
    const { world, sales, chat, tokenAlice } = setup();
    world.fail({ method: 'createInvite', status: 429, times: 2 });
    const res = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales });
    expect(res.status).toBe(200);
    expect(world.count('createInvite')).toBe(3);
    expect(world.channel(chat.interactionSid, chat.channelSid).invites).toHaveLength(1);
  });

  test('invite response lost after commit: reconciled by request id, no duplicate task', async () => {
    const { world, sales, chat, tokenAlice } = setup();
    world.fail({ method: 'createInvite', kind: 'lost' });
    const res = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales });
    expect(res.status).toBe(200);
    expect(world.channel(chat.interactionSid, chat.channelSid).invites).toHaveLength(1);
    expect(world.tasks.get(chat.task.sid)!.status).toBe('completed');
  });

  test('closing the participant fails: 502 naming the step; repeating the request reuses the invite', async () => {
    const { world, sales, chat, tokenAlice } = setup();
    world.fail({ method: 'updateInteractionParticipant', status: 500, times: 3 });
    const res = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ failedStep: 'close-participant', participantClosed: false });
    expect(res.body.inviteTaskSid).toMatch(/^WT/);
    expect(world.tasks.get(chat.task.sid)!.status).toBe('assigned');
    const again = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ reused: true, inviteTaskSid: res.body.inviteTaskSid, participantClosed: true });
    expect(world.channel(chat.interactionSid, chat.channelSid).invites).toHaveLength(1);
  });

  test('participant close answer lost: retried, then a repeat reports the transfer', async () => {
    const { world, sales, chat, tokenAlice } = setup();
    world.fail({ method: 'updateInteractionParticipant', kind: 'lost' });
    const res = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales });
    expect(res.status).toBe(200);
    expect(world.tasks.get(chat.task.sid)!.status).toBe('completed');
    const again = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ reused: true, inviteTaskSid: res.body.inviteTaskSid });
  });

  test('a double click (two identical cold transfers racing): one invite, the agent leaves once', async () => {
    for (let i = 0; i < 4; i++) {
      const { world, sales, chat, tokenAlice } = setup();
      world.latencyMs = 3;
      const [a, b] = await Promise.all([
        invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales }),
        invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales }),
      ]);
      expect([a.status, b.status].filter((x) => x === 200).length).toBeGreaterThanOrEqual(1);
      const live = [...world.tasks.values()].filter((t) => t.attributes.transferType === 'cold' && (t.status === 'pending' || t.status === 'reserved'));
      expect(live).toHaveLength(1);
      for (const r of [a, b]) if (r.status === 200) expect(r.body.inviteTaskSid).toBe(live[0].sid);
      expect(world.tasks.get(chat.task.sid)!.status).toBe('completed');
    }
  });

  test('refused while another invite is outstanding (multi_participant on), allowed when off', async () => {
    const { world, bob, sales, chat, tokenAlice } = setup();
    const inv = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    expect(inv.status).toBe(200);
    const res = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'invite_outstanding', participantClosed: false });
    expect((res.body.outstandingInvites as unknown[]).length).toBe(1);
    const off = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales }, { env: { FLEX_TRANSFER_MULTI_PARTICIPANT: 'false' } });
    expect(off.status).toBe(200);
    expect(world.tasks.get(chat.task.sid)!.status).toBe('completed');
  });

  test('a worker already in the conversation cannot be the target', async () => {
    const { alice, chat, tokenAlice } = setup();
    const res = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: alice });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'target_already_in_conversation', field: 'targetSid' });
  });

  test('unknown target: 404 naming targetSid; unknown task: 404 naming taskSid', async () => {
    const { world, chat, tokenAlice } = setup();
    const t = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: 'WQ' + 'b'.repeat(32) });
    expect(t.status).toBe(404);
    expect(t.body).toMatchObject({ error: 'target_not_found', field: 'targetSid' });
    const u = await invoke('chat/transfer', { Token: tokenAlice, taskSid: 'WT' + 'b'.repeat(32), targetSid: world.addQueue('X') });
    expect(u.status).toBe(404);
    expect(u.body).toMatchObject({ error: 'task_not_found', field: 'taskSid' });
  });

  test('feature flags: disabled, cold transfer off', async () => {
    const { sales, chat, tokenAlice } = setup();
    const a = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales }, { env: { FLEX_TRANSFER_ENABLED: 'false' } });
    expect(a.status).toBe(409);
    expect(a.body.error).toBe('feature_disabled');
    const b = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales }, { env: { FLEX_TRANSFER_COLD_TRANSFER: 'false' } });
    expect(b.status).toBe(409);
    expect(b.body.error).toBe('cold_transfer_disabled');
  });
});

describe('authentication and authorization', () => {
  test('missing or invalid token: 403', async () => {
    const { sales, chat } = setup();
    const a = await invoke('chat/transfer', { taskSid: chat.task.sid, targetSid: sales });
    expect(a.status).toBe(403);
    const b = await invoke('chat/transfer', { Token: 'nope', taskSid: chat.task.sid, targetSid: sales });
    expect(b.status).toBe(403);
    expect(b.body.error).toBe('invalid_token');
  });

  test('a worker who is not in the conversation: 403; a supervisor: allowed', async () => {
    const { world, carol, sales, chat } = setup();
    const a = await invoke('chat/transfer', { Token: world.token(carol), taskSid: chat.task.sid, targetSid: sales });
    expect(a.status).toBe(403);
    expect(a.body.error).toBe('not_a_participant');
    const b = await invoke('chat/transfer', { Token: world.token(carol, ['supervisor']), taskSid: chat.task.sid, targetSid: sales });
    expect(b.status).toBe(200);
  });

  test('CORS: Flex origin allowed, others refused', async () => {
    const { world, sales, chat, tokenAlice } = setup();
    const ok = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales }, { headers: { origin: 'https://flex.twilio.com' } });
    expect(ok.headers['Access-Control-Allow-Origin']).toBe('https://flex.twilio.com');
    const callsBefore = world.calls.length;
    const bad = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales }, { headers: { origin: 'https://evil.example' } });
    expect(bad.status).toBe(403);
    expect(bad.headers['Access-Control-Allow-Origin']).toBeUndefined();
    expect(world.calls.length).toBe(callsBefore);
    const custom = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales }, { headers: { origin: 'https://my.flex.example' }, env: { FLEX_TRANSFER_ALLOWED_ORIGINS: 'https://flex.twilio.com, https://my.flex.example' } });
    expect(custom.headers['Access-Control-Allow-Origin']).toBe('https://my.flex.example');
  });

  test('configuration errors are 500 naming the variable, never a crash', async () => {
    const { sales, chat, tokenAlice } = setup();
    for (const [name, value] of [
      ['TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID', undefined],
      ['TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID', '<YOUR_TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID>'],
      ['TWILIO_FLEX_WORKSPACE_SID', 'WW' + '1'.repeat(32)],
      ['FLEX_TRANSFER_ENABLED', 'maybe'],
    ] as const) {
      const r = await invoke('chat/transfer', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales }, { env: { [name]: value } });
      expect(r.status).toBe(500);
      expect(r.body).toMatchObject({ error: 'configuration_error', variable: name });
    }
  });
});

describe('chat/invite (multi-participant)', () => {
  test('records the invite in the conversation attributes, keeping other attributes', async () => {
    const { world, alice, bob, chat, tokenAlice } = setup();
    const res = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ transferType: 'invite', recorded: true, reused: false });
    const attrs = world.conversationAttributes(chat.conversationSid);
    expect(attrs.topic).toBe('billing');
    const invites = attrs.invites as Record<string, Record<string, unknown>>;
    const rec = invites[String(res.body.inviteTaskSid)];
    expect(rec).toMatchObject({ invitesTaskSid: res.body.inviteTaskSid, targetSid: bob, targetType: 'worker', inviteTargetType: 'Worker', targetName: 'Bob', transferType: 'invite', requestedBy: alice });
    expect(typeof rec.timestampCreated).toBe('string');
    // The agent stays.
    expect(world.tasks.get(chat.task.sid)!.status).toBe('assigned');
  });

  test('idempotent: the same target while pending returns the same invite', async () => {
    const { world, bob, chat, tokenAlice } = setup();
    const a = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    const b = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    expect(b.status).toBe(200);
    expect(b.body).toMatchObject({ reused: true, inviteTaskSid: a.body.inviteTaskSid });
    expect(world.channel(chat.interactionSid, chat.channelSid).invites).toHaveLength(1);
  });

  test('identical requests racing: one invite survives, both answers name it', async () => {
    const { world, bob, chat, tokenAlice } = setup();
    world.latencyMs = 3;
    const [a, b] = await Promise.all([
      invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob }),
      invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob }),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.inviteTaskSid).toBe(b.body.inviteTaskSid);
    const live = [...world.tasks.values()].filter((t) => t.attributes.transferTargetSid === bob && (t.status === 'pending' || t.status === 'reserved'));
    expect(live).toHaveLength(1);
    expect(Object.keys(world.conversationAttributes(chat.conversationSid).invites as object)).toEqual([live[0].sid]);
  });

  test('refused when multi_participant is off', async () => {
    const { bob, chat, tokenAlice } = setup();
    const r = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob }, { env: { FLEX_TRANSFER_MULTI_PARTICIPANT: 'false' } });
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('multi_participant_disabled');
  });

  test('record write keeps failing: the invite is canceled and the caller told (no half-done invite)', async () => {
    const { world, bob, chat, tokenAlice } = setup();
    world.fail({ method: 'updateConversationAttributes', status: 500, times: 100 });
    const r = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({ error: 'record_failed', inviteCanceled: true, recorded: false });
    expect(world.tasks.get(String(r.body.inviteTaskSid))!.status).toBe('canceled');
  });

  test('the invited agent joins: an event clears the record', async () => {
    const { world, bob, chat, tokenAlice } = setup();
    const r = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    const taskSid = String(r.body.inviteTaskSid);
    world.acceptTask(taskSid, bob);
    const ev = await invoke('chat/taskrouter-events', { EventType: 'reservation.accepted', TaskSid: taskSid, WorkspaceSid: WS });
    expect(ev.status).toBe(200);
    expect(ev.body).toMatchObject({ kind: 'chat', handled: true, outstandingInvites: 0 });
    expect(world.conversationAttributes(chat.conversationSid).invites).toEqual({});
  });

  test('a canceled or timed-out invite task: the event clears the record', async () => {
    const { world, bob, sales, chat, tokenAlice } = setup();
    const r1 = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales });
    world.setTaskStatus(String(r1.body.inviteTaskSid), 'canceled');
    await invoke('chat/taskrouter-events', { EventType: 'workflow.timeout', TaskSid: r1.body.inviteTaskSid, WorkspaceSid: WS });
    expect(world.conversationAttributes(chat.conversationSid).invites).toEqual({});
    // A worker invite whose reservation timed out is canceled (the named agent did not take it).
    const r2 = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    world.setTaskStatus(String(r2.body.inviteTaskSid), 'pending');
    const ev = await invoke('chat/taskrouter-events', { EventType: 'reservation.timeout', TaskSid: r2.body.inviteTaskSid, WorkspaceSid: WS });
    expect(ev.body).toMatchObject({ inviteCanceled: true, outstandingInvites: 0 });
    expect(world.tasks.get(String(r2.body.inviteTaskSid))!.status).toBe('canceled');
    expect(world.conversationAttributes(chat.conversationSid).invites).toEqual({});
  });

  test('events that are not about transfer tasks are ignored', async () => {
    const { world } = setup();
    const t = world.createRawTask({ foo: 1 });
    const a = await invoke('chat/taskrouter-events', { EventType: 'task.canceled', TaskSid: t.sid, WorkspaceSid: WS });
    expect(a.status).toBe(200);
    expect(a.body.handled).toBe(false);
    const b = await invoke('chat/taskrouter-events', { EventType: 'worker.activity.update', WorkspaceSid: WS });
    expect(b.body.handled).toBe(false);
    const c = await invoke('chat/taskrouter-events', { EventType: 'task.canceled', TaskSid: t.sid, WorkspaceSid: 'WS' + '9'.repeat(32) });
    expect(c.body.handled).toBe(false);
  });
});

describe('chat/cancel-invite', () => {
  test('cancels the task and removes the record; idempotent', async () => {
    const { world, bob, chat, tokenAlice } = setup();
    const r = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    const c = await invoke('chat/cancel-invite', { Token: tokenAlice, inviteTaskSid: r.body.inviteTaskSid });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ canceled: true, taskStatus: 'canceled', alreadySettled: false });
    expect(world.tasks.get(String(r.body.inviteTaskSid))!.status).toBe('canceled');
    expect(world.conversationAttributes(chat.conversationSid).invites).toEqual({});
    const again = await invoke('chat/cancel-invite', { Token: tokenAlice, inviteTaskSid: r.body.inviteTaskSid });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ canceled: true, alreadySettled: true });
  });

  test('an invite already accepted: 409', async () => {
    const { world, bob, chat, tokenAlice } = setup();
    const r = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    world.acceptTask(String(r.body.inviteTaskSid), bob);
    const c = await invoke('chat/cancel-invite', { Token: tokenAlice, inviteTaskSid: r.body.inviteTaskSid });
    expect(c.status).toBe(409);
    expect(c.body.error).toBe('invite_already_accepted');
    expect(world.conversationAttributes(chat.conversationSid).invites).toEqual({});
  });

  test('not an invite task: 400; outsider: 403', async () => {
    const { world, carol, bob, chat, tokenAlice } = setup();
    const a = await invoke('chat/cancel-invite', { Token: tokenAlice, inviteTaskSid: chat.task.sid });
    expect(a.status).toBe(400);
    expect(a.body.field).toBe('inviteTaskSid');
    const r = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    const b = await invoke('chat/cancel-invite', { Token: world.token(carol), inviteTaskSid: r.body.inviteTaskSid });
    expect(b.status).toBe(403);
  });

  test('cancel answer lost: the task state shows it is canceled', async () => {
    const { world, bob, chat, tokenAlice } = setup();
    const r = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    world.fail({ method: 'updateTaskStatus', kind: 'lost' });
    const c = await invoke('chat/cancel-invite', { Token: tokenAlice, inviteTaskSid: r.body.inviteTaskSid });
    expect(c.status).toBe(200);
    expect(c.body.canceled).toBe(true);
  });
});

describe('chat/leave', () => {
  test('an agent leaves while another stays: channel stays open', async () => {
    const { world, bob, chat, tokenAlice } = setup();
    const r = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    world.acceptTask(String(r.body.inviteTaskSid), bob);
    const l = await invoke('chat/leave', { Token: tokenAlice, taskSid: chat.task.sid });
    expect(l.status).toBe(200);
    expect(l.body).toMatchObject({ participantClosed: true, channelClosed: false, remainingAgents: 1 });
    expect(world.channel(chat.interactionSid, chat.channelSid).status).toBe('active');
  });

  test('the last agent leaves with an invite pending: channel stays open', async () => {
    const { world, sales, chat, tokenAlice } = setup();
    await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: sales });
    const l = await invoke('chat/leave', { Token: tokenAlice, taskSid: chat.task.sid });
    expect(l.body).toMatchObject({ channelClosed: false, remainingAgents: 0 });
    expect((l.body.pendingInvites as unknown[]).length).toBe(1);
    expect(world.channel(chat.interactionSid, chat.channelSid).status).toBe('active');
  });

  test('the last agent leaves, nothing pending: the channel is closed (chat not orphaned)', async () => {
    const { world, chat, tokenAlice } = setup();
    const l = await invoke('chat/leave', { Token: tokenAlice, taskSid: chat.task.sid });
    expect(l.body).toMatchObject({ participantClosed: true, channelClosed: true, remainingAgents: 0 });
    expect(world.channel(chat.interactionSid, chat.channelSid).status).toBe('closed');
  });

  test('two agents leave at the same time: the channel is still closed', async () => {
    for (let i = 0; i < 5; i++) {
      const { world, bob, chat, tokenAlice } = setup();
      const r = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
      world.acceptTask(String(r.body.inviteTaskSid), bob);
      world.latencyMs = 4;
      const [a, b] = await Promise.all([
        invoke('chat/leave', { Token: tokenAlice, taskSid: chat.task.sid }),
        invoke('chat/leave', { Token: world.token(bob), taskSid: r.body.inviteTaskSid }),
      ]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(world.channel(chat.interactionSid, chat.channelSid).status).toBe('closed');
    }
  });

  test('works when closed participants disappear from the list', async () => {
    const { world, bob, chat, tokenAlice } = setup();
    world.keepClosedParticipants = false;
    const r = await invoke('chat/invite', { Token: tokenAlice, taskSid: chat.task.sid, targetSid: bob });
    world.acceptTask(String(r.body.inviteTaskSid), bob);
    const a = await invoke('chat/leave', { Token: tokenAlice, taskSid: chat.task.sid });
    expect(a.body.channelClosed).toBe(false);
    const b = await invoke('chat/leave', { Token: world.token(bob), taskSid: r.body.inviteTaskSid });
    expect(b.body.channelClosed).toBe(true);
  });

  test('closing the channel fails: 502 naming the step; repeating finishes it', async () => {
    const { world, chat, tokenAlice } = setup();
    world.fail({ method: 'closeInteractionChannel', status: 503, times: 3 });
    const l = await invoke('chat/leave', { Token: tokenAlice, taskSid: chat.task.sid });
    expect(l.status).toBe(502);
    expect(l.body).toMatchObject({ failedStep: 'close-channel', participantClosed: true, channelClosed: false });
    const again = await invoke('chat/leave', { Token: tokenAlice, taskSid: chat.task.sid });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ alreadyLeft: true, channelClosed: true });
  });
});
