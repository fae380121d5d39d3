/**
 * Parameter validation, environment configuration, the shared-code loader and
 * Twilio error mapping.
 */
import fc from 'fast-check';
import * as params from '../../functions/lib/params.private';
import * as config from '../../functions/lib/config.private';
import { TwilioCallError, normalizeError, withRetries, type TwilioPort } from '../../functions/lib/twilio.private';
import { installRuntime } from './helpers/harness';
import { FakeWorld } from './helpers/fake-twilio';

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
    expect(c.flags).toEqual({ enabled: true, coldTransfer: true, multiParticipant: true, voiceEnabled: true });
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

  test('idempotent calls retry on 5xx/network/429; creates only on 429', async () => {
    const w = new FakeWorld();
    const port: TwilioPort = withRetries(w, { baseDelayMs: 1, maxDelayMs: 1 });
    w.fail({ method: 'fetchQueue', status: 503, times: 2 });
    const q = w.addQueue('Q');
    await expect(port.fetchQueue(q)).resolves.toMatchObject({ sid: q });
    expect(w.count('fetchQueue')).toBe(3);
    w.fail({ method: 'createTask', status: 503 });
    await expect(port.createTask({ workflowSid: 'WW' + '1'.repeat(32), taskChannel: 'voice', attributes: {} })).rejects.toBeInstanceOf(TwilioCallError);
    expect(w.count('createTask')).toBe(1);
    w.fail({ method: 'createTask', status: 429 });
    await expect(port.createTask({ workflowSid: 'WW' + '1'.repeat(32), taskChannel: 'voice', attributes: {} })).resolves.toBeDefined();
    expect(w.count('createTask')).toBe(3);
  });
});

describe('loader', () => {
  test('loadLib resolves private functions through Runtime.getFunctions', async () => {
    const load = await import('../../functions/lib/load.private');
    expect(typeof load.loadLib('lib/params').sid).toBe('function');
    const saved = (globalThis as Record<string, unknown>).Runtime;
    (globalThis as Record<string, unknown>).Runtime = { getFunctions: () => ({}) };
    load.clearLibCache();
    expect(() => load.loadLib('lib/chat')).toThrow(/not deployed/);
    (globalThis as Record<string, unknown>).Runtime = saved;
    load.clearLibCache();
  });
});
