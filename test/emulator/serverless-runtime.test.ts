/**
 * Functions runtime details: JSON bodies, assets and Runtime.getAssets(),
 * rejected promises, services without credentials, redeploys switching code,
 * and unchanged domains after an environment is cleared.
 */
import { startEmulator, type Emulator } from '../../emulator';
import { createServerlessClient, createTwilioClient } from '../../clients';

// Response bodies are checked by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

type DeployConfig = Parameters<ReturnType<typeof createServerlessClient>['deployProject']>[0];

describe('functions runtime', () => {
  let emu: Emulator;

  beforeAll(async () => {
    emu = await startEmulator({ buildDurationMs: 10 });
  });
  afterAll(async () => emu.stop());

  async function deploy(
    serviceName: string,
    functions: Array<{ path: string; access: string; content: string }>,
    assets: Array<{ path: string; access: string; content: string }> = [],
    env: Record<string, string> = {},
  ) {
    const client = createServerlessClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
    return client.deployProject({
      serviceName,
      functionsEnv: 'dev',
      env,
      pkgJson: {},
      overrideExistingService: true,
      functions: functions.map((f) => ({ ...f, name: f.path.slice(1) })),
      assets: assets.map((a) => ({ ...a, name: a.path.slice(1) })),
    } as unknown as DeployConfig);
  }

  test('JSON bodies become event params with their JSON types', async () => {
    const { domain } = await deploy('json-fns', [{ path: '/echo', access: 'public', content: 'exports.handler = (c, e, cb) => cb(null, { n: e.n, list: e.list, nested: e.nested });' }]);
    const res = await fetch(`${emu.baseUrl}/runtime/${domain}/echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ n: 3, list: [1, 2], nested: { a: true } }),
    });
    expect((await res.json()) as Json).toEqual({ n: 3, list: [1, 2], nested: { a: true } });
  });

  test('assets: public served, private only through Runtime.getAssets()', async () => {
    const reader = `exports.handler = (c, e, cb) => { const a = Runtime.getAssets()['/secret.json']; cb(null, { fromAsset: JSON.parse(a.open()).v, pathIsFile: require('fs').existsSync(a.path) }); };`;
    const { domain } = await deploy(
      'asset-fns',
      [{ path: '/read', access: 'public', content: reader }],
      [
        { path: '/secret.json', access: 'private', content: '{"v": 42}' },
        { path: '/index.html', access: 'public', content: '<h1>hi</h1>' },
      ],
    );
    expect((await fetch(`${emu.baseUrl}/runtime/${domain}/secret.json`)).status).toBe(404);
    expect((await (await fetch(`${emu.baseUrl}/runtime/${domain}/read`)).json()) as Json).toEqual({ fromAsset: 42, pathIsFile: true });
    const index = await fetch(`${emu.baseUrl}/runtime/${domain}/`);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toBe('<h1>hi</h1>');
  });

  test('a rejected async handler is a 500; callback(error) too', async () => {
    const { domain } = await deploy('err-fns', [
      { path: '/reject', access: 'public', content: 'exports.handler = async () => { throw new Error("async boom"); };' },
      { path: '/cb-error', access: 'public', content: 'exports.handler = (c, e, cb) => cb(new Error("cb boom"));' },
      { path: '/no-handler', access: 'public', content: 'exports.other = 1;' },
    ]);
    const rejected = await fetch(`${emu.baseUrl}/runtime/${domain}/reject`);
    expect(rejected.status).toBe(500);
    expect(((await rejected.json()) as Json).message).toBe('async boom');
    expect(((await (await fetch(`${emu.baseUrl}/runtime/${domain}/cb-error`)).json()) as Json).message).toBe('cb boom');
    const noHandler = await fetch(`${emu.baseUrl}/runtime/${domain}/no-handler`);
    expect(noHandler.status).toBe(500);
    expect(((await noHandler.json()) as Json).message).toContain('Could not find a "handler" function');
  });

  test('without IncludeCredentials: no AUTH_TOKEN and getTwilioClient() throws', async () => {
    const code = `exports.handler = (c, e, cb) => { let err = null; try { c.getTwilioClient(); } catch (x) { err = x.message; } cb(null, { token: c.AUTH_TOKEN === undefined ? 'absent' : 'present', err }); };`;
    const { domain, serviceSid } = await deploy('nocreds-fns', [{ path: '/probe', access: 'public', content: code }]);
    const api = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
    await api.serverless.v1.services(serviceSid).update({ includeCredentials: false });
    const body = (await (await fetch(`${emu.baseUrl}/runtime/${domain}/probe`)).json()) as Json;
    expect(body.token).toBe('absent');
    // Twilio's runtime refuses to build a client without the auth token.
    expect(body.err).toContain('Missing Auth Token');
  });

  test('a redeploy switches the code; module state persists between invocations of one build (warm processes)', async () => {
    const counter = (label: string) => `let n = 0; exports.handler = (c, e, cb) => cb(null, { label: '${label}', n: ++n });`;
    const first = await deploy('re-fns', [{ path: '/count', access: 'public', content: counter('v1') }]);
    expect((await (await fetch(`${emu.baseUrl}/runtime/${first.domain}/count`)).json()) as Json).toEqual({ label: 'v1', n: 1 });
    expect((await (await fetch(`${emu.baseUrl}/runtime/${first.domain}/count`)).json()) as Json).toEqual({ label: 'v1', n: 2 });
    const second = await deploy('re-fns', [{ path: '/count', access: 'public', content: counter('v2') }]);
    expect(second.domain).toBe(first.domain);
    expect((await (await fetch(`${emu.baseUrl}/runtime/${second.domain}/count`)).json()) as Json).toEqual({ label: 'v2', n: 1 });
  });

  test('an environment without a deployed build serves nothing', async () => {
    const { domain, serviceSid, environmentSid } = await deploy('clear-fns', [{ path: '/x', access: 'public', content: 'exports.handler = (c, e, cb) => cb(null, "x");' }]);
    expect((await fetch(`${emu.baseUrl}/runtime/${domain}/x`)).status).toBe(200);
    const api = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
    await api.serverless.v1.services(serviceSid).environments(environmentSid).deployments.create({});
    expect((await fetch(`${emu.baseUrl}/runtime/${domain}/x`)).status).toBe(404);
  });

  test('invocations are logged as runtime.Invoke', () => {
    expect(emu.log.counts()['runtime.Invoke'].total).toBeGreaterThan(5);
  });
});
