/**
 * Request parameter validation. Every parameter an endpoint reads goes through
 * here; a bad one becomes a 400 naming the field (`ParamError`), never a crash.
 *
 * Values arrive from Twilio's runtime as query/form strings, but a JSON body
 * can carry any type (numbers, arrays, objects): everything is checked.
 */
import type { FunctionEvent } from '../types';

/** Twilio SID prefixes this project's endpoints accept, with what they name. */
export const SID_KINDS = {
  AC: 'Account',
  WS: 'TaskRouter Workspace',
  WW: 'TaskRouter Workflow',
  WT: 'TaskRouter Task',
  WK: 'TaskRouter Worker',
  WQ: 'TaskRouter TaskQueue',
  WR: 'TaskRouter Reservation',
  KD: 'Flex Interaction',
  UO: 'Flex Interaction Channel',
  UT: 'Flex Interaction Channel Participant',
  KG: 'Flex Interaction Channel Invite',
  CH: 'Conversation',
  CF: 'Conference',
  CA: 'Call',
} as const;

export type SidPrefix = keyof typeof SID_KINDS;

const SID_BODY = /^[0-9a-fA-F]{32}$/;
/** Longest string any parameter may have (Flex tokens are long JWEs). */
export const MAX_PARAM_LENGTH = 8192;

export class ParamError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ParamError';
  }
}

export function isSid(value: unknown, prefixes: readonly SidPrefix[]): value is string {
  return typeof value === 'string' && value.length === 34 && prefixes.some((p) => value.startsWith(p)) && SID_BODY.test(value.slice(2));
}

function describePrefixes(prefixes: readonly SidPrefix[]): string {
  return prefixes.map((p) => `${p}… (${SID_KINDS[p]})`).join(' or ');
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'a list (was the field sent more than once?)';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

/** Reads a raw value: undefined when absent or an empty string. */
function raw(event: FunctionEvent, field: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(event, field)) return undefined;
  const v = event[field];
  if (v === undefined || v === '') return undefined;
  return v;
}

export interface Opt<R extends boolean> {
  required: R;
}

/** A string parameter (bounded length, no control characters). */
export function str(event: FunctionEvent, field: string, opts: { required: true; maxLength?: number }): string;
export function str(event: FunctionEvent, field: string, opts?: { required?: false; maxLength?: number }): string | undefined;
export function str(event: FunctionEvent, field: string, opts: { required?: boolean; maxLength?: number } = {}): string | undefined {
  const v = raw(event, field);
  if (v === undefined) {
    if (opts.required) throw new ParamError(field, `${field} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ParamError(field, `${field} must be a string, got ${show(v)}`);
  const max = opts.maxLength ?? MAX_PARAM_LENGTH;
  if (v.length > max) throw new ParamError(field, `${field} is too long (${v.length} characters, at most ${max})`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) throw new ParamError(field, `${field} contains control characters`);
  return v;
}

/** A Twilio SID parameter with one of the given prefixes. */
export function sid(event: FunctionEvent, field: string, prefixes: readonly SidPrefix[], opts: { required: true }): string;
export function sid(event: FunctionEvent, field: string, prefixes: readonly SidPrefix[], opts?: { required?: false }): string | undefined;
export function sid(event: FunctionEvent, field: string, prefixes: readonly SidPrefix[], opts: { required?: boolean } = {}): string | undefined {
  const v = raw(event, field);
  if (v === undefined) {
    if (opts.required) throw new ParamError(field, `${field} is required: a ${describePrefixes(prefixes)} SID`);
    return undefined;
  }
  if (!isSid(v, prefixes)) throw new ParamError(field, `${field} must be a ${describePrefixes(prefixes)} SID (34 characters: the prefix and 32 hex digits), got ${show(v)}`);
  return v;
}

/** One of a fixed set of string values. */
export function oneOf<T extends string>(event: FunctionEvent, field: string, values: readonly T[], fallback: T): T {
  const v = raw(event, field);
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    throw new ParamError(field, `${field} must be one of ${values.map((x) => `"${x}"`).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** A boolean given as `true`/`false` (string or JSON boolean). */
export function bool(event: FunctionEvent, field: string, fallback: boolean): boolean {
  const v = raw(event, field);
  if (v === undefined) return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new ParamError(field, `${field} must be "true" or "false", got ${show(v)}`);
}

/** A request header (case-insensitive); the first value when it was sent more than once. */
export function requestHeader(event: FunctionEvent, name: string): string | undefined {
  const headers = event.request?.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? (typeof v[0] === 'string' ? v[0] : undefined) : typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

/** The least number of characters a body holding these fields can have (form or JSON). */
function minimalBodyLength(event: FunctionEvent): number {
  let total = 0;
  let fields = 0;
  for (const [k, v] of Object.entries(event)) {
    if (k === 'request' || v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) {
      total += k.length + 1 + (typeof item === 'string' ? item.length : JSON.stringify(item ?? null).length);
      fields++;
    }
  }
  return total + Math.max(0, fields - 1);
}

/**
 * The Flex token: the `Token` field of the request body (form or JSON, as
 * Flex plugins send it), or the `X-Flex-Token` header (`Authorization:
 * Bearer …` too, where the runtime passes it on). Never from the URL: Twilio's
 * runtime merges query parameters into `event`, so a `Token` is taken as a
 * body field only when the request has a form or JSON body that can hold
 * every parameter of the event (a token in a URL ends up in logs and browser
 * history). Undefined when no token was sent (then 403 missing_token).
 */
export function flexToken(event: FunctionEvent): string | undefined {
  const authorization = requestHeader(event, 'authorization');
  const header = requestHeader(event, 'x-flex-token') ?? (authorization && /^Bearer\s+/i.test(authorization) ? authorization.replace(/^Bearer\s+/i, '').trim() : undefined);
  const v = raw(event, 'Token');
  if (Array.isArray(v)) throw new ParamError('Token', 'Token was sent more than once: send one token, in the request body or the X-Flex-Token header');
  if (v !== undefined && typeof v !== 'string') throw new ParamError('Token', `Token must be a string, got ${show(v)}`);
  if (typeof v === 'string') {
    const type = (requestHeader(event, 'content-type') ?? '').toLowerCase();
    const length = Number(requestHeader(event, 'content-length'));
    const hasBody = type.startsWith('application/x-www-form-urlencoded') || type.startsWith('application/json') || type.startsWith('multipart/form-data');
    const fitsBody = !Number.isFinite(length) || length >= minimalBodyLength(event);
    if (!hasBody || !fitsBody) {
      throw new ParamError('Token', 'Token must be sent in the request body (form or JSON, with every other parameter) or the X-Flex-Token header, never in the URL query string');
    }
    if (header !== undefined && header !== v) throw new ParamError('Token', 'two different tokens were sent (body Token and header): send one');
  }
  const token = header ?? v;
  if (token !== undefined && token.length > MAX_PARAM_LENGTH) throw new ParamError('Token', `Token is too long (${token.length} characters, at most ${MAX_PARAM_LENGTH})`);
  return token === '' ? undefined : token;
}

/** Checks that an optional parameter, when given, equals what the server derived. */
export function mustMatch(field: string, given: string | undefined, derived: string | undefined, what: string): void {
  if (given !== undefined && derived !== undefined && given !== derived) {
    throw new ParamError(field, `${field} ${given} does not match ${what} (${derived})`);
  }
}

/** Parses a JSON object from a string (task attributes etc.); `{}` for anything that is not an object. */
export function parseJsonObject(value: unknown): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  if (typeof value !== 'string' || value === '') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Reads a nested property by path, e.g. `get(attrs, 'conference', 'participants', 'customer')`. */
export function get(obj: unknown, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Escapes text for XML (TwiML) element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}
