/**
 * A deadline heap on top of the emulator clock. TaskRouter has one deadline
 * per task (TTL, target timeout) and per reservation; arming one clock timer
 * per deadline would make 100,000 tasks cost 100,000 sorted clock timers, so
 * the heap keeps them and arms a single clock timer for the earliest one.
 *
 * Entries are hints: the handler re-reads state and ignores stale entries, so
 * nothing is ever removed from the heap except by firing. Timers are not
 * state: after load/reset/restore the owner calls `clear()` and re-adds
 * deadlines from state.
 */
import type { Clock, TimerId } from '../../../core/types';

export interface Deadline {
  at: number;
  accountSid: string;
  workspaceSid: string;
  kind: 'task' | 'reservation';
  sid: string;
}

interface Entry extends Deadline {
  seq: number;
}

export class DeadlineScheduler {
  private heap: Entry[] = [];
  private seq = 0;
  private timer: TimerId | undefined;
  private armedAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly fire: (d: Deadline) => void,
    private readonly onError: (err: unknown, d: Deadline) => void = () => undefined,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  add(d: Deadline): void {
    this.push({ ...d, seq: this.seq++ });
    this.arm();
  }

  /** Forget every deadline (the clock's timers were dropped by reset/restore). */
  clear(): void {
    this.heap = [];
    if (this.timer !== undefined) this.clock.cancel(this.timer);
    this.timer = undefined;
    this.armedAt = undefined;
  }

  private arm(): void {
    const next = this.heap[0];
    if (!next) return;
    if (this.timer !== undefined && this.armedAt !== undefined && this.armedAt <= next.at) return;
    if (this.timer !== undefined) this.clock.cancel(this.timer);
    this.armedAt = next.at;
    this.timer = this.clock.at(next.at, () => this.onTimer(), 'taskrouter deadlines');
  }

  private onTimer(): void {
    this.timer = undefined;
    this.armedAt = undefined;
    const now = this.clock.now();
    // Fire everything due now; later ones re-arm the clock so each fires at its own time.
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > now) break;
      this.pop();
      try {
        this.fire(top);
      } catch (err) {
        // A failing handler must not stop the others.
        this.onError(err, top);
      }
    }
    this.arm();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
