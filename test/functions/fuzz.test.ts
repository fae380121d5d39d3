/**
 * Fuzz: every endpoint with malformed input (wrong types, wrong SID prefixes,
 * unknown but well-formed SIDs, arrays, objects, huge and control-character
 * strings, real SIDs in the wrong places) answers 4xx (or 200 where Twilio's
 * own callbacks are ignored), never 5xx.
 */
import fc from 'fast-check';
import { FakeWorld, WS } from './helpers/fake-twilio';
import { invoke, useWorld } from './helpers/harness';

const ENDPOINTS: Record<string, string[]> = {
  'chat/transfer': ['taskSid', 'targetSid', 'flexInteractionSid', 'flexInteractionChannelSid', 'flexInteractionParticipantSid', 'conversationSid'],
  'chat/invite': ['taskSid', 'targetSid', 'flexInteractionSid', 'flexInteractionChannelSid', 'conversationSid'],
  'chat/cancel-invite': ['inviteTaskSid', 'flexInteractionSid', 'flexInteractionChannelSid'],
  'chat/leave': ['taskSid', 'flexInteractionParticipantSid', 'flexInteractionSid'],
  'voice/transfer': ['taskSid', 'targetSid', 'mode', 'originalTaskAction', 'conferenceSid', 'customerCallSid', 'agentCallSid'],
  'voice/complete-transfer': ['taskSid', 'transferTaskSid', 'originalTaskAction', 'conferenceSid'],
  'voice/cancel-transfer': ['taskSid', 'transferTaskSid', 'customerCallSid'],
  'chat/taskrouter-events': ['EventType', 'TaskSid', 'WorkspaceSid', 'TaskAttributes', 'TaskAssignmentStatus'],
  'voice/assignment': ['TaskSid', 'WorkerSid', 'WorkspaceSid', 'TaskAttributes', 'WorkerAttributes', 'ReservationSid'],
  'voice/join-conference': ['originalTaskSid', 'transferTaskSid', 'conferenceSid', 'customerCallSid', 'CallSid'],
};

const PREFIXES = ['WT', 'WK', 'WQ', 'KD', 'UO', 'UT', 'CH', 'CF', 'CA', 'WS', 'KG', 'ZZ', 'wt', ''];

function world() {
  const w = new FakeWorld();
  const alice = w.addWorker('Alice');
  const bob = w.addWorker('Bob');
  const q = w.addQueue('Sales');
  const chat = w.startChat(alice);
  const call = w.startCall(alice);
  const token = w.token(alice);
  const real = [alice, bob, q, chat.task.sid, chat.interactionSid, chat.channelSid, chat.conversationSid, chat.participantSid, call.task.sid, call.conferenceSid, call.customerCallSid, call.agentCallSid, WS];
  return { w, token, real };
}

function valueArb(real: string[]) {
  const hex = fc.stringMatching(/^[0-9a-f]{32}$/);
  return fc.oneof(
    fc.constantFrom(...real),
    fc.tuple(fc.constantFrom(...PREFIXES), hex).map(([p, h]) => p + h),
    fc.tuple(fc.constantFrom(...PREFIXES), fc.string({ maxLength: 40 })).map(([p, s]) => p + s),
    fc.string({ maxLength: 50 }),
    fc.constantFrom('', ' ', 'null', 'undefined', '{}', '[]', 'true', 'blind', 'warm', 'wrap', 'complete', 'task.canceled', 'reservation.accepted', 'reservation.timeout', '<x>', '"', "'", '\u0000', 'a'.repeat(10000)),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
    fc.json().map((j) => j),
  );
}

describe('fuzz: malformed input never yields a 5xx', () => {
  for (const [endpoint, fields] of Object.entries(ENDPOINTS)) {
    test(endpoint, async () => {
      const { w, token, real } = world();
      useWorld(w);
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom(...fields, 'Token', 'junk'), valueArb(real), { maxKeys: fields.length + 1 }),
          fc.boolean(),
          async (event, withToken) => {
            const ev: Record<string, unknown> = { ...event };
            if (withToken && !('Token' in event)) ev.Token = token;
            const r = await invoke(endpoint, ev);
            if (r.status >= 500) throw new Error(`${endpoint} answered ${r.status} for ${JSON.stringify(ev).slice(0, 400)}: ${r.text.slice(0, 300)}`);
            expect(r.status).toBeGreaterThanOrEqual(200);
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});
