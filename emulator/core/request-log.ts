/**
 * The request log: one entry per HTTP request (never headers or bodies, so
 * no credential can leak through it), with counts per operation.
 */

export interface RequestLogEntry {
  seq: number;
  /** Emulator clock time, ISO. */
  time: string;
  method: string;
  /** Path as received (with host prefix, without query string). */
  path: string;
  /** `<service>.<operationId>`, or `runtime.Invoke`, `admin.*`, `unrouted`. */
  operation: string;
  status: number;
  durationMs: number;
  mutating: boolean;
  accountSid?: string;
  /** Fault kind injected into this request, if any. */
  fault?: string;
  /** Latency injected into this request (`delay` or `stall`, and its milliseconds), if any. */
  latency?: { kind: string; ms: number };
  /** The endpoint of ours that made the call (its `Flex-Transfer-Caller` header), if any. */
  caller?: string;
}

export interface OperationCount {
  total: number;
  mutating: number;
  read: number;
  errors: number;
}

export interface RequestLogFilter {
  operation?: string;
  method?: string;
  /** Substring or RegExp source matched against the path. */
  path?: string | RegExp;
  accountSid?: string;
  mutating?: boolean;
  caller?: string;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  constructor(private readonly limit = 100_000) {}

  record(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const full = { ...entry, seq: ++this.seq };
    this.entries.push(full);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return full;
  }

  list(filter: RequestLogFilter = {}): RequestLogEntry[] {
    const pathRe = filter.path instanceof RegExp ? filter.path : undefined;
    return this.entries.filter(
      (e) =>
        (filter.operation === undefined || e.operation === filter.operation) &&
        (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
        (filter.accountSid === undefined || e.accountSid === filter.accountSid) &&
        (filter.mutating === undefined || e.mutating === filter.mutating) &&
        (filter.caller === undefined || e.caller === filter.caller) &&
        (filter.path === undefined || (pathRe ? pathRe.test(e.path) : e.path.includes(filter.path as string))),
    );
  }

  /** Counts per operation (admin and unrouted requests included under their names). */
  counts(filter: RequestLogFilter = {}): Record<string, OperationCount> {
    const out: Record<string, OperationCount> = {};
    for (const e of this.list(filter)) {
      const c = (out[e.operation] ??= { total: 0, mutating: 0, read: 0, errors: 0 });
      c.total++;
      if (e.mutating) c.mutating++;
      else c.read++;
      if (e.status >= 400 || e.status === 0) c.errors++;
    }
    return out;
  }

  /** Totals of API requests (admin hooks excluded). */
  totals(): { total: number; mutating: number; read: number } {
    let total = 0;
    let mutating = 0;
    for (const e of this.entries) {
      if (e.operation.startsWith('admin.')) continue;
      total++;
      if (e.mutating) mutating++;
    }
    return { total, mutating, read: total - mutating };
  }

  clear(): void {
    this.entries = [];
  }
}
