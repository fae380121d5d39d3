/**
 * The Functions runtime's platform part (the gateway around Twilio's
 * @twilio/runtime-handler): visibility and signatures, the execution limit
 * (the process is stopped, not just answered for), Serverless Logs per
 * invocation, each build's own environment and dependencies, warm processes
 * that never hand one invocation's answer to another, and more concurrent
 * invocations than processes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../../emulator';
import { createServerlessClient, createTwilioClient } from '../../clients';

// Response bodies are checked by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type DeployConfig = Parameters<ReturnType<typeof createServerlessClient>['deployProject']>[0];
interface Fn {
  path: string;
  access: 'public' | 'protected' | 'private';
  content: string;
}

let emu: Emulator;
const LIMIT_MS = 2_000;

beforeAll(async () => {
  // Set in this process: the functions must not see it.
  process.env.EMULATOR_PROCESS_ONLY_SECRET = 'must-not-leak';
  emu = await startEmulator({ buildDurationMs: 10, functionTimeoutMs: LIMIT_MS });
});
afterAll(async () => {
  delete process.env.EMULATOR_PROCESS_ONLY_SECRET;
  await emu.stop();
});

async function deploy(serviceName: string, functions: Fn[], opts: { env?: Record<string, string>; dependencies?: Record<string, string> } = {}) {
  const client = createServerlessClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
  const result = await client.deployProject({
    serviceName,
    functionsEnv: 'dev',
    env: opts.env ?? {},
    pkgJson: { dependencies: opts.dependencies ?? {} },
    overrideExistingService: true,
    functions: functions.map((f) => ({ ...f, name: f.path.slice(1) })),
    assets: [],
  } as unknown as DeployConfig);
  return { ...result, url: (p: string) => `${emu.baseUrl}/runtime/${result.domain}${p}` };
}

test('private functions are not served; protected ones need a valid X-Twilio-Signature (not for OPTIONS)', async () => {
  const d = await deploy('vis-fns', [
    { path: '/open', access: 'public', content: 'exports.handler = (c, e, cb) => cb(null, "open");' },
    { path: '/signed', access: 'protected', content: 'exports.handler = (c, e, cb) => cb(null, { a: e.a });' },
    { path: '/inner', access: 'private', content: 'exports.handler = (c, e, cb) => cb(null, "inner");' },
  ]);
  expect((await fetch(d.url('/inner'))).status).toBe(404);
  expect((await fetch(d.url('/signed'), { method: 'POST', body: new URLSearchParams({ a: '1' }) })).status).toBe(403);
  const signature = emu.core.webhooks.sign(emu.credentials.authToken, `https://${d.domain}/signed`, { a: '1' });
  const signed = await fetch(d.url('/signed'), { method: 'POST', body: new URLSearchParams({ a: '1' }), headers: { 'X-Twilio-Signature': signature } });
  expect(signed.status).toBe(200);
  expect(await signed.json()).toEqual({ a: '1' });
  // Tampered parameters no longer match the signature.
  expect((await fetch(d.url('/signed'), { method: 'POST', body: new URLSearchParams({ a: '2' }), headers: { 'X-Twilio-Signature': signature } })).status).toBe(403);
  // A browser's preflight carries no signature; the runtime answers it.
  expect((await fetch(d.url('/signed'), { method: 'OPTIONS' })).status).toBe(204);
  expect(await (await fetch(d.url('/open'))).text()).toBe('open');
});

test('the execution limit: 504 at the limit, the process is stopped (its timers never fire), later requests are served', async () => {
  const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'limit-')), 'late');
  const d = await deploy('limit-fns', [
    {
      path: '/hang',
      access: 'public',
      content: `exports.handler = () => { setTimeout(() => require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'), ${LIMIT_MS + 1500}); };`,
    },
    { path: '/quick', access: 'public', content: 'exports.handler = (c, e, cb) => cb(null, { ok: true });' },
  ]);
  const res = await fetch(d.url('/hang'));
  expect(res.status).toBe(504);
  expect(await res.json()).toMatchObject({ code: 82002 });
  await new Promise((r) => setTimeout(r, 2_500));
  expect(fs.existsSync(marker)).toBe(false);
  expect(await (await fetch(d.url('/quick'))).json()).toEqual({ ok: true });
});

test("console output becomes the invocation's Serverless Logs, including output after the answer", async () => {
  const d = await deploy('log-fns', [
    {
      path: '/talk',
      access: 'public',
      content: `exports.handler = (c, e, cb) => { console.log('hello', e.who); console.warn('careful'); console.error('bad', { n: 1 }); cb(null, 'ok'); setTimeout(() => console.log('after', e.who), 100); };`,
    },
  ]);
  expect((await fetch(d.url('/talk?who=ann'))).status).toBe(200);
  expect((await fetch(d.url('/talk?who=bob'))).status).toBe(200);
  await new Promise((r) => setTimeout(r, 500));
  const api = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
  const logs = await api.serverless.v1.services(d.serviceSid).environments(d.environmentSid).logs.list();
  const byRequest = new Map<string, Array<{ level: string; message: string }>>();
  for (const l of [...logs].reverse()) byRequest.set(l.requestSid, [...(byRequest.get(l.requestSid) ?? []), { level: l.level, message: l.message }]);
  expect([...byRequest.values()]).toEqual(
    ['ann', 'bob'].map((who) => [
      { level: 'info', message: `hello ${who}` },
      { level: 'warn', message: 'careful' },
      { level: 'error', message: 'bad { n: 1 }' },
      { level: 'info', message: `after ${who}` },
    ]),
  );
  for (const sid of byRequest.keys()) expect(sid).toMatch(/^RQ[0-9a-f]{32}$/);
});

test("each build sees only its own environment and declared dependencies; nothing of the emulator's process", async () => {
  const probe = `exports.handler = (c, e, cb) => {
    let ajv = 'loaded';
    try { require('ajv'); } catch (err) { ajv = err.code; }
    cb(null, { color: c.COLOR, envColor: process.env.COLOR, leaked: process.env.EMULATOR_PROCESS_ONLY_SECRET === undefined ? 'no' : 'yes', ajv,
      functions: Object.keys(Runtime.getFunctions()).sort(), path: process.env.PATH === undefined ? 'unset' : 'set' });
  };`;
  const red = await deploy(
    'red-fns',
    [
      { path: '/probe', access: 'public', content: probe },
      { path: '/red-only', access: 'public', content: probe },
    ],
    { env: { COLOR: 'red' } },
  );
  const blue = await deploy('blue-fns', [{ path: '/probe', access: 'public', content: probe }], { env: { COLOR: 'blue' }, dependencies: { ajv: '8.20.0' } });
  expect(await (await fetch(red.url('/probe'))).json()).toEqual({ color: 'red', envColor: 'red', leaked: 'no', ajv: 'MODULE_NOT_FOUND', functions: ['probe', 'red-only'], path: 'unset' });
  expect(await (await fetch(blue.url('/probe'))).json()).toEqual({ color: 'blue', envColor: 'blue', leaked: 'no', ajv: 'loaded', functions: ['probe'], path: 'unset' });
});

test("a warm process never hands an earlier invocation's late second answer to the next one", async () => {
  const d = await deploy('twice-fns', [
    { path: '/twice', access: 'public', content: `exports.handler = (c, e, cb) => { cb(null, { first: e.n }); setTimeout(() => cb(null, { stale: e.n }), 150); };` },
    { path: '/slow', access: 'public', content: `exports.handler = (c, e, cb) => setTimeout(() => cb(null, { mine: e.n }), 400);` },
  ]);
  expect(await (await fetch(d.url('/twice?n=1'))).json()).toEqual({ first: '1' });
  // The process that served /twice is reused while its stale callback fires.
  expect(await (await fetch(d.url('/slow?n=2'))).json()).toEqual({ mine: '2' });
});

test('more concurrent invocations than processes: every one is answered, none counted late for waiting', async () => {
  const d = await deploy('busy-fns', [{ path: '/wait', access: 'public', content: `exports.handler = (c, e, cb) => setTimeout(() => cb(null, { n: Number(e.n) }), ${Math.floor(LIMIT_MS / 2)});` }]);
  const answers = await Promise.all(Array.from({ length: 12 }, (_, n) => fetch(d.url(`/wait?n=${n}`)).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }))));
  expect(answers).toEqual(Array.from({ length: 12 }, (_, n) => ({ status: 200, body: { n } })));
});
