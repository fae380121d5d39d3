/**
 * Fault injection: 429, 500, connection reset and lost responses (the change
 * is committed but the client sees an error), by rate (seeded) and at the Nth
 * matching request; rules over HTTP.
 */
import { type Emulator, Faults, startEmulator } from '../../emulator';
import { createTwilioClient } from '../../clients';

// Response bodies are checked by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('fault injection', () => {
  let emu: Emulator;
  const client = () => createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl, maxRetries: 0 });

  beforeAll(async () => {
    emu = await startEmulator({ deterministicSids: true });
  });
  afterAll(async () => emu.stop());
  beforeEach(() => emu.reset());

  test('429 answers with Twilio 20429 and the handler does not run', async () => {
    emu.faults.add({ operation: 'serverless.CreateService', kind: '429', nth: 1 });
    await expect(client().serverless.v1.services.create({ uniqueName: 'a', friendlyName: 'a' })).rejects.toMatchObject({ status: 429, code: 20429 });
    expect(await client().serverless.v1.services.list()).toEqual([]);
    expect(emu.log.list({ operation: 'serverless.CreateService' })[0]).toMatchObject({ status: 429, fault: '429' });
  });

  test('a rule with a caller faults only the calls whose Flex-Transfer-Caller header names it; the log records the caller', async () => {
    emu.faults.add({ operation: 'serverless.ListService', caller: 'chat/transfer', kind: '500', nth: 1 });
    const list = (caller?: string) =>
      fetch(`${emu.baseUrl}/serverless/v1/Services`, {
        headers: { Authorization: 'Basic ' + Buffer.from(`${emu.credentials.accountSid}:${emu.credentials.authToken}`).toString('base64'), ...(caller ? { 'Flex-Transfer-Caller': caller } : {}) },
      });
    expect((await list()).status).toBe(200);
    expect((await list('taskrouter/events')).status).toBe(200);
    expect((await list('chat/transfer')).status).toBe(500);
    expect(emu.log.list({ operation: 'serverless.ListService' }).map((e) => [e.caller, e.status])).toEqual([
      [undefined, 200],
      ['taskrouter/events', 200],
      ['chat/transfer', 500],
    ]);
    expect(emu.log.list({ caller: 'chat/transfer' }).map((e) => e.operation)).toEqual(['serverless.ListService']);
    expect(() => emu.faults.add({ operation: 'serverless.ListService', caller: '', kind: '500', nth: 1 })).toThrow(/fault caller must be a non-empty endpoint name/);
  });

  test('500 answers with Twilio 20500 and the handler does not run', async () => {
    emu.faults.add({ method: 'POST', path: '^/serverless/v1/Services$', kind: '500', nth: 1 });
    await expect(client().serverless.v1.services.create({ uniqueName: 'b', friendlyName: 'b' })).rejects.toMatchObject({ status: 500, code: 20500 });
    expect(await client().serverless.v1.services.list()).toEqual([]);
  });

  test('reset destroys the connection before the handler runs', async () => {
    emu.faults.add({ operation: 'serverless.CreateService', kind: 'reset', nth: 1 });
    await expect(client().serverless.v1.services.create({ uniqueName: 'c', friendlyName: 'c' })).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(await client().serverless.v1.services.list()).toEqual([]);
  });

  test('lost-response commits the change, then the client gets a connection error', async () => {
    emu.faults.add({ operation: 'serverless.CreateService', kind: 'lost-response', nth: 1 });
    await expect(client().serverless.v1.services.create({ uniqueName: 'lost', friendlyName: 'lost' })).rejects.toThrow(/socket hang up|ECONNRESET/);
    const services = await client().serverless.v1.services.list();
    expect(services.map((s) => s.uniqueName)).toEqual(['lost']);
    // A retry now hits Twilio's duplicate rule, as it would against the real API.
    await expect(client().serverless.v1.services.create({ uniqueName: 'lost', friendlyName: 'lost' })).rejects.toMatchObject({ status: 409 });
  });

  test('lost-response as a bodiless 500 also commits', async () => {
    emu.faults.add({ operation: 'serverless.CreateService', kind: 'lost-response', nth: 1, lostResponseAs: '500' });
    const res = await fetch(`${emu.baseUrl}/serverless/v1/Services`, {
      method: 'POST',
      headers: { Authorization: 'Basic ' + Buffer.from(`${emu.credentials.accountSid}:${emu.credentials.authToken}`).toString('base64'), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'UniqueName=l5&FriendlyName=l5',
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('');
    expect((await client().serverless.v1.services.list()).map((s) => s.uniqueName)).toEqual(['l5']);
  });

  test('nth: only the Nth matching request fails (times defaults to 1)', async () => {
    emu.faults.add({ operation: 'serverless.ListService', kind: '500', nth: 3 });
    const results: number[] = [];
    for (let i = 0; i < 5; i++) {
      try {
        await client().serverless.v1.services.list();
        results.push(200);
      } catch (err) {
        results.push((err as { status: number }).status);
      }
    }
    expect(results).toEqual([200, 200, 500, 200, 200]);
    expect(emu.faults.list()[0]).toMatchObject({ matched: 5, applied: 1 });
  });

  test('rate faults are reproducible with the same PRNG seed', () => {
    const pattern = (seed: number) => {
      const f = new Faults(seed);
      f.add({ kind: '500', rate: 0.3 });
      return Array.from({ length: 40 }, () => (f.decide({ method: 'GET', path: '/x', operation: 'op' }) ? 1 : 0)).join('');
    };
    expect(pattern(7)).toBe(pattern(7));
    expect(pattern(7)).not.toBe(pattern(8));
    const ones = pattern(7)
      .split('')
      .filter((c) => c === '1').length;
    expect(ones).toBeGreaterThan(3);
    expect(ones).toBeLessThan(25);
  });

  test('times limits a rate rule', () => {
    const f = new Faults(1);
    f.add({ kind: '429', rate: 1, times: 2 });
    const hits = Array.from({ length: 5 }, () => !!f.decide({ method: 'GET', path: '/x', operation: 'op' }));
    expect(hits).toEqual([true, true, false, false, false]);
  });

  test('invalid rules are rejected naming the field', () => {
    expect(() => emu.faults.add({ kind: 'boom' as never, nth: 1 })).toThrow(/kind/);
    expect(() => emu.faults.add({ kind: '500' })).toThrow(/rate .* or nth/);
    expect(() => emu.faults.add({ kind: '500', rate: 2 })).toThrow(/rate/);
  });

  test('rules are managed over HTTP under /__emulator/faults', async () => {
    const created = await fetch(`${emu.baseUrl}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ operation: 'serverless.ListService', kind: '429', nth: 1 }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(created.status).toBe(201);
    await expect(client().serverless.v1.services.list()).rejects.toMatchObject({ status: 429 });
    const listed = (await (await fetch(`${emu.baseUrl}/__emulator/faults`)).json()) as Json;
    expect(listed.faults[0]).toMatchObject({ kind: '429', applied: 1 });
    await fetch(`${emu.baseUrl}/__emulator/faults`, { method: 'DELETE' });
    expect(emu.faults.list()).toEqual([]);
    const bad = await fetch(`${emu.baseUrl}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ kind: 'nope', nth: 1 }), headers: { 'Content-Type': 'application/json' } });
    expect(bad.status).toBe(400);
  });

  test('the SDK retries 429s when asked to', async () => {
    emu.faults.add({ operation: 'serverless.ListService', kind: '429', nth: 1 });
    const retrying = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl, maxRetries: 3 });
    expect(await retrying.serverless.v1.services.list()).toEqual([]);
    expect(emu.log.counts()['serverless.ListService']).toMatchObject({ total: 2, errors: 1 });
  });
});
