/**
 * What fault rules (faults.ts) and latency rules (latency.ts) share: which
 * requests a rule matches, when a matching request is picked (every one, the
 * Nth, or with a probability from a seeded PRNG so runs repeat), how many
 * times it applies, and the rule list itself. Each kind of rule adds only
 * what it does to a picked request.
 */

/** The request a rule is matched against. */
export interface RuleRequest {
  method: string;
  /** Full request path (with host prefix, without query string). */
  path: string;
  operation: string;
  /** The `Flex-Transfer-Caller` request header: the endpoint of ours that made the call, if any. */
  caller?: string;
}

export interface RequestMatchInput {
  method?: string;
  /** RegExp source matched against the full request path (with host prefix). */
  path?: string;
  /** Exact operation name, e.g. `taskrouter.CreateTask`. */
  operation?: string;
  /**
   * Exact caller: the endpoint named by the `Flex-Transfer-Caller` header our
   * functions send (e.g. `chat/transfer`). Lets a test pick a call of the
   * function it invoked, not one of an event callback running meanwhile.
   */
  caller?: string;
  /** Probability 0..1 per matching request. */
  rate?: number;
  /** Only from the Nth matching request on (1-based), counted from when the rule was added. */
  nth?: number;
  /** Stop after applying this many times (default: 1 with `nth`, unlimited otherwise). */
  times?: number;
}

export type Rule<I> = I & { id: number; method?: string; times?: number; matched: number; applied: number };

/** Small seeded PRNG (mulberry32): same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Throws naming the field when a match field is invalid; `what` is `fault` or `latency`. */
export function checkMatchInput(what: string, input: RequestMatchInput): void {
  if (input.rate !== undefined && !(input.rate >= 0 && input.rate <= 1)) throw new Error(`${what} rate must be within 0..1 (got ${input.rate})`);
  if (input.nth !== undefined && !(Number.isInteger(input.nth) && input.nth >= 1)) throw new Error(`${what} nth must be an integer >= 1 (got ${input.nth})`);
  if (input.times !== undefined && !(Number.isInteger(input.times) && input.times >= 1)) throw new Error(`${what} times must be an integer >= 1 (got ${input.times})`);
  if (input.caller !== undefined && (typeof input.caller !== 'string' || input.caller === '')) throw new Error(`${what} caller must be a non-empty endpoint name (got ${String(input.caller)})`);
  if (input.path !== undefined) new RegExp(input.path); // throws on a bad pattern
}

/** An ordered rule list; the first rule that picks a request wins. */
export class RuleSet<I extends RequestMatchInput> {
  private rules: Rule<I>[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(private seed: number) {
    this.random = mulberry32(seed);
  }

  /** The PRNG the rules draw from (also for what a rule does, e.g. a delay's length). */
  draw(): number {
    return this.random();
  }

  add(input: I): Rule<I> {
    const rule = {
      ...input,
      method: input.method?.toUpperCase(),
      times: input.times ?? (input.nth !== undefined ? 1 : undefined),
      id: this.nextId++,
      matched: 0,
      applied: 0,
    } as Rule<I>;
    this.rules.push(rule);
    return rule;
  }

  list(): Rule<I>[] {
    return this.rules.map((r) => ({ ...r }));
  }

  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  /** Removes all rules and re-seeds the PRNG. */
  clear(seed = this.seed): void {
    this.rules = [];
    this.seed = seed;
    this.random = mulberry32(seed);
  }

  /** The rule that applies to this request, if any (counted as applied). */
  pick(req: RuleRequest): Rule<I> | undefined {
    for (const rule of this.rules) {
      if (rule.method && rule.method !== req.method) continue;
      if (rule.operation && rule.operation !== req.operation) continue;
      if (rule.caller !== undefined && rule.caller !== req.caller) continue;
      if (rule.path && !new RegExp(rule.path).test(req.path)) continue;
      rule.matched++;
      if (rule.times !== undefined && rule.applied >= rule.times) continue;
      if (rule.nth !== undefined && rule.matched < rule.nth) continue;
      if (rule.rate !== undefined && !(this.random() < rule.rate)) continue;
      rule.applied++;
      return rule;
    }
    return undefined;
  }
}
