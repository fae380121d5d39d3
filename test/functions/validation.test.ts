/**
 * The pure parts of the functions, in-process: parameter and token
 * validation, environment configuration, the shared-code loader, Twilio error
 * mapping and the call policy (timeouts from the time budget, retries).
 * Everything that talks to Twilio is tested end to end over HTTP.
 */
import * as path from 'node:path';
import fc from 'fast-check';
import * as params from '../../functions/lib/params.private';
import * as config from '../../functions/lib/config.private';
import { Budget, BudgetExhausted, TwilioCallError, normalizeError, withPolicy, IDEMPOTENT, type TimedPort, type PortMethod } from '../../functions/lib/twilio.private';

/** Twilio's runtime globals pointing at the TypeScript sources (jest transpiles them). */
function installRuntime(): void {
  const dir = path.resolve(__dirname, '../../functions/lib');
  const fns: Record<string, { path: string }> = {};
  for (const l of ['load', 'params', 'config', 'contract', 'twilio', 'http', 'auth']) fns[`lib/${l}`] = { path: path.join(dir, `${l}.private.ts`) };
  (globalThis as Record<string, unknown>).Runtime = { getFunctions: () => fns, getAssets: () => ({}) };
  (globalThis as Record<string, unknown>).Twilio = { Response: class {} };
}

installRuntime();

describe('params', () => {
  const WT = 'WT' + 'a'.repeat(32);
  test('SIDs: prefix and 32 hex digits, else a ParamError naming the field', () => {
    expect(params.sid({ taskSid: WT }, 'taskSid', ['WT'], { required: true })).toBe(WT);
    for (const bad of ['WK' + 'a'.repeat(32), 'WT' + 'g'.repeat(32), WT + '0', 'WT', 42, ['a'], { a: 1 }, null]) {
      expect(() => params.sid({ taskSid: bad }, 'taskSid', ['WT'])).toThrow(params.ParamError);
      try {
        params.sid({ taskSid: bad }, 'taskSid', ['WT']);
      } catch (e) {
        expect((e as params.ParamError).field).toBe('taskSid');
        expect((e as Error).message).toContain('taskSid');
      }
    }
    expect(() => params.sid({}, 'taskSid', ['WT'], { required: true })).toThrow(/taskSid is required/);
    expect(params.sid({ taskSid: '' }, 'taskSid', ['WT'])).toBeUndefined();
  });

  test('any input: validators either return a valid value or throw ParamError', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        for (const fn of [
          () => params.sid({ f: v }, 'f', ['WT', 'WK']),
          () => params.str({ f: v }, 'f'),
          () => params.oneOf({ f: v }, 'f', ['a', 'b'], 'a'),
          () => params.bool({ f: v }, 'f', false),
        ]) {
          try {
            fn();
          } catch (e) {
            expect(e).toBeInstanceOf(params.ParamError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  test('strings: control characters and oversize refused', () => {
    expect(() => params.str({ f: 'a\u0000b' }, 'f')).toThrow(/control/);
    expect(() => params.str({ f: 'a'.repeat(9000) }, 'f')).toThrow(/too long/);
  });

  test('escapeXml and parseJsonObject', () => {
    expect(params.escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
    expect(params.parseJsonObject('{"a":1}')).toEqual({ a: 1 });
    expect(params.parseJsonObject('[1]')).toEqual({});
    expect(params.parseJsonObject('nope')).toEqual({});
  });
});

describe('config', () => {
  const ctx = (env: Record<string, string | undefined>) => ({ getTwilioClient: () => undefined, ...env }) as never;
  const good = { TWILIO_FLEX_WORKSPACE_SID: 'WS' + '1'.repeat(32), TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID: 'WW' + '2'.repeat(32), TWILIO_FLEX_VOICE_TRANSFER_WORKFLOW_SID: 'WW' + '3'.repeat(32) };

  test('valid configuration, defaults', () => {
    const c = config.readConfig(ctx(good), { chat: true, voice: true });
    expect(c.flags).toEqual({ enabled: true, coldTransfer: true, multiParticipant: true, voiceTransfer: true });
    expect(c.allowedOrigins).toEqual(['https://flex.twilio.com']);
  });

  test('missing, placeholder, wrong prefix: ConfigError naming the variable', () => {
    const cases: Array<[Record<string, string | undefined>, string]> = [
      [{ ...good, TWILIO_FLEX_WORKSPACE_SID: undefined }, 'TWILIO_FLEX_WORKSPACE_SID'],
      [{ ...good, TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID: '<YOUR_TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID>' }, 'TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID'],
      [{ ...good, TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID: 'WQ' + '2'.repeat(32) }, 'TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID'],
      [{ ...good, FLEX_TRANSFER_COLD_TRANSFER: 'yes' }, 'FLEX_TRANSFER_COLD_TRANSFER'],
      [{ ...good, FLEX_TRANSFER_ALLOWED_ORIGINS: 'https://flex.twilio.com/path' }, 'FLEX_TRANSFER_ALLOWED_ORIGINS'],
    ];
    for (const [env, variable] of cases) {
      expect(() => config.readConfig(ctx(env), { chat: true })).toThrow(config.ConfigError);
      try {
        config.readConfig(ctx(env), { chat: true });
      } catch (e) {
        expect((e as config.ConfigError).variable).toBe(variable);
      }
    }
  });

  test('a disabled feature does not need its workflow', () => {
    expect(() => config.readConfig(ctx({ ...good, TWILIO_FLEX_VOICE_TRANSFER_WORKFLOW_SID: undefined, FLEX_TRANSFER_VOICE_ENABLED: 'false' }), { voice: true })).not.toThrow();
  });
});

describe('Twilio errors and retries', () => {
  test('normalizeError: RestException-like, network', () => {
    const rest = normalizeError(Object.assign(new Error('Not found'), { status: 404, code: 20404 }), 'fetchTask');
    expect(rest).toMatchObject({ status: 404, code: 20404, notFound: true, ambiguous: false });
    const net = normalizeError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'fetchTask');
    expect(net).toMatchObject({ status: 0, network: true, ambiguous: true });
  });

  test('axios timeouts are recognized as timeouts (the request may still be applied later)', () => {
    const t = normalizeError(Object.assign(new Error('timeout of 3000ms exceeded'), { code: 'ECONNABORTED' }), 'createTask');
    expect(t).toMatchObject({ status: 0, timedOut: true, ambiguous: true });
  });

  /** A scripted raw port: each method answers from `script` (an error status, or a value), and records the timeouts it was given. */
  function scripted(script: Partial<Record<PortMethod, Array<number | 'hang'>>>) {
    const timeouts: Record<string, number[]> = {};
    const calls: Record<string, number> = {};
    const raw = {} as Record<PortMethod, unknown>;
    for (const m of Object.keys(IDEMPOTENT) as PortMethod[]) {
      raw[m] = async (timeout: number) => {
        (timeouts[m] ??= []).push(timeout);
        calls[m] = (calls[m] ?? 0) + 1;
        const next = script[m]?.shift();
        if (next === 'hang') {
          await new Promise((r) => setTimeout(r, timeout));
          throw Object.assign(new Error(`timeout of ${timeout}ms exceeded`), { code: 'ECONNABORTED' });
        }
        if (typeof next === 'number') throw Object.assign(new Error(`HTTP ${next}`), { status: next });
        return { sid: 'X' };
      };
    }
    return { raw: raw as unknown as TimedPort, timeouts, calls };
  }

  test('idempotent calls retry on 5xx/network/429; creates only on 429', async () => {
    const s = scripted({ fetchQueue: [503, 503], createTask: [503, 429, 429] });
    const { port } = withPolicy(s.raw, new Budget(), { baseDelayMs: 1, maxDelayMs: 1 });
    await expect(port.fetchQueue('WQ1')).resolves.toMatchObject({ sid: 'X' });
    expect(s.calls.fetchQueue).toBe(3);
    await expect(port.createTask({ workflowSid: 'WW', taskChannel: 'voice', attributes: {} })).rejects.toBeInstanceOf(TwilioCallError);
    expect(s.calls.createTask).toBe(1);
    await expect(port.createTask({ workflowSid: 'WW', taskChannel: 'voice', attributes: {} })).resolves.toBeDefined();
    expect(s.calls.createTask).toBe(4);
  });

  test('every call gets a timeout from the budget, leaving the compensation reserve; the rescue port may use the reserve', async () => {
    let now = 0;
    const budget = new Budget(9000, () => now);
    const s = scripted({});
    const { port, rescue } = withPolicy(s.raw, budget);
    await port.fetchTask('WT1');
    expect(s.timeouts.fetchTask).toEqual([3000]);
    now = 5000; // 4000 left: 1500 for a normal call (2500 kept back), 1500 for a compensating one
    await port.fetchTask('WT1');
    await rescue.updateConferenceParticipant('CF', 'CA', { hold: false });
    expect(s.timeouts.fetchTask[1]).toBe(1500);
    expect(s.timeouts.updateConferenceParticipant).toEqual([1500]);
    now = 6600; // only the reserve is left: a normal step is refused before it is made, compensation still runs
    await expect(port.createTask({ workflowSid: 'WW', taskChannel: 'voice', attributes: {} })).rejects.toBeInstanceOf(BudgetExhausted);
    expect(s.calls.createTask).toBeUndefined();
    await expect(rescue.updateConferenceParticipant('CF', 'CA', { hold: false })).resolves.toBeDefined();
  });

  test('a call that does not answer in time is abandoned and reported', async () => {
    let now = 0;
    const budget = new Budget(9000, () => now);
    const s = scripted({ createTask: ['hang'] });
    const { port } = withPolicy(
      {
        ...s.raw,
        createTask: async (timeout, input) => {
          now += timeout;
          return s.raw.createTask(1, input);
        },
      },
      budget,
    );
    const err = await port.createTask({ workflowSid: 'WW', taskChannel: 'voice', attributes: {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ timedOut: true, operation: 'createTask' });
    expect(budget.timedOut).toEqual(['createTask']);
  });
});

describe('the Flex token: body or header, never the URL', () => {
  const form = (extra: Record<string, unknown>, headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '5000' }) => ({
    ...extra,
    request: { headers },
  });
  test('a body field of a form or JSON request, or Authorization: Bearer', () => {
    expect(params.flexToken(form({ Token: 'abc' }))).toBe('abc');
    expect(params.flexToken(form({ Token: 'abc' }, { 'content-type': 'application/json' }))).toBe('abc');
    expect(params.flexToken(form({}, { authorization: 'Bearer xyz' }))).toBe('xyz');
    expect(params.flexToken(form({}, { 'x-flex-token': 'xyz' }))).toBe('xyz');
    expect(params.flexToken(form({}))).toBeUndefined();
  });
  test('a Token with no request body (a GET), or a body too short to hold every parameter, came from the URL: 400 naming Token', () => {
    const urlToken = form({ Token: 'a'.repeat(100), taskSid: 'WT' + '1'.repeat(32) }, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String('taskSid='.length + 34) });
    for (const ev of [form({ Token: 'abc' }, {}), urlToken]) {
      expect(() => params.flexToken(ev)).toThrow(params.ParamError);
      expect(() => params.flexToken(ev)).toThrow(/never in the URL/);
    }
  });
  test('a Token sent more than once (an array) or not a string: 400 naming Token', () => {
    for (const bad of [['a', 'b'], 42, { t: 1 }]) {
      let err: unknown;
      try {
        params.flexToken(form({ Token: bad }));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(params.ParamError);
      expect((err as params.ParamError).field).toBe('Token');
    }
  });
  test('two different tokens (body and header) are refused', () => {
    expect(() => params.flexToken(form({ Token: 'a' }, { 'content-type': 'application/json', authorization: 'Bearer b' }))).toThrow(/two different tokens/);
  });
});

describe('loader', () => {
  test('loadLib resolves private functions through Runtime.getFunctions', async () => {
    const load = await import('../../functions/lib/load.private');
    expect(typeof load.loadLib<typeof params>('lib/params').sid).toBe('function');
    const saved = (globalThis as Record<string, unknown>).Runtime;
    (globalThis as Record<string, unknown>).Runtime = { getFunctions: () => ({}) };
    load.clearLibCache();
    expect(() => load.loadLib('lib/chat')).toThrow(/not deployed/);
    (globalThis as Record<string, unknown>).Runtime = saved;
    load.clearLibCache();
  });
});
