/**
 * A small in-memory Twilio for unit tests of the transfer functions: it
 * implements the functions' `TwilioPort` (functions/lib/twilio.private.ts)
 * with just enough semantics (TaskRouter tasks and reservations, Flex
 * Interactions channels/participants/invites, Conversations attributes,
 * conference participants, Flex tokens), plus fault injection, random
 * latency (to interleave concurrent requests) and a call log.
 *
 * Safety bookkeeping for voice: removing a participant whose
 * `endConferenceOnExit` is true ends the conference and drops everyone
 * (`world.dropped`), as Twilio does.
 */
import type {
  TwilioPort,
  TaskRecord,
  TaskStatus,
  ReservationRecord,
  InteractionParticipantRecord,
  InviteRecord,
  ConversationRecord,
  ConferenceParticipantRecord,
  TokenValidation,
  InviteRouting,
} from '../../../functions/lib/twilio.private';
import { TwilioCallError } from '../../../functions/lib/twilio.private';

export type FaultKind = 'error' | 'lost';

export interface FaultSpec {
  /** A port method, or `*` for any call. */
  method: keyof TwilioPort | '*';
  /** Inject at the Nth matching call from now (1-based). Default 1. */
  nth?: number;
  /** How many injections (default 1). */
  times?: number;
  /** `error`: fails before applying; `lost`: applies, then fails with a network error. */
  kind?: FaultKind;
  /** HTTP status of an `error` (0 = network). Default 500. */
  status?: number;
  when?: (args: unknown[]) => boolean;
}

interface Fault extends Required<Omit<FaultSpec, 'when'>> {
  when?: (args: unknown[]) => boolean;
  matched: number;
  injected: number;
}

interface FakeTask extends TaskRecord {
  reservations: ReservationRecord[];
}

interface FakeParticipant {
  sid: string;
  type: string;
  workerSid: string | null;
  taskSid: string | null;
  closed: boolean;
}

interface FakeChannel {
  interactionSid: string;
  sid: string;
  status: 'active' | 'closed';
  conversationSid: string;
  participants: FakeParticipant[];
  invites: InviteRecord[];
}

interface FakeConfParticipant {
  callSid: string;
  hold: boolean;
  endConferenceOnExit: boolean;
}

export const WS = 'WS' + '0'.repeat(31) + '1';
export const CHAT_WF = 'WW' + '0'.repeat(31) + '1';
export const VOICE_WF = 'WW' + '0'.repeat(31) + '2';

export class FakeWorld implements TwilioPort {
  private counter = 0;
  readonly tasks = new Map<string, FakeTask>();
  readonly workers = new Map<string, { sid: string; friendlyName: string; attributes: Record<string, unknown> }>();
  readonly queues = new Map<string, { sid: string; friendlyName: string }>();
  readonly channels = new Map<string, FakeChannel>();
  readonly conversations = new Map<string, { attributes: string; writes: number }>();
  readonly conferences = new Map<string, { participants: Map<string, FakeConfParticipant>; ended: boolean }>();
  readonly tokens = new Map<string, TokenValidation>();
  readonly calls: string[] = [];
  /** Calls that dropped a customer (conference ended under them). */
  readonly dropped: string[] = [];
  private faults: Fault[] = [];
  /** Max random latency per call, ms (0 = resolve on the next tick). */
  latencyMs = 0;
  /** Invites report their task's status (as the emulator does); false = they do not. */
  echoInviteStatus = false;
  /** Closed interaction participants stay in the list (as the spec allows) unless this is false. */
  keepClosedParticipants = true;
  private clock = Date.parse('2024-05-01T10:00:00Z');

  sid(prefix: string): string {
    this.counter += 1;
    return prefix + this.counter.toString(16).padStart(32, '0');
  }

  fail(spec: FaultSpec): void {
    this.faults.push({ nth: 1, times: 1, kind: 'error', status: 500, ...spec, matched: 0, injected: 0 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  count(method?: string): number {
    return method ? this.calls.filter((c) => c === method).length : this.calls.length;
  }

  private async enter(method: keyof TwilioPort, args: unknown[]): Promise<FaultKind | null> {
    this.calls.push(method);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, Math.random() * this.latencyMs));
    else await new Promise((r) => setImmediate(r));
    for (const f of this.faults) {
      if ((f.method !== '*' && f.method !== method) || (f.when && !f.when(args))) continue;
      f.matched += 1;
      if (f.matched >= f.nth && f.injected < f.times) {
        f.injected += 1;
        if (f.kind === 'error') throw new TwilioCallError({ status: f.status, message: `injected ${f.status || 'network'} fault on ${method}` });
        return 'lost';
      }
    }
    return null;
  }

  private async run<T>(method: keyof TwilioPort, args: unknown[], fn: () => T): Promise<T> {
    const fault = await this.enter(method, args);
    const result = fn();
    if (fault === 'lost') throw new TwilioCallError({ status: 0, message: `network error: socket hang up (injected lost response on ${method})` });
    return structuredClone(result);
  }

  private notFound(what: string): never {
    throw new TwilioCallError({ status: 404, code: 20404, message: `The requested resource ${what} was not found` });
  }

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  // ---------------------------------------------------------------- setup

  addWorker(friendlyName: string, attributes: Record<string, unknown> = {}): string {
    const sid = this.sid('WK');
    this.workers.set(sid, { sid, friendlyName, attributes: { contact_uri: `client:${friendlyName.toLowerCase()}`, ...attributes } });
    return sid;
  }

  addQueue(friendlyName: string): string {
    const sid = this.sid('WQ');
    this.queues.set(sid, { sid, friendlyName });
    return sid;
  }

  token(workerSid: string | null, roles: string[] = ['agent']): string {
    const t = `tok-${this.sid('XX')}`;
    this.tokens.set(t, { valid: true, code: 0, message: null, worker_sid: workerSid, roles, identity: workerSid ? `id-${workerSid.slice(-4)}` : 'sup', realm_user_id: 'x', expiration: null });
    return t;
  }

  createRawTask(attributes: Record<string, unknown>, opts: { workflowSid?: string; channel?: string; status?: TaskStatus } = {}): FakeTask {
    const sid = this.sid('WT');
    const t: FakeTask = {
      sid,
      workspaceSid: WS,
      workflowSid: opts.workflowSid ?? null,
      queueSid: null,
      status: opts.status ?? 'pending',
      attributes,
      taskChannel: opts.channel ?? 'chat',
      dateCreated: this.now(),
      reservations: [],
    };
    this.tasks.set(sid, t);
    return t;
  }

  /** A chat in progress: customer + one agent (whose task is assigned). */
  startChat(agentWorkerSid: string, extraAttributes: Record<string, unknown> = {}): { task: FakeTask; interactionSid: string; channelSid: string; conversationSid: string; participantSid: string } {
    const interactionSid = this.sid('KD');
    const channelSid = this.sid('UO');
    const conversationSid = this.sid('CH');
    this.conversations.set(conversationSid, { attributes: JSON.stringify({ topic: 'billing' }), writes: 0 });
    const channel: FakeChannel = { interactionSid, sid: channelSid, status: 'active', conversationSid, participants: [], invites: [] };
    this.channels.set(`${interactionSid}/${channelSid}`, channel);
    channel.participants.push({ sid: this.sid('UT'), type: 'customer', workerSid: null, taskSid: null, closed: false });
    const task = this.createRawTask(
      { flexInteractionSid: interactionSid, flexInteractionChannelSid: channelSid, conversationSid, channelType: 'web', customerName: 'Ann', conversations: { initiated_by: 'customer' }, ...extraAttributes },
      { workflowSid: 'WW' + 'f'.repeat(32), channel: 'chat' },
    );
    const participantSid = this.acceptTask(task.sid, agentWorkerSid);
    return { task, interactionSid, channelSid, conversationSid, participantSid };
  }

  /** The worker accepts the task; for interaction tasks, they join the channel. */
  acceptTask(taskSid: string, workerSid: string): string {
    const t = this.tasks.get(taskSid);
    if (!t) throw new Error(`no task ${taskSid}`);
    t.status = 'assigned';
    t.reservations.push({ sid: this.sid('WR'), workerSid, status: 'accepted' });
    const kd = t.attributes.flexInteractionSid;
    const uo = t.attributes.flexInteractionChannelSid;
    const ch = this.channels.get(`${String(kd)}/${String(uo)}`);
    if (!ch) return '';
    const sid = this.sid('UT');
    ch.participants.push({ sid, type: 'agent', workerSid, taskSid, closed: false });
    return sid;
  }

  setTaskStatus(taskSid: string, status: TaskStatus): void {
    const t = this.tasks.get(taskSid);
    if (!t) throw new Error(`no task ${taskSid}`);
    t.status = status;
  }

  channel(interactionSid: string, channelSid: string): FakeChannel {
    const ch = this.channels.get(`${interactionSid}/${channelSid}`);
    if (!ch) throw new Error('no channel');
    return ch;
  }

  conversationAttributes(conversationSid: string): Record<string, unknown> {
    return JSON.parse(this.conversations.get(conversationSid)?.attributes ?? '{}') as Record<string, unknown>;
  }

  /** A voice call in a conference: customer + agent; the agent's task assigned. */
  startCall(agentWorkerSid: string, opts: { agentEndsConference?: boolean } = {}): { task: FakeTask; conferenceSid: string; customerCallSid: string; agentCallSid: string } {
    const conferenceSid = this.sid('CF');
    const customerCallSid = this.sid('CA');
    const agentCallSid = this.sid('CA');
    const task = this.createRawTask({}, { workflowSid: 'WW' + 'e'.repeat(32), channel: 'voice' });
    task.attributes = {
      call_sid: customerCallSid,
      from: '+15550001111',
      to: '+15550002222',
      direction: 'inbound',
      conference: { sid: conferenceSid, room_name: task.sid, participants: { customer: customerCallSid, worker: agentCallSid } },
    };
    this.conferences.set(conferenceSid, {
      ended: false,
      participants: new Map([
        [customerCallSid, { callSid: customerCallSid, hold: false, endConferenceOnExit: true }],
        [agentCallSid, { callSid: agentCallSid, hold: false, endConferenceOnExit: opts.agentEndsConference ?? true }],
      ]),
    });
    this.acceptTask(task.sid, agentWorkerSid);
    return { task, conferenceSid, customerCallSid, agentCallSid };
  }

  /** A new agent's call joins the conference (what `<Dial><Conference>` does). */
  joinConference(conferenceSid: string): string {
    const c = this.conferences.get(conferenceSid);
    if (!c || c.ended) throw new Error('conference not live');
    const callSid = this.sid('CA');
    c.participants.set(callSid, { callSid, hold: false, endConferenceOnExit: false });
    return callSid;
  }

  confParticipant(conferenceSid: string, callSid: string): FakeConfParticipant | undefined {
    return this.conferences.get(conferenceSid)?.participants.get(callSid);
  }

  // ---------------------------------------------------------------- port

  validateFlexToken(token: string): Promise<TokenValidation> {
    return this.run('validateFlexToken', [token], () => this.tokens.get(token) ?? { valid: false, code: 20101, message: 'Invalid Access Token' });
  }

  fetchTask(sid: string): Promise<TaskRecord> {
    return this.run('fetchTask', [sid], () => {
      const t = this.tasks.get(sid);
      if (!t) this.notFound(`/Tasks/${sid}`);
      return strip(t);
    });
  }

  listTaskReservations(taskSid: string): Promise<ReservationRecord[]> {
    return this.run('listTaskReservations', [taskSid], () => {
      const t = this.tasks.get(taskSid);
      if (!t) this.notFound(`/Tasks/${taskSid}`);
      return t.reservations;
    });
  }

  fetchReservation(taskSid: string, reservationSid: string): Promise<ReservationRecord> {
    return this.run('fetchReservation', [taskSid, reservationSid], () => {
      const r = this.tasks.get(taskSid)?.reservations.find((x) => x.sid === reservationSid);
      return r ?? this.notFound(`/Reservations/${reservationSid}`);
    });
  }

  acceptReservation(taskSid: string, reservationSid: string): Promise<ReservationRecord> {
    return this.run('acceptReservation', [taskSid, reservationSid], () => {
      const t = this.tasks.get(taskSid);
      const r = t?.reservations.find((x) => x.sid === reservationSid);
      if (!t || !r) this.notFound(`/Reservations/${reservationSid}`);
      if (r.status !== 'pending') throw new TwilioCallError({ status: 400, code: 20001, message: `Reservation is ${r.status}` });
      r.status = 'accepted';
      t.status = 'assigned';
      return r;
    });
  }

  /** TaskRouter reserves a worker for a task (pending reservation). */
  reserve(taskSid: string, workerSid: string): string {
    const t = this.tasks.get(taskSid);
    if (!t) throw new Error(`no task ${taskSid}`);
    const sid = this.sid('WR');
    t.status = 'reserved';
    t.reservations.push({ sid, workerSid, status: 'pending' });
    return sid;
  }

  createTask(input: { workflowSid: string; taskChannel: string; attributes: Record<string, unknown>; timeout?: number }): Promise<TaskRecord> {
    return this.run('createTask', [input], () => strip(this.createRawTask(structuredClone(input.attributes), { workflowSid: input.workflowSid, channel: input.taskChannel })));
  }

  updateTaskStatus(sid: string, status: 'canceled' | 'completed' | 'wrapping', _reason?: string): Promise<TaskRecord> {
    return this.run('updateTaskStatus', [sid, status], () => {
      const t = this.tasks.get(sid);
      if (!t) this.notFound(`/Tasks/${sid}`);
      const ok =
        (status === 'canceled' && (t.status === 'pending' || t.status === 'reserved')) ||
        (status === 'wrapping' && t.status === 'assigned') ||
        (status === 'completed' && (t.status === 'assigned' || t.status === 'wrapping'));
      if (!ok) throw new TwilioCallError({ status: 400, code: 20001, message: `Cannot update task in status ${t.status} to ${status}` });
      t.status = status;
      return strip(t);
    });
  }

  updateTaskAttributes(sid: string, attributes: Record<string, unknown>): Promise<TaskRecord> {
    return this.run('updateTaskAttributes', [sid], () => {
      const t = this.tasks.get(sid);
      if (!t) this.notFound(`/Tasks/${sid}`);
      t.attributes = structuredClone(attributes);
      return strip(t);
    });
  }

  listTasks(filter: { workflowSid?: string; statuses?: TaskStatus[]; evaluate?: string }): Promise<TaskRecord[]> {
    return this.run('listTasks', [filter], () =>
      [...this.tasks.values()].filter((t) => (!filter.workflowSid || t.workflowSid === filter.workflowSid) && (!filter.statuses || filter.statuses.includes(t.status))).map(strip),
    );
  }

  fetchWorker(sid: string) {
    return this.run('fetchWorker', [sid], () => this.workers.get(sid) ?? this.notFound(`/Workers/${sid}`));
  }

  fetchQueue(sid: string) {
    return this.run('fetchQueue', [sid], () => this.queues.get(sid) ?? this.notFound(`/TaskQueues/${sid}`));
  }

  listInteractionParticipants(kd: string, uo: string): Promise<InteractionParticipantRecord[]> {
    return this.run('listInteractionParticipants', [kd, uo], () => {
      const ch = this.channels.get(`${kd}/${uo}`) ?? this.notFound(`/Interactions/${kd}/Channels/${uo}`);
      return ch.participants.filter((p) => this.keepClosedParticipants || !p.closed).map((p) => ({ sid: p.sid, type: p.type, workerSid: p.workerSid, taskSid: p.taskSid, status: null }));
    });
  }

  updateInteractionParticipant(kd: string, uo: string, ut: string, status: 'closed' | 'wrapup'): Promise<void> {
    return this.run('updateInteractionParticipant', [kd, uo, ut, status], () => {
      const ch = this.channels.get(`${kd}/${uo}`) ?? this.notFound(`/Interactions/${kd}/Channels/${uo}`);
      const p = ch.participants.find((x) => x.sid === ut) ?? this.notFound(`/Participants/${ut}`);
      if (p.closed) throw new TwilioCallError({ status: 400, code: 20001, message: 'participant already closed' });
      p.closed = true;
      const t = p.taskSid ? this.tasks.get(p.taskSid) : undefined;
      if (t) t.status = status === 'closed' ? 'completed' : 'wrapping';
    });
  }

  closeInteractionChannel(kd: string, uo: string): Promise<void> {
    return this.run('closeInteractionChannel', [kd, uo], () => {
      const ch = this.channels.get(`${kd}/${uo}`) ?? this.notFound(`/Interactions/${kd}/Channels/${uo}`);
      ch.status = 'closed';
      for (const p of ch.participants) {
        const t = p.taskSid ? this.tasks.get(p.taskSid) : undefined;
        if (t && t.status === 'assigned') t.status = 'wrapping';
      }
    });
  }

  createInvite(kd: string, uo: string, routing: InviteRouting): Promise<InviteRecord> {
    return this.run('createInvite', [kd, uo, routing], () => {
      const ch = this.channels.get(`${kd}/${uo}`) ?? this.notFound(`/Interactions/${kd}/Channels/${uo}`);
      if (ch.status === 'closed') throw new TwilioCallError({ status: 400, code: 20001, message: 'channel is closed' });
      const props = routing.properties;
      const attrs = { ...structuredClone(props.attributes), flexInteractionSid: kd, flexInteractionChannelSid: uo, conversationSid: ch.conversationSid };
      const task = this.createRawTask(attrs, { workflowSid: props.workflow_sid, channel: props.task_channel_unique_name });
      const invite: InviteRecord = { sid: this.sid('KG'), taskSid: task.sid, attributes: null, status: null };
      ch.invites.push(invite);
      return invite;
    });
  }

  listInvites(kd: string, uo: string): Promise<InviteRecord[]> {
    return this.run('listInvites', [kd, uo], () =>
      (this.channels.get(`${kd}/${uo}`) ?? this.notFound(`/Interactions/${kd}/Channels/${uo}`)).invites.map((inv) => ({
        ...inv,
        // Like the Interactions API: the invite reports its task's routing properties.
        status: this.echoInviteStatus && inv.taskSid ? (this.tasks.get(inv.taskSid)?.status ?? null) : null,
      })),
    );
  }

  fetchConversation(sid: string): Promise<ConversationRecord> {
    return this.run('fetchConversation', [sid], () => {
      const c = this.conversations.get(sid) ?? this.notFound(`/Conversations/${sid}`);
      return { sid, state: 'active', attributes: JSON.parse(c.attributes) as Record<string, unknown>, rawAttributes: c.attributes };
    });
  }

  updateConversationAttributes(sid: string, attributes: string): Promise<ConversationRecord> {
    return this.run('updateConversationAttributes', [sid], () => {
      const c = this.conversations.get(sid) ?? this.notFound(`/Conversations/${sid}`);
      c.attributes = attributes;
      c.writes += 1;
      return { sid, state: 'active', attributes: JSON.parse(attributes) as Record<string, unknown>, rawAttributes: attributes };
    });
  }

  private conf(cf: string) {
    const c = this.conferences.get(cf);
    if (!c || c.ended) this.notFound(`/Conferences/${cf}`);
    return c;
  }

  listConferenceParticipants(cf: string): Promise<ConferenceParticipantRecord[]> {
    return this.run('listConferenceParticipants', [cf], () =>
      [...this.conf(cf).participants.values()].map((p) => ({ callSid: p.callSid, conferenceSid: cf, hold: p.hold, status: 'connected', endConferenceOnExit: p.endConferenceOnExit, label: null })),
    );
  }

  fetchConferenceParticipant(cf: string, ca: string): Promise<ConferenceParticipantRecord> {
    return this.run('fetchConferenceParticipant', [cf, ca], () => {
      const p = this.conf(cf).participants.get(ca) ?? this.notFound(`/Participants/${ca}`);
      return { callSid: p.callSid, conferenceSid: cf, hold: p.hold, status: 'connected', endConferenceOnExit: p.endConferenceOnExit, label: null };
    });
  }

  updateConferenceParticipant(cf: string, ca: string, update: { hold?: boolean; endConferenceOnExit?: boolean }): Promise<ConferenceParticipantRecord> {
    return this.run('updateConferenceParticipant', [cf, ca, update], () => {
      const p = this.conf(cf).participants.get(ca) ?? this.notFound(`/Participants/${ca}`);
      if (update.hold !== undefined) p.hold = update.hold;
      if (update.endConferenceOnExit !== undefined) p.endConferenceOnExit = update.endConferenceOnExit;
      return { callSid: p.callSid, conferenceSid: cf, hold: p.hold, status: 'connected', endConferenceOnExit: p.endConferenceOnExit, label: null };
    });
  }

  removeConferenceParticipant(cf: string, ca: string): Promise<void> {
    return this.run('removeConferenceParticipant', [cf, ca], () => {
      const c = this.conf(cf);
      const p = c.participants.get(ca) ?? this.notFound(`/Participants/${ca}`);
      c.participants.delete(ca);
      if (p.endConferenceOnExit) {
        c.ended = true;
        for (const other of c.participants.keys()) this.dropped.push(other);
        c.participants.clear();
      }
    });
  }
}

function strip(t: FakeTask): TaskRecord {
  const { reservations: _r, ...rest } = t;
  return rest;
}
