// Errors from Twilio calls, rewritten to name the resource and the reason and
// scrubbed of every secret the provider holds.

/** What we know of a failed HTTP call, from the twilio SDK or serverless-api. */
export interface CallFailure {
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Twilio error code from the body, e.g. 20404. */
  code?: number;
  message: string;
  /** Transport error code, e.g. ECONNRESET. */
  transport?: string;
}

export function describeFailure(err: unknown): CallFailure {
  if (isProviderCallError(err)) return err.failure;
  const e = err as {
    status?: number;
    code?: number | string;
    message?: string;
    moreInfo?: string;
    response?: { statusCode?: number; body?: unknown };
  };
  if (typeof e?.status === 'number') {
    return { status: e.status, code: typeof e.code === 'number' ? e.code : undefined, message: e.message ?? '' };
  }
  if (e?.response && typeof e.response.statusCode === 'number') {
    const body = e.response.body as { code?: number; message?: string } | undefined;
    return { status: e.response.statusCode, code: body?.code, message: body?.message ?? e.message ?? '' };
  }
  const transport = typeof e?.code === 'string' ? e.code : undefined;
  return { transport: transport ?? 'ERROR', message: e?.message ?? String(err) };
}

/** 429, 5xx and transport failures may succeed when tried again. */
export function isTransient(failure: CallFailure): boolean {
  if (failure.transport) return true;
  return failure.status === 429 || (failure.status !== undefined && failure.status >= 500);
}

export function isNotFound(err: unknown): boolean {
  const f = describeFailure(err);
  return f.status === 404;
}

/**
 * A failed Twilio call as a provider reports it to people: names the resource,
 * the action and Twilio's answer (the functions have their own per-call
 * TwilioCallError, which carries what their retries and state machines decide on).
 */
export interface ProviderCallError extends Error {
  resource: string;
  action: string;
  failure: CallFailure;
}

// A plain Error with fields, not a subclass: dynamic providers are serialized
// by value, and subclasses of built-ins do not survive that.
export function providerCallError(resource: string, action: string, failure: CallFailure, secrets: string[]): ProviderCallError {
  const err = new Error(scrub(formatFailure(resource, action, failure), secrets)) as ProviderCallError;
  err.name = 'ProviderCallError';
  err.resource = resource;
  err.action = action;
  err.failure = failure;
  return err;
}

export function isProviderCallError(err: unknown): err is ProviderCallError {
  return err instanceof Error && err.name === 'ProviderCallError' && 'failure' in err;
}

function formatFailure(resource: string, action: string, f: CallFailure): string {
  const what = f.status !== undefined ? `Twilio answered ${f.status}${f.code ? ` (error ${f.code})` : ''}` : `the request failed (${f.transport})`;
  return `${resource}: could not ${action}: ${what}: ${f.message}`;
}

/** Removes secret values from text, however they got there. */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
