/**
 * The TaskRouter engine: the per-emulator object behind the models. It owns
 * what is not state (the deadline heap, event listeners, in-flight webhook
 * promises, compiled-workflow cache) and reads state through `env.state`
 * on every call, so reset/restore never leave it holding stale objects.
 */
import type { ServiceEnv } from '../../../core/types';
import { compileWorkflow, type CompiledWorkflow } from '../../../../routing';
import { DeadlineScheduler, type Deadline } from './scheduler';
import type { EventRec, ReservationRec, TaskRec, TaskRouterState, WorkspaceRec } from '../types';

export const SERVICE_NAME = 'taskrouter';

/** Called for every recorded TaskRouter event (synchronously, after the state change). */
export type EventListener = (accountSid: string, workspace: WorkspaceRec, event: EventRec) => void;

export class TaskRouterEngine {
  readonly scheduler: DeadlineScheduler;
  private readonly listeners = new Set<EventListener>();
  private readonly inflight = new Set<Promise<unknown>>();
  /** Earliest wake-up scheduled per `${accountSid}/${sid}` (see scheduleDeadline). */
  readonly scheduled = new Map<string, number>();
  private readonly compiled = new Map<string, CompiledWorkflow>();
  private readonly parsed = new Map<string, Record<string, unknown>>();
  /** Set by the wiring (context.ts): handles a due deadline. */
  onDeadline: (d: Deadline) => void = () => undefined;
  /** Set by the wiring (context.ts): sends the workflow's assignment callback for a new reservation. */
  onReservationCreated: (accountSid: string, ws: WorkspaceRec, task: TaskRec, res: ReservationRec) => void = () => undefined;

  constructor(readonly env: ServiceEnv) {
    this.scheduler = new DeadlineScheduler(
      env.clock,
      (d) => this.onDeadline(d),
      (err, d) => env.debug(`deadline ${d.kind} ${d.sid} failed: ${(err as Error)?.stack ?? String(err)}`),
    );
  }

  state(accountSid: string): TaskRouterState {
    return this.env.state<TaskRouterState>(accountSid, SERVICE_NAME);
  }

  now(): number {
    return this.env.clock.now();
  }

  sid(prefix: string): string {
    return this.env.sids.next(prefix);
  }

  // ---- deadlines -------------------------------------------------------

  /** Ask to be woken at `at` for a task or reservation; keeps only the earliest wake-up per object. */
  scheduleDeadline(d: Deadline): void {
    const key = `${d.accountSid}/${d.sid}`;
    const current = this.scheduled.get(key);
    if (current !== undefined && current <= d.at) return;
    this.scheduled.set(key, d.at);
    this.scheduler.add(d);
  }

  /** True when the heap entry is the live wake-up for its object (and consumes it). */
  takeDeadline(d: Deadline): boolean {
    const key = `${d.accountSid}/${d.sid}`;
    if (this.scheduled.get(key) !== d.at) return false;
    this.scheduled.delete(key);
    return true;
  }

  clearDeadlines(): void {
    this.scheduler.clear();
    this.scheduled.clear();
  }

  // ---- async work (webhooks) --------------------------------------------

  track<T>(promise: Promise<T>): Promise<T> {
    const p = promise.finally(() => this.inflight.delete(p));
    this.inflight.add(p);
    p.catch(() => undefined);
    return p;
  }

  pending(): number {
    return this.inflight.size;
  }

  /** Resolves when no webhook (assignment or event callback) is in flight. */
  async whenIdle(): Promise<void> {
    while (this.inflight.size > 0) {
      await Promise.allSettled([...this.inflight]);
    }
  }

  // ---- events -------------------------------------------------------------

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(accountSid: string, workspace: WorkspaceRec, event: EventRec): void {
    for (const l of this.listeners) {
      try {
        l(accountSid, workspace, event);
      } catch (err) {
        this.env.debug(`event listener failed on ${event.eventType}: ${(err as Error)?.stack ?? String(err)}`);
      }
    }
  }

  // ---- caches -------------------------------------------------------------

  /** Compiled workflow for a configuration string (validated at create/update). */
  compile(configuration: string): CompiledWorkflow {
    let c = this.compiled.get(configuration);
    if (!c) {
      c = compileWorkflow(configuration);
      if (this.compiled.size > 500) this.compiled.clear();
      this.compiled.set(configuration, c);
    }
    return c;
  }

  /** Parsed JSON attributes (cached by string; never mutate the result). */
  attributes(json: string): Record<string, unknown> {
    let v = this.parsed.get(json);
    if (!v) {
      try {
        const parsed = JSON.parse(json) as unknown;
        v = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
      } catch {
        v = {};
      }
      if (this.parsed.size > 2000) this.parsed.clear();
      this.parsed.set(json, v);
    }
    return v;
  }
}
