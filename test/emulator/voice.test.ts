/**
 * Voice: inbound calls enqueued to TaskRouter, the `conference` and `call`
 * instructions, conferences (hold, unhold, remove, end_conference_on_exit),
 * the blind and warm transfer sequences (seed 000), TwiML execution and its
 * failures, Calls update with TwiML.
 */
import { raw, startReceiver, startTestEmulator, twilioError, type Receiver, type TestEmu } from './taskrouter.helpers';
import { flexSeedSids, type FlexSeedSids, type VoiceNetworkApi } from '../../emulator';

const CUSTOMER = '+15551230000';
const TWILIO_NUMBER = '+15559870000';

describe('voice', () => {
  let t: TestEmu;
  let sids: FlexSeedSids;
  let rx: Receiver;
  let voice: VoiceNetworkApi;
  const tr = () => t.client.taskrouter.v1.workspaces(sids.workspace);

  beforeAll(async () => {
    t = await startTestEmulator();
    sids = flexSeedSids(t.accountSid);
    voice = t.emu.core.apiOf<VoiceNetworkApi>('api')!;
  });
  beforeEach(async () => {
    t.emu.reset();
    rx = await startReceiver();
  });
  afterEach(() => rx.close());
  afterAll(() => t.stop());

  const enqueueTwiml = (attrs: Record<string, unknown> = { type: 'inbound' }, after = '') =>
    `<Response><Say>Thanks for calling</Say><Enqueue workflowSid="${sids.assignToAnyoneWorkflow}"><Task>${JSON.stringify(attrs)}</Task></Enqueue>${after}</Response>`;

  /** A customer call waiting in TaskRouter; returns the call and its task. */
  async function customerInQueue(attrs?: Record<string, unknown>) {
    const call = await t.client.calls.create({ to: CUSTOMER, from: TWILIO_NUMBER, twiml: enqueueTwiml(attrs) });
    await t.emu.whenIdle();
    const [task] = await tr().tasks.list({ assignmentStatus: ['pending', 'reserved'] });
    return { call, task };
  }

  /** alice takes the customer's voice task with the conference instruction; returns the conference. */
  async function connectAlice() {
    await tr().workers(sids.workers.alice).update({ activitySid: sids.activities.Available });
    const { call, task } = await customerInQueue();
    const [res] = await tr().tasks(task.sid).reservations.list();
    await tr()
      .tasks(task.sid)
      .reservations(res.sid)
      .update({ instruction: 'conference', from: TWILIO_NUMBER, endConferenceOnExit: false } as never);
    await t.emu.whenIdle();
    const workerCall = voice.answerRinging(t.accountSid, 'client:alice');
    await t.emu.whenIdle();
    const conference = voice.conference(t.accountSid, task.sid)!;
    return { customerCall: call, task, res, workerCall, conference };
  }

  test('an API call running <Enqueue workflowSid> creates a voice task with the call in its attributes', async () => {
    const { call, task } = await customerInQueue({ type: 'support' });
    expect(call.status).toBe('queued');
    const fetched = await t.client.calls(call.sid).fetch();
    expect(fetched.status).toBe('in-progress');
    expect(fetched.direction).toBe('outbound-api');
    expect(task.taskChannelUniqueName).toBe('voice');
    expect(JSON.parse(task.attributes)).toMatchObject({ type: 'support', call_sid: call.sid, from: TWILIO_NUMBER, to: CUSTOMER });
    expect(voice.call(t.accountSid, call.sid)!.transcript.map((e) => e.verb)).toEqual(['Say', 'Enqueue']);
  });

  test('conference instruction: the worker is called, answers, and agent + customer are in a conference named by the task SID', async () => {
    const { customerCall, task, res, workerCall, conference } = await connectAlice();
    expect(workerCall.to).toBe('client:alice');
    expect(conference.friendlyName).toBe(task.sid);
    const parts = await t.client.conferences(conference.sid).participants.list();
    expect(parts.map((p) => p.callSid).sort()).toEqual([customerCall.sid, workerCall.sid].sort());
    expect(parts.every((p) => p.status === 'connected')).toBe(true);
    expect((await t.client.conferences(conference.sid).fetch()).status).toBe('in-progress');
    const after = await tr().tasks(task.sid).fetch();
    expect(after.assignmentStatus).toBe('assigned');
    expect(JSON.parse(after.attributes).conference).toEqual({ sid: conference.sid, room_name: task.sid, participants: { worker: workerCall.sid, customer: customerCall.sid } });
    expect((await tr().tasks(task.sid).reservations(res.sid).fetch()).reservationStatus).toBe('accepted');
  });

  test('conference instruction from the assignment callback answer', async () => {
    rx.answer('/assign', { instruction: 'conference', from: TWILIO_NUMBER });
    await tr()
      .workflows(sids.assignToAnyoneWorkflow)
      .update({ assignmentCallbackUrl: `${rx.url}/assign` });
    await tr().workers(sids.workers.bob).update({ activitySid: sids.activities.Available });
    const { task } = await customerInQueue();
    const ringing = voice.calls(t.accountSid).filter((c) => c.to === 'client:bob' && c.status === 'ringing');
    expect(ringing.length).toBe(1);
    voice.answer(t.accountSid, ringing[0].sid);
    await t.emu.whenIdle();
    expect((await tr().tasks(task.sid).fetch()).assignmentStatus).toBe('assigned');
  });

  test('a worker who does not answer within Timeout: the reservation is rejected and the task waits again', async () => {
    await tr().workers(sids.workers.alice).update({ activitySid: sids.activities.Available });
    const { task } = await customerInQueue();
    const [res] = await tr().tasks(task.sid).reservations.list();
    await tr()
      .tasks(task.sid)
      .reservations(res.sid)
      .update({ instruction: 'conference', from: TWILIO_NUMBER, timeout: 20 } as never);
    await t.emu.whenIdle();
    t.emu.clock.advance(20_000);
    await t.emu.whenIdle();
    const workerCall = voice.calls(t.accountSid).find((c) => c.to === 'client:alice' && c.sid !== undefined)!;
    expect(workerCall.status).toBe('no-answer');
    expect((await tr().tasks(task.sid).reservations(res.sid).fetch()).reservationStatus).toBe('rejected');
  });

  test('a caller who hangs up while waiting cancels the task (reason hangup)', async () => {
    const { call, task } = await customerInQueue();
    voice.hangup(t.accountSid, call.sid);
    const after = await tr().tasks(task.sid).fetch();
    expect(after.assignmentStatus).toBe('canceled');
    expect(after.reason).toBe('hangup');
    expect((await t.client.calls(call.sid).fetch()).status).toBe('completed');
  });

  test('a task canceled by TaskRouter (TTL) lets the caller continue after <Enqueue>', async () => {
    const call = await t.client.calls.create({
      to: CUSTOMER,
      from: TWILIO_NUMBER,
      twiml: `<Response><Enqueue workflowSid="${sids.assignToAnyoneWorkflow}"><Task timeout="60">{}</Task></Enqueue><Say>Sorry, nobody is available</Say></Response>`,
    });
    await t.emu.whenIdle();
    t.emu.clock.advance(60_000);
    const c = voice.call(t.accountSid, call.sid)!;
    expect(c.status).toBe('completed');
    expect(c.transcript.map((e) => e.text ?? e.verb)).toContain('Sorry, nobody is available');
  });

  test('hold with HoldUrl, unhold, EndConferenceOnExit; removing a participant completes its call', async () => {
    const { customerCall, workerCall, conference } = await connectAlice();
    const held = await t.client.conferences(conference.sid).participants(customerCall.sid).update({ hold: true, holdUrl: 'https://example.com/hold.xml' });
    expect(held.hold).toBe(true);
    expect((await t.client.conferences(conference.sid).participants.list({ hold: true })).map((p) => p.callSid)).toEqual([customerCall.sid]);
    const unheld = await t.client.conferences(conference.sid).participants(customerCall.sid).update({ hold: false });
    expect(unheld.hold).toBe(false);
    expect((await t.client.conferences(conference.sid).participants(workerCall.sid).update({ endConferenceOnExit: true })).endConferenceOnExit).toBe(true);
    await t.client.conferences(conference.sid).participants(customerCall.sid).remove();
    expect((await t.client.calls(customerCall.sid).fetch()).status).toBe('completed');
    expect((await t.client.conferences(conference.sid).fetch()).status).toBe('in-progress');
    expect((await twilioError(t.client.conferences(conference.sid).participants(customerCall.sid).fetch())).status).toBe(404);
  });

  test('a participant with end_conference_on_exit leaving ends the conference for everyone', async () => {
    const { customerCall, workerCall, conference } = await connectAlice();
    await t.client.conferences(conference.sid).participants(workerCall.sid).update({ endConferenceOnExit: true });
    voice.hangup(t.accountSid, workerCall.sid);
    const conf = await t.client.conferences(conference.sid).fetch();
    expect(conf.status).toBe('completed');
    expect(conf.reasonConferenceEnded).toBe('participant-with-end-conference-on-exit-left');
    expect(conf.callSidEndingConference).toBe(workerCall.sid);
    expect((await t.client.calls(customerCall.sid).fetch()).status).toBe('completed');
  });

  test('the conference ends when the last participant leaves', async () => {
    const { customerCall, workerCall, conference } = await connectAlice();
    voice.hangup(t.accountSid, customerCall.sid);
    expect((await t.client.conferences(conference.sid).fetch()).status).toBe('in-progress');
    voice.hangup(t.accountSid, workerCall.sid);
    const conf = await t.client.conferences(conference.sid).fetch();
    expect(conf.status).toBe('completed');
    expect(conf.reasonConferenceEnded).toBe('last-participant-left');
  });

  async function transferToBob(mode: 'blind' | 'warm') {
    const { customerCall, task, workerCall, conference } = await connectAlice();
    // 1. Hold the customer.
    await t.client.conferences(conference.sid).participants(customerCall.sid).update({ hold: true, holdUrl: 'https://example.com/hold' });
    // 2. A new task for the transfer target, with the conference and the original task.
    rx.answer('/join', `<Response><Dial><Conference endConferenceOnExit="false">${task.sid}</Conference></Dial></Response>`);
    rx.answer('/assign-transfer', { instruction: 'call', from: TWILIO_NUMBER, url: `${rx.url}/join`, accept: true });
    const transferWf = await tr().workflows.create({
      friendlyName: 'Voice Transfer',
      assignmentCallbackUrl: `${rx.url}/assign-transfer`,
      configuration: JSON.stringify({ task_routing: { filters: [{ expression: 'requested_agent != null', targets: [{ queue: sids.everyoneQueue, known_worker_sid: 'task.requested_agent' }] }] } }),
    });
    await tr().workers(sids.workers.bob).update({ activitySid: sids.activities.Available });
    const transferTask = await tr().tasks.create({
      workflowSid: transferWf.sid,
      taskChannel: 'voice',
      attributes: JSON.stringify({ requested_agent: sids.workers.bob, conference: { sid: conference.sid }, original_task_sid: task.sid }),
    });
    await t.emu.whenIdle();
    if (mode === 'blind') {
      // 3. Remove the original agent leg and complete the original task.
      await t.client.conferences(conference.sid).participants(workerCall.sid).remove();
      await tr().tasks(task.sid).update({ assignmentStatus: 'completed', reason: 'transferred' });
    }
    // 4. Bob's call (the `call` instruction) rings; he answers; the URL's TwiML joins him to the original conference.
    const bobCall = voice.answerRinging(t.accountSid, 'client:bob');
    await t.emu.whenIdle();
    return { customerCall, task, workerCall, conference, transferTask, bobCall };
  }

  test('blind transfer: hold, new task, call instruction, <Dial><Conference>original task</Conference>, remove the first agent', async () => {
    const { customerCall, task, workerCall, conference, transferTask, bobCall } = await transferToBob('blind');
    expect((await tr().tasks(transferTask.sid).fetch()).assignmentStatus).toBe('assigned');
    expect((await tr().tasks(task.sid).fetch()).assignmentStatus).toBe('completed');
    expect((await t.client.calls(workerCall.sid).fetch()).status).toBe('completed');
    const parts = await t.client.conferences(conference.sid).participants.list();
    expect(parts.map((p) => p.callSid).sort()).toEqual([bobCall.sid, customerCall.sid].sort());
    // The TwiML fetch was a signed POST with the call's parameters.
    const fetch = rx.received.find((r) => r.path === '/join')!;
    expect(fetch.validFor(t.emu.credentials.authToken)).toBe(true);
    expect(fetch.params).toMatchObject({ CallSid: bobCall.sid, To: 'client:bob', From: TWILIO_NUMBER, CallStatus: 'in-progress', AccountSid: t.accountSid, Direction: 'outbound-api' });
    // Unhold: customer and bob talk.
    await t.client.conferences(conference.sid).participants(customerCall.sid).update({ hold: false });
    expect((await t.client.conferences(conference.sid).participants(customerCall.sid).fetch()).hold).toBe(false);
  });

  test('warm transfer: three-way first, then the first agent leaves', async () => {
    const { customerCall, task, workerCall, conference, bobCall } = await transferToBob('warm');
    expect((await t.client.conferences(conference.sid).participants.list()).length).toBe(3);
    await t.client.conferences(conference.sid).participants(workerCall.sid).remove();
    await tr().tasks(task.sid).update({ assignmentStatus: 'wrapping' });
    const parts = await t.client.conferences(conference.sid).participants.list();
    expect(parts.map((p) => p.callSid).sort()).toEqual([bobCall.sid, customerCall.sid].sort());
    expect((await tr().tasks(task.sid).fetch()).assignmentStatus).toBe('wrapping');
  });

  test('TwiML: <Say>/<Play>/<Hangup> run; invalid TwiML fails the call (12100 / 12200); an unreachable URL is 11200', async () => {
    const ok = await t.client.calls.create({ to: CUSTOMER, from: TWILIO_NUMBER, twiml: '<Response><Say>One</Say><Play>https://x/y.mp3</Play><Hangup/><Say>never</Say></Response>' });
    const broken = await t.client.calls.create({ to: CUSTOMER, from: TWILIO_NUMBER, twiml: '<Response><Say>unclosed</Response>' });
    const unknown = await t.client.calls.create({ to: CUSTOMER, from: TWILIO_NUMBER, twiml: '<Response><Dance/></Response>' });
    rx.answer('/error', 'nope', 500);
    const unreachable = await t.client.calls.create({ to: CUSTOMER, from: TWILIO_NUMBER, url: `${rx.url}/error` });
    await t.emu.whenIdle();
    const okCall = voice.call(t.accountSid, ok.sid)!;
    expect(okCall.status).toBe('completed');
    expect(okCall.transcript.map((e) => `${e.verb}:${e.text ?? ''}`)).toEqual(['Say:One', 'Play:https://x/y.mp3', 'Hangup:']);
    expect(voice.call(t.accountSid, broken.sid)!.status).toBe('failed');
    expect(voice.call(t.accountSid, unknown.sid)!.status).toBe('failed');
    expect(voice.call(t.accountSid, unreachable.sid)!.status).toBe('failed');
    const codes = voice.notifications(t.accountSid).map((n) => `${n.callSid}:${n.code}`);
    expect(codes).toEqual(expect.arrayContaining([`${broken.sid}:12100`, `${unknown.sid}:12200`, `${unreachable.sid}:11200`]));
  });

  test('Calls update with Twiml takes a call out of its conference and runs the new TwiML', async () => {
    const { customerCall, workerCall, conference } = await connectAlice();
    await t.client.calls(customerCall.sid).update({ twiml: '<Response><Say>Goodbye</Say></Response>' });
    const c = voice.call(t.accountSid, customerCall.sid)!;
    expect(c.status).toBe('completed');
    expect(c.transcript[c.transcript.length - 1]).toMatchObject({ verb: 'Say', text: 'Goodbye' });
    expect((await t.client.conferences(conference.sid).participants.list()).map((p) => p.callSid)).toEqual([workerCall.sid]);
    await t.client.calls(workerCall.sid).update({ status: 'completed' });
    expect((await t.client.conferences(conference.sid).fetch()).status).toBe('completed');
  });

  test('Participants create dials a number into a conference by name; Conference update Status=completed ends it', async () => {
    const { conference } = await connectAlice();
    const p = await t.client.conferences(conference.sid).participants.create({ from: TWILIO_NUMBER, to: '+15557770000', label: 'expert', earlyMedia: true, endConferenceOnExit: false });
    expect(p.label).toBe('expert');
    await t.emu.whenIdle();
    const fetched = await t.client.conferences(conference.sid).participants('expert').fetch();
    expect(fetched.status).toBe('connected');
    const byName = await t.client.conferences('Named Room').participants.create({ from: TWILIO_NUMBER, to: '+15557770001' });
    await t.emu.whenIdle();
    const room = voice.conference(t.accountSid, 'Named Room')!;
    expect(room.sid).toBe(byName.conferenceSid);
    const ended = await t.client.conferences(conference.sid).update({ status: 'completed' });
    expect(ended.status).toBe('completed');
    expect(ended.reasonConferenceEnded).toBe('conference-ended-via-api');
    expect(
      voice
        .calls(t.accountSid)
        .filter((c) => c.status === 'in-progress')
        .map((c) => c.to),
    ).toEqual(['+15557770001']);
    expect((await t.client.conferences.list({ status: 'completed' })).map((c) => c.sid)).toEqual([conference.sid]);
  });

  test('bad input: Calls create without To/From/Url, unknown SIDs', async () => {
    const path = `/api/2010-04-01/Accounts/${t.accountSid}/Calls.json`;
    const noTo = await raw(t, 'POST', path, { From: TWILIO_NUMBER, Url: 'https://example.com/x' });
    expect(noTo.body).toMatchObject({ status: 400, code: 21201 });
    expect(String(noTo.body.message)).toContain('To');
    const noUrl = await raw(t, 'POST', path, { From: TWILIO_NUMBER, To: CUSTOMER });
    expect(noUrl.body).toMatchObject({ status: 400, code: 21205 });
    expect((await twilioError(t.client.calls('CA' + '0'.repeat(32)).fetch())).code).toBe(20404);
    expect((await twilioError(t.client.conferences('CF' + '0'.repeat(32)).participants.create({ from: TWILIO_NUMBER, to: CUSTOMER }))).status).toBe(404);
  });

  test('the voice-network HTTP controls answer and hang up calls', async () => {
    await tr().workers(sids.workers.alice).update({ activitySid: sids.activities.Available });
    const { task } = await customerInQueue();
    const [res] = await tr().tasks(task.sid).reservations.list();
    await tr()
      .tasks(task.sid)
      .reservations(res.sid)
      .update({ instruction: 'conference', from: TWILIO_NUMBER } as never);
    await t.emu.whenIdle();
    const answered = await fetch(`${t.emu.baseUrl}/voice-network/${t.accountSid}/answer`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: 'client:alice' }),
    });
    expect(answered.status).toBe(200);
    const call = (await answered.json()) as { sid: string; status: string };
    expect(call.status).toBe('in-progress');
    await t.emu.whenIdle();
    expect((await tr().tasks(task.sid).fetch()).assignmentStatus).toBe('assigned');
    const hung = await fetch(`${t.emu.baseUrl}/voice-network/${t.accountSid}/Calls/${call.sid}/hangup`, { method: 'POST' });
    expect(((await hung.json()) as { status: string }).status).toBe('completed');
  });

  test('<Dial><Number> bridges a child call; when it ends the parent continues with <Dial action>', async () => {
    rx.answer('/after-dial', '<Response><Say>The other party hung up</Say><Hangup/></Response>');
    voice.setAnswerMode(t.accountSid, '+15550009999', 'manual');
    const parent = await t.client.calls.create({
      to: CUSTOMER,
      from: TWILIO_NUMBER,
      twiml: `<Response><Gather><Say>Press nothing</Say></Gather><Dial action="${rx.url}/after-dial" callerId="${TWILIO_NUMBER}"><Number>+15550009999</Number></Dial></Response>`,
    });
    await t.emu.whenIdle();
    const child = voice.calls(t.accountSid).find((c) => c.parentCallSid === parent.sid)!;
    expect(child).toMatchObject({ to: '+15550009999', from: TWILIO_NUMBER, direction: 'outbound-dial', status: 'ringing' });
    voice.answer(t.accountSid, child.sid);
    expect(voice.call(t.accountSid, parent.sid)!.activity).toEqual({ kind: 'bridged', otherCallSid: child.sid });
    expect((await t.client.calls.list({ parentCallSid: parent.sid })).map((c) => c.sid)).toEqual([child.sid]);
    voice.hangup(t.accountSid, child.sid);
    await t.emu.whenIdle();
    const p = voice.call(t.accountSid, parent.sid)!;
    expect(p.status).toBe('completed');
    expect(p.transcript.map((e) => e.text ?? e.verb)).toEqual(expect.arrayContaining(['Press nothing', 'The other party hung up']));
    expect(rx.received.find((r) => r.path === '/after-dial')!.params.DialCallStatus).toBe('completed');
  });

  test('status callbacks follow StatusCallbackEvent', async () => {
    const call = await t.client.calls.create({
      to: CUSTOMER,
      from: TWILIO_NUMBER,
      twiml: '<Response><Say>hi</Say></Response>',
      statusCallback: `${rx.url}/status`,
      statusCallbackEvent: ['initiated', 'answered', 'completed'],
    });
    await t.emu.whenIdle();
    const got = rx.received.filter((r) => r.path === '/status');
    expect(got.map((r) => r.params.CallStatus)).toEqual(['queued', 'in-progress', 'completed']);
    expect(got.every((r) => r.params.CallSid === call.sid && r.validFor(t.emu.credentials.authToken))).toBe(true);
    expect(got[2].params.CallDuration).toBe('0');
  });

  test('calls list filters and 2010 paging', async () => {
    for (let i = 0; i < 3; i++) await t.client.calls.create({ to: `+1555000000${i}`, from: TWILIO_NUMBER, twiml: '<Response><Hangup/></Response>' });
    await t.emu.whenIdle();
    expect((await t.client.calls.list({ to: '+15550000001' })).length).toBe(1);
    expect((await t.client.calls.list({ status: 'completed' })).length).toBe(3);
    const page = await t.client.calls.page({ pageSize: 2 });
    expect(page.instances.length).toBe(2);
    expect((await t.client.calls.list({ pageSize: 2 })).length).toBe(3);
  });
});
