/**
 * TaskRouter's per-account state: plain JSON (snapshots and `--state FILE`
 * serialize it). Times are epoch ms; JSON strings (`attributes`,
 * `configuration`) are kept exactly as the client sent them.
 */

export type TaskStatus = 'pending' | 'reserved' | 'assigned' | 'canceled' | 'completed' | 'wrapping';
export type ReservationStatus = 'pending' | 'accepted' | 'rejected' | 'timeout' | 'canceled' | 'rescinded' | 'wrapping' | 'completed';
export type QueueOrder = 'FIFO' | 'LIFO';

export interface TaskRouterState {
  workspaces: Record<string, WorkspaceRec>;
}

export interface WorkspaceRec {
  sid: string;
  friendlyName: string;
  eventCallbackUrl: string | null;
  eventsFilter: string | null;
  multiTaskEnabled: boolean;
  prioritizeQueueOrder: QueueOrder;
  defaultActivitySid: string | null;
  timeoutActivitySid: string | null;
  dateCreated: number;
  dateUpdated: number;
  activities: Record<string, ActivityRec>;
  channels: Record<string, TaskChannelRec>;
  queues: Record<string, QueueRec>;
  workflows: Record<string, WorkflowRec>;
  workers: Record<string, WorkerRec>;
  tasks: Record<string, TaskRec>;
  reservations: Record<string, ReservationRec>;
  /** Oldest first; capped (see MAX_EVENTS). */
  events: EventRec[];
}

export interface ActivityRec {
  sid: string;
  friendlyName: string;
  available: boolean;
  dateCreated: number;
  dateUpdated: number;
}

export interface TaskChannelRec {
  sid: string;
  friendlyName: string;
  uniqueName: string;
  channelOptimizedRouting: boolean | null;
  dateCreated: number;
  dateUpdated: number;
}

export interface QueueRec {
  sid: string;
  friendlyName: string;
  targetWorkers: string;
  maxReservedWorkers: number;
  taskOrder: QueueOrder;
  reservationActivitySid: string | null;
  assignmentActivitySid: string | null;
  dateCreated: number;
  dateUpdated: number;
}

export interface WorkflowRec {
  sid: string;
  friendlyName: string;
  configuration: string;
  assignmentCallbackUrl: string | null;
  fallbackAssignmentCallbackUrl: string | null;
  taskReservationTimeout: number;
  dateCreated: number;
  dateUpdated: number;
}

export interface WorkerChannelRec {
  sid: string;
  taskChannelSid: string;
  capacity: number;
  available: boolean;
  dateCreated: number;
  dateUpdated: number;
}

export interface WorkerRec {
  sid: string;
  friendlyName: string;
  activitySid: string;
  attributes: string;
  dateCreated: number;
  dateUpdated: number;
  dateStatusChanged: number;
  /** When the worker last became idle (longest idle is offered first). */
  idleSince: number;
  /** Keyed by TaskChannel SID. */
  channels: Record<string, WorkerChannelRec>;
  /** Reservations that hold capacity (pending, accepted, wrapping). */
  activeReservations: string[];
}

/** Where a pending task is in its routing. */
export interface RoutingPos {
  /** `workflow`: routed by the workflow; `queue`/`worker`: direct routing (TaskQueueSid / RoutingTarget). */
  mode: 'workflow' | 'queue' | 'worker';
  /** Workflow filter index; null = the default_filter; undefined for direct routing. */
  filterIndex?: number | null;
  /** Target index inside the filter. */
  stepIndex?: number;
  /** When the task entered the workflow (target timeouts are cumulative on it). */
  enteredAt: number;
  /** Direct worker routing: the worker. */
  workerSid?: string;
  /** Direct routing: whether capacity and availability are ignored. */
  ignoreCapacity?: boolean;
  /**
   * The workflow configuration this task routes by, when the workflow was
   * updated without ReEvaluateTasks while the task waited (Twilio keeps such
   * tasks on the old logic). Absent = the workflow's current configuration.
   */
  configuration?: string;
}

export interface TaskRec {
  sid: string;
  attributes: string;
  assignmentStatus: TaskStatus;
  priority: number;
  taskChannelSid: string;
  timeout: number;
  workflowSid: string | null;
  queueSid: string | null;
  queueEnteredAt: number | null;
  routingTarget: string | null;
  ignoreCapacity: boolean | null;
  virtualStartTime: number;
  reason: string | null;
  addons: string;
  dateCreated: number;
  dateUpdated: number;
  /** ETag version, bumped on every change. */
  version: number;
  /** Null once the task is no longer waiting for a worker. */
  routing: RoutingPos | null;
  /** Reservations created for this task, oldest first. */
  reservationSids: string[];
  /** Number of reservations created (Flex's assignmentCounter). */
  assignmentCounter: number;
  /** Number of rejections (TaskRouter cancels after 1,000). */
  rejections: number;
  /** When a terminal task is removed (5 minutes after it ended). */
  deleteAt?: number;
}

export interface ReservationRec {
  sid: string;
  taskSid: string;
  workerSid: string;
  status: ReservationStatus;
  dateCreated: number;
  dateUpdated: number;
  /** Pending reservations time out at this instant. */
  timeoutAt: number | null;
  queueSid: string | null;
  workflowSid: string | null;
  /** The instruction being executed (conference/call/dequeue/redirect), if any. */
  instruction?: string;
}

export interface EventRec {
  sid: string;
  eventType: string;
  description: string;
  resourceType: string;
  resourceSid: string;
  actorType: string;
  actorSid: string | null;
  date: number;
  data: Record<string, string | number | boolean | null>;
}
