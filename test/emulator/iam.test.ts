/**
 * IAM: Flex tokens (mint -> validate -> expire) as twilio-flex-token-validator
 * sees them, inside a deployed function too; API keys under /iam/v1/Keys.
 */
import { startEmulator, type Emulator } from '../../emulator';
import { createServerlessClient, validateFlexToken } from '../../clients';

// Response bodies are checked by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const WORKER = 'WK' + 'a'.repeat(32);

function auth(user: string, pass: string): string {
  return 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
}

/** The expiry the emulator recorded for the token when it was minted, as Flex formats it. */
function tokenExpiry(emulator: Emulator, token: string): string {
  const iam = emulator.snapshot().services.iam[emulator.credentials.accountSid] as { tokens: Record<string, { expiresAt: number }> };
  return new Date(Math.floor(iam.tokens[token].expiresAt / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

describe('iam', () => {
  let emu: Emulator;

  beforeAll(async () => {
    emu = await startEmulator({ specCheck: true, buildDurationMs: 20 });
  });
  afterAll(async () => emu.stop());

  test('a minted token validates with Flex fields (worker, roles, identity, expiration)', async () => {
    const token = emu.mintFlexToken({ workerSid: WORKER, roles: ['supervisor', 'agent'], identity: 'alice@example.com', ttlSeconds: 600 });
    const result = await validateFlexToken(token, emu.credentials, { apiBaseUrl: emu.baseUrl });
    expect(result).toEqual({
      valid: true,
      code: 0,
      message: null,
      expiration: tokenExpiry(emu, token),
      realm_user_id: 'alice@example.com',
      identity: 'alice@example.com',
      roles: ['supervisor', 'agent'],
      worker_sid: WORKER,
    });
  });

  describe('on the manual clock', () => {
    let manual: Emulator;
    beforeAll(async () => {
      manual = await startEmulator({ clock: 'manual', startTime: Date.UTC(2026, 0, 15, 6, 57, 39, 0) });
    });
    afterAll(async () => manual.stop());

    // The expiration is the token's own (minting time + TTL), never the time of
    // validation + TTL: a second boundary passing between the two, forced here
    // on every round, must not change it.
    test('the expiration is the token expiry set at minting, whatever second the validation falls in (200 rounds)', async () => {
      for (let round = 0; round < 200; round++) {
        // 1 ms before the next whole second, so the advance below crosses it.
        manual.clock.setTime(Math.floor(manual.clock.now() / 1000) * 1000 + 999);
        const mintedAt = manual.clock.now();
        const token = manual.mintFlexToken({ workerSid: WORKER, roles: ['agent'], identity: `round-${round}`, ttlSeconds: 600 });
        manual.clock.advance(2 + (round % 3) * 1000);
        expect(Math.floor(manual.clock.now() / 1000)).toBeGreaterThan(Math.floor(mintedAt / 1000));
        const result = await validateFlexToken(token, manual.credentials, { apiBaseUrl: manual.baseUrl });
        const expected = new Date(Math.floor((mintedAt + 600_000) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
        expect(tokenExpiry(manual, token)).toBe(expected);
        expect(result).toMatchObject({ valid: true, identity: `round-${round}`, expiration: expected });
      }
    });
  });

  test('expired tokens (emulator clock) and unknown tokens are invalid with Flex messages', async () => {
    const token = emu.mintFlexToken({ workerSid: WORKER, ttlSeconds: 60 });
    await expect(validateFlexToken(token, emu.credentials, { apiBaseUrl: emu.baseUrl })).resolves.toMatchObject({ valid: true, roles: ['agent'] });
    emu.clock.advance(61_000);
    await expect(validateFlexToken(token, emu.credentials, { apiBaseUrl: emu.baseUrl })).rejects.toBe('Access Token expired or expiration date invalid');
    await expect(validateFlexToken('not-a-token', emu.credentials, { apiBaseUrl: emu.baseUrl })).rejects.toBe('Invalid Access Token');
  });

  test('the raw endpoint answers 200 with valid:false and null fields for a bad token', async () => {
    const res = await fetch(`${emu.baseUrl}/iam/v1/Accounts/${emu.credentials.accountSid}/Tokens/validate`, {
      method: 'POST',
      headers: { Authorization: auth(emu.credentials.accountSid, emu.credentials.authToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: 'nope' }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()) as Json).toEqual({ valid: false, code: 20101, message: 'Invalid Access Token', expiration: null, realm_user_id: null, identity: null, roles: null, worker_sid: null });
  });

  test("a token is bound to its account: another account's credentials do not validate it", async () => {
    const other = emu.createAccount();
    const token = emu.mintFlexToken({ workerSid: WORKER });
    await expect(validateFlexToken(token, other, { apiBaseUrl: emu.baseUrl })).rejects.toBe('Invalid Access Token');
  });

  test('wrong credentials on validate -> 401', async () => {
    const res = await fetch(`${emu.baseUrl}/iam/v1/Accounts/${emu.credentials.accountSid}/Tokens/validate`, {
      method: 'POST',
      headers: { Authorization: auth(emu.credentials.accountSid, 'bad'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: 'x' }),
    });
    expect(res.status).toBe(401);
  });

  test('tokens can be minted over HTTP', async () => {
    const res = await fetch(`${emu.baseUrl}/__emulator/flex-tokens`, {
      method: 'POST',
      body: JSON.stringify({ workerSid: WORKER, roles: ['admin'] }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(201);
    const { token } = (await res.json()) as Json;
    await expect(validateFlexToken(token, emu.credentials, { apiBaseUrl: emu.baseUrl })).resolves.toMatchObject({ roles: ['admin'] });
    const bad = await fetch(`${emu.baseUrl}/__emulator/flex-tokens`, { method: 'POST', body: JSON.stringify({}), headers: { 'Content-Type': 'application/json' } });
    expect(bad.status).toBe(400);
  });

  test('mintFlexToken rejects a non-worker SID', () => {
    expect(() => emu.mintFlexToken({ workerSid: 'WA123' })).toThrow(/workerSid/);
  });

  test("a deployed function wrapped in twilio-flex-token-validator's functionValidator checks tokens against the emulator", async () => {
    const client = createServerlessClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
    const code = `
      const { functionValidator } = require('twilio-flex-token-validator');
      exports.handler = functionValidator((context, event, callback) => {
        callback(null, { worker: event.TokenResult.worker_sid, roles: event.TokenResult.roles });
      });`;
    const result = await client.deployProject({
      serviceName: 'flex-secured',
      functionsEnv: 'test',
      env: {},
      pkgJson: { dependencies: { 'twilio-flex-token-validator': '1.6.0' } },
      functions: [{ name: 'secured', path: '/secured', access: 'public', content: code }],
      assets: [],
    } as unknown as Parameters<typeof client.deployProject>[0]);
    const token = emu.mintFlexToken({ workerSid: WORKER, roles: ['agent'] });
    const ok = await fetch(`${emu.baseUrl}/runtime/${result.domain}/secured`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `Token=${encodeURIComponent(token)}`,
    });
    expect(ok.status).toBe(200);
    expect((await ok.json()) as Json).toEqual({ worker: WORKER, roles: ['agent'] });
    const denied = await fetch(`${emu.baseUrl}/runtime/${result.domain}/secured`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'Token=forged' });
    expect(denied.status).toBe(403);
    expect(await denied.text()).toBe('Invalid Access Token');
  });

  describe('API keys (/iam/v1/Keys)', () => {
    const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
    const headers = () => ({ Authorization: auth(emu.credentials.accountSid, emu.credentials.authToken), 'Content-Type': 'application/x-www-form-urlencoded' });

    test('create returns the secret once; the key authenticates; fetch/update/list/delete', async () => {
      const created = await fetch(`${emu.baseUrl}/iam/v1/Keys`, { method: 'POST', headers: headers(), body: form({ AccountSid: emu.credentials.accountSid, FriendlyName: 'ci' }) });
      expect(created.status).toBe(201);
      const key = (await created.json()) as Json;
      expect(key).toMatchObject({ sid: expect.stringMatching(/^SK/), friendly_name: 'ci', secret: expect.any(String) });
      expect(key.date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);

      const withKey = await fetch(`${emu.baseUrl}/serverless/v1/Services`, { headers: { Authorization: auth(key.sid, key.secret) } });
      expect(withKey.status).toBe(200);

      const fetched = (await (await fetch(`${emu.baseUrl}/iam/v1/Keys/${key.sid}`, { headers: headers() })).json()) as Json;
      expect(fetched.secret).toBeUndefined();
      const updated = (await (await fetch(`${emu.baseUrl}/iam/v1/Keys/${key.sid}`, { method: 'POST', headers: headers(), body: form({ FriendlyName: 'renamed' }) })).json()) as Json;
      expect(updated.friendly_name).toBe('renamed');
      const listed = (await (await fetch(`${emu.baseUrl}/iam/v1/Keys?AccountSid=${emu.credentials.accountSid}`, { headers: headers() })).json()) as Json;
      expect(listed.keys.map((k: { sid: string }) => k.sid)).toContain(key.sid);
      expect((await fetch(`${emu.baseUrl}/iam/v1/Keys/${key.sid}`, { method: 'DELETE', headers: headers() })).status).toBe(204);
      expect((await fetch(`${emu.baseUrl}/serverless/v1/Services`, { headers: { Authorization: auth(key.sid, key.secret) } })).status).toBe(401);
    });

    test("another account's keys are invisible (404)", async () => {
      const other = emu.createAccount();
      const res = await fetch(`${emu.baseUrl}/iam/v1/Keys?AccountSid=${other.accountSid}`, { headers: headers() });
      expect(res.status).toBe(404);
      const theirKey = emu.createApiKey(other.accountSid);
      expect((await fetch(`${emu.baseUrl}/iam/v1/Keys/${theirKey.sid}`, { headers: headers() })).status).toBe(404);
    });

    test('AccountSid is required', async () => {
      const res = await fetch(`${emu.baseUrl}/iam/v1/Keys`, { method: 'POST', headers: headers(), body: form({ FriendlyName: 'x' }) });
      expect((await res.json()) as Json).toMatchObject({ status: 400, message: 'Missing required parameter AccountSid in the post body' });
    });
  });

  test('the IAM flows conform to the spec (responses)', () => {
    expect(emu.spec.violations().filter((v) => v.kind === 'response')).toEqual([]);
  });
});
