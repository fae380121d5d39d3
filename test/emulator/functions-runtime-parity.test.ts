/**
 * The emulator's Functions runtime side by side with the Serverless Toolkit's
 * `twilio-run start`: one probe project, deployed to the emulator and served
 * by twilio-run, asked the same requests; the answers must match. This checks
 * the parts the emulator adds or replaces around @twilio/runtime-handler (the
 * gateway hop, the build layout, the warm process pool in place of a fork per
 * request, console capture) against the toolkit running the same runtime its
 * own way. The differences that are intended are asserted as such at the end.
 */
import { startEmulator, type Emulator } from '../../emulator';
import { createServerlessClient } from '../../clients';
import { startTwilioRun, type TwilioRunServer } from '../../support';

type DeployConfig = Parameters<ReturnType<typeof createServerlessClient>['deployProject']>[0];
type Access = 'public' | 'protected' | 'private';

/** Headers every HTTP client or hop sets differently; not part of what is compared. */
const VOLATILE = ['host', 'user-agent', 'content-length', 'accept', 'accept-language', 'accept-encoding', 'sec-fetch-mode', 't-request-id'];

const FUNCTIONS: Array<{ path: string; access: Access; content: string }> = [
  {
    path: '/echo',
    access: 'public',
    content: `const VOLATILE = ${JSON.stringify(VOLATILE)};
exports.handler = (context, event, callback) => {
  const copy = { ...event };
  if (copy.request && typeof copy.request === 'object' && copy.request.headers && typeof copy.request.headers === 'object') {
    const headers = { ...copy.request.headers };
    for (const h of VOLATILE) delete headers[h];
    copy.request = { ...copy.request, headers };
  }
  callback(null, copy);
};`,
  },
  {
    path: '/context',
    access: 'public',
    content: `exports.handler = (context, event, callback) => callback(null, {
  keys: Object.keys(context).sort(), PATH: context.PATH, color: context.COLOR, envColor: process.env.COLOR,
  domainIsSet: typeof context.DOMAIN_NAME === 'string' && context.DOMAIN_NAME.length > 0,
  functions: Object.keys(Runtime.getFunctions()).sort(), assets: Object.keys(Runtime.getAssets()).sort(),
  secret: Runtime.getAssets()['/secret.txt'].open(), response: typeof Twilio.Response, twiml: typeof Twilio.twiml.VoiceResponse,
});`,
  },
  {
    path: '/json-object',
    access: 'public',
    content: `exports.handler = (c, e, cb) => { const r = new Twilio.Response(); r.appendHeader('Content-Type', 'application/json'); r.setBody({ success: true, n: 1 }); cb(null, r); };`,
  },
  {
    path: '/json-string',
    access: 'public',
    content: `exports.handler = (c, e, cb) => { const r = new Twilio.Response(); r.appendHeader('Content-Type', 'application/json'); r.setBody(JSON.stringify({ success: true })); cb(null, r); };`,
  },
  { path: '/twiml', access: 'public', content: `exports.handler = (c, e, cb) => { const t = new Twilio.twiml.VoiceResponse(); t.say('hi'); cb(null, t); };` },
  { path: '/text', access: 'public', content: `exports.handler = (c, e, cb) => cb(null, 'plain words');` },
  { path: '/object', access: 'public', content: `exports.handler = (c, e, cb) => cb(null, { a: 1, list: [true, null] });` },
  {
    path: '/status',
    access: 'public',
    content: `exports.handler = (c, e, cb) => { const r = new Twilio.Response(); r.setStatusCode(418); r.appendHeader('X-A', '1'); r.setCookie('k', 'v', ['Path=/']); r.removeCookie('gone'); r.setBody('teapot'); cb(null, r); };`,
  },
  { path: '/error', access: 'public', content: `exports.handler = (c, e, cb) => cb(new Error('boom'));` },
  { path: '/throw', access: 'public', content: `exports.handler = () => { throw new TypeError('thrown'); };` },
  {
    path: '/client',
    access: 'public',
    content: `exports.handler = async (context, event, callback) => {
  const services = await context.getTwilioClient().serverless.v1.services.list();
  const global = await twilioClient.serverless.v1.services.list();
  callback(null, { names: services.map((s) => s.uniqueName).sort(), sameAsGlobal: global.length === services.length });
};`,
  },
  { path: '/count', access: 'public', content: `let n = 0; exports.handler = (c, e, cb) => cb(null, { n: ++n });` },
  {
    path: '/meta',
    access: 'public',
    content: `exports.handler = (c, e, cb) => cb(null, { domain: c.DOMAIN_NAME, host: e.request.headers.host, requestSid: e.request.headers['t-request-id'] || null });`,
  },
];
const ASSETS: Array<{ path: string; access: Access; content: string }> = [
  { path: '/data.json', access: 'public', content: '{"asset":true}' },
  { path: '/secret.txt', access: 'private', content: 'only through Runtime.getAssets()' },
];
const DEPENDENCIES = { twilio: (require('twilio/package.json') as { version: string }).version, '@twilio/runtime-handler': '2.1.0' };

let emu: Emulator;
let emulatorUrl: string;
let twilioRun: TwilioRunServer;

beforeAll(async () => {
  emu = await startEmulator({ buildDurationMs: 10 });
  const client = createServerlessClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
  const { domain } = await client.deployProject({
    serviceName: 'parity-fns',
    functionsEnv: 'dev',
    env: { COLOR: 'green' },
    pkgJson: { dependencies: DEPENDENCIES },
    overrideExistingService: true,
    functions: FUNCTIONS.map((f) => ({ ...f, name: f.path.slice(1) })),
    assets: ASSETS.map((a) => ({ ...a, name: a.path.slice(1) })),
  } as unknown as DeployConfig);
  emulatorUrl = `${emu.baseUrl}/runtime/${domain}`;
  twilioRun = await startTwilioRun({
    functions: FUNCTIONS.map((f) => ({ path: f.path, visibility: f.access, content: f.content })),
    assets: ASSETS.map((a) => ({ path: a.path, visibility: a.access, content: a.content })),
    dependencies: DEPENDENCIES,
    env: { ACCOUNT_SID: emu.credentials.accountSid, AUTH_TOKEN: emu.credentials.authToken, COLOR: 'green' },
    apiBaseUrl: emu.baseUrl,
  });
});
afterAll(async () => {
  await twilioRun?.stop();
  await emu?.stop();
});

interface Answer {
  status: number;
  contentType: string | null;
  setCookie: string[];
  headers: Record<string, string>;
  body: string;
}

async function ask(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, init);
  const headers: Record<string, string> = {};
  for (const [k, v] of res.headers) if (k.startsWith('access-control-') || k === 'x-a') headers[k] = v;
  let body = await res.text();
  // An error's stack names the file, which lives in a different directory on each runtime.
  if (res.status === 500 && body.startsWith('{')) {
    const e = JSON.parse(body) as { message?: string; name?: string };
    body = JSON.stringify({ message: e.message, name: e.name });
  }
  return { status: res.status, contentType: res.headers.get('content-type'), setCookie: res.headers.getSetCookie(), headers, body };
}

async function both(path: string, init: RequestInit = {}): Promise<{ emulator: Answer; twilioRun: Answer }> {
  return { emulator: await ask(emulatorUrl, path, init), twilioRun: await ask(twilioRun.baseUrl, path, init) };
}

const form = (pairs: Array<[string, string]>) => ({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(pairs).toString() });
const json = (value: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) });

const CASES: Array<[string, string, RequestInit]> = [
  [
    'form and query parameters, headers (restricted ones removed), cookies',
    '/echo?q=1&q=2',
    {
      ...form([
        ['a', '1'],
        ['a', '2'],
        ['b', 'x y'],
      ]),
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Custom': 'c',
        Origin: 'https://flex.twilio.com',
        Cookie: 'c1=v1; c2=v%202',
        'X-Forwarded-For': '10.0.0.1',
        'I-Twilio-Idempotency-Token': 'tok',
        Via: 'proxy',
        Authorization: 'Basic YTpi',
      },
    },
  ],
  ['a JSON body with its types', '/echo', json({ n: 1, nested: { x: [1, 2] }, yes: true })],
  ['a form field named request replaces the metadata', '/echo', form([['request', 'x']])],
  ['a JSON field named request replaces the metadata', '/echo', json({ request: { headers: { origin: 'https://flex.twilio.com' } } })],
  ['a nested query parameter named request replaces the metadata', '/echo?request[headers][origin]=https://flex.twilio.com&request[cookies][a]=b', {}],
  ['a preflight is answered by the runtime', '/echo', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } }],
  ['context, environment, Runtime.getFunctions()/getAssets(), Twilio globals', '/context', {}],
  ['a Twilio.Response with a JSON body', '/json-object', {}],
  ['a Twilio.Response with a pre-serialized JSON string (encoded twice)', '/json-string', {}],
  ['TwiML', '/twiml', {}],
  ['a string', '/text', {}],
  ['a plain object', '/object', {}],
  ['status, headers and cookies of a Twilio.Response', '/status', {}],
  ['callback(error)', '/error', {}],
  ['a thrown error', '/throw', {}],
  ["the functions' Twilio clients (context.getTwilioClient(), the global twilioClient) reach the emulator", '/client', {}],
  ['a public asset', '/data.json', {}],
  ['an unknown path', '/nope', {}],
];

test.each(CASES)('%s: the same answer', async (_name, path, init) => {
  const { emulator, twilioRun: toolkit } = await both(path, init);
  expect(emulator).toEqual(toolkit);
  expect(emulator.status).toBeGreaterThan(0);
});

test('what the probes saw is what Twilio documents (not only equal)', async () => {
  const echo = JSON.parse((await ask(emulatorUrl, CASES[0][1], CASES[0][2])).body) as { request: { headers: Record<string, string>; cookies: Record<string, string> }; q: string[]; a: string[] };
  expect(echo.request.cookies).toEqual({ c1: 'v1', c2: 'v 2' });
  expect(echo.request.headers['x-custom']).toBe('c');
  expect(echo.request.headers).not.toHaveProperty('x-forwarded-for');
  expect(echo.request.headers).not.toHaveProperty('i-twilio-idempotency-token');
  expect(echo.q).toEqual(['1', '2']);
  expect((await ask(emulatorUrl, '/json-string')).body).toBe(JSON.stringify(JSON.stringify({ success: true })));
  const forged = JSON.parse((await ask(emulatorUrl, '/echo', form([['request', 'x']]))).body) as { request: unknown };
  expect(forged.request).toBe('x');
});

test('intended differences: warm processes keep module state (twilio-run forks per request); DOMAIN_NAME; the request SID header; private assets', async () => {
  const counts = async (base: string) => [await ask(base, '/count'), await ask(base, '/count')].map((a) => (JSON.parse(a.body) as { n: number }).n);
  expect(await counts(emulatorUrl)).toEqual([1, 2]);
  expect(await counts(twilioRun.baseUrl)).toEqual([1, 1]);
  const meta = async (base: string) => JSON.parse((await ask(base, '/meta')).body) as { domain: string; host: string; requestSid: string | null };
  const onEmulator = await meta(emulatorUrl);
  expect(onEmulator).toEqual({
    domain: new URL(`https://${emulatorUrl.split('/runtime/')[1]}`).host,
    host: new URL(`https://${emulatorUrl.split('/runtime/')[1]}`).host,
    requestSid: expect.stringMatching(/^RQ[0-9a-f]{32}$/),
  });
  expect(await meta(twilioRun.baseUrl)).toEqual({ domain: twilioRun.localDomain, host: new URL(twilioRun.baseUrl).host, requestSid: null });
  expect((await fetch(`${emulatorUrl}/secret.txt`)).status).toBe(404);
  expect((await fetch(`${twilioRun.baseUrl}/secret.txt`)).status).toBe(403);
});
