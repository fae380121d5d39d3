/**
 * Emulator core: auth, account isolation, errors, paging through the real
 * SDK, request log, clock, reset, snapshot/restore, admin hooks over HTTP.
 */
import { startEmulator, DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, type Emulator } from '../../emulator';
import { createTwilioClient } from '../../clients';

// Response bodies are checked by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function basic(user: string, pass: string): string {
  return 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
}

async function api(emu: Emulator, method: string, path: string, form?: Record<string, string>, auth = basic(emu.credentials.accountSid, emu.credentials.authToken)) {
  const res = await fetch(`${emu.baseUrl}${path}`, {
    method,
    headers: { Authorization: auth, ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('emulator core', () => {
  let emu: Emulator;

  beforeAll(async () => {
    emu = await startEmulator({ clock: 'manual', startTime: Date.parse('2025-01-01T00:00:00Z'), deterministicSids: true, buildDurationMs: 1000 });
  });
  afterAll(async () => emu.stop());
  beforeEach(() => emu.reset());

  test('listens on loopback with the documented default credentials', () => {
    expect(emu.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.credentials).toEqual({ accountSid: DEFAULT_ACCOUNT_SID, authToken: DEFAULT_AUTH_TOKEN });
  });

  describe('auth', () => {
    test.each([
      ['no credentials', undefined],
      ['wrong token', basic(DEFAULT_ACCOUNT_SID, 'nope')],
      ['unknown account', basic('AC' + 'f'.repeat(32), DEFAULT_AUTH_TOKEN)],
      ['unknown API key', basic('SK' + 'f'.repeat(32), 'x')],
      ['garbage header', 'Bearer abc'],
    ])('%s -> 401 / 20003', async (_name, auth) => {
      const res = await fetch(`${emu.baseUrl}/serverless/v1/Services`, { headers: auth ? { Authorization: auth } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Basic');
      expect((await res.json()) as Json).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    });

    test('an API key authenticates as its account, through the SDK', async () => {
      const key = emu.createApiKey();
      expect(key.sid).toMatch(/^SK[0-9a-f]{32}$/);
      const client = createTwilioClient({ accountSid: emu.credentials.accountSid, apiKey: key.sid, apiSecret: key.secret }, { apiBaseUrl: emu.baseUrl });
      const svc = await client.serverless.v1.services.create({ uniqueName: 'by-key', friendlyName: 'by key' });
      expect(svc.accountSid).toBe(emu.credentials.accountSid);
      expect(emu.log.list({ operation: 'serverless.CreateService' })[0].accountSid).toBe(emu.credentials.accountSid);
    });

    test('the request log never stores credentials', async () => {
      await api(emu, 'GET', '/serverless/v1/Services');
      expect(JSON.stringify(emu.log.list())).not.toContain(DEFAULT_AUTH_TOKEN);
    });
  });

  describe('account isolation', () => {
    test("one account cannot see another's resources (404 / 20404)", async () => {
      const other = emu.createAccount();
      const created = await api(emu, 'POST', '/serverless/v1/Services', { UniqueName: 'mine', FriendlyName: 'Mine' });
      expect(created.status).toBe(201);
      const otherAuth = basic(other.accountSid, other.authToken);
      const fetched = await api(emu, 'GET', `/serverless/v1/Services/${created.body.sid}`, undefined, otherAuth);
      expect(fetched.status).toBe(404);
      expect(fetched.body.code).toBe(20404);
      const listed = await api(emu, 'GET', '/serverless/v1/Services', undefined, otherAuth);
      expect(listed.body.services).toEqual([]);
      // The same unique name is free in the other account.
      expect((await api(emu, 'POST', '/serverless/v1/Services', { UniqueName: 'mine', FriendlyName: 'Theirs' }, otherAuth)).status).toBe(201);
    });

    test('a path naming another account is 404', async () => {
      const other = emu.createAccount();
      const res = await fetch(`${emu.baseUrl}/iam/v1/Accounts/${other.accountSid}/Tokens/validate`, {
        method: 'POST',
        headers: { Authorization: basic(emu.credentials.accountSid, emu.credentials.authToken), 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: 'x' }),
      });
      expect(res.status).toBe(404);
      expect(((await res.json()) as Json).code).toBe(20404);
    });
  });

  describe('errors', () => {
    test('unknown route and unknown SID -> 404 / 20404 with Twilio body', async () => {
      const unknownRoute = await api(emu, 'GET', '/serverless/v1/Nope');
      expect(unknownRoute.status).toBe(404);
      expect(unknownRoute.body).toEqual({ code: 20404, message: 'The requested resource /serverless/v1/Nope was not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
      const unknownSid = await api(emu, 'GET', `/serverless/v1/Services/ZS${'0'.repeat(32)}`);
      expect(unknownSid.status).toBe(404);
      expect(unknownSid.body.code).toBe(20404);
      expect(unknownSid.body.message).toContain(`ZS${'0'.repeat(32)}`);
    });

    test('missing required parameter -> 400 naming it', async () => {
      const res = await api(emu, 'POST', '/serverless/v1/Services', { FriendlyName: 'x' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 20001, message: 'Missing required parameter UniqueName in the post body', more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 });
    });

    test('the SDK surfaces errors as RestException with code and status', async () => {
      const client = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
      await expect(client.serverless.v1.services(`ZS${'1'.repeat(32)}`).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    });

    test('wrong method on a known path -> 405', async () => {
      const res = await api(emu, 'PUT', '/serverless/v1/Services');
      expect(res.status).toBe(405);
    });
  });

  describe('paging', () => {
    test('the real SDK pages through meta.next_page_url on the emulator', async () => {
      const client = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
      const svc = await client.serverless.v1.services.create({ uniqueName: 'paging', friendlyName: 'paging' });
      for (let i = 0; i < 7; i++) await client.serverless.v1.services(svc.sid).functions.create({ friendlyName: `fn-${i}` });
      emu.log.clear();
      const all = await client.serverless.v1.services(svc.sid).functions.list({ pageSize: 3 });
      expect(all.map((f) => f.friendlyName)).toEqual(['fn-0', 'fn-1', 'fn-2', 'fn-3', 'fn-4', 'fn-5', 'fn-6']);
      expect(emu.log.counts()['serverless.ListFunction'].total).toBe(3);
    });

    test('meta has Twilio keys and absolute emulator URLs; PageToken continues after the last item', async () => {
      const svc = await api(emu, 'POST', '/serverless/v1/Services', { UniqueName: 'meta', FriendlyName: 'meta' });
      for (let i = 0; i < 3; i++) await api(emu, 'POST', `/serverless/v1/Services/${svc.body.sid}/Functions`, { FriendlyName: `f${i}` });
      const page0 = await api(emu, 'GET', `/serverless/v1/Services/${svc.body.sid}/Functions?PageSize=2`);
      expect(Object.keys(page0.body.meta).sort()).toEqual(['first_page_url', 'key', 'next_page_url', 'page', 'page_size', 'previous_page_url', 'url']);
      expect(page0.body.meta).toMatchObject({ page: 0, page_size: 2, key: 'functions', previous_page_url: null });
      expect(page0.body.meta.next_page_url).toMatch(new RegExp(`^${emu.baseUrl}/serverless/v1/Services/ZS[0-9a-f]{32}/Functions\\?PageSize=2&Page=1&PageToken=PAZH`));
      const page1 = await api(emu, 'GET', page0.body.meta.next_page_url.slice(emu.baseUrl.length));
      expect(page1.body.functions.map((f: { friendly_name: string }) => f.friendly_name)).toEqual(['f2']);
      expect(page1.body.meta.next_page_url).toBeNull();
      expect(page1.body.meta.previous_page_url).toContain('Page=0');
    });

    test('PageSize outside 1.. is rejected naming PageSize', async () => {
      const res = await api(emu, 'GET', '/serverless/v1/Services?PageSize=0');
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('PageSize');
    });
  });

  describe('request log', () => {
    test('counts per operation, mutating vs read, status and account', async () => {
      emu.log.clear();
      await api(emu, 'POST', '/serverless/v1/Services', { UniqueName: 'log-a', FriendlyName: 'a' });
      await api(emu, 'GET', '/serverless/v1/Services');
      await api(emu, 'GET', '/serverless/v1/Services');
      await api(emu, 'GET', `/serverless/v1/Services/ZS${'9'.repeat(32)}`);
      const counts = emu.log.counts();
      expect(counts['serverless.CreateService']).toEqual({ total: 1, mutating: 1, read: 0, errors: 0 });
      expect(counts['serverless.ListService']).toEqual({ total: 2, mutating: 0, read: 2, errors: 0 });
      expect(counts['serverless.FetchService']).toEqual({ total: 1, mutating: 0, read: 1, errors: 1 });
      expect(emu.log.totals()).toEqual({ total: 4, mutating: 1, read: 3 });
      const entry = emu.log.list({ operation: 'serverless.CreateService' })[0];
      expect(entry).toMatchObject({ method: 'POST', path: '/serverless/v1/Services', status: 201, mutating: true, accountSid: DEFAULT_ACCOUNT_SID });
      expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    });

    test('GET /__emulator/requests returns the same log and counts', async () => {
      emu.log.clear();
      await api(emu, 'GET', '/serverless/v1/Services');
      const res = await fetch(`${emu.baseUrl}/__emulator/requests?operation=serverless.ListService`);
      const body = (await res.json()) as Json;
      expect(body.requests).toHaveLength(1);
      expect(body.counts['serverless.ListService'].total).toBe(1);
    });
  });

  describe('clock', () => {
    test('timers run on the emulator clock: a build completes only when time advances', async () => {
      const client = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
      const svc = await client.serverless.v1.services.create({ uniqueName: 'clocked', friendlyName: 'c' });
      const fn = await client.serverless.v1.services(svc.sid).functions.create({ friendlyName: 'f' });
      const version = await uploadVersion(emu, svc.sid, fn.sid, '/f', 'exports.handler = (c, e, cb) => cb(null, 1);');
      const build = await client.serverless.v1.services(svc.sid).builds.create({ functionVersions: [version] });
      expect(build.status).toBe('building');
      emu.clock.advance(999);
      expect((await client.serverless.v1.services(svc.sid).builds(build.sid).buildStatus().fetch()).status).toBe('building');
      const res = await fetch(`${emu.baseUrl}/__emulator/clock/advance`, { method: 'POST', body: JSON.stringify({ ms: 1 }), headers: { 'Content-Type': 'application/json' } });
      expect(((await res.json()) as Json).iso).toBe('2025-01-01T00:00:01Z');
      expect((await client.serverless.v1.services(svc.sid).builds(build.sid).fetch()).status).toBe('completed');
    });

    test('clock.at fires in time order and each timer sees its due time', () => {
      const seen: Array<[string, number]> = [];
      const t0 = emu.clock.now();
      emu.clock.at(t0 + 300, () => seen.push(['c', emu.clock.now()]));
      emu.clock.at(t0 + 100, () => {
        seen.push(['a', emu.clock.now()]);
        emu.clock.after(50, () => seen.push(['b', emu.clock.now()]));
      });
      emu.clock.advance(1000);
      expect(seen).toEqual([
        ['a', t0 + 100],
        ['b', t0 + 150],
        ['c', t0 + 300],
      ]);
      expect(emu.clock.now()).toBe(t0 + 1000);
    });
  });

  describe('reset and snapshot/restore', () => {
    test('reset drops state but keeps the default account usable', async () => {
      await api(emu, 'POST', '/serverless/v1/Services', { UniqueName: 'gone', FriendlyName: 'x' });
      const res = await fetch(`${emu.baseUrl}/__emulator/reset`, { method: 'POST' });
      expect(res.status).toBe(200);
      expect((await api(emu, 'GET', '/serverless/v1/Services')).body.services).toEqual([]);
    });

    test('restore brings back exactly the snapshot (in-process and over HTTP)', async () => {
      await api(emu, 'POST', '/serverless/v1/Services', { UniqueName: 'kept', FriendlyName: 'x' });
      const snap = emu.snapshot();
      await api(emu, 'POST', '/serverless/v1/Services', { UniqueName: 'later', FriendlyName: 'y' });
      emu.restore(snap);
      expect((await api(emu, 'GET', '/serverless/v1/Services')).body.services.map((s: { unique_name: string }) => s.unique_name)).toEqual(['kept']);

      const overHttp = (await (await fetch(`${emu.baseUrl}/__emulator/snapshot`)).json()) as Json;
      emu.reset();
      const put = await fetch(`${emu.baseUrl}/__emulator/snapshot`, { method: 'PUT', body: JSON.stringify(overHttp), headers: { 'Content-Type': 'application/json' } });
      expect(put.status).toBe(200);
      expect((await api(emu, 'GET', '/serverless/v1/Services')).body.services.map((s: { unique_name: string }) => s.unique_name)).toEqual(['kept']);
    });

    test('a malformed snapshot is rejected naming the problem', async () => {
      const put = await fetch(`${emu.baseUrl}/__emulator/snapshot`, { method: 'PUT', body: JSON.stringify({ version: 99 }), headers: { 'Content-Type': 'application/json' } });
      expect(put.status).toBe(400);
      expect(((await put.json()) as Json).message).toContain('state.version');
    });

    test('a restored building build still completes (timers re-armed)', async () => {
      const client = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
      const svc = await client.serverless.v1.services.create({ uniqueName: 'rearm', friendlyName: 'r' });
      const fn = await client.serverless.v1.services(svc.sid).functions.create({ friendlyName: 'f' });
      const version = await uploadVersion(emu, svc.sid, fn.sid, '/f', 'exports.handler = () => {};');
      const build = await client.serverless.v1.services(svc.sid).builds.create({ functionVersions: [version] });
      const snap = emu.snapshot();
      emu.reset();
      emu.restore(snap);
      emu.clock.advance(5000);
      expect((await client.serverless.v1.services(svc.sid).builds(build.sid).fetch()).status).toBe('completed');
    });
  });

  test('deterministic SIDs are counter-based', async () => {
    const a = await api(emu, 'POST', '/serverless/v1/Services', { UniqueName: 'd1', FriendlyName: 'x' });
    const b = await api(emu, 'POST', '/serverless/v1/Services', { UniqueName: 'd2', FriendlyName: 'x' });
    expect(a.body.sid).toMatch(/^ZS0{24}[0-9a-f]{8}$/);
    expect(parseInt(b.body.sid.slice(2), 16)).toBe(parseInt(a.body.sid.slice(2), 16) + 1);
  });

  test('unknown admin hooks are 404; health answers', async () => {
    expect((await fetch(`${emu.baseUrl}/__emulator/nope`)).status).toBe(404);
    expect((await (await fetch(`${emu.baseUrl}/__emulator/health`)).json()) as Json).toMatchObject({ ok: true, accountSid: DEFAULT_ACCOUNT_SID });
  });
});

/** Multipart upload of a function version (what serverless-api does). */
async function uploadVersion(emu: Emulator, serviceSid: string, functionSid: string, path: string, code: string): Promise<string> {
  const form = new FormData();
  form.append('Path', path);
  form.append('Visibility', 'public');
  form.append('Content', new Blob([code], { type: 'application/javascript' }), 'f.js');
  const res = await fetch(`${emu.baseUrl}/serverless-upload/v1/Services/${serviceSid}/Functions/${functionSid}/Versions`, {
    method: 'POST',
    headers: { Authorization: basic(emu.credentials.accountSid, emu.credentials.authToken) },
    body: form,
  });
  const body = (await res.json()) as Json;
  if (res.status !== 201) throw new Error(`upload failed: ${JSON.stringify(body)}`);
  return body.sid;
}

describe('webhooks and service hooks', () => {
  test('outbound webhooks are signed with the account token; non-loopback hosts are never contacted', async () => {
    const http = await import('node:http');
    const twilio = (await import('twilio')).default;
    const received: Array<{ url: string; signature: string; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ url: req.url ?? '', signature: String(req.headers['x-twilio-signature']), body });
        res.end('<Response/>');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const emu = await startEmulator();
    try {
      const url = `http://127.0.0.1:${port}/assignment`;
      const params = { TaskSid: 'WT' + '1'.repeat(32), TaskAttributes: '{"a":1}' };
      const res = await emu.core.webhooks.send({ url, params, accountSid: emu.credentials.accountSid });
      expect(res).toMatchObject({ status: 200, body: '<Response/>' });
      expect(twilio.validateRequest(emu.credentials.authToken, received[0].signature, url, params)).toBe(true);
      const offline = await emu.core.webhooks.send({ url: 'https://example.com/hook', params, accountSid: emu.credentials.accountSid });
      expect(offline.status).toBe(0);
      expect(offline.error).toMatch(/unreachable/);
      expect(emu.webhooks().map((w) => w.status)).toEqual([200, 0]);
      const overHttp = (await (await fetch(`${emu.baseUrl}/__emulator/webhooks`)).json()) as Json;
      expect(overHttp.webhooks).toHaveLength(2);
    } finally {
      await emu.stop();
      server.close();
    }
  });

  test('seed hooks run for seeded accounts and again after reset; afterLoad runs on start, reset and restore', async () => {
    const calls: string[] = [];
    const { defaultServices: services } = await import('../../emulator');
    const probe = {
      name: 'probe',
      host: 'probe',
      initialState: () => ({ seeded: false }),
      routes: [],
      seed: (env: import('../../emulator').ServiceEnv, accountSid: string, kind: string) => {
        calls.push(`seed ${kind}`);
        env.state<{ seeded: boolean }>(accountSid).seeded = true;
      },
      afterLoad: () => {
        calls.push('afterLoad');
      },
    };
    const emu = await startEmulator({ seed: 'flex', services: [...services, probe] });
    try {
      expect(calls).toEqual(['seed flex', 'afterLoad']);
      expect(emu.core.env('probe').state<{ seeded: boolean }>(emu.credentials.accountSid).seeded).toBe(true);
      emu.reset();
      expect(calls).toEqual(['seed flex', 'afterLoad', 'seed flex', 'afterLoad']);
      emu.restore(emu.snapshot());
      expect(calls.at(-1)).toBe('afterLoad');
      emu.createAccount({ seed: 'none' });
      expect(calls.filter((c) => c.startsWith('seed'))).toHaveLength(2);
    } finally {
      await emu.stop();
    }
  });
});
