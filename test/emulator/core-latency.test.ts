/**
 * Latency and stall injection: a delay (fixed or drawn from a distribution)
 * before the handler runs, a stall held on the emulator clock whose change
 * commits even after the client gave up, matching like fault rules, and the
 * rules over HTTP under /__emulator/latency.
 */
import { EmulatorClock, Latency, startEmulator, type Emulator, type LatencyDistribution } from '../../emulator';
import { createTwilioClient } from '../../clients';

// Response bodies are checked by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('latency injection', () => {
  let emu: Emulator;
  const client = () => createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl, maxRetries: 0 });
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emu.baseUrl}/__emulator/${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    emu = await startEmulator({ deterministicSids: true, clock: 'manual', startTime: Date.UTC(2025, 0, 6) });
  });
  afterAll(async () => emu.stop());
  beforeEach(() => emu.reset());

  test('a delay rule holds only the matching operation, and the log records it', async () => {
    emu.latency.add({ operation: 'serverless.CreateService', kind: 'delay', ms: 40 });
    await client().serverless.v1.services.create({ uniqueName: 'a', friendlyName: 'a' });
    await client().serverless.v1.services.list();
    const [create] = emu.log.list({ operation: 'serverless.CreateService' });
    const [list] = emu.log.list({ operation: 'serverless.ListService' });
    expect(create.latency).toEqual({ kind: 'delay', ms: 40 });
    expect(create.durationMs).toBeGreaterThanOrEqual(40);
    expect(list.latency).toBeUndefined();
  });

  test('a stall holds the request on the emulator clock; its change commits even though the client gave up', async () => {
    emu.latency.add({ operation: 'serverless.CreateService', kind: 'stall', ms: 12_000, nth: 1 });
    const abort = new AbortController();
    const gaveUp = fetch(`${emu.baseUrl}/serverless/v1/Services`, {
      method: 'POST',
      headers: { Authorization: 'Basic ' + Buffer.from(`${emu.credentials.accountSid}:${emu.credentials.authToken}`).toString('base64'), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'UniqueName=late&FriendlyName=late',
      signal: abort.signal,
    }).catch((err: unknown) => err);
    await waitFor(() => emu.latency.stalledCount() === 1);
    // Other calls are not held; the stalled one has not run.
    expect(await client().serverless.v1.services.list()).toEqual([]);
    abort.abort();
    expect(await gaveUp).toMatchObject({ name: 'AbortError' });
    emu.clock.advance(11_999);
    expect(emu.latency.stalledCount()).toBe(1);
    emu.clock.advance(1);
    await waitFor(() => emu.log.list({ operation: 'serverless.CreateService' }).length === 1);
    expect((await client().serverless.v1.services.list()).map((s) => s.uniqueName)).toEqual(['late']);
    expect(emu.log.list({ operation: 'serverless.CreateService' })[0].latency).toEqual({ kind: 'stall', ms: 12_000 });
  });

  test('restore drops a stalled request instead of running it against the restored state; release() runs them now', async () => {
    const clean = emu.snapshot();
    emu.latency.add({ operation: 'serverless.CreateService', kind: 'stall', ms: 60_000 });
    const dropped = client()
      .serverless.v1.services.create({ uniqueName: 'dropped', friendlyName: 'd' })
      .catch((err: unknown) => err);
    await waitFor(() => emu.latency.stalledCount() === 1);
    emu.restore(clean);
    expect(await dropped).toBeInstanceOf(Error);
    const released = client().serverless.v1.services.create({ uniqueName: 'released', friendlyName: 'r' });
    await waitFor(() => emu.latency.stalledCount() === 1);
    expect(emu.latency.release()).toBe(1);
    expect((await released).uniqueName).toBe('released');
    expect((await client().serverless.v1.services.list()).map((s) => s.uniqueName)).toEqual(['released']);
  });

  test('over HTTP: add, list, remove, release and clear rules; invalid rules are refused naming the field', async () => {
    const added = await admin('POST', 'latency', { method: 'GET', path: '/serverless/', kind: 'delay', distribution: { type: 'uniform', minMs: 5, maxMs: 10 } });
    expect(added.status).toBe(201);
    expect((await admin('GET', 'latency')).body).toMatchObject({ latency: [{ id: added.body.id, kind: 'delay' }], stalled: 0 });
    await client().serverless.v1.services.list();
    const ms = emu.log.list({ operation: 'serverless.ListService' })[0].latency?.ms ?? -1;
    expect(ms).toBeGreaterThanOrEqual(5);
    expect(ms).toBeLessThanOrEqual(10);
    expect((await admin('DELETE', `latency/${added.body.id}`)).status).toBe(200);
    expect((await admin('DELETE', `latency/${added.body.id}`)).status).toBe(404);
    expect((await admin('POST', 'latency', { kind: 'stall' })).body.message).toMatch(/stall rule needs ms/);
    expect((await admin('POST', 'latency', { kind: 'delay', ms: -1 })).body.message).toMatch(/ms must be/);
    expect((await admin('POST', 'latency', { kind: 'delay', distribution: { type: 'zipf' } })).body.message).toMatch(/distribution.type/);
    expect((await admin('POST', 'latency', { kind: 'pause', ms: 1 })).body.message).toMatch(/kind must be one of delay, stall/);
    expect((await admin('POST', 'latency/release')).body).toEqual({ released: 0 });
    expect((await admin('DELETE', 'latency')).body).toEqual({ cleared: true });
    expect(emu.latency.list()).toEqual([]);
  });
});

describe('latency distributions', () => {
  test('draws are reproducible per seed and follow the distribution', () => {
    const draws = (seed: number, distribution: LatencyDistribution) => {
      const l = new Latency(new EmulatorClock('manual', 0), seed);
      l.add({ kind: 'delay', distribution });
      return Array.from({ length: 2000 }, () => l.decide({ method: 'GET', path: '/x', operation: 'x.Y' })!.ms);
    };
    const a = draws(7, { type: 'normal', meanMs: 150, stdDevMs: 30 });
    expect(draws(7, { type: 'normal', meanMs: 150, stdDevMs: 30 })).toEqual(a);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean).toBeGreaterThan(145);
    expect(mean).toBeLessThan(155);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    const u = draws(3, { type: 'uniform', minMs: 100, maxMs: 200 });
    expect(Math.min(...u)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...u)).toBeLessThanOrEqual(200);
    const e = draws(3, { type: 'exponential', meanMs: 50 });
    expect(e.reduce((s, x) => s + x, 0) / e.length).toBeGreaterThan(45);
    expect(e.reduce((s, x) => s + x, 0) / e.length).toBeLessThan(55);
  });

  test('nth and times: only the Nth match is held, once', () => {
    const l = new Latency(new EmulatorClock('manual', 0));
    l.add({ operation: 'a.B', kind: 'stall', ms: 100, nth: 2 });
    const req = { method: 'POST', path: '/a', operation: 'a.B' };
    expect(l.decide(req)).toBeUndefined();
    expect(l.decide(req)).toMatchObject({ kind: 'stall', ms: 100 });
    expect(l.decide(req)).toBeUndefined();
    expect(l.decide({ ...req, operation: 'a.C' })).toBeUndefined();
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error('condition not reached');
}
