/**
 * Reading Twilio request parameters: PascalCase names, form values are
 * strings (repeated keys -> arrays). Every reader error names the parameter
 * and the reason, with Twilio's 400/20001.
 */
import { TwilioError, invalidParam, missingParam } from './errors';

/** Parameters as parsed from a query string / form body / JSON object. */
export type ParamValue = string | string[];
export type ParamBag = Record<string, ParamValue>;

interface Common {
  required?: boolean;
}

/** Typed access to one request's parameters. Tracks which names were read. */
export class Params {
  private readonly used = new Set<string>();

  constructor(
    private readonly bag: ParamBag,
    /** Where parameters came from, used in "Missing required parameter X in the <where>". */
    private readonly where: 'post body' | 'query' = 'post body',
  ) {}

  /** True when the parameter was sent (even empty). */
  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.bag, name);
  }

  /** Parameter names that were sent. */
  names(): string[] {
    return Object.keys(this.bag);
  }

  /** Raw value(s). */
  raw(name: string): ParamValue | undefined {
    this.used.add(name);
    return this.has(name) ? this.bag[name] : undefined;
  }

  private single(name: string, opts: Common): string | undefined {
    const v = this.raw(name);
    if (v === undefined) {
      if (opts.required) throw missingParam(name, this.where);
      return undefined;
    }
    return Array.isArray(v) ? v[v.length - 1] : v;
  }

  string(name: string, opts: Common & { maxLength?: number; allowEmpty?: boolean } & { required: true }): string;
  string(name: string, opts?: Common & { maxLength?: number; allowEmpty?: boolean }): string | undefined;
  string(name: string, opts: Common & { maxLength?: number; allowEmpty?: boolean } = {}): string | undefined {
    const v = this.single(name, opts);
    if (v === undefined) return undefined;
    if (opts.required && v === '' && !opts.allowEmpty) throw missingParam(name, this.where);
    if (opts.maxLength !== undefined && v.length > opts.maxLength) {
      throw invalidParam(name, `must be at most ${opts.maxLength} characters (got ${v.length})`);
    }
    return v;
  }

  /** Twilio booleans: "true"/"false" (case-insensitive). */
  bool(name: string, opts: Common = {}): boolean | undefined {
    const v = this.single(name, opts);
    if (v === undefined) return undefined;
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw invalidParam(name, `expected true or false, got "${v}"`);
  }

  int(name: string, opts: Common & { min?: number; max?: number } = {}): number | undefined {
    const v = this.single(name, opts);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v.trim())) throw invalidParam(name, `expected an integer, got "${v}"`);
    const n = Number(v);
    if (opts.min !== undefined && n < opts.min) throw invalidParam(name, `must be >= ${opts.min}`);
    if (opts.max !== undefined && n > opts.max) throw invalidParam(name, `must be <= ${opts.max}`);
    return n;
  }

  enumOf<T extends string>(name: string, allowed: readonly T[], opts: Common = {}): T | undefined {
    const v = this.single(name, opts);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) {
      throw invalidParam(name, `must be one of ${allowed.join(', ')} (got "${v}")`);
    }
    return v as T;
  }

  /** A repeated parameter (e.g. `FunctionVersions=ZN1&FunctionVersions=ZN2`). */
  list(name: string, opts: Common = {}): string[] {
    const v = this.raw(name);
    if (v === undefined) {
      if (opts.required) throw missingParam(name, this.where);
      return [];
    }
    return Array.isArray(v) ? v : [v];
  }

  /**
   * A JSON-valued parameter (e.g. `Attributes`, `Configuration`). Returns the
   * raw string and the parsed value; malformed JSON -> 400 naming the param.
   */
  json(name: string, opts: Common & { code?: number } = {}): { raw: string; value: unknown } | undefined {
    const v = this.single(name, opts);
    if (v === undefined) return undefined;
    try {
      return { raw: v, value: JSON.parse(v) };
    } catch (err) {
      throw new TwilioError(400, opts.code ?? 20001, `Invalid ${name}: not valid JSON (${(err as Error).message})`);
    }
  }

  /** ISO-8601 date-time parameter -> epoch ms. */
  date(name: string, opts: Common = {}): number | undefined {
    const v = this.single(name, opts);
    if (v === undefined) return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw invalidParam(name, `expected an ISO 8601 date-time, got "${v}"`);
    return t;
  }

  /** Names sent but never read by the handler (diagnostics; Twilio ignores unknown params). */
  unread(): string[] {
    return this.names().filter((n) => !this.used.has(n));
  }
}
