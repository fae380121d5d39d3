/**
 * The emulator clock and scheduler. Services schedule with `at`/`after`
 * instead of setTimeout so tests can move time with `advance(ms)`:
 *  - manual mode: time stands still until advance/setTime;
 *  - real mode: wall clock + an offset (advance adds to it); due timers also
 *    fire on their own through one unref'd setTimeout.
 * Timers fire in due-time order and each callback sees `now()` equal to its
 * due time, so chains of timers (reservation timeout -> re-route -> ...)
 * behave as they would in real time.
 */
import type { Clock, TimerId } from './types';

interface Timer {
  id: TimerId;
  at: number;
  fn: () => void;
  label?: string;
  seq: number;
}

export class EmulatorClock implements Clock {
  private manualTime: number;
  private offset = 0;
  private timers: Timer[] = [];
  private nextId = 1;
  private seq = 0;
  private wake: NodeJS.Timeout | undefined;
  private firing = false;
  /** Time pinned while a timer runs (so it sees its due time). */
  private pinned: number | undefined;
  /** Called after timers fired (the core uses it to persist state). */
  onFired: () => void = () => undefined;
  /** Called when a timer callback throws (the core logs it). */
  onError: (err: unknown, label?: string) => void = () => undefined;

  constructor(
    readonly mode: 'real' | 'manual',
    startTime: number = Date.now(),
  ) {
    this.manualTime = startTime;
  }

  now(): number {
    if (this.pinned !== undefined) return this.pinned;
    return this.mode === 'manual' ? this.manualTime : Date.now() + this.offset;
  }

  isoNow(): string {
    return toTwilioIso(this.now());
  }

  at(timeMs: number, fn: () => void, label?: string): TimerId {
    const timer: Timer = { id: this.nextId++, at: timeMs, fn, label, seq: this.seq++ };
    // Binary insertion keeps (at, seq) order without re-sorting on every timer.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timers[mid].at <= timer.at) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
    this.arm();
    return timer.id;
  }

  after(ms: number, fn: () => void, label?: string): TimerId {
    return this.at(this.now() + Math.max(0, ms), fn, label);
  }

  cancel(id: TimerId): void {
    this.timers = this.timers.filter((t) => t.id !== id);
    this.arm();
  }

  /** Drop every timer (reset / restore; services re-arm in afterLoad). */
  cancelAll(): void {
    this.timers = [];
    this.arm();
  }

  advance(ms: number): void {
    if (ms < 0) throw new Error('clock.advance: ms must be >= 0');
    this.setTime(this.now() + ms);
  }

  setTime(timeMs: number): void {
    const target = Math.max(timeMs, this.now());
    this.fireUntil(target);
    if (this.mode === 'manual') this.manualTime = target;
    else this.offset = target - Date.now();
    this.arm();
  }

  pending(): Array<{ id: TimerId; at: number; label?: string }> {
    return this.timers.map((t) => ({ id: t.id, at: t.at, label: t.label }));
  }

  /** Stop the real-time wake-up (on emulator stop). */
  dispose(): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    this.timers = [];
  }

  private fireUntil(target: number): void {
    if (this.firing) return; // advance() from inside a timer: outer loop continues
    this.firing = true;
    let fired = 0;
    try {
      for (;;) {
        const next = this.timers[0];
        if (!next || next.at > target) break;
        this.timers.shift();
        if (this.mode === 'manual') this.manualTime = Math.max(this.manualTime, next.at);
        else this.offset = Math.max(this.offset, next.at - Date.now());
        this.pinned = Math.max(next.at, this.mode === 'manual' ? this.manualTime : next.at);
        try {
          next.fn();
        } catch (err) {
          this.onError(err, next.label);
        } finally {
          this.pinned = undefined;
        }
        fired++;
      }
    } finally {
      this.firing = false;
    }
    if (fired > 0) this.onFired();
  }

  private arm(): void {
    if (this.mode !== 'real') return;
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    const next = this.timers[0];
    if (!next) return;
    const delay = Math.max(0, Math.min(next.at - this.now(), 2 ** 31 - 1));
    this.wake = setTimeout(() => {
      this.wake = undefined;
      this.fireUntil(this.now());
      this.arm();
    }, delay);
    this.wake.unref();
  }
}

/** Twilio's date format in v1 JSON: ISO 8601 without milliseconds, `Z`. */
export function toTwilioIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** API 2010's RFC 2822 dates (`Mon, 16 Aug 2010 03:45:01 +0000`). */
export function toRfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}
