/**
 * Types of what Twilio's Functions runtime (node22) hands a function. These are
 * declarations only (no JS is emitted for a .d.ts, so nothing here is deployed);
 * the function code has no runtime dependency on @twilio/runtime-handler.
 *
 * `Twilio` and `Runtime` are globals in Twilio's runtime. Each file that uses
 * them declares them module-locally (`declare const Runtime: …`) and reads
 * them as free identifiers, so the declarations cannot clash with other parts
 * of the project compiled in the same TypeScript program.
 */
import type { Twilio as TwilioClient } from 'twilio';

/** `Twilio.Response` of the Functions runtime. */
export interface TwilioResponse {
  setStatusCode(code: number): TwilioResponse | void;
  setBody(body: unknown): TwilioResponse | void;
  appendHeader(key: string, value: string): TwilioResponse | void;
  setHeaders?(headers: Record<string, string>): TwilioResponse | void;
}

export interface TwilioGlobal {
  Response: new () => TwilioResponse;
}

export interface RuntimeFunctionEntry {
  /** Absolute path of the function's code file. */
  path: string;
}

export interface RuntimeGlobal {
  /** Keys are function paths without the leading slash, e.g. `lib/http`. */
  getFunctions(): Record<string, RuntimeFunctionEntry | undefined>;
  getAssets?(): Record<string, { path: string } | undefined>;
}

/** The `context` argument: environment variables plus runtime helpers. */
export interface FunctionContext {
  getTwilioClient(): TwilioClient;
  DOMAIN_NAME?: string;
  PATH?: string;
  SERVICE_SID?: string;
  ENVIRONMENT_SID?: string;
  ACCOUNT_SID?: string;
  AUTH_TOKEN?: string;
  [key: string]: unknown;
}

/** The `event` argument: query + body parameters, plus `request` (headers, cookies). */
export interface FunctionEvent {
  request?: { headers?: Record<string, string | string[] | undefined>; cookies?: Record<string, string> };
  [key: string]: unknown;
}

export type FunctionCallback = (error: unknown, response?: unknown) => void;

export type FunctionHandler = (context: FunctionContext, event: FunctionEvent, callback: FunctionCallback) => void | Promise<void>;
