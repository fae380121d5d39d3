/**
 * The functions' HTTP contract on Twilio's own Functions runtime
 * (@twilio/runtime-handler behind the emulator's gateway, and twilio-run),
 * with the deployed stack:
 *
 *  - answers are JSON objects encoded once (the runtime serializes the body
 *    of an `application/json` Twilio.Response; a pre-serialized string
 *    arrives encoded twice and TaskRouter finds no instruction in it);
 *  - preflights are the runtime's; the origin rule holds on the actual
 *    request, before any Twilio API call;
 *  - a parameter named `request` (form, JSON or query) cannot stand in for
 *    the request metadata the runtime adds;
 *  - the deployed build pins the runtime (`@twilio/runtime-handler`) among
 *    the service's dependencies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Emulator, EmulatorState } from '../../emulator';
import { REPO_ROOT, RUNTIMES, callFunction, resetToDeployed, serveOn, signedCall, startChat, startDeployedStack, taskOf, type TransferStack } from '../../support';
import { apiOps } from './helpers/faults';

let emu: Emulator;
let stack: TransferStack;
let deployed: TransferStack;
let clean: EmulatorState;

beforeAll(async () => {
  ({ emu, stack: deployed, clean } = await startDeployedStack());
  stack = deployed;
});
afterAll(async () => emu?.stop());
beforeEach(() => resetToDeployed(emu, clean));

const FLEX = 'https://flex.twilio.com';
const EVIL = 'https://evil.example';
const token = (worker: string) => emu.mintFlexToken({ workerSid: stack.workers[worker] });
const lastSeq = () => emu.log.list().reduce((max, e) => Math.max(max, e.seq), 0);

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe.each(RUNTIMES)('on the %s runtime', (runtime) => {
  serveOn(
    runtime,
    () => ({ emu, stack: deployed }),
    (s) => (stack = s),
  );

  test('answers are JSON objects, encoded once: a refusal, and the assignment instruction TaskRouter reads', async () => {
    const refused = await callFunction(stack, '/chat/transfer', { Token: token('alice'), taskSid: 'not-a-sid' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(refused.text)).toMatchObject({ success: false, error: 'invalid_parameter', field: 'taskSid' });

    const assignment = await signedCall(emu, stack, '/voice/assignment', {
      WorkspaceSid: stack.workspaceSid,
      TaskSid: `WT${'1'.repeat(32)}`,
      WorkerSid: stack.workers.bob,
      ReservationSid: `WR${'2'.repeat(32)}`,
      TaskAttributes: JSON.stringify({
        transferMode: 'blind',
        originalTaskSid: `WT${'3'.repeat(32)}`,
        transferCallerId: '+15550002222',
        conference: { sid: `CF${'4'.repeat(32)}`, room_name: `WT${'3'.repeat(32)}`, participants: { customer: `CA${'5'.repeat(32)}` } },
      }),
      WorkerAttributes: JSON.stringify({ contact_uri: 'client:bob' }),
    });
    expect(assignment.status).toBe(200);
    expect(JSON.parse(assignment.text)).toMatchObject({ instruction: 'call', to: 'client:bob', from: '+15550002222', accept: false });
  });

  test('a preflight is answered by the runtime itself; the origin rule holds on the actual request, before any Twilio call', async () => {
    const chat = await startChat(emu, stack, 'alice');
    const preflight = await fetch(`${stack.baseUrl}/chat/transfer`, {
      method: 'OPTIONS',
      headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    // Twilio's answer for every deployed path, whatever the origin: the function does not run.
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const t = token('alice');
    const since = lastSeq();
    const foreign = await callFunction(stack, '/chat/transfer', { Token: t, taskSid: chat.taskSid, targetSid: stack.queues.sales }, { Origin: EVIL });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toBe('origin_not_allowed');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(apiOps(emu, since)).toEqual([]);
    expect((await taskOf(stack, chat.taskSid)).status).toBe('assigned');
    const flex = await callFunction(stack, '/chat/transfer', { Token: t, taskSid: 'not-a-sid' }, { Origin: FLEX });
    expect(flex.headers.get('access-control-allow-origin')).toBe(FLEX);
    expect(flex.headers.get('vary')).toMatch(/Origin/);
  });

  test('a parameter named request cannot replace the request metadata (form, JSON, query); refused before any Twilio call', async () => {
    const chat = await startChat(emu, stack, 'alice');
    const t = token('alice');
    const since = lastSeq();
    const params = { Token: t, taskSid: chat.taskSid, targetSid: stack.queues.sales };
    const attempts = [
      await post('/chat/transfer', new URLSearchParams({ ...params, request: 'x' }).toString(), { 'Content-Type': 'application/x-www-form-urlencoded', Origin: EVIL }),
      await post('/chat/transfer', JSON.stringify({ ...params, request: { headers: { origin: FLEX } } }), { 'Content-Type': 'application/json', Origin: EVIL }),
      await post(`/chat/transfer?request[headers][origin]=${encodeURIComponent(FLEX)}`, new URLSearchParams(params).toString(), { 'Content-Type': 'application/x-www-form-urlencoded', Origin: EVIL }),
    ];
    for (const a of attempts) {
      expect({ status: a.status, body: JSON.parse(a.text) as unknown, allowOrigin: a.headers.get('access-control-allow-origin') }).toEqual({
        status: 400,
        body: expect.objectContaining({ success: false, error: 'invalid_parameter', field: 'request' }),
        allowOrigin: null,
      });
    }
    expect(apiOps(emu, since)).toEqual([]);
    expect((await taskOf(stack, chat.taskSid)).status).toBe('assigned');
    // A complete forgery of the runtime's shape can only claim an allowed origin, which is all it gets
    // echoed: a browser compares that with the page's real origin and keeps the answer from it.
    const forged = await post('/chat/transfer', JSON.stringify({ Token: t, taskSid: 'not-a-sid', request: { headers: { origin: FLEX }, cookies: {} } }), {
      'Content-Type': 'application/json',
      Origin: EVIL,
    });
    expect([EVIL, '*']).not.toContain(forged.headers.get('access-control-allow-origin'));
  });
});

test("the deployed build pins Twilio's runtime (the @twilio/runtime-handler the project is tested on) and the twilio SDK among its dependencies", async () => {
  const service = stack.client.serverless.v1.services(stack.serviceSid);
  const environment = await service.environments(stack.environmentSid).fetch();
  const build = await service.builds(String(environment.buildSid)).fetch();
  const pinned = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
  expect(pinned['@twilio/runtime-handler']).toMatch(/^\d+\.\d+\.\d+$/);
  expect(build.dependencies).toEqual(
    expect.arrayContaining([
      { name: '@twilio/runtime-handler', version: pinned['@twilio/runtime-handler'] },
      { name: 'twilio', version: pinned.twilio },
    ]),
  );
  expect(build.runtime).toBe('node22');
});
