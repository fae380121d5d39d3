/**
 * Fault injection. A rule matches requests by method / path regex /
 * operation and injects one kind of failure, either at the Nth matching
 * request or with a probability drawn from a seeded PRNG (reproducible runs).
 *
 * Kinds:
 *  - `429`, `500`: Twilio error body, the handler does not run;
 *  - `reset`: the socket is destroyed before the handler runs;
 *  - `lost-response`: the handler runs and its change is committed (and
 *    persisted), then the client gets no response: the socket is destroyed
 *    (`lostResponseAs: 'reset'`, default) or a bodiless 500 is sent
 *    (`lostResponseAs: '500'`).
 */

export type FaultKind = '429' | '500' | 'reset' | 'lost-response';

export interface FaultRuleInput {
  method?: string;
  /** RegExp source matched against the full request path (with host prefix). */
  path?: string;
  /** Exact operation name, e.g. `serverless.CreateBuild`. */
  operation?: string;
  kind: FaultKind;
  /** Probability 0..1 per matching request. */
  rate?: number;
  /** Inject at the Nth matching request (1-based), counted from when the rule was added. */
  nth?: number;
  /** Stop injecting after this many injections (default: 1 with `nth`, unlimited with `rate`). */
  times?: number;
  lostResponseAs?: 'reset' | '500';
}

export interface FaultRule extends FaultRuleInput {
  id: number;
  /** Requests that matched so far. */
  matched: number;
  /** Faults injected so far. */
  injected: number;
}

export interface FaultDecision {
  rule: FaultRule;
  kind: FaultKind;
}

/** Small seeded PRNG (mulberry32): same seed, same fault sequence. */
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

const KINDS: FaultKind[] = ['429', '500', 'reset', 'lost-response'];

export class Faults {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(private seed = 1) {
    this.random = mulberry32(seed);
  }

  /** Adds a rule; throws naming the field when it is invalid. */
  add(input: FaultRuleInput): FaultRule {
    if (!KINDS.includes(input.kind)) throw new Error(`fault kind must be one of ${KINDS.join(', ')} (got "${String(input.kind)}")`);
    if (input.rate === undefined && input.nth === undefined) throw new Error('fault rule needs rate (0..1) or nth (>= 1)');
    if (input.rate !== undefined && !(input.rate >= 0 && input.rate <= 1)) throw new Error(`fault rate must be within 0..1 (got ${input.rate})`);
    if (input.nth !== undefined && !(Number.isInteger(input.nth) && input.nth >= 1)) throw new Error(`fault nth must be an integer >= 1 (got ${input.nth})`);
    if (input.path !== undefined) new RegExp(input.path); // throws on a bad pattern
    const rule: FaultRule = {
      ...input,
      method: input.method?.toUpperCase(),
      times: input.times ?? (input.nth !== undefined ? 1 : undefined),
      id: this.nextId++,
      matched: 0,
      injected: 0,
    };
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
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

  /** Decides whether this request gets a fault; the first rule that fires wins. */
  decide(req: { method: string; path: string; operation: string }): FaultDecision | undefined {
    for (const rule of this.rules) {
      if (rule.method && rule.method !== req.method) continue;
      if (rule.operation && rule.operation !== req.operation) continue;
      if (rule.path && !new RegExp(rule.path).test(req.path)) continue;
      rule.matched++;
      if (rule.times !== undefined && rule.injected >= rule.times) continue;
      let fire = false;
      if (rule.nth !== undefined) fire = rule.matched >= rule.nth;
      else if (rule.rate !== undefined) fire = this.random() < rule.rate;
      if (fire) {
        rule.injected++;
        return { rule, kind: rule.kind };
      }
    }
    return undefined;
  }
}
