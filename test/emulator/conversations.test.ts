/** Conversations v1: conversations (attributes, state, unique names, timers), participants, messages. */
import { raw, startTestEmulator, twilioError, type TestEmu } from './taskrouter.helpers';

describe('Conversations', () => {
  let t: TestEmu;
  const conv = () => t.client.conversations.v1.conversations;

  beforeAll(async () => {
    t = await startTestEmulator();
  });
  beforeEach(() => t.emu.reset());
  afterAll(() => t.stop());

  test('create/fetch/update attributes and state; fetch by unique name; duplicate unique name -> 409/50353', async () => {
    const c = await conv().create({ friendlyName: 'Support', uniqueName: 'support-1', attributes: JSON.stringify({ invites: {} }) });
    expect(c.sid).toMatch(/^CH/);
    expect(c.state).toBe('active');
    expect(c.chatServiceSid).toMatch(/^IS/);
    expect((await conv()('support-1').fetch()).sid).toBe(c.sid);
    const u = await conv()(c.sid).update({ attributes: JSON.stringify({ invites: { WT1: { targetSid: 'WK1' } } }) });
    expect(JSON.parse(u.attributes)).toEqual({ invites: { WT1: { targetSid: 'WK1' } } });
    expect(u.friendlyName).toBe('Support');
    const dup = await twilioError(conv().create({ uniqueName: 'support-1' }));
    expect(dup).toMatchObject({ status: 409, code: 50353 });
    const bad = await twilioError(conv().create({ attributes: '{oops' }));
    expect(bad.status).toBe(400);
    expect(bad.message).toContain('Attributes');
  });

  test('closed is final; list filters by state; delete', async () => {
    const a = await conv().create({ friendlyName: 'a' });
    const b = await conv().create({ friendlyName: 'b' });
    await conv()(b.sid).update({ state: 'closed' });
    expect((await conv().list({ state: 'closed' } as never)).map((c) => c.sid)).toEqual([b.sid]);
    expect((await twilioError(conv()(b.sid).update({ state: 'active' }))).message).toMatch(/closed/);
    await conv()(a.sid).remove();
    expect((await twilioError(conv()(a.sid).fetch())).status).toBe(404);
  });

  test('timers move a conversation to inactive then closed on the emulator clock', async () => {
    const c = await conv().create({ 'timers.inactive': 'PT5M', 'timers.closed': 'PT30M' } as never);
    expect(Object.keys(c.timers as object).sort()).toEqual(['date_closed', 'date_inactive']);
    t.emu.clock.advance(5 * 60_000);
    expect((await conv()(c.sid).fetch()).state).toBe('inactive');
    t.emu.clock.advance(25 * 60_000);
    expect((await conv()(c.sid).fetch()).state).toBe('closed');
    expect((await twilioError(conv().create({ 'timers.inactive': 'PT10S' } as never))).message).toContain('Timers.Inactive');
  });

  test('participants: identity or address required; duplicate identity -> 409/50433; no participants or messages in a closed conversation', async () => {
    const c = await conv().create({});
    const p = await conv()(c.sid).participants.create({ identity: 'alice', attributes: JSON.stringify({ member_type: 'agent' }) });
    expect(p.sid).toMatch(/^MB/);
    const sms = await conv()(c.sid).participants.create({ 'messagingBinding.address': '+15550001111', 'messagingBinding.proxyAddress': '+15559990000' } as never);
    expect(sms.messagingBinding).toMatchObject({ type: 'sms', address: '+15550001111', proxy_address: '+15559990000' });
    const dup = await twilioError(conv()(c.sid).participants.create({ identity: 'alice' }));
    expect(dup).toMatchObject({ status: 409, code: 50433 });
    const none = await raw(t, 'POST', `/conversations/v1/Conversations/${c.sid}/Participants`, { Attributes: '{}' });
    expect(none.status).toBe(400);
    expect(String(none.body.message)).toContain('Identity');
    const up = await conv()(c.sid).participants(p.sid).update({ attributes: '{"x":1}' });
    expect(up.attributes).toBe('{"x":1}');
    await conv()(c.sid).participants(p.sid).remove();
    expect((await conv()(c.sid).participants.list()).length).toBe(1);
    await conv()(c.sid).update({ state: 'closed' });
    expect((await twilioError(conv()(c.sid).participants.create({ identity: 'bob' }))).status).toBe(400);
    expect((await twilioError(conv()(c.sid).messages.create({ body: 'hi' }))).status).toBe(400);
  });

  test('messages get increasing indexes and link their author participant; list order asc/desc; paging', async () => {
    const c = await conv().create({});
    const p = await conv()(c.sid).participants.create({ identity: 'alice' });
    const m1 = await conv()(c.sid).messages.create({ author: 'alice', body: 'hello' });
    const m2 = await conv()(c.sid).messages.create({ body: 'system note' });
    expect([m1.index, m2.index]).toEqual([0, 1]);
    expect(m1.participantSid).toBe(p.sid);
    expect(m2.author).toBe('system');
    expect((await conv()(c.sid).messages.list({ order: 'desc' })).map((m) => m.index)).toEqual([1, 0]);
    for (let i = 0; i < 3; i++) await conv()(c.sid).messages.create({ body: `m${i}` });
    const page = await conv()(c.sid).messages.page({ pageSize: 2 });
    expect(page.instances.length).toBe(2);
    expect((await conv()(c.sid).messages.list({ pageSize: 2 })).length).toBe(5);
  });

  test('service-scoped paths work for the default service and 404 for another', async () => {
    const c = await conv().create({ friendlyName: 'scoped' });
    const service = c.chatServiceSid;
    const viaService = await t.client.conversations.v1.services(service).conversations(c.sid).fetch();
    expect(viaService.friendlyName).toBe('scoped');
    const p = await t.client.conversations.v1.services(service).conversations(c.sid).participants.create({ identity: 'x' });
    expect(p.chatServiceSid).toBe(service);
    expect(
      (
        await twilioError(
          t.client.conversations.v1
            .services('IS' + '0'.repeat(32))
            .conversations(c.sid)
            .fetch(),
        )
      ).status,
    ).toBe(404);
  });
});
