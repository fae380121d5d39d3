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
import type { TransferConfig, ConfigNeeds } from './config.private';
import type { TwilioPort, RetryOptions } from './twilio.private';
import type { Actor } from './auth.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const lib: typeof Load.loadLib = (name) => (require(Runtime.getFunctions()['lib/load'].path) as typeof Load).loadLib(name);

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

export interface EndpointEnv {
  context: FunctionContext;
  event: FunctionEvent;
  config: TransferConfig;
  port: TwilioPort;
  /** Set for endpoints Flex calls (token validated). */
  actor: Actor;
}

export interface TwilioEndpointEnv {
  context: FunctionContext;
  event: FunctionEvent;
  config: TransferConfig;
  port: TwilioPort;
}

/**
 * Test hook: options for the port every endpoint builds (e.g. faster retries),
 * and, in unit tests only, a factory that replaces the Twilio SDK adapter with
 * an in-memory fake. Deployed code never sets these.
 */
export const portOptions: { retry: Partial<RetryOptions>; factory?: (context: FunctionContext, config: TransferConfig) => TwilioPort } = { retry: {} };

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
 * check: the endpoints then never decide anything from caller-made metadata
 * of another shape. A complete, well-formed forgery cannot be told apart;
 * what it can change is limited to the origin echoed in
 * Access-Control-Allow-Origin, which browsers compare with the real origin
 * (see docs/functions.md, "Origins").
 */
export function requestHeaders(event: FunctionEvent): Record<string, string | string[]> {
  const { ParamError } = lib('lib/params');
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
  return new (lib('lib/load').runtimeGlobals().Twilio.Response)();
}

/**
 * Answers through `Twilio.Response`. A JSON body is handed over as the value
 * itself: the runtime serializes the body of an `application/json` response
 * (`Twilio.Response#serialize`), so a string would arrive encoded twice. The
 * header name must be exactly `Content-Type` for the runtime to see it.
 */
function send(callback: FunctionCallback, status: number, body: unknown, headers: Record<string, string>, contentType = 'application/json'): void {
  const res = newResponse();
  res.setStatusCode(status);
  res.appendHeader('Content-Type', contentType);
  for (const [k, v] of Object.entries(headers)) res.appendHeader(k, v);
  if (contentType.startsWith('application/json')) res.setBody(body);
  else res.setBody(typeof body === 'string' ? body : JSON.stringify(body));
  callback(null, res);
}

/**
 * CORS headers of an actual (non-preflight) response: the origin echoed when
 * it is allowed, nothing when there is no Origin (not a browser), `null`
 * when the origin is not allowed. Preflights (`OPTIONS`) never reach the
 * function: Twilio's runtime answers them itself.
 */
export function corsHeaders(origin: string | undefined, allowed: string[]): Record<string, string> | null {
  if (origin === undefined) return {};
  if (!allowed.includes(origin)) return null;
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

/** Maps any failure to a status + body. */
export function errorResult(err: unknown, endpoint: string): Result {
  const { ParamError } = lib('lib/params');
  const { ConfigError } = lib('lib/config');
  const { isTwilioCallError } = lib('lib/twilio');
  const { AuthError } = lib('lib/auth');
  if (err instanceof ParamError) return { status: 400, body: { success: false, error: 'invalid_parameter', field: err.field, message: err.message } };
  if (err instanceof AuthError) return { status: err.status, body: { success: false, error: err.reason, message: err.message } };
  if (err instanceof HttpError) return { status: err.status, body: { success: false, error: err.error, message: err.message, ...err.details } };
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
  if (err.status === 429) return { status: 429, body: { ...base, error: 'rate_limited', message: `Twilio rate-limited ${err.operation} (after ${err.attempts} attempts); retry later` } };
  if (err.status === 404) return { status: 404, body: { ...base, error: 'not_found', message: `not found (${err.operation}): ${err.message}` } };
  if (err.status === 401 || err.status === 403) {
    console.error(`[${endpoint}] Twilio refused the function's credentials on ${err.operation}: ${err.message}`);
    return { status: 500, body: { ...base, error: 'configuration_error', message: `Twilio refused the function's credentials (${err.operation}); check the service's credentials` } };
  }
  console.error(`[${endpoint}] Twilio error on ${err.operation}: ${err.status} ${err.message}`);
  return { status: 502, body: { ...base, error: 'twilio_error', message: `Twilio ${err.network ? 'did not answer' : `answered ${err.status}`} on ${err.operation}: ${err.message}` } };
}

function buildPort(context: FunctionContext, config: TransferConfig): TwilioPort {
  const { sdkPort, withRetries } = lib('lib/twilio');
  if (portOptions.factory) return withRetries(portOptions.factory(context, config), portOptions.retry);
  if (typeof context.getTwilioClient !== 'function') throw new Error('context.getTwilioClient is not available');
  return withRetries(sdkPort(context.getTwilioClient(), config.workspaceSid, config.accountSid), portOptions.retry);
}

/**
 * An endpoint Flex calls: the request metadata checked, the origin checked
 * (403 for an origin not in FLEX_TRANSFER_ALLOWED_ORIGINS, before any Twilio
 * call), a valid Flex token (403 otherwise), then `impl`.
 */
export function flexEndpoint(name: string, needs: ConfigNeeds, impl: (env: EndpointEnv) => Promise<Result>): FunctionHandler {
  return (context, event, callback) => {
    let cors: Record<string, string> = {};
    const run = async (): Promise<void> => {
      const headers = requestHeaders(event);
      const allowed = lib('lib/config').readAllowedOrigins(context);
      const origin = header(headers, 'origin');
      const c = corsHeaders(origin, allowed);
      if (c === null) {
        send(callback, 403, { success: false, error: 'origin_not_allowed', message: `origin ${origin} is not allowed (FLEX_TRANSFER_ALLOWED_ORIGINS)` }, {});
        return;
      }
      cors = c;
      const config = lib('lib/config').readConfig(context, needs);
      const port = buildPort(context, config);
      const actor = await lib('lib/auth').authenticate(port, event.Token);
      const result = await impl({ context, event, config, port, actor });
      send(callback, result.status ?? 200, { success: (result.status ?? 200) < 400, ...result.body }, cors);
    };
    return run().catch((err: unknown) => {
      const r = errorResult(err, name);
      send(callback, r.status ?? 500, r.body, cors);
    });
  };
}

/**
 * An endpoint Twilio calls (deployed `.protected`, so Twilio's runtime checks
 * `X-Twilio-Signature` before the code runs). No CORS, no Flex token.
 */
export function twilioEndpoint(
  name: string,
  needs: ConfigNeeds,
  impl: (env: TwilioEndpointEnv) => Promise<{ status?: number; body: unknown; contentType?: string }>,
): FunctionHandler {
  return (context, event, callback) => {
    const run = async (): Promise<void> => {
      const config = lib('lib/config').readConfig(context, needs);
      const port = buildPort(context, config);
      const result = await impl({ context, event, config, port });
      send(callback, result.status ?? 200, result.body, {}, result.contentType ?? 'application/json');
    };
    return run().catch((err: unknown) => {
      const r = errorResult(err, name);
      send(callback, r.status ?? 500, r.body, {});
    });
  };
}

/** Runs a step; a Twilio failure is rethrown as an HttpError naming the step and what state things are in. */
export async function step<T>(stepName: string, fn: () => Promise<T>, state: () => Record<string, unknown> = () => ({})): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const { isTwilioCallError } = lib('lib/twilio');
    if (!isTwilioCallError(err)) throw err;
    const r = twilioErrorResult(err, stepName, { failedStep: stepName, ...state() });
    const { success: _success, error: code, message, ...rest } = r.body as Record<string, unknown>;
    throw new HttpError(r.status ?? 502, String(code), `${stepName} failed: ${String(message)}`, { ...rest, failedStep: stepName });
  }
}
