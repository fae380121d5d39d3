/**
 * The real @twilio-labs/serverless-api deployProject, end to end through the
 * client adapter against the emulator; then the deployed functions answer
 * over HTTP with Twilio Functions semantics.
 */
import { startEmulator, type Emulator } from '../../emulator';
import { createServerlessClient, createTwilioClient } from '../../clients';
import twilio from 'twilio';
import * as http from 'node:http';

// Response bodies are checked by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const HELLO = `
exports.handler = function (context, event, callback) {
  console.log('hello invoked', event.name);
  callback(null, {
    greeting: 'hello ' + (event.name || 'world'),
    domain: context.DOMAIN_NAME,
    path: context.PATH,
    serviceSid: context.SERVICE_SID,
    environmentSid: context.ENVIRONMENT_SID,
    accountSid: context.ACCOUNT_SID,
    hasToken: typeof context.AUTH_TOKEN === 'string',
    greetingVar: context.GREETING,
    userAgent: event.request.headers['user-agent'],
    cookie: event.request.cookies.session,
    helper: require(Runtime.getFunctions()['lib/helper'].path).shout('x'),
  });
};`;

const HELPER = `exports.shout = (s) => s.toUpperCase() + '!';`;

const LIST_SERVICES = `
exports.handler = async function (context, event, callback) {
  const client = context.getTwilioClient();
  const services = await client.serverless.v1.services.list();
  const viaRequire = require('twilio')(context.ACCOUNT_SID, context.AUTH_TOKEN);
  const again = await viaRequire.serverless.v1.services.list();
  const response = new Twilio.Response();
  response.setStatusCode(201);
  response.appendHeader('Content-Type', 'application/json');
  response.appendHeader('X-Custom', 'yes');
  response.setBody({ names: services.map((s) => s.uniqueName), count: again.length });
  callback(null, response);
};`;

const TWIML = `
exports.handler = (context, event, callback) => {
  const twiml = new Twilio.twiml.VoiceResponse();
  twiml.say('Hi from ' + context.PATH);
  callback(null, twiml);
};`;

const PROTECTED = `exports.handler = (context, event, callback) => callback(null, { ok: true, from: event.From });`;
const THROWS = `exports.handler = () => { throw new Error('kaboom'); };`;
const SLOW = `exports.handler = () => { /* never calls back */ };`;

describe('serverless deployProject end to end', () => {
  let emu: Emulator;
  let deployed: { serviceSid: string; environmentSid: string; buildSid: string; domain: string };

  beforeAll(async () => {
    emu = await startEmulator({ specCheck: true, buildDurationMs: 50, functionTimeoutMs: 300 });
    const client = createServerlessClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
    const result = await client.deployProject({
      ...({} as object),
      serviceName: 'transfer-fns',
      functionsEnv: 'dev',
      env: { GREETING: 'hola' },
      pkgJson: { dependencies: { 'twilio-flex-token-validator': '1.6.0' } },
      overrideExistingService: true,
      runtime: 'node22',
      functions: [
        { name: 'hello', path: '/hello', access: 'public', content: HELLO },
        { name: 'lib/helper', path: '/lib/helper', access: 'private', content: HELPER },
        { name: 'list-services', path: '/list-services', access: 'public', content: LIST_SERVICES },
        { name: 'voice', path: '/voice', access: 'public', content: TWIML },
        { name: 'callback', path: '/callback', access: 'protected', content: PROTECTED },
        { name: 'throws', path: '/throws', access: 'public', content: THROWS },
        { name: 'slow', path: '/slow', access: 'public', content: SLOW },
      ],
      assets: [{ name: 'style.css', path: '/style.css', access: 'public', content: 'body { color: red; }' }],
    } as unknown as Parameters<typeof client.deployProject>[0]);
    deployed = result;
  }, 30_000);

  afterAll(async () => {
    await emu?.stop();
  });

  test('deployProject creates service, environment, build and deployment', async () => {
    expect(deployed.serviceSid).toMatch(/^ZS[0-9a-f]{32}$/);
    expect(deployed.domain).toMatch(/^transfer-fns-\d{4}-dev\.twil\.io$/);
    const api = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
    const env = await api.serverless.v1.services(deployed.serviceSid).environments(deployed.environmentSid).fetch();
    expect(env.buildSid).toBe(deployed.buildSid);
    const build = await api.serverless.v1.services(deployed.serviceSid).builds(deployed.buildSid).fetch();
    expect(build.status).toBe('completed');
    expect(build.dependencies).toEqual([{ name: 'twilio-flex-token-validator', version: '1.6.0' }]);
    const vars = await api.serverless.v1.services(deployed.serviceSid).environments(deployed.environmentSid).variables.list();
    expect(vars.map((v) => [v.key, v.value])).toEqual([['GREETING', 'hola']]);
  });

  test('the log shows the wire sequence deployProject needs', () => {
    const counts = emu.log.counts();
    expect(counts['serverless.CreateService'].total).toBe(1);
    expect(counts['serverless.CreateFunctionVersion'].total).toBe(7);
    expect(counts['serverless.CreateAssetVersion'].total).toBe(1);
    expect(counts['serverless.CreateBuild'].total).toBe(1);
    expect(counts['serverless.FetchBuildStatus'].total).toBeGreaterThanOrEqual(1);
    expect(counts['serverless.CreateDeployment'].total).toBe(1);
  });

  test('a public function answers with context, event, env vars and private helpers', async () => {
    const res = await fetch(`${emu.baseUrl}/runtime/${deployed.domain}/hello?name=ana`, { headers: { Cookie: 'session=abc', 'User-Agent': 'jest' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toEqual({
      greeting: 'hello ana',
      domain: deployed.domain,
      path: '/hello',
      serviceSid: deployed.serviceSid,
      environmentSid: deployed.environmentSid,
      accountSid: emu.credentials.accountSid,
      hasToken: true,
      greetingVar: 'hola',
      userAgent: 'jest',
      cookie: 'abc',
      helper: 'X!',
    });
  });

  test('the same function is reachable by Host header, POST form params become event', async () => {
    // fetch() may not override Host; node:http does.
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${emu.baseUrl}/hello`, { method: 'POST', headers: { Host: deployed.domain, 'Content-Type': 'application/x-www-form-urlencoded' } }, (r) => {
        let data = '';
        r.on('data', (c) => (data += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: data }));
      });
      req.on('error', reject);
      req.end('name=bo');
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).greeting).toBe('hello bo');
  });

  test('console output becomes Serverless Logs', async () => {
    const api = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
    const logs = await api.serverless.v1.services(deployed.serviceSid).environments(deployed.environmentSid).logs.list();
    expect(logs.some((l) => l.message === 'hello invoked ana' && l.level === 'info')).toBe(true);
  });

  test('getTwilioClient() and require("twilio") are bound to the emulator; Twilio.Response maps to HTTP', async () => {
    const res = await fetch(`${emu.baseUrl}/runtime/${deployed.domain}/list-services`);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-custom')).toBe('yes');
    expect((await res.json()) as Json).toEqual({ names: ['transfer-fns'], count: 1 });
  });

  test('TwiML is returned as XML', async () => {
    const res = await fetch(`${emu.baseUrl}/runtime/${deployed.domain}/voice`);
    expect(res.headers.get('content-type')).toContain('text/xml');
    expect(await res.text()).toContain('<Say>Hi from /voice</Say>');
  });

  test('private functions are 404 over HTTP; unknown paths and domains are 404', async () => {
    expect((await fetch(`${emu.baseUrl}/runtime/${deployed.domain}/lib/helper`)).status).toBe(404);
    expect((await fetch(`${emu.baseUrl}/runtime/${deployed.domain}/nope`)).status).toBe(404);
    expect((await fetch(`${emu.baseUrl}/runtime/unknown-1234.twil.io/hello`)).status).toBe(404);
  });

  test('protected functions need a valid X-Twilio-Signature', async () => {
    const url = `https://${deployed.domain}/callback`;
    const params = { From: '+15550001111' };
    const unsigned = await fetch(`${emu.baseUrl}/runtime/${deployed.domain}/callback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    expect(unsigned.status).toBe(403);
    const badSig = await fetch(`${emu.baseUrl}/runtime/${deployed.domain}/callback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilio.getExpectedTwilioSignature('wrong-token', url, params) },
      body: new URLSearchParams(params).toString(),
    });
    expect(badSig.status).toBe(403);
    const signed = await fetch(`${emu.baseUrl}/runtime/${deployed.domain}/callback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(emu.credentials.authToken, url, params) },
      body: new URLSearchParams(params).toString(),
    });
    expect(signed.status).toBe(200);
    expect((await signed.json()) as Json).toEqual({ ok: true, from: '+15550001111' });
  });

  test('webhooks from the emulator reach protected functions signed', async () => {
    const res = await emu.core.webhooks.send({ url: `https://${deployed.domain}/callback`, params: { From: 'client:alice' }, accountSid: emu.credentials.accountSid });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, from: 'client:alice' });
  });

  test('an uncaught error is a 500 with the error message; no callback is a 504', async () => {
    const res = await fetch(`${emu.baseUrl}/runtime/${deployed.domain}/throws`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as Json).message).toBe('kaboom');
    const slow = await fetch(`${emu.baseUrl}/runtime/${deployed.domain}/slow`);
    expect(slow.status).toBe(504);
  });

  test('assets are served with their content type', async () => {
    const res = await fetch(`${emu.baseUrl}/runtime/${deployed.domain}/style.css`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('body { color: red; }');
  });

  test('the whole flow produced no spec violations', () => {
    expect(emu.spec.violations()).toEqual([]);
  });
});
