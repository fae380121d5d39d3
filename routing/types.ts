// Shared shapes of the TaskRouter routing engine. The emulator, the stack's
// preview-time validation and the `workflow` command line all speak these.

/** A worker as routing sees it: attributes plus the live facts TaskRouter uses. */
export interface RoutingWorker {
  sid: string;
  friendlyName: string;
  activitySid: string;
  activityName: string;
  /** Whether the worker's current activity is an `available` one. */
  available: boolean;
  attributes: Record<string, unknown>;
  /** Per task-channel unique name (`voice`, `chat`, `default`, ...). */
  channels: Record<string, { capacity: number; assignedTasks: number; available: boolean }>;
  /** Epoch ms since the worker last became idle; the longest idle is offered first. */
  idleSince: number;
}

export interface RoutingQueue {
  sid: string;
  friendlyName: string;
  /** TaskQueue `target_workers` expression (bare worker attribute names). */
  targetWorkers: string;
}

export interface RoutingTask {
  sid: string;
  attributes: Record<string, unknown>;
  /** Task channel unique name. */
  taskChannel: string;
  priority: number;
  /** Seconds since the task entered the workflow; target timeouts are cumulative on it. */
  ageSeconds: number;
}

/** Injectable clock for `taskrouter.currentTime|currentHour|currentMin|dayOfWeek` (UTC). */
export type Clock = () => Date;

/** A validation finding; every finding names where it is. */
export interface Finding {
  /** e.g. `task_routing.filters[1].targets[0].expression` */
  path: string;
  filter?: string;
  targetIndex?: number;
  field?: string;
  message: string;
  /** 0-based character position inside an expression, when the finding is a parse error. */
  position?: number;
}
