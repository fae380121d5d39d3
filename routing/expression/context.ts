// What an expression is evaluated against. One shape serves every kind so the
// emulator and the simulator can build it once per task/worker pair.

import type { Clock, RoutingWorker } from '../types';

/** The parts of a worker an expression can see. `channels` feeds `worker.channel.<name>.*`. */
export type WorkerView = Pick<RoutingWorker, 'sid' | 'friendlyName' | 'activitySid' | 'activityName' | 'attributes'> & Partial<Pick<RoutingWorker, 'channels'>>;

/** Counts behind `workers.available`, `workers.unavailable` and `workers.WA…` in skip_if. */
export interface WorkerActivityCounts {
  /** Queue workers in an activity with `available: true`. */
  available: number;
  /** Queue workers in an activity with `available: false` (Offline, Unavailable, Break…). */
  unavailable: number;
  /** Queue workers per activity SID. */
  byActivitySid: Readonly<Record<string, number>>;
}

export interface ExpressionContext {
  /** Task attributes: bare names in filters, `task.` in target expressions. */
  task?: Readonly<Record<string, unknown>>;
  /** The worker under consideration: `worker.` in targets, bare names in target_workers. */
  worker?: WorkerView;
  /** Clock for `taskrouter.*`; defaults to the system clock. */
  clock?: Clock;
  /** A fixed instant for `taskrouter.*`; wins over `clock` (lets a caller read the clock once per routing decision). */
  now?: Date;
  /** For skip_if. */
  workers?: WorkerActivityCounts;
}

export const systemClock: Clock = () => new Date();

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** The `taskrouter.*` variables at an instant, all in UTC. */
export interface TimeOfDay {
  /** HHMM as an integer: 08:05 → 805. */
  currentTime: number;
  /** "HH", zero-padded string (documented as a string). */
  currentHour: string;
  /** "MM", zero-padded string, by analogy with currentHour. */
  currentMin: string;
  /** Mon, Tue, Wed, Thu, Fri, Sat, Sun. */
  dayOfWeek: string;
}

export function timeOfDay(instant: Date): TimeOfDay {
  const hours = instant.getUTCHours();
  const minutes = instant.getUTCMinutes();
  return {
    currentTime: hours * 100 + minutes,
    currentHour: String(hours).padStart(2, '0'),
    currentMin: String(minutes).padStart(2, '0'),
    dayOfWeek: DAY_NAMES[instant.getUTCDay()],
  };
}
