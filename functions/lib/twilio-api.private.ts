/**
 * The adapter of the transfer port over the `twilio` client that
 * `context.getTwilioClient()` returns (so in the emulator every call reaches
 * the emulator). Every call goes through `client.request()`, Twilio's own
 * request path, because the SDK's resource methods expose neither a
 * per-request timeout nor the Task's `ETag` response header, and conditional
 * updates (`If-Match`) need both.
 */
import type { Twilio as TwilioClient } from 'twilio';
import type { TimedPort, TaskRecord, TaskStatus, InviteRecord, ConferenceParticipantRecord, InteractionParticipantRecord, TokenValidation } from './twilio.private';

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  body: Json;
  headers: Record<string, unknown>;
}

/** Twilio's error body → the fields a TwilioCallError needs. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function parseAttrs(value: unknown): Json {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Json;
  if (typeof value !== 'string' || value === '') return {};
  try {
    const v: unknown = JSON.parse(value);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
  } catch {
    return {};
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function toTask(t: Json, etag: unknown = null): TaskRecord {
  return {
    sid: String(t.sid),
    workspaceSid: str(t.workspace_sid),
    workflowSid: str(t.workflow_sid),
    queueSid: str(t.task_queue_sid),
    status: String(t.assignment_status) as TaskStatus,
    attributes: parseAttrs(t.attributes),
    taskChannel: str(t.task_channel_unique_name),
    dateCreated: str(t.date_created) ?? new Date(0).toISOString(),
    etag: typeof etag === 'string' && etag !== '' ? etag : null,
  };
}

function toInvite(i: Json): InviteRecord {
  const routing = parseAttrs(i.routing);
  const props = routing.properties && typeof routing.properties === 'object' ? (routing.properties as Json) : routing;
  const taskSid = str(props.sid) ?? str(props.task_sid);
  return {
    sid: String(i.sid),
    taskSid: taskSid && taskSid.startsWith('WT') ? taskSid : null,
    attributes: props.attributes === undefined ? null : parseAttrs(props.attributes),
    status: str(props.assignment_status) as TaskStatus | null,
  };
}

function toConfParticipant(p: Json): ConferenceParticipantRecord {
  return {
    callSid: String(p.call_sid),
    conferenceSid: String(p.conference_sid),
    hold: p.hold === true,
    status: str(p.status),
    endConferenceOnExit: p.end_conference_on_exit === true,
    label: str(p.label),
  };
}

function toParticipant(p: Json): InteractionParticipantRecord {
  const rp = parseAttrs(p.routing_properties);
  return { sid: String(p.sid), type: String(p.type), workerSid: str(rp.worker_sid) ?? str(rp.workerSid), taskSid: str(rp.task_sid) ?? str(rp.taskSid), status: str(p.status) };
}

function header(headers: Record<string, unknown>, name: string): unknown {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

/**
 * The timed port over a Twilio client, for one workspace and account;
 * `extraHeaders` go with every call (the caller's name, see lib/contract).
 */
export function twilioApiPort(client: TwilioClient, workspaceSid: string, accountSid?: string, extraHeaders: Record<string, string> = {}): TimedPort {
  const account = accountSid ?? client.accountSid;
  const TR = `https://taskrouter.twilio.com/v1/Workspaces/${workspaceSid}`;
  const FLEX = 'https://flex-api.twilio.com/v1/Interactions';
  const CONV = 'https://conversations.twilio.com/v1/Conversations';
  const CONF = `https://api.twilio.com/2010-04-01/Accounts/${account}/Conferences`;
  const channel = (kd: string, uo: string) => `${FLEX}/${kd}/Channels/${uo}`;

  async function call(timeout: number, method: 'get' | 'post' | 'delete', uri: string, opts: { form?: Json; json?: Json; query?: Json; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...extraHeaders, ...opts.headers };
    if (opts.json) headers['Content-Type'] = 'application/json';
    else if (opts.form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const res = (await client.request({ method, uri, timeout, headers, ...(opts.form || opts.json ? { data: opts.form ?? opts.json } : {}), ...(opts.query ? { params: opts.query } : {}) })) as {
      statusCode: number;
      body: unknown;
      headers: Record<string, unknown>;
    };
    let body: unknown = res.body;
    if (typeof body === 'string') {
      try {
        body = body === '' ? {} : JSON.parse(body);
      } catch {
        body = {};
      }
    }
    const b = (body && typeof body === 'object' ? body : {}) as Json;
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new ApiError(res.statusCode, typeof b.code === 'number' ? b.code : null, typeof b.message === 'string' ? b.message : `HTTP ${res.statusCode} from ${method.toUpperCase()} ${uri}`);
    }
    return { status: res.statusCode, body: b, headers: res.headers ?? {} };
  }

  /** Every page of a list (Twilio pages with `meta.next_page_url`), bounded. */
  async function list(timeout: number, uri: string, query: Json, maxPages = 5): Promise<Json[]> {
    const out: Json[] = [];
    let next: string | null = uri;
    let params: Json | undefined = query;
    for (let page = 0; next && page < maxPages; page++) {
      const res = await call(timeout, 'get', next, params ? { query: params } : {});
      const meta = (res.body.meta ?? {}) as Json;
      const key = typeof meta.key === 'string' ? meta.key : Object.keys(res.body).find((k) => Array.isArray(res.body[k]));
      const items = key && Array.isArray(res.body[key]) ? (res.body[key] as Json[]) : [];
      out.push(...items);
      next = str(meta.next_page_url);
      params = undefined; // the next page URL carries the query
    }
    return out;
  }

  return {
    async validateFlexToken(timeout, token) {
      const res = await call(timeout, 'post', `https://iam.twilio.com/v1/Accounts/${account}/Tokens/validate`, { json: { token }, headers: { 'Cache-Control': 'no-cache' } });
      return res.body as unknown as TokenValidation;
    },
    async fetchTask(timeout, sid) {
      const res = await call(timeout, 'get', `${TR}/Tasks/${sid}`);
      return toTask(res.body, header(res.headers, 'etag'));
    },
    async createTask(timeout, input) {
      const res = await call(timeout, 'post', `${TR}/Tasks`, {
        form: { WorkflowSid: input.workflowSid, TaskChannel: input.taskChannel, Attributes: JSON.stringify(input.attributes), ...(input.timeout ? { Timeout: input.timeout } : {}) },
      });
      return toTask(res.body, header(res.headers, 'etag'));
    },
    async updateTask(timeout, sid, update) {
      const form: Json = {};
      if (update.attributes !== undefined) form.Attributes = JSON.stringify(update.attributes);
      if (update.status !== undefined) form.AssignmentStatus = update.status;
      if (update.reason !== undefined) form.Reason = update.reason;
      const res = await call(timeout, 'post', `${TR}/Tasks/${sid}`, { form, ...(update.ifMatch ? { headers: { 'If-Match': update.ifMatch } } : {}) });
      return toTask(res.body, header(res.headers, 'etag'));
    },
    async listTasks(timeout, filter) {
      const query: Json = { PageSize: 1000 };
      if (filter.workflowSid) query.WorkflowSid = filter.workflowSid;
      if (filter.statuses) query.AssignmentStatus = filter.statuses;
      if (filter.evaluate) query.EvaluateTaskAttributes = filter.evaluate;
      return (await list(timeout, `${TR}/Tasks`, query)).map((t) => toTask(t));
    },
    async listTaskReservations(timeout, taskSid) {
      const items = await list(timeout, `${TR}/Tasks/${taskSid}/Reservations`, { PageSize: 100 });
      return items.map((r) => ({ sid: String(r.sid), workerSid: str(r.worker_sid), status: String(r.reservation_status) }));
    },
    async fetchReservation(timeout, taskSid, reservationSid) {
      const r = (await call(timeout, 'get', `${TR}/Tasks/${taskSid}/Reservations/${reservationSid}`)).body;
      return { sid: String(r.sid), workerSid: str(r.worker_sid), status: String(r.reservation_status) };
    },
    async acceptReservation(timeout, taskSid, reservationSid) {
      const r = (await call(timeout, 'post', `${TR}/Tasks/${taskSid}/Reservations/${reservationSid}`, { form: { ReservationStatus: 'accepted' } })).body;
      return { sid: String(r.sid), workerSid: str(r.worker_sid), status: String(r.reservation_status) };
    },
    async fetchWorker(timeout, sid) {
      const w = (await call(timeout, 'get', `${TR}/Workers/${sid}`)).body;
      return { sid: String(w.sid), friendlyName: String(w.friendly_name), attributes: parseAttrs(w.attributes) };
    },
    async fetchQueue(timeout, sid) {
      const q = (await call(timeout, 'get', `${TR}/TaskQueues/${sid}`)).body;
      return { sid: String(q.sid), friendlyName: String(q.friendly_name) };
    },
    async listQueues(timeout) {
      return (await list(timeout, `${TR}/TaskQueues`, { PageSize: 1000 })).map((q) => ({ sid: String(q.sid), friendlyName: String(q.friendly_name), targetWorkers: str(q.target_workers) }));
    },
    async listInteractionParticipants(timeout, kd, uo) {
      return (await list(timeout, `${channel(kd, uo)}/Participants`, { PageSize: 100 })).map(toParticipant);
    },
    async updateInteractionParticipant(timeout, kd, uo, ut, status) {
      await call(timeout, 'post', `${channel(kd, uo)}/Participants/${ut}`, { form: { Status: status } });
    },
    async closeInteractionChannel(timeout, kd, uo) {
      await call(timeout, 'post', channel(kd, uo), { form: { Status: 'closed' } });
    },
    async createInvite(timeout, kd, uo, routing) {
      return toInvite((await call(timeout, 'post', `${channel(kd, uo)}/Invites`, { form: { Routing: JSON.stringify(routing) } })).body);
    },
    async listInvites(timeout, kd, uo) {
      return (await list(timeout, `${channel(kd, uo)}/Invites`, { PageSize: 1000 })).map(toInvite);
    },
    async fetchConversation(timeout, sid) {
      const c = (await call(timeout, 'get', `${CONV}/${sid}`)).body;
      return { sid: String(c.sid), state: str(c.state), attributes: parseAttrs(c.attributes) };
    },
    async updateConversationAttributes(timeout, sid, attributes) {
      const c = (await call(timeout, 'post', `${CONV}/${sid}`, { form: { Attributes: attributes } })).body;
      return { sid: String(c.sid), state: str(c.state), attributes: parseAttrs(c.attributes) };
    },
    async createConversationMessage(timeout, sid, body) {
      await call(timeout, 'post', `${CONV}/${sid}/Messages`, { form: { Body: body, Author: 'system' } });
    },
    async listConferenceParticipants(timeout, cf) {
      return (await list(timeout, `${CONF}/${cf}/Participants.json`, { PageSize: 100 })).map(toConfParticipant);
    },
    async updateConferenceParticipant(timeout, cf, ca, update) {
      const form: Json = {};
      if (update.hold !== undefined) form.Hold = update.hold;
      if (update.endConferenceOnExit !== undefined) form.EndConferenceOnExit = update.endConferenceOnExit;
      return toConfParticipant((await call(timeout, 'post', `${CONF}/${cf}/Participants/${ca}.json`, { form })).body);
    },
    async removeConferenceParticipant(timeout, cf, ca) {
      await call(timeout, 'delete', `${CONF}/${cf}/Participants/${ca}.json`);
    },
  };
}
