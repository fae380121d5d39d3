/**
 * Fuzz over HTTP against the deployed functions: every endpoint gets
 * malformed requests (form and JSON bodies, repeated keys, wrong types, wrong
 * SID prefixes, unknown but well-formed SIDs, real SIDs in the wrong places,
 * huge and control-character values), with and without a valid Flex token;
 * protected endpoints get correctly signed requests so the code itself runs.
 * Only 2xx/4xx answers are allowed: bad input never yields a 5xx.
 */
import fc from 'fast-check';
import type { Emulator } from '../../emulator';
import { deployTransferStack, type TransferStack } from '../../support';
import { startChat, startManualEmulator, type Chat } from '../../support';

let emu: Emulator;
let stack: TransferStack;
let chat: Chat;
let real: string[];

beforeAll(async () => {
  emu = await startManualEmulator();
  stack = await deployTransferStack(emu);
  chat = await startChat(emu, stack, 'alice');
  await emu.whenIdle();
  real = [...Object.values(stack.workers), ...Object.values(stack.queues), chat.taskSid, chat.interactionSid, chat.channelSid, chat.conversationSid, stack.workspaceSid, stack.chatTransferWorkflowSid];
});
afterAll(async () => emu?.stop());

const ENDPOINTS: Record<string, { fields: string[]; signed: boolean }> = {
  '/chat/transfer': { fields: ['taskSid', 'targetSid', 'flexInteractionSid', 'flexInteractionChannelSid', 'flexInteractionParticipantSid', 'conversationSid'], signed: false },
  '/chat/invite': { fields: ['taskSid', 'targetSid', 'conversationSid'], signed: false },
  '/chat/cancel-invite': { fields: ['inviteTaskSid', 'flexInteractionSid'], signed: false },
  '/chat/leave': { fields: ['taskSid', 'flexInteractionParticipantSid'], signed: false },
  '/voice/transfer': { fields: ['taskSid', 'targetSid', 'mode', 'originalTaskAction', 'conferenceSid', 'customerCallSid', 'agentCallSid'], signed: false },
  '/voice/complete-transfer': { fields: ['taskSid', 'transferTaskSid', 'originalTaskAction'], signed: false },
  '/voice/cancel-transfer': { fields: ['taskSid', 'transferTaskSid'], signed: false },
  '/taskrouter/events': { fields: ['EventType', 'TaskSid', 'WorkspaceSid', 'TaskAttributes', 'TaskAssignmentStatus'], signed: true },
  '/voice/assignment': { fields: ['TaskSid', 'WorkerSid', 'WorkspaceSid', 'TaskAttributes', 'WorkerAttributes'], signed: true },
  '/voice/join-conference': { fields: ['originalTaskSid', 'transferTaskSid', 'conferenceSid', 'customerCallSid', 'CallSid'], signed: true },
};

const PREFIXES = ['WT', 'WK', 'WQ', 'KD', 'UO', 'UT', 'CH', 'CF', 'CA', 'WS', 'ZZ', ''];

function stringValue() {
  const hex = fc.stringMatching(/^[0-9a-f]{32}$/);
  return fc.oneof(
    fc.constantFrom(...real),
    fc.tuple(fc.constantFrom(...PREFIXES), hex).map(([p, h]) => p + h),
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      '',
      'null',
      '{}',
      '[]',
      '{"conference":{"sid":1}}',
      'blind',
      'warm',
      'complete',
      'task.canceled',
      'reservation.accepted',
      'reservation.timeout',
      '<Response/>',
      '\u0000',
      'é'.repeat(3000),
    ),
  );
}

function jsonValue() {
  return fc.oneof(stringValue(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(stringValue(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), stringValue(), { maxKeys: 2 }));
}

async function send(path: string, signed: boolean, params: Record<string, string[]>, json: Record<string, unknown> | null, withToken: boolean): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  let body: string;
  if (json && !signed) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(withToken ? { ...json, Token: emu.mintFlexToken({ workerSid: stack.workers.alice }) } : json);
  } else {
    const form = new URLSearchParams();
    for (const [k, vs] of Object.entries(params)) for (const v of vs) form.append(k, v);
    if (withToken && !signed) form.append('Token', emu.mintFlexToken({ workerSid: stack.workers.alice }));
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = form.toString();
    if (signed) {
      const flat: Record<string, string | string[]> = {};
      for (const [k, vs] of Object.entries(params)) flat[k] = vs.length === 1 ? vs[0] : vs;
      headers['X-Twilio-Signature'] = emu.core.webhooks.sign(emu.credentials.authToken, `https://${stack.domain}${path}`, flat);
    }
  }
  const res = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

describe('fuzz over HTTP: malformed input never yields a 5xx', () => {
  for (const [path, { fields, signed }] of Object.entries(ENDPOINTS)) {
    test(path, async () => {
      const key = fc.constantFrom(...fields, 'junk');
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(key, fc.array(stringValue(), { minLength: 1, maxLength: 2 }), { maxKeys: fields.length }),
          fc.option(fc.dictionary(key, jsonValue(), { maxKeys: fields.length }), { nil: null }),
          fc.boolean(),
          async (params, json, withToken) => {
            const r = await send(path, signed, params, json, withToken);
            if (r.status >= 500 || r.status < 200) throw new Error(`${path} answered ${r.status} for ${JSON.stringify(json ?? params).slice(0, 300)}: ${r.text.slice(0, 300)}`);
            if (signed) expect(r.status).not.toBe(403); // the signature was right: the code ran
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});
