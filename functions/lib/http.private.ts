/**
 * The HTTP side of every endpoint: CORS (Flex origins only), configuration,
 * Flex token validation, and the mapping of every failure to a clear JSON
 * response. Bad input is always a 4xx; a 5xx means the deployment (500
 * `configuration_error`) or Twilio (502 `twilio_error`) failed, never the
 * caller.
 *
 * Response body: `{ success: true, ...result }` or
 * `{ success: false, error: <machine code>, message: <text>, ...details }`.
 */
import type { FunctionContext, FunctionEvent, FunctionCallback, FunctionHandler, TwilioResponse } from '../types';
import type * as Load from './load.private';
import type * as Params from './params.private';
import type * as Config from './config.private';
import type * as TwilioLib from './twilio.private';
import type * as TwilioApi from './twilio-api.private';
import type * as Contract from './contract.private';
import type * as Auth from './auth.private';
import type { TransferConfig, ConfigNeeds } from './config.private';
import type { TwilioPort, Budget } from './twilio.private';
import type { Actor } from './auth.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const load = (): typeof Load => require(Runtime.getFunctions()['lib/load'].path) as typeof Load;
const params = () => load().loadLib<typeof Params>('lib/params');
const configLib = () => load().loadLib<typeof Config>('lib/config');
const twilioLib = () => load().loadLib<typeof TwilioLib>('lib/twilio');
const auth = () => load().loadLib<typeof Auth>('lib/auth');

/** An error with a chosen HTTP status and machine-readable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface Result {
  status?: number;
  body: Record<string, unknown>;
}

export interface TwilioEndpointEnv {
  context: FunctionContext;
  event: FunctionEvent;
  config: TransferConfig;
  /** Twilio calls of the normal steps (each bounded by the budget, leaving a reserve). */
  port: TwilioPort;
  /** Twilio calls of compensating steps (they may use the reserve). */
  rescue: TwilioPort;
  budget: Budget;
}

export interface EndpointEnv extends TwilioEndpointEnv {
  /** The caller (Flex token validated). */
  actor: Actor;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The request's headers, from the metadata Twilio's runtime puts in
 * `event.request` (`{headers, cookies}`, headers lower-cased).
 *
 * The runtime merges query and body parameters into `event` *after*
 * `request`, so a parameter named `request` replaces the metadata (a form or
 * query `request=x`, a JSON body `{"request": {...}}`). Anything that is not
 * exactly the runtime's shape is refused as a bad parameter, before any other
 * check (origin, token): the endpoints then never decide anything from
 * caller-made metadata of another shape. A complete, well-formed forgery
 * cannot be told apart; what it can change is limited to the origin echoed
 * in Access-Control-Allow-Origin, which browsers compare with the real
 * origin (see docs/functions.md, "Origins").
 */
export function requestHeaders(event: FunctionEvent): Record<string, string | string[]> {
  const { ParamError } = params();
  const reserved = () => new ParamError('request', 'request is reserved for the request metadata Twilio\'s runtime adds (headers, cookies); a query or body parameter named "request" is not accepted');
  const metadata = event.request as unknown;
  if (!isPlainObject(metadata) || !isPlainObject(metadata.headers) || !isPlainObject(metadata.cookies)) throw reserved();
  if (Object.keys(metadata).some((k) => k !== 'headers' && k !== 'cookies')) throw reserved();
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(metadata.headers)) {
    if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) headers[name.toLowerCase()] = value;
    else throw reserved();
  }
  if (Object.values(metadata.cookies).some((v) => typeof v !== 'string')) throw reserved();
  return headers;
}

function header(headers: Record<string, string | string[]>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function newResponse(): TwilioResponse {
  return new (load().runtimeGlobals().Twilio.Response)();
}

/**
 * Answers through `Twilio.Response`. A JSON body is handed over as the value
 * itself: the runtime serializes the body of an `application/json` response
 * (`Twilio.Response#serialize`), so a string would arrive encoded twice. The
 * header name must be exactly `Content-Type` for the runtime to see it.
 */
function send(callback: FunctionCallback, status: number, body: unknown, headers: Record<string, string>, contentType = 'application/json', budget?: Budget): void {
  const res = newResponse();
  // The function's own report of its time (W3C Server-Timing): Twilio stops it at 10 s.
  if (budget) {
    const timedOut = budget.timedOut.length ? `, timeout;desc="${budget.timedOut.join(' ')}"` : '';
    res.appendHeader('Server-Timing', `total;dur=${budget.elapsed()}, budget;dur=${budget.limitMs}${timedOut}`);
  }
  res.setStatusCode(status);
  res.appendHeader('Content-Type', contentType);
  for (const [k, v] of Object.entries(headers)) res.appendHeader(k, v);
  if (contentType.startsWith('application/json')) res.setBody(body);
  else res.setBody(typeof body === 'string' ? body : JSON.stringify(body));
  callback(null, res);
}

/**
 * CORS headers of an actual (non-preflight) response: the origin echoed when
 * it is allowed (with `Server-Timing` exposed to the page), nothing when
 * there is no Origin (not a browser), `null` when the origin is not allowed.
 * Preflights (`OPTIONS`) never reach the function: Twilio's runtime answers
 * them itself, so preflight-only headers here would have no effect.
 */
export function corsHeaders(origin: string | undefined, allowed: string[]): Record<string, string> | null {
  if (origin === undefined) return {};
  if (!allowed.includes(origin)) return null;
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Server-Timing', Vary: 'Origin' };
}

/** Maps any failure to a status + body. */
export function errorResult(err: unknown, endpoint: string): Result {
  const { ParamError } = params();
  const { ConfigError } = configLib();
  const { isTwilioCallError, BudgetExhausted } = twilioLib();
  const { AuthError } = auth();
  if (err instanceof ParamError) return { status: 400, body: { success: false, error: 'invalid_parameter', field: err.field, message: err.message } };
  if (err instanceof AuthError) return { status: err.status, body: { success: false, error: err.reason, message: err.message } };
  if (err instanceof HttpError) return { status: err.status, body: { success: false, error: err.error, message: err.message, ...err.details } };
  if (err instanceof BudgetExhausted) {
    console.error(`[${endpoint}] ${err.message}`);
    return { status: 504, body: { success: false, error: 'time_budget_exhausted', failedOperation: err.operation, message: `${err.message}; nothing was left half-done, retry` } };
  }
  if (err instanceof ConfigError) {
    console.error(`[${endpoint}] configuration error: ${err.message}`);
    return { status: 500, body: { success: false, error: 'configuration_error', variable: err.variable, message: err.message } };
  }
  if (isTwilioCallError(err)) return twilioErrorResult(err, endpoint);
  console.error(`[${endpoint}] internal error:`, err);
  return { status: 500, body: { success: false, error: 'internal_error', message: 'internal error in the transfer function; see the function logs' } };
}

/** A Twilio API failure nobody handled more specifically. */
export function twilioErrorResult(err: import('./twilio.private').TwilioCallError, endpoint: string, extra: Record<string, unknown> = {}): Result {
  const base = { success: false, failedOperation: err.operation, twilioStatus: err.status, twilioCode: err.code, ...extra };
  if (err.timedOut) {
    console.error(`[${endpoint}] Twilio did not answer ${err.operation} in time`);
    return { status: 504, body: { ...base, error: 'twilio_timeout', message: `Twilio did not answer ${err.operation} in time (it may still apply it: repeat the same request to reconcile)` } };
  }
  if (err.status === 429) return { status: 429, body: { ...base, error: 'rate_limited', message: `Twilio rate-limited ${err.operation} (after ${err.attempts} attempts); retry later` } };
  if (err.status === 404) return { status: 404, body: { ...base, error: 'not_found', message: `not found (${err.operation}): ${err.message}` } };
  if (err.status === 401 || err.status === 403) {
    console.error(`[${endpoint}] Twilio refused the function's credentials on ${err.operation}: ${err.message}`);
    return { status: 500, body: { ...base, error: 'configuration_error', message: `Twilio refused the function's credentials (${err.operation}); check the service's credentials` } };
  }
  console.error(`[${endpoint}] Twilio error on ${err.operation}: ${err.status} ${err.message}`);
  return { status: 502, body: { ...base, error: 'twilio_error', message: `Twilio ${err.network ? 'did not answer' : `answered ${err.status}`} on ${err.operation}: ${err.message}` } };
}

/** The ports of one invocation: Twilio's client, bounded by this invocation's time budget. */
function buildPorts(endpoint: string, context: FunctionContext, config: TransferConfig, budget: Budget): { port: TwilioPort; rescue: TwilioPort } {
  if (typeof context.getTwilioClient !== 'function') throw new Error('context.getTwilioClient is not available');
  const { twilioApiPort } = load().loadLib<typeof TwilioApi>('lib/twilio-api');
  const { CALLER_HEADER } = load().loadLib<typeof Contract>('lib/contract');
  return twilioLib().withPolicy(twilioApiPort(context.getTwilioClient(), config.workspaceSid, config.accountSid, { [CALLER_HEADER]: endpoint }), budget);
}

/**
 * An endpoint Flex calls: the request metadata checked, the origin checked
 * (403 for an origin not in the allowed origins, before any Twilio
 * call), a valid Flex token (403 otherwise), then `impl`.
 */
export function flexEndpoint(name: string, needs: ConfigNeeds, impl: (env: EndpointEnv) => Promise<Result>): FunctionHandler {
  return (context, event, callback) => {
    let cors: Record<string, string> = {};
    const budget = new (twilioLib().Budget)();
    const run = async (): Promise<void> => {
      const headers = requestHeaders(event);
      const allowed = configLib().readAllowedOrigins(context);
      const origin = header(headers, 'origin');
      const c = corsHeaders(origin, allowed);
      if (c === null) {
        send(
          callback,
          403,
          { success: false, error: 'origin_not_allowed', message: `origin ${origin} is not allowed (${load().loadLib<typeof Contract>('lib/contract').FUNCTION_ENV.allowedOrigins})` },
          {},
        );
        return;
      }
      cors = c;
      // The token is read (body or header, never the URL) before anything else is.
      const token = params().flexToken(event);
      const config = configLib().readConfig(context, needs);
      const { port, rescue } = buildPorts(name, context, config, budget);
      const actor = await auth().authenticate(port, token);
      const result = await impl({ context, event, config, port, rescue, budget, actor });
      send(callback, result.status ?? 200, { success: (result.status ?? 200) < 400, ...result.body }, cors, 'application/json', budget);
    };
    return run().catch((err: unknown) => {
      const r = errorResult(err, name);
      send(callback, r.status ?? 500, r.body, cors, 'application/json', budget);
    });
  };
}

/**
 * An endpoint Twilio calls (deployed `.protected`, so Twilio's runtime checks
 * `X-Twilio-Signature` before the code runs). No CORS, no Flex token.
 */
export function twilioEndpoint(name: string, needs: ConfigNeeds, impl: (env: TwilioEndpointEnv) => Promise<{ status?: number; body: unknown; contentType?: string }>): FunctionHandler {
  return (context, event, callback) => {
    const budget = new (twilioLib().Budget)();
    const run = async (): Promise<void> => {
      const config = configLib().readConfig(context, needs);
      const { port, rescue } = buildPorts(name, context, config, budget);
      const result = await impl({ context, event, config, port, rescue, budget });
      send(callback, result.status ?? 200, result.body, {}, result.contentType ?? 'application/json', budget);
    };
    return run().catch((err: unknown) => {
      const r = errorResult(err, name);
      send(callback, r.status ?? 500, r.body, {}, 'application/json', budget);
    });
  };
}

/** Runs a step; a Twilio failure is rethrown as an HttpError naming the step and what state things are in. */
export async function step<T>(stepName: string, fn: () => Promise<T>, state: () => Record<string, unknown> = () => ({})): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const { isTwilioCallError } = twilioLib();
    if (!isTwilioCallError(err)) throw err;
    const r = twilioErrorResult(err, stepName, { failedStep: stepName, ...state() });
    const { success: _success, error: code, message, ...rest } = r.body as Record<string, unknown>;
    throw new HttpError(r.status ?? 502, String(code), `${stepName} failed: ${String(message)}`, { ...rest, failedStep: stepName });
  }
}
