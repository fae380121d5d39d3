/**
 * SID generation: a 2-letter prefix + 32 hex digits, as Twilio's. Random by
 * default; counter-based when deterministic (tests compare exact SIDs). The
 * counter lives in persisted state so a restarted emulator never reissues one.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SidGenerator } from './types';

export const SID_PATTERN = /^[A-Z]{2}[0-9a-f]{32}$/;

export class Sids implements SidGenerator {
  constructor(
    private readonly deterministic: boolean,
    /** Shared, persisted counter holder. */
    private readonly counter: { value: number },
  ) {}

  next(prefix: string): string {
    if (!/^[A-Z]{2}$/.test(prefix)) throw new Error(`SID prefix must be two capital letters, got "${prefix}"`);
    if (this.deterministic) {
      this.counter.value += 1;
      return prefix + this.counter.value.toString(16).padStart(32, '0');
    }
    return prefix + randomBytes(16).toString('hex');
  }
}

/** True when `value` looks like a SID with the given prefix. */
export function isSid(value: string | undefined, prefix?: string): boolean {
  if (!value || !SID_PATTERN.test(value)) return false;
  return prefix === undefined || value.startsWith(prefix);
}

/**
 * A seeded object's SID: the prefix + the first 32 hex digits of
 * sha256("<AccountSid>:<kind>:<name>"), the same for the same account on
 * every run, so seeds and tools can name objects before they exist.
 */
export function seededSid(prefix: string, accountSid: string, kind: string, name: string): string {
  return prefix + createHash('sha256').update(`${accountSid}:${kind}:${name}`).digest('hex').slice(0, 32);
}
