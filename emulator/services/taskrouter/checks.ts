/**
 * Input rules shared by the TaskRouter models and the task engine: names,
 * URLs, JSON attributes. Each throws a TwilioError naming the field and the
 * reason.
 */
import { invalidParam } from '../../core/errors';

export function isAbsoluteUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export function checkUrl(name: string, value: string | null | undefined): void {
  if (value && !isAbsoluteUrl(value)) throw invalidParam(name, `must be an absolute http(s) URL (got "${value}")`);
}

export function checkName(name: string, value: string, max = 64): void {
  if (value.trim() === '') throw invalidParam(name, 'must not be empty');
  if (value.length > max) throw invalidParam(name, `must be at most ${max} characters (got ${value.length})`);
}

function parseJsonObject(name: string, raw: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw invalidParam(name, `not valid JSON (${(err as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalidParam(name, 'must be a JSON object');
  return v as Record<string, unknown>;
}

/** Attributes JSON check shared by workers and tasks (Twilio: a JSON object, at most 4096 characters for workers). */
export function checkAttributes(name: string, raw: string, maxLength?: number): void {
  if (maxLength !== undefined && raw.length > maxLength) throw invalidParam(name, `must be at most ${maxLength} characters (got ${raw.length})`);
  parseJsonObject(name, raw);
}

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
