/**
 * Runs the functions' handlers in-process, as Twilio's runtime would: the
 * `Runtime` and `Twilio` globals are installed, shared code is loaded through
 * `Runtime.getFunctions()` (pointing at the TypeScript sources, which jest
 * transpiles), and every Twilio call goes to a FakeWorld.
 */
import * as path from 'node:path';
import type { FunctionContext, FunctionEvent, FunctionHandler } from '../../../functions/types';
import { FakeWorld, WS, CHAT_WF, VOICE_WF } from './fake-twilio';

export const FUNCTIONS_DIR = path.resolve(__dirname, '../../../functions');

export const LIBS = ['load', 'http', 'params', 'config', 'twilio', 'auth', 'ledger', 'chat', 'voice'];

/**
 * `Twilio.Response` of @twilio/runtime-handler itself (its package exports only
 * the dev server, so the class is loaded from its file): `serialize()` is what
 * the runtime turns a response into, JSON-encoding the body of an
 * `application/json` response.
 */
export const RuntimeResponse = require(path.join(path.dirname(require.resolve('@twilio/runtime-handler/dev')), 'internal', 'response.js')).Response as new () => {
  serialize(): { statusCode: number; headers: Record<string, unknown>; body: unknown };
};

export function installRuntime(): void {
  const fns: Record<string, { path: string }> = {};
  for (const l of LIBS) fns[`lib/${l}`] = { path: path.join(FUNCTIONS_DIR, 'lib', `${l}.private.ts`) };
  (globalThis as Record<string, unknown>).Runtime = { getFunctions: () => fns, getAssets: () => ({}) };
  (globalThis as Record<string, unknown>).Twilio = { Response: RuntimeResponse };
}

export function baseEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    TWILIO_FLEX_WORKSPACE_SID: WS,
    TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID: CHAT_WF,
    TWILIO_FLEX_VOICE_TRANSFER_WORKFLOW_SID: VOICE_WF,
    FLEX_TRANSFER_ENABLED: 'true',
    FLEX_TRANSFER_COLD_TRANSFER: 'true',
    FLEX_TRANSFER_MULTI_PARTICIPANT: 'true',
    FLEX_TRANSFER_VOICE_ENABLED: 'true',
    DOMAIN_NAME: 'transfers-1234-dev.twil.io',
    ACCOUNT_SID: 'AC' + '0'.repeat(31) + '1',
    ...overrides,
  };
}

export interface Invocation {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  text: string;
}

/** Points every endpoint's Twilio port at `world` (with fast retries). */
export function useWorld(world: FakeWorld): void {
  installRuntime();
  quietConsole();
  const http = require(path.join(FUNCTIONS_DIR, 'lib', 'http.private.ts')) as typeof import('../../../functions/lib/http.private');
  http.portOptions.factory = () => world;
  http.portOptions.retry = { baseDelayMs: 1, maxDelayMs: 2 };
}

let quiet = false;
/** The functions log Twilio failures with console.error/warn; tests inject many on purpose. */
export function quietConsole(): void {
  if (quiet || process.env.FUNCTIONS_TEST_LOGS) return;
  quiet = true;
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
}

export function handlerOf(endpoint: string): FunctionHandler {
  const file = ['voice/assignment', 'voice/join-conference', 'chat/taskrouter-events'].includes(endpoint) ? `${endpoint}.protected.ts` : `${endpoint}.ts`;
  return (require(path.join(FUNCTIONS_DIR, file)) as { handler: FunctionHandler }).handler;
}

export async function invoke(endpoint: string, event: Record<string, unknown>, opts: { env?: Record<string, string | undefined>; headers?: Record<string, string> } = {}): Promise<Invocation> {
  const handler = handlerOf(endpoint);
  const context = { ...baseEnv(), ...(opts.env ?? {}), getTwilioClient: () => { throw new Error('unit tests use the FakeWorld port'); } } as unknown as FunctionContext;
  // As the runtime builds it: parameters merged after the request metadata.
  const ev: FunctionEvent = { request: { headers: opts.headers ?? {}, cookies: {} }, ...event };
  return new Promise<Invocation>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${endpoint} did not call back within 10 s`)), 10_000);
    const done = (err: unknown, res?: unknown) => {
      clearTimeout(timer);
      if (err) {
        resolve({ status: 500, headers: {}, body: { error: 'callback_error', message: String(err) }, text: String(err) });
        return;
      }
      const r = (res as InstanceType<typeof RuntimeResponse>).serialize();
      const text = typeof r.body === 'string' ? r.body : String(r.body);
      let body: Record<string, unknown>;
      try {
        const parsed = JSON.parse(text) as unknown;
        body = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
      } catch {
        body = {};
      }
      const headers = Object.fromEntries(Object.entries(r.headers).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
      resolve({ status: r.statusCode, headers, body, text });
    };
    try {
      const ret = handler(context, ev, done);
      if (ret && typeof (ret as Promise<void>).catch === 'function') (ret as Promise<void>).catch((e: unknown) => done(e));
    } catch (e) {
      done(e);
    }
  });
}
