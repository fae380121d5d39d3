/**
 * Latency and stall injection, beside fault injection (faults.ts). A rule
 * matches API requests as a fault rule does (method / path regex / exact
 * operation; every match, a probability, or the Nth match) and holds the
 * request before its handler runs:
 *
 *  - `delay`: a fixed `ms`, or one drawn from a `distribution` (uniform,
 *    normal or exponential, from a seeded PRNG so runs repeat), on the wall
 *    clock: what a network and a busy API add to every call (benchmarks);
 *  - `stall`: the request waits until `ms` has passed on the *emulator* clock
 *    (with a manual clock: until a test advances it, or `release()`), then
 *    runs. Its change is committed even when the client gave up meanwhile, as
 *    a slow Twilio request is: the case a caller's timeout must survive.
 *
 * Only Twilio API routes are held (not the test hooks, not the Functions
 * runtime), so "latency per Twilio call" means exactly that.
 */
import type { Clock, TimerId } from './types';
import { checkMatchInput, RuleSet, type RequestMatchInput, type Rule, type RuleRequest } from './request-rules';

export type LatencyKind = 'delay' | 'stall';

export type LatencyDistribution = { type: 'uniform'; minMs: number; maxMs: number } | { type: 'normal'; meanMs: number; stdDevMs: number } | { type: 'exponential'; meanMs: number };

export interface LatencyRuleInput extends RequestMatchInput {
  kind: LatencyKind;
  /** Fixed duration (ms). `delay` needs `ms` or `distribution`; `stall` needs `ms`. */
  ms?: number;
  distribution?: LatencyDistribution;
}

/** A latency rule as listed: `matched` requests so far, requests held (`applied`) so far. */
export type LatencyRule = Rule<LatencyRuleInput>;

export interface LatencyDecision {
  rule: LatencyRule;
  kind: LatencyKind;
  ms: number;
}

const KINDS: LatencyKind[] = ['delay', 'stall'];
const MAX_MS = 24 * 3600 * 1000;

function checkMs(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_MS) throw new Error(`latency ${name} must be a number of milliseconds within 0..${MAX_MS} (got ${String(v)})`);
}

function checkDistribution(d: LatencyDistribution): void {
  switch (d?.type) {
    case 'uniform':
      checkMs('distribution.minMs', d.minMs);
      checkMs('distribution.maxMs', d.maxMs);
      if (d.maxMs < d.minMs) throw new Error('latency distribution.maxMs must be >= minMs');
      return;
    case 'normal':
      checkMs('distribution.meanMs', d.meanMs);
      checkMs('distribution.stdDevMs', d.stdDevMs);
      return;
    case 'exponential':
      checkMs('distribution.meanMs', d.meanMs);
      return;
    default:
      throw new Error(`latency distribution.type must be uniform, normal or exponential (got "${String((d as { type?: unknown })?.type)}")`);
  }
}

interface Stalled {
  timer: TimerId;
  /** true: run the request now; false: drop it (the emulator state it was meant for is gone). */
  finish: (run: boolean) => void;
}

export class Latency {
  private readonly rules: RuleSet<LatencyRuleInput>;
  private readonly stalled = new Set<Stalled>();

  constructor(
    private readonly clock: Clock,
    seed = 1,
  ) {
    this.rules = new RuleSet(seed);
  }

  /** Adds a rule; throws naming the field when it is invalid. */
  add(input: LatencyRuleInput): LatencyRule {
    if (!KINDS.includes(input.kind)) throw new Error(`latency kind must be one of ${KINDS.join(', ')} (got "${String(input.kind)}")`);
    if (input.ms !== undefined) checkMs('ms', input.ms);
    if (input.distribution !== undefined) checkDistribution(input.distribution);
    if (input.kind === 'delay' && input.ms === undefined && input.distribution === undefined) throw new Error('a delay rule needs ms or distribution');
    if (input.kind === 'stall' && input.ms === undefined) throw new Error('a stall rule needs ms (emulator-clock milliseconds until the request runs)');
    if (input.kind === 'stall' && input.distribution !== undefined) throw new Error('a stall rule takes ms, not a distribution');
    checkMatchInput('latency', input);
    return this.rules.add(input);
  }

  list(): LatencyRule[] {
    return this.rules.list();
  }

  remove(id: number): boolean {
    return this.rules.remove(id);
  }

  /** Removes all rules and re-seeds the PRNG; requests still stalled are dropped (see `abandon`). */
  clear(seed?: number): void {
    this.rules.clear(seed);
    this.abandon();
  }

  /** Requests currently held by a stall. */
  stalledCount(): number {
    return this.stalled.size;
  }

  /** Lets every stalled request run now. */
  release(): number {
    return this.finishAll(true);
  }

  /**
   * Drops every stalled request without running it (its connection is closed):
   * used when the state it was meant for is replaced (reset, restore).
   */
  abandon(): number {
    return this.finishAll(false);
  }

  private finishAll(run: boolean): number {
    const all = [...this.stalled];
    for (const s of all) {
      this.clock.cancel(s.timer);
      s.finish(run);
    }
    return all.length;
  }

  /** The hold for this request, if a rule applies (the first rule that applies wins). */
  decide(req: RuleRequest): LatencyDecision | undefined {
    const rule = this.rules.pick(req);
    return rule && { rule, kind: rule.kind, ms: this.length(rule) };
  }

  /**
   * Waits out a decision: wall clock for a delay, emulator clock (or
   * `release()`) for a stall. Resolves false when the request was abandoned.
   */
  hold(decision: LatencyDecision): Promise<boolean> {
    if (decision.kind === 'delay') {
      return decision.ms <= 0 ? Promise.resolve(true) : new Promise((resolve) => setTimeout(() => resolve(true), decision.ms));
    }
    return new Promise((resolve) => {
      const entry: Stalled = {
        timer: 0 as TimerId,
        finish: (run) => {
          this.stalled.delete(entry);
          resolve(run);
        },
      };
      this.stalled.add(entry);
      entry.timer = this.clock.after(decision.ms, () => entry.finish(true), `latency stall rule ${decision.rule.id}`);
    });
  }

  private length(rule: LatencyRule): number {
    const d = rule.distribution;
    if (!d) return rule.ms ?? 0;
    switch (d.type) {
      case 'uniform':
        return d.minMs + this.rules.draw() * (d.maxMs - d.minMs);
      case 'normal': {
        // Box-Muller; clamped at zero (a call cannot take negative time).
        const u = Math.max(this.rules.draw(), 1e-12);
        const v = this.rules.draw();
        return Math.max(0, d.meanMs + d.stdDevMs * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
      }
      case 'exponential':
        return -d.meanMs * Math.log(Math.max(1 - this.rules.draw(), 1e-12));
    }
  }
}
