/**
 * Pieces of Twilio's own local runtime (@twilio/runtime-handler, the
 * serverless toolkit's dev runtime) reused here: `Twilio.Response` and the
 * list of headers Twilio strips from `event.request.headers`. The package
 * only exports `.` and `./dev`, so internal files are loaded by absolute path
 * next to the exported dev entry point.
 */
import * as path from 'node:path';

const devDir = path.dirname(require.resolve('@twilio/runtime-handler/dev'));

export interface TwilioResponseLike {
  statusCode: number;
  body: unknown;
  headers: Record<string, string | string[]>;
  setStatusCode(code: number): TwilioResponseLike;
  setBody(body: unknown): TwilioResponseLike;
  appendHeader(key: string, value: string | string[]): TwilioResponseLike;
  setHeaders(headers: Record<string, string>): TwilioResponseLike;
  setCookie(key: string, value: string, attributes?: string[]): TwilioResponseLike;
  removeCookie(key: string): TwilioResponseLike;
}

export type TwilioResponseClass = new (options?: { statusCode?: number; body?: unknown; headers?: Record<string, string> }) => TwilioResponseLike;

export const TwilioResponse: TwilioResponseClass = require(path.join(devDir, 'internal', 'response.js')).Response;

const restricted = require(path.join(devDir, 'checks', 'restricted-headers.js')) as { restrictedHeaderExactMatches: string[]; restrictedHeaderPrefixes: string[] };

/** Request headers as Twilio hands them to a function: lower-cased, restricted ones removed, repeats as arrays. */
export function functionHeaders(rawHeaders: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (restricted.restrictedHeaderExactMatches.includes(name) || restricted.restrictedHeaderPrefixes.some((p) => name.startsWith(p))) continue;
    if (name === 'authorization') continue; // never hand credentials to user code
    const existing = out[name];
    if (existing === undefined) out[name] = rawHeaders[i + 1];
    else out[name] = Array.isArray(existing) ? [...existing, rawHeaders[i + 1]] : [existing, rawHeaders[i + 1]];
  }
  return out;
}

export function parseCookies(header: string | string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of Array.isArray(header) ? header : header ? [header] : []) {
    for (const part of line.split(';')) {
      const idx = part.indexOf('=');
      if (idx <= 0) continue;
      const k = part.slice(0, idx).trim();
      const v = part.slice(idx + 1).trim();
      try {
        out[k] = decodeURIComponent(v);
      } catch {
        out[k] = v;
      }
    }
  }
  return out;
}
