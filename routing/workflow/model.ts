// The Workflow `Configuration` JSON as TaskRouter documents it
// (twilio.com/docs/taskrouter/workflow-configuration).

export interface WorkflowTarget {
  /** TaskQueue SID. Required on a filter's first target; later targets inherit it. */
  queue?: string;
  /** Target worker expression (`task.`/`worker.` prefixes). */
  expression?: string;
  /** Overrides the task's priority while in this target; docs show both 10 and "10". */
  priority?: number | string;
  /** Seconds, positive integer; cumulative on task age across a filter's targets. */
  timeout?: number;
  /** `worker.level DESC, worker.x ASC` */
  order_by?: string;
  /** skip_if expression over `workers.*` counts. */
  skip_if?: string;
  /** `task.<attr>` holding a worker SID. */
  known_worker_sid?: string;
  /** `task.<attr>` holding a worker friendly name. */
  known_worker_friendly_name?: string;
}

export interface WorkflowFilter {
  filter_friendly_name?: string;
  expression: string;
  targets: WorkflowTarget[];
}

/** default_filter is a target without timeout or skip_if: the default queue is tried until the task's TTL. */
export type WorkflowDefaultFilter = Omit<WorkflowTarget, 'timeout' | 'skip_if'> & { queue: string };

export interface WorkflowConfiguration {
  task_routing: {
    filters?: WorkflowFilter[];
    default_filter?: WorkflowDefaultFilter;
  };
}

export const ROOT_KEYS: readonly string[] = ['task_routing'];
export const TASK_ROUTING_KEYS: readonly string[] = ['filters', 'default_filter'];
export const FILTER_KEYS: readonly string[] = ['filter_friendly_name', 'expression', 'targets'];
export const TARGET_KEYS: readonly string[] = ['queue', 'expression', 'priority', 'timeout', 'order_by', 'skip_if', 'known_worker_sid', 'known_worker_friendly_name'];
export const DEFAULT_FILTER_KEYS: readonly string[] = TARGET_KEYS.filter((key) => key !== 'timeout' && key !== 'skip_if');

/** Accepts the configuration as TaskRouter stores it (a JSON string) or as an object. */
export type WorkflowConfigurationInput = string | WorkflowConfiguration | Record<string, unknown>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a filter is named in findings and traces: its friendly name, else its position. */
export function filterLabel(filter: unknown, index: number): string {
  if (isPlainObject(filter) && typeof filter.filter_friendly_name === 'string' && filter.filter_friendly_name.trim() !== '') {
    return filter.filter_friendly_name;
  }
  return `filters[${index}]`;
}
