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
import { mulberry32 } from './faults';

export type LatencyKind = 'delay' | 'stall';

export type LatencyDistribution =
  | { type: 'uniform'; minMs: number; maxMs: number }
  | { type: 'normal'; meanMs: number; stdDevMs: number }
  | { type: 'exponential'; meanMs: number };

export interface LatencyRuleInput {
  method?: string;
  /** RegExp source matched against the full request path (with host prefix). */
  path?: string;
  /** Exact operation name, e.g. `taskrouter.CreateTask`. */
  operation?: string;
  kind: LatencyKind;
  /** Fixed duration (ms). `delay` needs `ms` or `distribution`; `stall` needs `ms`. */
  ms?: number;
  distribution?: LatencyDistribution;
  /** Probability 0..1 per matching request (default: every matching request). */
  rate?: number;
  /** Only the Nth matching request (1-based, counted from when the rule was added). */
  nth?: number;
  /** Stop after holding this many requests (default: 1 with `nth`, unlimited otherwise). */
  times?: number;
}

export interface LatencyRule extends LatencyRuleInput {
  id: number;
  matched: number;
  applied: number;
}

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
  private rules: LatencyRule[] = [];
  private nextId = 1;
  private random: () => number;
  private readonly stalled = new Set<Stalled>();

  constructor(
    private readonly clock: Clock,
    private seed = 1,
  ) {
    this.random = mulberry32(seed);
  }

  /** Adds a rule; throws naming the field when it is invalid. */
  add(input: LatencyRuleInput): LatencyRule {
    if (!KINDS.includes(input.kind)) throw new Error(`latency kind must be one of ${KINDS.join(', ')} (got "${String(input.kind)}")`);
    if (input.ms !== undefined) checkMs('ms', input.ms);
    if (input.distribution !== undefined) checkDistribution(input.distribution);
    if (input.kind === 'delay' && input.ms === undefined && input.distribution === undefined) throw new Error('a delay rule needs ms or distribution');
    if (input.kind === 'stall' && input.ms === undefined) throw new Error('a stall rule needs ms (emulator-clock milliseconds until the request runs)');
    if (input.kind === 'stall' && input.distribution !== undefined) throw new Error('a stall rule takes ms, not a distribution');
    if (input.rate !== undefined && !(input.rate >= 0 && input.rate <= 1)) throw new Error(`latency rate must be within 0..1 (got ${input.rate})`);
    if (input.nth !== undefined && !(Number.isInteger(input.nth) && input.nth >= 1)) throw new Error(`latency nth must be an integer >= 1 (got ${input.nth})`);
    if (input.times !== undefined && !(Number.isInteger(input.times) && input.times >= 1)) throw new Error(`latency times must be an integer >= 1 (got ${input.times})`);
    if (input.path !== undefined) new RegExp(input.path); // throws on a bad pattern
    const rule: LatencyRule = {
      ...input,
      method: input.method?.toUpperCase(),
      times: input.times ?? (input.nth !== undefined ? 1 : undefined),
      id: this.nextId++,
      matched: 0,
      applied: 0,
    };
    this.rules.push(rule);
    return rule;
  }

  list(): LatencyRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  /** Removes all rules and re-seeds the PRNG; requests still stalled are dropped (see `abandon`). */
  clear(seed = this.seed): void {
    this.rules = [];
    this.seed = seed;
    this.random = mulberry32(seed);
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
  decide(req: { method: string; path: string; operation: string }): LatencyDecision | undefined {
    for (const rule of this.rules) {
      if (rule.method && rule.method !== req.method) continue;
      if (rule.operation && rule.operation !== req.operation) continue;
      if (rule.path && !new RegExp(rule.path).test(req.path)) continue;
      rule.matched++;
      if (rule.times !== undefined && rule.applied >= rule.times) continue;
      if (rule.nth !== undefined && rule.matched < rule.nth) continue;
      if (rule.rate !== undefined && !(this.random() < rule.rate)) continue;
      rule.applied++;
      return { rule, kind: rule.kind, ms: this.draw(rule) };
    }
    return undefined;
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

  private draw(rule: LatencyRule): number {
    const d = rule.distribution;
    if (!d) return rule.ms ?? 0;
    switch (d.type) {
      case 'uniform':
        return d.minMs + this.random() * (d.maxMs - d.minMs);
      case 'normal': {
        // Box-Muller; clamped at zero (a call cannot take negative time).
        const u = Math.max(this.random(), 1e-12);
        const v = this.random();
        return Math.max(0, d.meanMs + d.stdDevMs * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
      }
      case 'exponential':
        return -d.meanMs * Math.log(Math.max(1 - this.random(), 1e-12));
    }
  }
}
