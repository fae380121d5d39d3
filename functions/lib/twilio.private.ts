/**
 * The Twilio API as the transfer logic sees it: a small port (`TwilioPort`)
 * with plain records in and out, one error type (`TwilioCallError`), the time
 * budget of an invocation (`Budget`), and the call policy (`withPolicy`):
 *
 *  - every call gets a timeout from the invocation's budget (Twilio stops a
 *    Function at 10 s; a call slower than its timeout is abandoned and counts
 *    as a failure whose outcome is unknown);
 *  - idempotent calls (reads, updates to a fixed value, conditional updates
 *    the caller re-verifies, deletes) are retried on network errors,
 *    timeouts, 5xx and 429 while the budget allows;
 *  - non-idempotent calls (task / invite creation) are retried on 429 only:
 *    a 429 means Twilio did not process the request. Any other failure of a
 *    create is *ambiguous* (it may have been committed, even later) and is
 *    reconciled by the transfer state machines (a request id written into the
 *    new task).
 *
 * The adapter over the `twilio` client is lib/twilio-api.
 */

export type TaskStatus = 'pending' | 'reserved' | 'assigned' | 'canceled' | 'completed' | 'wrapping';

export interface TaskRecord {
  sid: string;
  workspaceSid: string | null;
  workflowSid: string | null;
  queueSid: string | null;
  status: TaskStatus;
  attributes: Record<string, unknown>;
  taskChannel: string | null;
  /** ISO 8601. */
  dateCreated: string;
  /** The Task's version (`ETag` header): the `If-Match` of a conditional update. */
  etag: string | null;
}

export interface ReservationRecord {
  sid: string;
  workerSid: string | null;
  status: string;
}

export interface WorkerRecord {
  sid: string;
  friendlyName: string;
  attributes: Record<string, unknown>;
}

export interface QueueRecord {
  sid: string;
  friendlyName: string;
  /** The queue's TargetWorkers expression (listings only; a fetch leaves it undefined). */
  targetWorkers?: string | null;
}

export interface InteractionParticipantRecord {
  sid: string;
  type: string;
  workerSid: string | null;
  taskSid: string | null;
  /** Status when the API reports one (the spec does not list it), else null. */
  status: string | null;
}

export interface InviteRecord {
  sid: string;
  /** The invite's TaskRouter task (`routing.properties.sid`). */
  taskSid: string | null;
  /** Task attributes echoed in the invite's routing, when present. */
  attributes: Record<string, unknown> | null;
  /**
   * The task status echoed in the invite's routing (`assignment_status`), when
   * present. It may be a snapshot: only a settled value is trusted (settled is final).
   */
  status: TaskStatus | null;
}

export interface ConversationRecord {
  sid: string;
  state: string | null;
  attributes: Record<string, unknown>;
}

export interface ConferenceParticipantRecord {
  callSid: string;
  conferenceSid: string;
  hold: boolean;
  status: string | null;
  endConferenceOnExit: boolean;
  label: string | null;
}

export interface TokenValidation {
  valid: boolean;
  code?: number;
  message?: string | null;
  worker_sid?: string | null;
  roles?: string[] | null;
  identity?: string | null;
  realm_user_id?: string | null;
  expiration?: string | null;
}

export interface InviteRouting {
  properties: {
    workspace_sid: string;
    workflow_sid: string;
    task_channel_unique_name: string;
    attributes: Record<string, unknown>;
    timeout?: number;
  };
}

export interface TaskUpdate {
  attributes?: Record<string, unknown>;
  status?: 'canceled' | 'completed' | 'wrapping';
  reason?: string;
  /** Apply only while the Task still has this `ETag` (else 412, Twilio error 20412). */
  ifMatch?: string;
}

export interface TwilioPort {
  validateFlexToken(token: string): Promise<TokenValidation>;
  fetchTask(sid: string): Promise<TaskRecord>;
  createTask(input: { workflowSid: string; taskChannel: string; attributes: Record<string, unknown>; timeout?: number }): Promise<TaskRecord>;
  updateTask(sid: string, update: TaskUpdate): Promise<TaskRecord>;
  /** `evaluate`: a TaskRouter expression over task attributes (`EvaluateTaskAttributes`), applied server-side. */
  listTasks(filter: { workflowSid?: string; statuses?: TaskStatus[]; evaluate?: string }): Promise<TaskRecord[]>;
  listTaskReservations(taskSid: string): Promise<ReservationRecord[]>;
  fetchReservation(taskSid: string, reservationSid: string): Promise<ReservationRecord>;
  acceptReservation(taskSid: string, reservationSid: string): Promise<ReservationRecord>;
  fetchWorker(sid: string): Promise<WorkerRecord>;
  fetchQueue(sid: string): Promise<QueueRecord>;
  listQueues(): Promise<QueueRecord[]>;
  listInteractionParticipants(interactionSid: string, channelSid: string): Promise<InteractionParticipantRecord[]>;
  updateInteractionParticipant(interactionSid: string, channelSid: string, participantSid: string, status: 'closed' | 'wrapup'): Promise<void>;
  closeInteractionChannel(interactionSid: string, channelSid: string): Promise<void>;
  createInvite(interactionSid: string, channelSid: string, routing: InviteRouting): Promise<InviteRecord>;
  listInvites(interactionSid: string, channelSid: string): Promise<InviteRecord[]>;
  fetchConversation(sid: string): Promise<ConversationRecord>;
  updateConversationAttributes(sid: string, attributes: string): Promise<ConversationRecord>;
  createConversationMessage(sid: string, body: string): Promise<void>;
  listConferenceParticipants(conferenceSid: string): Promise<ConferenceParticipantRecord[]>;
  updateConferenceParticipant(conferenceSid: string, callSid: string, update: { hold?: boolean; endConferenceOnExit?: boolean }): Promise<ConferenceParticipantRecord>;
  removeConferenceParticipant(conferenceSid: string, callSid: string): Promise<void>;
}

export type PortMethod = keyof TwilioPort;

/** Which calls may be repeated safely (see the module comment). */
export const IDEMPOTENT: Record<PortMethod, boolean> = {
  validateFlexToken: true,
  fetchTask: true,
  createTask: false,
  updateTask: true,
  listTasks: true,
  listTaskReservations: true,
  fetchReservation: true,
  acceptReservation: true,
  fetchWorker: true,
  fetchQueue: true,
  listQueues: true,
  listInteractionParticipants: true,
  updateInteractionParticipant: true,
  closeInteractionChannel: true,
  createInvite: false,
  listInvites: true,
  fetchConversation: true,
  updateConversationAttributes: true,
  createConversationMessage: false,
  listConferenceParticipants: true,
  updateConferenceParticipant: true,
  removeConferenceParticipant: true,
};

/** A failed Twilio API call, normalized. `status` 0 = no HTTP answer (network error or timeout). */
export class TwilioCallError extends Error {
  readonly status: number;
  readonly code: number | null;
  /** No answer within the call's timeout (the request may still be processed later). */
  readonly timedOut: boolean;
  /** The operation that failed (port method name). */
  operation: string;
  attempts: number;
  constructor(init: { status: number; code?: number | null; message: string; timedOut?: boolean; operation?: string; attempts?: number }) {
    super(init.message);
    this.name = 'TwilioCallError';
    this.status = init.status;
    this.code = init.code ?? null;
    this.timedOut = init.timedOut ?? false;
    this.operation = init.operation ?? 'unknown';
    this.attempts = init.attempts ?? 1;
  }
  get network(): boolean {
    return this.status === 0;
  }
  get notFound(): boolean {
    return this.status === 404;
  }
  /** `If-Match` did not match: someone changed the Task since it was read. */
  get preconditionFailed(): boolean {
    return this.status === 412;
  }
  /** The request may have been committed without us seeing the response. */
  get ambiguous(): boolean {
    return this.status === 0 || this.status >= 500;
  }
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export function isTwilioCallError(err: unknown): err is TwilioCallError {
  return !!err && typeof err === 'object' && (err as Error).name === 'TwilioCallError' && typeof (err as TwilioCallError).status === 'number';
}

/** Normalizes whatever the client threw into a TwilioCallError. */
export function normalizeError(err: unknown, operation: string): TwilioCallError {
  if (isTwilioCallError(err)) return err;
  const e = (err ?? {}) as { status?: unknown; code?: unknown; message?: unknown; response?: { status?: unknown } };
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  if (typeof e.status === 'number' && e.status >= 100) {
    return new TwilioCallError({ status: e.status, code: typeof e.code === 'number' ? e.code : null, message, operation });
  }
  if (e.response && typeof e.response.status === 'number') return new TwilioCallError({ status: e.response.status, message, operation });
  // axios reports its own timeout as ECONNABORTED / ETIMEDOUT.
  const timedOut = e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || /timeout/i.test(message);
  return new TwilioCallError({ status: 0, message: timedOut ? `no answer in time: ${message}` : `network error: ${message}`, timedOut, operation });
}

// ---------------------------------------------------------------------------
// The time budget of one invocation

/** Twilio stops a Function invocation after this long. */
export const FUNCTION_TIME_LIMIT_MS = 10_000;
/** Our own limit for answering, with a margin for the runtime around us. */
export const BUDGET_MS = 9_000;
/** A Twilio call that takes longer is abandoned (its outcome is unknown; a late commit is reconciled). */
export const CALL_TIMEOUT_MS = 3_000;
/** Kept back from normal steps for the compensating steps that keep the customer safe. */
export const COMPENSATION_RESERVE_MS = 2_500;
/** Ceiling of one compensating call. */
export const COMPENSATION_CALL_MS = 1_500;

export class BudgetExhausted extends Error {
  constructor(readonly operation: string) {
    super(`the time budget of this request ran out before ${operation}`);
    this.name = 'BudgetExhausted';
  }
}

/** Where the time of one invocation goes: every call is bounded so the answer comes before Twilio's limit. */
export class Budget {
  readonly started: number;
  /** Operations abandoned because they did not answer in time. */
  readonly timedOut: string[] = [];
  constructor(
    readonly limitMs = BUDGET_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }
  elapsed(): number {
    return this.now() - this.started;
  }
  remaining(): number {
    return this.limitMs - this.elapsed();
  }
  /** The timeout of a normal step's call; 0 when only the compensation reserve is left. */
  callTimeout(): number {
    return Math.max(0, Math.min(CALL_TIMEOUT_MS, this.remaining() - COMPENSATION_RESERVE_MS));
  }
  /** The timeout of a compensating call (it may use the reserve). */
  compensationTimeout(): number {
    return Math.max(0, Math.min(COMPENSATION_CALL_MS, this.remaining() - 200));
  }
}

export interface PolicyOptions {
  /** Attempts for idempotent calls (and for 429 on any call). */
  attempts: number;
  /** Base backoff in ms (doubled per attempt, plus jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_POLICY: PolicyOptions = { attempts: 3, baseDelayMs: 40, maxDelayMs: 400 };

/** A raw port whose calls accept a timeout (the adapter passes it to the HTTP client). */
export type TimedPort = { [K in PortMethod]: (timeoutMs: number, ...args: Parameters<TwilioPort[K]>) => ReturnType<TwilioPort[K]> };

/**
 * The port an endpoint uses, over a timed raw port: normal steps get
 * `budget.callTimeout()` per call; `rescue` (compensating steps) gets
 * `budget.compensationTimeout()`, so undoing is possible after the normal
 * steps used their share.
 */
export function withPolicy(raw: TimedPort, budget: Budget, options: Partial<PolicyOptions> = {}): { port: TwilioPort; rescue: TwilioPort } {
  const opts: PolicyOptions = { ...DEFAULT_POLICY, ...options };
  const build = (timeoutOf: () => number): TwilioPort => {
    const wrapped = {} as Record<PortMethod, unknown>;
    for (const method of Object.keys(IDEMPOTENT) as PortMethod[]) {
      const fn = (raw[method] as (timeoutMs: number, ...args: unknown[]) => Promise<unknown>).bind(raw);
      wrapped[method] = async (...args: unknown[]) => {
        let attempt = 0;
        for (;;) {
          attempt += 1;
          const timeout = timeoutOf();
          if (timeout < 100) throw new BudgetExhausted(method);
          try {
            return await fn(timeout, ...args);
          } catch (err) {
            const e = normalizeError(err, method);
            e.operation = method;
            e.attempts = attempt;
            if (e.timedOut) budget.timedOut.push(method);
            const retry = e.status === 429 || (IDEMPOTENT[method] && e.retryable);
            const delay = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
            if (!retry || attempt >= opts.attempts || timeoutOf() < 100 + delay) throw e;
            await new Promise<void>((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
          }
        }
      };
    }
    return wrapped as unknown as TwilioPort;
  };
  return { port: build(() => budget.callTimeout()), rescue: build(() => budget.compensationTimeout()) };
}
