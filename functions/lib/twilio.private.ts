/**
 * The Twilio API as the transfer logic sees it: a small port (`TwilioPort`)
 * with plain records in and out, an adapter over the `twilio` SDK client that
 * `context.getTwilioClient()` returns (so in the emulator every call reaches
 * the emulator), one error type (`TwilioCallError`), and the retry policy:
 *
 *  - idempotent calls (reads, status updates to a fixed value, deletes,
 *    attribute overwrites that the caller re-verifies) are retried on network
 *    errors, 5xx and 429;
 *  - non-idempotent calls (task / invite creation) are retried on 429 only:
 *    a 429 means Twilio did not process the request. Any other failure of a
 *    create is *ambiguous* (it may have been committed) and is reconciled by
 *    the caller (lookup by the request id written into the new task).
 */
import type { Twilio as TwilioClient } from 'twilio';

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
  /** The raw attributes string (for exact comparison). */
  rawAttributes: string;
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

export interface TwilioPort {
  validateFlexToken(token: string): Promise<TokenValidation>;
  fetchTask(sid: string): Promise<TaskRecord>;
  listTaskReservations(taskSid: string): Promise<ReservationRecord[]>;
  fetchReservation(taskSid: string, reservationSid: string): Promise<ReservationRecord>;
  acceptReservation(taskSid: string, reservationSid: string): Promise<ReservationRecord>;
  createTask(input: { workflowSid: string; taskChannel: string; attributes: Record<string, unknown>; timeout?: number }): Promise<TaskRecord>;
  updateTaskStatus(sid: string, status: 'canceled' | 'completed' | 'wrapping', reason?: string): Promise<TaskRecord>;
  updateTaskAttributes(sid: string, attributes: Record<string, unknown>): Promise<TaskRecord>;
  /** `evaluate`: a TaskRouter expression over task attributes (`EvaluateTaskAttributes`), applied server-side. */
  listTasks(filter: { workflowSid?: string; statuses?: TaskStatus[]; evaluate?: string }): Promise<TaskRecord[]>;
  fetchWorker(sid: string): Promise<WorkerRecord>;
  fetchQueue(sid: string): Promise<QueueRecord>;
  listInteractionParticipants(interactionSid: string, channelSid: string): Promise<InteractionParticipantRecord[]>;
  updateInteractionParticipant(interactionSid: string, channelSid: string, participantSid: string, status: 'closed' | 'wrapup'): Promise<void>;
  closeInteractionChannel(interactionSid: string, channelSid: string): Promise<void>;
  createInvite(interactionSid: string, channelSid: string, routing: InviteRouting): Promise<InviteRecord>;
  listInvites(interactionSid: string, channelSid: string): Promise<InviteRecord[]>;
  fetchConversation(sid: string): Promise<ConversationRecord>;
  updateConversationAttributes(sid: string, attributes: string): Promise<ConversationRecord>;
  listConferenceParticipants(conferenceSid: string): Promise<ConferenceParticipantRecord[]>;
  fetchConferenceParticipant(conferenceSid: string, callSid: string): Promise<ConferenceParticipantRecord>;
  updateConferenceParticipant(conferenceSid: string, callSid: string, update: { hold?: boolean; endConferenceOnExit?: boolean }): Promise<ConferenceParticipantRecord>;
  removeConferenceParticipant(conferenceSid: string, callSid: string): Promise<void>;
}

export type PortMethod = keyof TwilioPort;

/** Which calls may be repeated safely (see the module comment). */
export const IDEMPOTENT: Record<PortMethod, boolean> = {
  validateFlexToken: true,
  fetchTask: true,
  listTaskReservations: true,
  fetchReservation: true,
  acceptReservation: true,
  createTask: false,
  updateTaskStatus: true,
  updateTaskAttributes: true,
  listTasks: true,
  fetchWorker: true,
  fetchQueue: true,
  listInteractionParticipants: true,
  updateInteractionParticipant: true,
  closeInteractionChannel: true,
  createInvite: false,
  listInvites: true,
  fetchConversation: true,
  updateConversationAttributes: true,
  listConferenceParticipants: true,
  fetchConferenceParticipant: true,
  updateConferenceParticipant: true,
  removeConferenceParticipant: true,
};

/** A failed Twilio API call, normalized. `status` 0 = no HTTP response (network). */
export class TwilioCallError extends Error {
  readonly status: number;
  readonly code: number | null;
  readonly moreInfo: string | null;
  /** The operation that failed (port method name). */
  operation: string;
  attempts: number;
  constructor(init: { status: number; code?: number | null; message: string; moreInfo?: string | null; operation?: string; attempts?: number }) {
    super(init.message);
    this.name = 'TwilioCallError';
    this.status = init.status;
    this.code = init.code ?? null;
    this.moreInfo = init.moreInfo ?? null;
    this.operation = init.operation ?? 'unknown';
    this.attempts = init.attempts ?? 1;
  }
  get network(): boolean {
    return this.status === 0;
  }
  get notFound(): boolean {
    return this.status === 404;
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

/** Normalizes whatever the SDK threw into a TwilioCallError. */
export function normalizeError(err: unknown, operation: string): TwilioCallError {
  if (isTwilioCallError(err)) return err;
  const e = (err ?? {}) as { status?: unknown; code?: unknown; message?: unknown; moreInfo?: unknown; response?: { status?: unknown } };
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  // RestException from the SDK: {status, code, message, moreInfo}.
  if (typeof e.status === 'number' && e.status >= 100) {
    return new TwilioCallError({ status: e.status, code: typeof e.code === 'number' ? e.code : null, message, moreInfo: typeof e.moreInfo === 'string' ? e.moreInfo : null, operation });
  }
  // axios error carrying a response
  if (e.response && typeof e.response.status === 'number') return new TwilioCallError({ status: e.response.status, message, operation });
  // network: ECONNRESET, socket hang up, ECONNREFUSED, timeouts
  return new TwilioCallError({ status: 0, message: `network error: ${message}`, operation });
}

export interface RetryOptions {
  /** Attempts for idempotent calls (and for 429 on any call). */
  attempts: number;
  /** Base backoff in ms (doubled per attempt, plus jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Stop retrying once this much time has passed since the port was built (ms). */
  budgetMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called once per real API call (for tests and the benchmark). */
  onCall?: (method: PortMethod) => void;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 3, baseDelayMs: 40, maxDelayMs: 500, budgetMs: 7000 };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Wraps a raw port with error normalization and the retry policy. */
export function withRetries(raw: TwilioPort, options: Partial<RetryOptions> = {}): TwilioPort {
  const opts: RetryOptions = { ...DEFAULT_RETRY, ...options };
  const sleep = opts.sleep ?? defaultSleep;
  const started = Date.now();
  const wrapped = {} as Record<PortMethod, unknown>;
  for (const method of Object.keys(IDEMPOTENT) as PortMethod[]) {
    const fn = (raw[method] as (...args: unknown[]) => Promise<unknown>).bind(raw);
    wrapped[method] = async (...args: unknown[]) => {
      let attempt = 0;
      for (;;) {
        attempt += 1;
        try {
          opts.onCall?.(method);
          return await fn(...args);
        } catch (err) {
          const e = normalizeError(err, method);
          e.operation = method;
          e.attempts = attempt;
          const retry = e.status === 429 || (IDEMPOTENT[method] && e.retryable);
          if (!retry || attempt >= opts.attempts || Date.now() - started > opts.budgetMs) throw e;
          const delay = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
          await sleep(delay / 2 + Math.random() * (delay / 2));
        }
      }
    };
  }
  return wrapped as unknown as TwilioPort;
}

// ---------------------------------------------------------------------------
// The SDK adapter

function parseAttrs(value: unknown): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  if (typeof value !== 'string' || value === '') return {};
  try {
    const v: unknown = JSON.parse(value);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function iso(d: unknown): string {
  // Duck-typed: the SDK's Date may come from another realm (a runtime's module sandbox).
  if (d && typeof d === 'object' && typeof (d as Date).getTime === 'function' && !Number.isNaN((d as Date).getTime())) return new Date((d as Date).getTime()).toISOString();
  if (typeof d === 'string') return d;
  return new Date(0).toISOString();
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

interface SdkTask {
  sid: string;
  workspaceSid?: string;
  workflowSid?: string | null;
  taskQueueSid?: string | null;
  assignmentStatus: string;
  attributes: string;
  taskChannelUniqueName?: string | null;
  dateCreated?: Date;
}

function toTask(t: SdkTask): TaskRecord {
  return {
    sid: t.sid,
    workspaceSid: str(t.workspaceSid),
    workflowSid: str(t.workflowSid),
    queueSid: str(t.taskQueueSid),
    status: t.assignmentStatus as TaskStatus,
    attributes: parseAttrs(t.attributes),
    taskChannel: str(t.taskChannelUniqueName),
    dateCreated: iso(t.dateCreated),
  };
}

function routingProps(routing: unknown): Record<string, unknown> {
  const r = parseAttrs(routing);
  const props = r.properties;
  return props && typeof props === 'object' && !Array.isArray(props) ? (props as Record<string, unknown>) : r;
}

function toInvite(i: { sid: string; routing?: unknown }): InviteRecord {
  const props = routingProps(i.routing);
  const taskSid = str(props.sid) ?? str(props.task_sid);
  const attrs = props.attributes === undefined ? null : parseAttrs(props.attributes);
  const status = str(props.assignment_status) as TaskStatus | null;
  return { sid: i.sid, taskSid: taskSid && taskSid.startsWith('WT') ? taskSid : null, attributes: attrs, status };
}

interface SdkConfParticipant {
  callSid: string;
  conferenceSid: string;
  hold?: boolean;
  status?: string;
  endConferenceOnExit?: boolean;
  label?: string | null;
}

function toConfParticipant(p: SdkConfParticipant): ConferenceParticipantRecord {
  return { callSid: p.callSid, conferenceSid: p.conferenceSid, hold: p.hold === true, status: str(p.status), endConferenceOnExit: p.endConferenceOnExit === true, label: str(p.label) };
}

/** The adapter over the `twilio` SDK client (no retries; wrap with `withRetries`). */
export function sdkPort(client: TwilioClient, workspaceSid: string, accountSid?: string): TwilioPort {
  const ws = () => client.taskrouter.v1.workspaces(workspaceSid);
  const channel = (kd: string, uo: string) => client.flexApi.v1.interaction(kd).channels(uo);
  return {
    async validateFlexToken(token) {
      const account = accountSid ?? client.accountSid;
      const res = (await client.request({
        method: 'post',
        uri: `https://iam.twilio.com/v1/Accounts/${account}/Tokens/validate`,
        data: { token },
        headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' },
      })) as { statusCode: number; body: unknown };
      let body: unknown = res.body;
      if (typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch {
          body = {};
        }
      }
      const b = (body ?? {}) as Record<string, unknown>;
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw new TwilioCallError({ status: res.statusCode, code: typeof b.code === 'number' ? b.code : null, message: typeof b.message === 'string' ? b.message : `token validation answered HTTP ${res.statusCode}` });
      }
      return b as unknown as TokenValidation;
    },
    async fetchTask(sid) {
      return toTask((await ws().tasks(sid).fetch()) as unknown as SdkTask);
    },
    async listTaskReservations(taskSid) {
      const list = await ws().tasks(taskSid).reservations.list({ limit: 100 });
      return list.map((r) => ({ sid: r.sid, workerSid: str(r.workerSid), status: String(r.reservationStatus) }));
    },
    async fetchReservation(taskSid, reservationSid) {
      const r = await ws().tasks(taskSid).reservations(reservationSid).fetch();
      return { sid: r.sid, workerSid: str(r.workerSid), status: String(r.reservationStatus) };
    },
    async acceptReservation(taskSid, reservationSid) {
      const r = await ws().tasks(taskSid).reservations(reservationSid).update({ reservationStatus: 'accepted' });
      return { sid: r.sid, workerSid: str(r.workerSid), status: String(r.reservationStatus) };
    },
    async createTask(input) {
      const t = await ws().tasks.create({
        workflowSid: input.workflowSid,
        taskChannel: input.taskChannel,
        attributes: JSON.stringify(input.attributes),
        ...(input.timeout ? { timeout: input.timeout } : {}),
      });
      return toTask(t as unknown as SdkTask);
    },
    async updateTaskStatus(sid, status, reason) {
      const t = await ws().tasks(sid).update({ assignmentStatus: status, ...(reason ? { reason } : {}) });
      return toTask(t as unknown as SdkTask);
    },
    async updateTaskAttributes(sid, attributes) {
      const t = await ws().tasks(sid).update({ attributes: JSON.stringify(attributes) });
      return toTask(t as unknown as SdkTask);
    },
    async listTasks(filter) {
      const list = await ws().tasks.list({
        ...(filter.workflowSid ? { workflowSid: filter.workflowSid } : {}),
        ...(filter.statuses ? { assignmentStatus: filter.statuses } : {}),
        ...(filter.evaluate ? { evaluateTaskAttributes: filter.evaluate } : {}),
        limit: 1000,
      });
      return list.map((t) => toTask(t as unknown as SdkTask));
    },
    async fetchWorker(sid) {
      const w = await ws().workers(sid).fetch();
      return { sid: w.sid, friendlyName: w.friendlyName, attributes: parseAttrs(w.attributes) };
    },
    async fetchQueue(sid) {
      const q = await ws().taskQueues(sid).fetch();
      return { sid: q.sid, friendlyName: q.friendlyName };
    },
    async listInteractionParticipants(kd, uo) {
      const list = await channel(kd, uo).participants.list({ limit: 200 });
      return list.map((p) => {
        const rp = parseAttrs((p as unknown as { routingProperties?: unknown }).routingProperties);
        const raw = p as unknown as { status?: unknown };
        return {
          sid: p.sid,
          type: String(p.type),
          workerSid: str(rp.worker_sid) ?? str(rp.workerSid),
          taskSid: str(rp.task_sid) ?? str(rp.taskSid),
          status: str(raw.status),
        };
      });
    },
    async updateInteractionParticipant(kd, uo, ut, status) {
      await channel(kd, uo).participants(ut).update({ status });
    },
    async closeInteractionChannel(kd, uo) {
      await channel(kd, uo).update({ status: 'closed' });
    },
    async createInvite(kd, uo, routing) {
      const inv = await channel(kd, uo).invites.create({ routing });
      return toInvite(inv as unknown as { sid: string; routing?: unknown });
    },
    async listInvites(kd, uo) {
      const list = await channel(kd, uo).invites.list({ limit: 1000 });
      return list.map((i) => toInvite(i as unknown as { sid: string; routing?: unknown }));
    },
    async fetchConversation(sid) {
      const c = await client.conversations.v1.conversations(sid).fetch();
      return { sid: c.sid, state: str(c.state), attributes: parseAttrs(c.attributes), rawAttributes: typeof c.attributes === 'string' ? c.attributes : '{}' };
    },
    async updateConversationAttributes(sid, attributes) {
      const c = await client.conversations.v1.conversations(sid).update({ attributes });
      return { sid: c.sid, state: str(c.state), attributes: parseAttrs(c.attributes), rawAttributes: typeof c.attributes === 'string' ? c.attributes : '{}' };
    },
    async listConferenceParticipants(cf) {
      const list = await client.conferences(cf).participants.list({ limit: 250 });
      return list.map((p) => toConfParticipant(p as unknown as SdkConfParticipant));
    },
    async fetchConferenceParticipant(cf, ca) {
      return toConfParticipant((await client.conferences(cf).participants(ca).fetch()) as unknown as SdkConfParticipant);
    },
    async updateConferenceParticipant(cf, ca, update) {
      const p = await client.conferences(cf).participants(ca).update({
        ...(update.hold !== undefined ? { hold: update.hold } : {}),
        ...(update.endConferenceOnExit !== undefined ? { endConferenceOnExit: update.endConferenceOnExit } : {}),
      });
      return toConfParticipant(p as unknown as SdkConfParticipant);
    },
    async removeConferenceParticipant(cf, ca) {
      await client.conferences(cf).participants(ca).remove();
    },
  };
}

/** Counts calls per port method (tests, benchmark). */
export function countingPort(port: TwilioPort, counts: Record<string, number>): TwilioPort {
  const out = {} as Record<string, unknown>;
  for (const m of Object.keys(IDEMPOTENT) as PortMethod[]) {
    const fn = (port[m] as (...a: unknown[]) => Promise<unknown>).bind(port);
    out[m] = (...a: unknown[]) => {
      counts[m] = (counts[m] ?? 0) + 1;
      return fn(...a);
    };
  }
  return out as unknown as TwilioPort;
}
