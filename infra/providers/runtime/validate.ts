// Small input checks shared by the providers; each returns a reason or
// nothing, and the caller names the property.
import type { Failure } from './define';
import { sidPattern } from '../../../functions/lib/contract.private';

export const SID_PATTERN = sidPattern;

export class Checks<I extends object> {
  readonly failures: Failure[] = [];
  constructor(
    private readonly inputs: I,
    private readonly isKnown: (key: keyof I) => boolean,
  ) {}

  private value(key: keyof I): unknown {
    return (this.inputs as Record<keyof I, unknown>)[key];
  }

  private fail(key: keyof I, reason: string) {
    this.failures.push({ property: String(key), reason: `${String(key)} ${reason}` });
  }

  /** Runs `check` only when the value is known and present (or required). */
  private each(key: keyof I, required: boolean, check: (v: unknown) => string | undefined) {
    if (!this.isKnown(key)) return this;
    const v = this.value(key);
    if (v === undefined || v === null || v === '') {
      if (required) this.fail(key, 'is required');
      return this;
    }
    const reason = check(v);
    if (reason) this.fail(key, reason);
    return this;
  }

  sid(key: keyof I, prefix: string, required = true) {
    return this.each(key, required, (v) => (typeof v === 'string' && SID_PATTERN(prefix).test(v) ? undefined : `must be a ${prefix} SID ('${prefix}' + 32 hex digits), got ${preview(v)}`));
  }

  text(key: keyof I, maxLength: number, required = true) {
    return this.each(key, required, (v) => {
      if (typeof v !== 'string') return `must be a string, got ${typeof v}`;
      if (v.trim() !== v) return 'must not start or end with whitespace';
      return v.length > maxLength ? `must be at most ${maxLength} characters (got ${v.length})` : undefined;
    });
  }

  pattern(key: keyof I, pattern: RegExp, description: string, required = true) {
    return this.each(key, required, (v) => (typeof v === 'string' && pattern.test(v) ? undefined : `must be ${description}, got ${preview(v)}`));
  }

  oneOf(key: keyof I, values: readonly string[], required = false) {
    return this.each(key, required, (v) => (values.includes(v as string) ? undefined : `must be one of ${values.join(', ')}, got ${preview(v)}`));
  }

  integer(key: keyof I, min: number, max: number, required = false) {
    return this.each(key, required, (v) => (Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? undefined : `must be an integer from ${min} to ${max}, got ${preview(v)}`));
  }

  boolean(key: keyof I, required = false) {
    return this.each(key, required, (v) => (typeof v === 'boolean' ? undefined : `must be true or false, got ${preview(v)}`));
  }

  url(key: keyof I, required = false) {
    return this.each(key, required, (v) => {
      if (typeof v !== 'string') return `must be a URL string`;
      try {
        const u = new URL(v);
        return u.protocol === 'https:' || u.protocol === 'http:' ? undefined : `must be an http(s) URL, got ${preview(v)}`;
      } catch {
        return `must be an absolute URL, got ${preview(v)}`;
      }
    });
  }

  custom(key: keyof I, check: (v: unknown) => string | undefined, required = false) {
    return this.each(key, required, check);
  }
}

function preview(v: unknown): string {
  const s = typeof v === 'string' ? `'${v}'` : JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
