/**
 * The invite ledger and its derived view in conversation attributes: no
 * record lost under concurrency, settled invites dropped, stale writers
 * corrected, bounded loop.
 */
import fc from 'fast-check';
import { FakeWorld, WS } from './helpers/fake-twilio';
import { installRuntime, invoke, useWorld } from './helpers/harness';
import * as ledgerLib from '../../functions/lib/ledger.private';
import { withRetries } from '../../functions/lib/twilio.private';

installRuntime();

function chatWithWorkers(world: FakeWorld, n: number) {
  const alice = world.addWorker('Alice');
  const targets = Array.from({ length: n }, (_, i) => world.addWorker(`Agent${i}`));
  const chat = world.startChat(alice);
  return { alice, targets, chat, token: world.token(alice) };
}

function pendingInviteTasks(world: FakeWorld, conversationSid: string): string[] {
  return [...world.tasks.values()].filter((t) => t.attributes.conversationSid === conversationSid && t.attributes.transferType && (t.status === 'pending' || t.status === 'reserved')).map((t) => t.sid);
}

describe('ledger view', () => {
  test('computeView is a pure function of the ledger (same bytes for every writer)', async () => {
    const world = new FakeWorld();
    const { chat, targets } = chatWithWorkers(world, 3);
    const port = withRetries(world, { baseDelayMs: 1 });
    const routing = (t: string) => ({ properties: { workspace_sid: WS, workflow_sid: 'WW' + '0'.repeat(31) + '1', task_channel_unique_name: 'chat', attributes: { transferTargetType: 'worker', transferTargetSid: t, transferType: 'invite' } } });
    for (const t of targets) await port.createInvite(chat.interactionSid, chat.channelSid, routing(t));
    const refs = { interactionSid: chat.interactionSid, channelSid: chat.channelSid, conversationSid: chat.conversationSid };
    const v1 = ledgerLib.computeView(await ledgerLib.readLedger(port, refs, new ledgerLib.TaskFactCache()));
    const v2 = ledgerLib.computeView(await ledgerLib.readLedger(port, refs, new ledgerLib.TaskFactCache()));
    expect(JSON.stringify(v1)).toBe(JSON.stringify(v2));
    expect(Object.keys(v1.invites)).toHaveLength(3);
  });

  test('a stale writer is corrected: the verifying writer rewrites until the view matches', async () => {
    const world = new FakeWorld();
    const { chat, targets } = chatWithWorkers(world, 2);
    const port = withRetries(world, { baseDelayMs: 1 });
    const refs = { interactionSid: chat.interactionSid, channelSid: chat.channelSid, conversationSid: chat.conversationSid };
    const routing = (t: string) => ({ properties: { workspace_sid: WS, workflow_sid: 'WW' + '0'.repeat(31) + '1', task_channel_unique_name: 'chat', attributes: { transferTargetType: 'worker', transferTargetSid: t, transferType: 'invite' } } });
    await port.createInvite(chat.interactionSid, chat.channelSid, routing(targets[0]));
    await port.createInvite(chat.interactionSid, chat.channelSid, routing(targets[1]));
    // Someone overwrote the attributes with a stale copy (the earlier implementation's plugin did this).
    world.conversations.get(chat.conversationSid)!.attributes = JSON.stringify({ topic: 'billing', invites: {} });
    const r = await ledgerLib.syncView(port, refs);
    expect(r.ok).toBe(true);
    expect(Object.keys(world.conversationAttributes(chat.conversationSid).invites as object)).toHaveLength(2);
    expect(world.conversationAttributes(chat.conversationSid).topic).toBe('billing');
  });

  test('the loop is bounded: a writer that never sees its view stick gives up with ok=false', async () => {
    const world = new FakeWorld();
    const { chat, targets } = chatWithWorkers(world, 1);
    const refs = { interactionSid: chat.interactionSid, channelSid: chat.channelSid, conversationSid: chat.conversationSid };
    await world.createInvite(chat.interactionSid, chat.channelSid, { properties: { workspace_sid: WS, workflow_sid: 'WW' + '0'.repeat(31) + '1', task_channel_unique_name: 'chat', attributes: { transferTargetType: 'worker', transferTargetSid: targets[0], transferType: 'invite' } } });
    // An adversary clobbers the attributes after every write.
    const orig = world.updateConversationAttributes.bind(world);
    world.updateConversationAttributes = async (sid, attrs) => {
      const r = await orig(sid, attrs);
      world.conversations.get(sid)!.attributes = '{}';
      return r;
    };
    const port = withRetries(world, { baseDelayMs: 1 });
    const r = await ledgerLib.syncView(port, refs, { maxRounds: 4, sleep: async () => undefined });
    expect(r.ok).toBe(false);
    expect(r.rounds).toBe(4);
  });

  test('settled knowledge is shared through invitesSettled (no re-fetch of settled tasks)', async () => {
    const world = new FakeWorld();
    const { chat, targets } = chatWithWorkers(world, 2);
    const port = withRetries(world, { baseDelayMs: 1 });
    const refs = { interactionSid: chat.interactionSid, channelSid: chat.channelSid, conversationSid: chat.conversationSid };
    const mk = (t: string) => port.createInvite(chat.interactionSid, chat.channelSid, { properties: { workspace_sid: WS, workflow_sid: 'WW' + '0'.repeat(31) + '1', task_channel_unique_name: 'chat', attributes: { transferTargetType: 'worker', transferTargetSid: t, transferType: 'invite' } } });
    const a = await mk(targets[0]);
    await mk(targets[1]);
    world.setTaskStatus(a.taskSid!, 'canceled');
    await ledgerLib.syncView(port, refs);
    expect(world.conversationAttributes(chat.conversationSid).invitesSettled).toEqual([a.taskSid]);
    const before = world.count('fetchTask');
    await ledgerLib.syncView(port, refs);
    expect(world.count('fetchTask') - before).toBe(1); // only the outstanding one
  });
});

describe('concurrent invites on one conversation', () => {
  async function race(n: number, latencyMs: number, faultRate = 0) {
    const world = new FakeWorld();
    useWorld(world);
    const { chat, targets, token } = chatWithWorkers(world, n);
    world.latencyMs = latencyMs;
    if (faultRate > 0) {
      // Lost answers and 500s on attribute writes and listings (idempotent: retried).
      let k = 0;
      world.fail({ method: 'updateConversationAttributes', kind: 'lost', nth: 1, times: 1000, when: () => (k = (k * 7 + 3) % 100) < faultRate * 100 });
    }
    const results = await Promise.all(targets.map((t) => invoke('chat/invite', { Token: token, taskSid: chat.task.sid, targetSid: t })));
    return { world, chat, results };
  }

  test('20 concurrent invites: every one recorded, or an explicit conflict with its invite canceled', async () => {
    const { world, chat, results } = await race(20, 3);
    const invites = world.conversationAttributes(chat.conversationSid).invites as Record<string, unknown>;
    for (const r of results) {
      if (r.status === 200) {
        expect(r.body.recorded).toBe(true);
        expect(invites[String(r.body.inviteTaskSid)]).toBeDefined();
      } else {
        expect(r.status).toBe(409);
        expect(r.body).toMatchObject({ error: 'conflict', inviteCanceled: true });
      }
    }
    // Records == exactly the outstanding invites: nothing lost, nothing stale.
    expect(Object.keys(invites).sort()).toEqual(pendingInviteTasks(world, chat.conversationSid).sort());
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThan(0);
  });

  test('a naive read-modify-write (the earlier implementation) loses records in the same race', async () => {
    const world = new FakeWorld();
    const { chat } = chatWithWorkers(world, 0);
    world.latencyMs = 3;
    const port = withRetries(world, { baseDelayMs: 1 });
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const cur = (await port.fetchConversation(chat.conversationSid)).attributes;
        const invites = { ...((cur.invites as object) ?? {}), [`WT${i}`]: { i } };
        await port.updateConversationAttributes(chat.conversationSid, JSON.stringify({ ...cur, invites }));
      }),
    );
    expect(Object.keys(world.conversationAttributes(chat.conversationSid).invites as object).length).toBeLessThan(20);
  });

  test('property: random latency and lost write answers never lose a record', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 4 }), fc.constantFrom(0, 0.2), async (n, latency, faultRate) => {
        const { world, chat, results } = await race(n, latency, faultRate);
        const invites = world.conversationAttributes(chat.conversationSid).invites as Record<string, unknown>;
        for (const r of results) {
          if (r.status === 200) expect(invites[String(r.body.inviteTaskSid)]).toBeDefined();
          else expect([409, 502]).toContain(r.status);
        }
        expect(Object.keys(invites).sort()).toEqual(pendingInviteTasks(world, chat.conversationSid).sort());
      }),
      { numRuns: 12 },
    );
  });
});
