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

import { checkMatchInput, RuleSet, type RequestMatchInput, type Rule, type RuleRequest } from './request-rules';

export type FaultKind = '429' | '500' | 'reset' | 'lost-response';

export interface FaultRuleInput extends RequestMatchInput {
  kind: FaultKind;
  lostResponseAs?: 'reset' | '500';
}

/** A fault rule as listed: `matched` requests so far, faults `applied` so far. */
export type FaultRule = Rule<FaultRuleInput>;

export interface FaultDecision {
  rule: FaultRule;
  kind: FaultKind;
}

const KINDS: FaultKind[] = ['429', '500', 'reset', 'lost-response'];

export class Faults {
  private readonly rules: RuleSet<FaultRuleInput>;

  constructor(seed = 1) {
    this.rules = new RuleSet(seed);
  }

  /** Adds a rule; throws naming the field when it is invalid. */
  add(input: FaultRuleInput): FaultRule {
    if (!KINDS.includes(input.kind)) throw new Error(`fault kind must be one of ${KINDS.join(', ')} (got "${String(input.kind)}")`);
    if (input.rate === undefined && input.nth === undefined) throw new Error('fault rule needs rate (0..1) or nth (>= 1)');
    checkMatchInput('fault', input);
    return this.rules.add(input);
  }

  list(): FaultRule[] {
    return this.rules.list();
  }

  remove(id: number): boolean {
    return this.rules.remove(id);
  }

  /** Removes all rules and re-seeds the PRNG. */
  clear(seed?: number): void {
    this.rules.clear(seed);
  }

  /** Decides whether this request gets a fault; the first rule that fires wins. */
  decide(req: RuleRequest): FaultDecision | undefined {
    const rule = this.rules.pick(req);
    return rule && { rule, kind: rule.kind };
  }
}
