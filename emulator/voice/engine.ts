/**
 * The emulated voice network: calls ring and are answered (by policy or by a
 * test), run TwiML (inline or fetched with a signed webhook), sit in
 * conferences, TaskRouter queues or bridges, and end. Conferences follow
 * Twilio's rules: created on first join, `in-progress` once a participant
 * with startConferenceOnEnter joins, ended when the last participant leaves
 * or an endConferenceOnExit participant leaves; participants that remain
 * continue with the TwiML after their `<Dial>`.
 *
 * All state is in the `api` service's per-account state; instant network
 * steps (ringing, auto-answer, TwiML fetches) run asynchronously and are
 * tracked (`whenIdle`), ring timeouts run on the emulator clock.
 */
import type { ServiceEnv, TimerId } from '../core/types';
import type { TaskRouterApi } from '../services/taskrouter';
import type { VoiceHook, VoiceHookHandler, VoiceHookResult } from './api';
import type { AnswerMode, CallActivity, CallDirection, CallInstruction, CallRec, CallStatus, ConferenceEndReason, ConferenceRec, ConferenceParticipantRec, VoiceState } from './state';
import { conferenceTwiml, parseTwiml, TwimlError, type DialNoun, type TwimlVerb } from './twiml';

export const SERVICE_NAME = 'api';
const MAX_TRANSCRIPT = 200;
const MAX_NOTIFICATIONS = 500;

export interface CreateCallOptions {
  to: string;
  from: string;
  url?: string | null;
  method?: 'GET' | 'POST';
  twiml?: string | null;
  fallbackUrl?: string | null;
  fallbackMethod?: 'GET' | 'POST';
  statusCallback?: string | null;
  statusCallbackMethod?: 'GET' | 'POST';
  statusCallbackEvents?: string[];
  timeoutSec?: number;
  direction?: CallDirection;
  parentCallSid?: string | null;
  instruction?: CallInstruction | null;
  hook?: VoiceHook | null;
  /** Answer now (inbound calls). */
  answered?: boolean;
}

export function isLiveStatus(s: CallStatus): boolean {
  return s === 'queued' || s === 'ringing' || s === 'in-progress';
}

const engines = new WeakMap<ServiceEnv, VoiceEngine>();

export function voiceEngine(env: ServiceEnv): VoiceEngine {
  let e = engines.get(env);
  if (!e) engines.set(env, (e = new VoiceEngine(env)));
  return e;
}

export class VoiceEngine {
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly ringTimers = new Map<string, TimerId>();

  constructor(readonly env: ServiceEnv) {}

  state(accountSid: string): VoiceState {
    return this.env.state<VoiceState>(accountSid, SERVICE_NAME);
  }

  now(): number {
    return this.env.clock.now();
  }

  // ---- async bookkeeping --------------------------------------------------------

  track(p: Promise<unknown>): void {
    const q = p
      .catch((err) => this.env.debug(`voice: ${(err as Error)?.stack ?? String(err)}`))
      .finally(() => this.inflight.delete(q));
    this.inflight.add(q);
  }

  /** Runs `fn` after the current request/handler returned (tracked). */
  soon(fn: () => void): void {
    this.track(new Promise<void>((resolve) => setImmediate(resolve)).then(() => fn()));
  }

  pending(): number {
    return this.inflight.size;
  }

  async whenIdle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  notify(accountSid: string, callSid: string | null, code: number, message: string): void {
    const st = this.state(accountSid);
    st.notifications.push({ at: this.now(), callSid, code, message });
    if (st.notifications.length > MAX_NOTIFICATIONS) st.notifications.splice(0, st.notifications.length - MAX_NOTIFICATIONS);
    this.env.debug(`voice ${code} on ${callSid ?? '-'}: ${message}`);
  }

  private touch(call: CallRec): void {
    call.dateUpdated = this.now();
    this.env.markDirty();
  }

  private say(call: CallRec, verb: string, text?: string): void {
    call.transcript.push({ at: this.now(), verb, ...(text !== undefined ? { text } : {}) });
    if (call.transcript.length > MAX_TRANSCRIPT) call.transcript.splice(0, call.transcript.length - MAX_TRANSCRIPT);
  }

  // ---- answer policy ----------------------------------------------------------

  answerMode(accountSid: string, to: string): AnswerMode {
    for (const rule of this.state(accountSid).answerRules) {
      if (rule.to === to || (rule.to.endsWith('*') && to.startsWith(rule.to.slice(0, -1)))) return rule.mode;
    }
    return to.startsWith('client:') || to.startsWith('sip:') ? 'manual' : 'auto';
  }

  setAnswerMode(accountSid: string, to: string, mode: AnswerMode): void {
    const rules = this.state(accountSid).answerRules.filter((r) => r.to !== to);
    rules.unshift({ to, mode });
    this.state(accountSid).answerRules = rules;
  }

  // ---- calls ------------------------------------------------------------------

  call(accountSid: string, sid: string): CallRec | undefined {
    return this.state(accountSid).calls[sid];
  }

  createCall(accountSid: string, opts: CreateCallOptions): CallRec {
    const now = this.now();
    const call: CallRec = {
      sid: this.env.sids.next('CA'),
      parentCallSid: opts.parentCallSid ?? null,
      to: opts.to,
      from: opts.from,
      direction: opts.direction ?? 'outbound-api',
      status: 'queued',
      dateCreated: now,
      dateUpdated: now,
      startTime: null,
      endTime: null,
      timeoutSec: opts.timeoutSec ?? 60,
      url: opts.url ?? null,
      method: opts.method ?? 'POST',
      twiml: opts.twiml ?? null,
      fallbackUrl: opts.fallbackUrl ?? null,
      fallbackMethod: opts.fallbackMethod ?? 'POST',
      statusCallback: opts.statusCallback ?? null,
      statusCallbackMethod: opts.statusCallbackMethod ?? 'POST',
      statusCallbackEvents: opts.statusCallbackEvents?.length ? opts.statusCallbackEvents : ['completed'],
      activity: { kind: 'none' },
      pendingVerbs: [],
      dialAction: null,
      generation: 0,
      instruction: opts.instruction ?? null,
      hook: opts.hook ?? null,
      transcript: [],
      error: null,
    };
    this.state(accountSid).calls[call.sid] = call;
    if (opts.answered) {
      call.status = 'in-progress';
      call.startTime = now;
      this.soon(() => this.startTwiml(accountSid, call.sid));
      return call;
    }
    this.statusCallback(accountSid, call, 'initiated');
    // Ringing and the callee's reaction happen on the network, after the API answered.
    this.soon(() => this.ring(accountSid, call.sid));
    return call;
  }

  private ring(accountSid: string, callSid: string): void {
    const call = this.call(accountSid, callSid);
    if (!call || call.status !== 'queued') return;
    call.status = 'ringing';
    this.touch(call);
    this.statusCallback(accountSid, call, 'ringing');
    const mode = this.answerMode(accountSid, call.to);
    switch (mode) {
      case 'auto':
        this.answer(accountSid, call.sid);
        return;
      case 'busy':
      case 'failed':
      case 'no-answer':
        this.endCall(accountSid, call, mode);
        return;
      case 'manual':
        this.armRingTimeout(accountSid, call);
        return;
    }
  }

  private armRingTimeout(accountSid: string, call: CallRec): void {
    const key = `${accountSid}/${call.sid}`;
    const at = call.dateCreated + call.timeoutSec * 1000;
    this.ringTimers.set(
      key,
      this.env.clock.at(
        at,
        () => {
          this.ringTimers.delete(key);
          const live = this.call(accountSid, call.sid);
          if (live?.status === 'ringing') this.endCall(accountSid, live, 'no-answer');
        },
        `call ${call.sid} ring timeout`,
      ),
    );
  }

  private clearRingTimer(accountSid: string, callSid: string): void {
    const key = `${accountSid}/${callSid}`;
    const t = this.ringTimers.get(key);
    if (t !== undefined) this.env.clock.cancel(t);
    this.ringTimers.delete(key);
  }

  /** After load/reset/restore: ringing calls get their ring timeout again. */
  rearm(): void {
    this.ringTimers.clear();
    for (const accountSid of this.env.accountsWithState(SERVICE_NAME)) {
      for (const call of Object.values(this.state(accountSid).calls)) {
        if (call.status === 'ringing') this.armRingTimeout(accountSid, call);
        if (call.status === 'queued') this.soon(() => this.ring(accountSid, call.sid));
      }
    }
  }

  /** The callee picks up. */
  answer(accountSid: string, callSid: string): CallRec {
    const call = this.call(accountSid, callSid);
    if (!call) throw new Error(`unknown call ${callSid}`);
    if (call.status === 'queued') this.ring(accountSid, callSid);
    if (call.status !== 'ringing') throw new Error(`call ${callSid} is ${call.status}, not ringing`);
    this.clearRingTimer(accountSid, callSid);
    call.status = 'in-progress';
    call.startTime = this.now();
    this.touch(call);
    this.statusCallback(accountSid, call, 'answered');
    // A dialed leg joins its parent.
    if (call.parentCallSid && call.direction === 'outbound-dial') {
      const parent = this.call(accountSid, call.parentCallSid);
      if (parent && parent.activity.kind === 'dialing' && parent.activity.childCallSid === call.sid) {
        parent.activity = { kind: 'bridged', otherCallSid: call.sid };
        call.activity = { kind: 'bridged', otherCallSid: parent.sid };
        return call;
      }
    }
    const instruction = call.instruction;
    if (instruction?.kind === 'join') {
      const conf = this.state(accountSid).conferences[instruction.conferenceSid];
      if (!conf || conf.status === 'completed') {
        this.notify(accountSid, call.sid, 21220, `Conference ${instruction.conferenceSid} ended before the participant answered`);
        this.endCall(accountSid, call, 'completed');
        return call;
      }
      this.joinConference(accountSid, call, conf.friendlyName, instruction.attrs, instruction.label, conf.sid);
      return call;
    }
    if (instruction?.kind === 'dequeue') {
      const customer = this.call(accountSid, instruction.customerCallSid);
      if (!customer || customer.status !== 'in-progress') {
        this.finishHook(accountSid, call, { ok: false, callSid: call.sid, reason: `customer call ${instruction.customerCallSid} is not live` });
        this.endCall(accountSid, call, 'completed');
        return call;
      }
      this.leaveActivity(accountSid, customer, 'moved');
      customer.activity = { kind: 'bridged', otherCallSid: call.sid };
      call.activity = { kind: 'bridged', otherCallSid: customer.sid };
      this.finishHook(accountSid, call, { ok: true, callSid: call.sid, customerCallSid: customer.sid });
      return call;
    }
    this.startTwiml(accountSid, call.sid);
    return call;
  }

  /** Runs the call's initial TwiML (inline or fetched). */
  private startTwiml(accountSid: string, callSid: string): void {
    const call = this.call(accountSid, callSid);
    if (!call || call.status !== 'in-progress') return;
    if (call.twiml !== null) {
      this.runDocument(accountSid, call, call.twiml, 'the call\'s Twiml');
      this.afterInstructionJoin(accountSid, call);
    } else if (call.url) {
      this.fetchAndRun(accountSid, call, call.url, call.method, {}, call.fallbackUrl ? { url: call.fallbackUrl, method: call.fallbackMethod } : undefined);
    } else {
      this.endCall(accountSid, call, 'completed');
    }
  }

  /** The conference instruction: the worker joined; bring the customer in and report. */
  private afterInstructionJoin(accountSid: string, call: CallRec): void {
    const instruction = call.instruction;
    if (instruction?.kind !== 'conference') return;
    if (call.activity.kind !== 'conference') {
      this.finishHook(accountSid, call, { ok: false, callSid: call.sid, reason: 'the worker did not join the conference' });
      return;
    }
    const conferenceSid = call.activity.conferenceSid;
    let customerCallSid: string | undefined;
    if (instruction.customerCallSid) {
      const customer = this.call(accountSid, instruction.customerCallSid);
      if (!customer || customer.status !== 'in-progress') {
        this.finishHook(accountSid, call, { ok: false, callSid: call.sid, reason: `customer call ${instruction.customerCallSid} is not live` });
        this.hangup(accountSid, call.sid);
        return;
      }
      if (!(customer.activity.kind === 'conference' && customer.activity.conferenceSid === conferenceSid)) {
        this.leaveActivity(accountSid, customer, 'moved');
        this.joinConference(accountSid, customer, instruction.conferenceName, instruction.customer, null, conferenceSid);
      }
      customerCallSid = customer.sid;
    }
    this.finishHook(accountSid, call, { ok: true, callSid: call.sid, conferenceSid, customerCallSid });
  }

  private finishHook(accountSid: string, call: CallRec, result: VoiceHookResult): void {
    const hook = call.hook;
    if (!hook) return;
    call.hook = null;
    try {
      this.env.service<VoiceHookHandler>(hook.service).handleVoiceHook(accountSid, hook.data, result);
    } catch (err) {
      this.env.debug(`voice hook ${hook.service} failed: ${(err as Error)?.stack ?? String(err)}`);
    }
  }

  /** The far end hangs up (or the API completes the call). */
  hangup(accountSid: string, callSid: string): void {
    const call = this.call(accountSid, callSid);
    if (!call || !isLiveStatus(call.status)) return;
    this.endCall(accountSid, call, call.status === 'in-progress' ? 'completed' : 'canceled');
  }

  endCall(accountSid: string, call: CallRec, status: CallStatus): void {
    if (!isLiveStatus(call.status)) return;
    const wasAnswered = call.status === 'in-progress';
    this.clearRingTimer(accountSid, call.sid);
    this.leaveActivity(accountSid, call, 'hangup');
    call.status = status;
    call.endTime = this.now();
    call.pendingVerbs = [];
    call.generation += 1;
    this.touch(call);
    if (!wasAnswered) this.finishHook(accountSid, call, { ok: false, callSid: call.sid, reason: `the call ended ${status}`, status });
    else if (call.hook) this.finishHook(accountSid, call, { ok: false, callSid: call.sid, reason: 'the call ended before the instruction completed', status });
    // A ringing dialed leg that ends lets its parent carry on.
    if (call.parentCallSid && call.direction === 'outbound-dial') {
      const parent = this.call(accountSid, call.parentCallSid);
      if (parent && parent.activity.kind === 'dialing' && parent.activity.childCallSid === call.sid) {
        parent.activity = { kind: 'none' };
        this.resumeAfterDial(accountSid, parent, status);
      }
    }
    this.statusCallback(accountSid, call, 'completed');
  }

  /**
   * Leaves whatever the call is in. `hangup`: the call is ending; `moved`: it
   * is being taken elsewhere by TaskRouter (its task is not canceled);
   * `redirect`: new TwiML replaces the current activity.
   */
  leaveActivity(accountSid: string, call: CallRec, why: 'hangup' | 'moved' | 'redirect' | 'kicked'): void {
    const a: CallActivity = call.activity;
    call.activity = { kind: 'none' };
    switch (a.kind) {
      case 'conference': {
        const conf = this.state(accountSid).conferences[a.conferenceSid];
        if (conf) this.removeParticipant(accountSid, conf, call.sid, why === 'kicked' ? 'kicked' : 'left');
        return;
      }
      case 'taskrouter': {
        if (why === 'moved') return;
        // A caller who leaves the queue (hangs up, redirected) cancels its waiting task.
        try {
          this.env.service<TaskRouterApi>('taskrouter').endTask(accountSid, a.workspaceSid, a.taskSid, 'canceled', why === 'hangup' ? 'hangup' : 'Call left the queue');
        } catch (err) {
          this.env.debug(`voice: could not cancel task ${a.taskSid}: ${(err as Error).message}`);
        }
        return;
      }
      case 'dialing': {
        const child = this.call(accountSid, a.childCallSid);
        if (child && isLiveStatus(child.status)) this.endCall(accountSid, child, child.status === 'in-progress' ? 'completed' : 'canceled');
        return;
      }
      case 'bridged': {
        const other = this.call(accountSid, a.otherCallSid);
        if (other && other.activity.kind === 'bridged' && other.activity.otherCallSid === call.sid) {
          other.activity = { kind: 'none' };
          if (other.status === 'in-progress') this.resumeAfterDial(accountSid, other, 'completed');
        }
        return;
      }
      default:
        return;
    }
  }

  /** New TwiML for a live call (Calls update with Url/Twiml, the redirect instruction). */
  redirect(accountSid: string, call: CallRec, target: { url?: string; method?: 'GET' | 'POST'; twiml?: string }): void {
    if (call.status !== 'in-progress') {
      // A call that has not been answered yet just gets new TwiML for when it is.
      if (target.twiml !== undefined) {
        call.twiml = target.twiml;
        call.url = null;
      } else if (target.url) {
        call.url = target.url;
        call.method = target.method ?? 'POST';
        call.twiml = null;
      }
      return;
    }
    this.leaveActivity(accountSid, call, 'redirect');
    call.pendingVerbs = [];
    call.dialAction = null;
    call.generation += 1;
    if (target.twiml !== undefined) this.runDocument(accountSid, call, target.twiml, 'the Twiml parameter');
    else if (target.url) this.fetchAndRun(accountSid, call, target.url, target.method ?? 'POST', {});
  }

  // ---- TwiML ------------------------------------------------------------------

  callParams(accountSid: string, call: CallRec): Record<string, string> {
    const p: Record<string, string> = {
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      CallSid: call.sid,
      CallStatus: call.status,
      Called: call.to,
      Caller: call.from,
      Direction: call.direction,
      From: call.from,
      To: call.to,
    };
    if (call.parentCallSid) p.ParentCallSid = call.parentCallSid;
    return p;
  }

  private fail(accountSid: string, call: CallRec, code: number, message: string): void {
    call.error = { code, message };
    this.notify(accountSid, call.sid, code, message);
    this.endCall(accountSid, call, 'failed');
  }

  fetchAndRun(
    accountSid: string,
    call: CallRec,
    url: string,
    method: 'GET' | 'POST',
    extra: Record<string, string>,
    fallback?: { url: string; method: 'GET' | 'POST' },
  ): void {
    const generation = call.generation;
    this.track(
      (async () => {
        const targets = [{ url, method }, ...(fallback ? [fallback] : [])];
        for (const t of targets) {
          const live = this.call(accountSid, call.sid);
          if (!live || live.generation !== generation || live.status !== 'in-progress') return;
          const res = await this.env.webhooks.send({ url: t.url, method: t.method, params: { ...this.callParams(accountSid, live), ...extra }, accountSid });
          const after = this.call(accountSid, call.sid);
          if (!after || after.generation !== generation || after.status !== 'in-progress') return;
          if (res.error || res.status === 0 || res.status >= 400) {
            this.notify(accountSid, call.sid, 11200, `HTTP retrieval failure: ${t.method} ${t.url} ${res.error ?? `answered ${res.status}`}`);
            continue;
          }
          this.runDocument(accountSid, after, res.body, t.url);
          return;
        }
        const live = this.call(accountSid, call.sid);
        if (live && live.generation === generation && live.status === 'in-progress') this.fail(accountSid, live, 11200, `No TwiML could be retrieved from ${url}`);
      })(),
    );
  }

  /** Parses and runs a TwiML document on a live call; invalid TwiML fails the call (12100/12200). */
  runDocument(accountSid: string, call: CallRec, source: string, where: string): void {
    let verbs: TwimlVerb[];
    try {
      verbs = parseTwiml(source);
    } catch (err) {
      if (err instanceof TwimlError) {
        this.fail(accountSid, call, err.code, `${err.message} in ${where}`);
        return;
      }
      throw err;
    }
    call.pendingVerbs = verbs;
    call.dialAction = null;
    this.continueCall(accountSid, call);
  }

  /** Runs pending verbs until one blocks (Dial, Enqueue, Redirect) or the document ends (hang up). */
  continueCall(accountSid: string, call: CallRec): void {
    while (call.status === 'in-progress' && call.activity.kind === 'none') {
      const verb = call.pendingVerbs.shift();
      if (!verb) {
        this.endCall(accountSid, call, 'completed');
        return;
      }
      if (!this.execute(accountSid, call, verb)) return;
    }
    this.touch(call);
  }

  /** Executes one verb; false when the call must wait (or ended). */
  private execute(accountSid: string, call: CallRec, verb: TwimlVerb): boolean {
    switch (verb.verb) {
      case 'Say':
        this.say(call, 'Say', verb.text);
        return true;
      case 'Play':
        this.say(call, 'Play', verb.url);
        return true;
      case 'Pause':
        this.say(call, 'Pause', String(verb.length));
        return true;
      case 'Record':
        this.say(call, 'Record');
        return true;
      case 'Gather':
        for (const child of verb.children) this.execute(accountSid, call, child);
        this.say(call, 'Gather');
        return true;
      case 'Leave':
        return true;
      case 'Hangup':
        this.say(call, 'Hangup');
        this.endCall(accountSid, call, 'completed');
        return false;
      case 'Reject':
        this.say(call, 'Reject', verb.reason);
        this.endCall(accountSid, call, verb.reason === 'busy' ? 'busy' : 'completed');
        return false;
      case 'Redirect':
        call.pendingVerbs = [];
        this.fetchAndRun(accountSid, call, this.absolute(call, verb.url), verb.method, {});
        return false;
      case 'Dial':
        return this.dial(accountSid, call, verb.nouns, verb.attrs);
      case 'Enqueue':
        return this.enqueue(accountSid, call, verb);
    }
  }

  private absolute(call: CallRec, url: string): string {
    try {
      return new URL(url, call.url ?? undefined).toString();
    } catch {
      return url;
    }
  }

  private dial(accountSid: string, call: CallRec, nouns: DialNoun[], attrs: Record<string, string>): boolean {
    call.dialAction = attrs.action ? { url: this.absolute(call, attrs.action), method: (attrs.method?.toUpperCase() === 'GET' ? 'GET' : 'POST') } : null;
    const first = nouns[0];
    if (first.noun === 'Conference') {
      const a = first.attrs;
      this.joinConference(
        accountSid,
        call,
        first.name,
        {
          startConferenceOnEnter: a.startConferenceOnEnter,
          endConferenceOnExit: a.endConferenceOnExit,
          muted: a.muted,
          beep: a.beep,
          waitUrl: a.waitUrl,
        },
        a.participantLabel ?? null,
      );
      return false;
    }
    if (first.noun === 'Queue') {
      this.notify(accountSid, call.sid, 12200, '<Dial><Queue> is not emulated; the call continues');
      return true;
    }
    const target = first.noun === 'Client' && !first.target.startsWith('client:') ? `client:${first.target}` : first.noun === 'Sip' && !first.target.startsWith('sip:') ? `sip:${first.target}` : first.target;
    const child = this.createCall(accountSid, {
      to: target,
      from: attrs.callerId ?? call.to,
      direction: 'outbound-dial',
      parentCallSid: call.sid,
      timeoutSec: attrs.timeout ? Number(attrs.timeout) : 30,
    });
    call.activity = { kind: 'dialing', childCallSid: child.sid };
    this.say(call, 'Dial', target);
    return false;
  }

  private enqueue(accountSid: string, call: CallRec, verb: Extract<TwimlVerb, { verb: 'Enqueue' }>): boolean {
    const action = verb.attrs.action ? { url: this.absolute(call, verb.attrs.action), method: (verb.attrs.method?.toUpperCase() === 'GET' ? 'GET' : 'POST') as 'GET' | 'POST' } : undefined;
    if (!verb.workflowSid) {
      call.activity = { kind: 'queue', name: verb.name };
      return false;
    }
    let attrs: Record<string, unknown>;
    try {
      attrs = JSON.parse(verb.task?.attributes ?? '{}') as Record<string, unknown>;
    } catch {
      attrs = {};
    }
    const attributes = { ...attrs, call_sid: call.sid, from: call.from, to: call.to, direction: call.direction, caller: call.from, called: call.to, account_sid: accountSid };
    let tr: TaskRouterApi;
    try {
      tr = this.env.service<TaskRouterApi>('taskrouter');
    } catch {
      this.fail(accountSid, call, 12200, '<Enqueue workflowSid> needs the taskrouter service');
      return false;
    }
    let ref: { workspaceSid: string; taskSid: string };
    try {
      ref = tr.enqueue(accountSid, { workflowSid: verb.workflowSid, attributes, priority: verb.task?.priority, timeout: verb.task?.timeout });
    } catch (err) {
      this.fail(accountSid, call, 12200, `<Enqueue workflowSid="${verb.workflowSid}"> failed: ${(err as Error).message}`);
      return false;
    }
    // The task may already be routed and even bridged/conferenced synchronously; only wait if still queued.
    const live = this.call(accountSid, call.sid);
    if (live && live.status === 'in-progress' && live.activity.kind === 'none') {
      live.activity = { kind: 'taskrouter', workspaceSid: ref.workspaceSid, taskSid: ref.taskSid, ...(action ? { action } : {}) };
    }
    this.say(call, 'Enqueue', ref.taskSid);
    return false;
  }

  /** TaskRouter canceled the task of a waiting caller: the call continues after its `<Enqueue>`. */
  onTaskEnded(accountSid: string, taskSid: string, callSid: string | undefined, reason: string): void {
    if (!callSid) return;
    const call = this.call(accountSid, callSid);
    if (!call || call.status !== 'in-progress' || call.activity.kind !== 'taskrouter' || call.activity.taskSid !== taskSid) return;
    const action = call.activity.action;
    call.activity = { kind: 'none' };
    this.say(call, 'Dequeued', reason);
    if (action) {
      call.pendingVerbs = [];
      this.fetchAndRun(accountSid, call, action.url, action.method, { QueueResult: 'system-error', QueueSid: taskSid });
    } else {
      this.continueCall(accountSid, call);
    }
  }

  private resumeAfterDial(accountSid: string, call: CallRec, dialStatus: CallStatus): void {
    if (call.status !== 'in-progress') return;
    const action = call.dialAction;
    call.dialAction = null;
    if (action) {
      call.pendingVerbs = [];
      this.fetchAndRun(accountSid, call, action.url, action.method, { DialCallStatus: dialStatus });
      return;
    }
    this.continueCall(accountSid, call);
  }

  // ---- conferences ------------------------------------------------------------

  conferenceByName(accountSid: string, name: string): ConferenceRec | undefined {
    const all = Object.values(this.state(accountSid).conferences).filter((c) => c.friendlyName === name);
    return all.find((c) => c.status !== 'completed') ?? all[all.length - 1];
  }

  /** The live conference named `name`, created (status `init`) when there is none. */
  liveConference(accountSid: string, name: string): ConferenceRec {
    const existing = Object.values(this.state(accountSid).conferences).find((c) => c.friendlyName === name && c.status !== 'completed');
    if (existing) return existing;
    const now = this.now();
    const conf: ConferenceRec = {
      sid: this.env.sids.next('CF'),
      friendlyName: name,
      status: 'init',
      region: 'us1',
      dateCreated: now,
      dateUpdated: now,
      reasonEnded: null,
      callSidEndingConference: null,
      participants: {},
      announcements: [],
    };
    this.state(accountSid).conferences[conf.sid] = conf;
    return conf;
  }

  private flag(v: string | boolean | undefined, dflt: boolean): boolean {
    if (v === undefined) return dflt;
    if (typeof v === 'boolean') return v;
    return v.toLowerCase() === 'true';
  }

  joinConference(accountSid: string, call: CallRec, name: string, attrs: Record<string, string | boolean | undefined>, label: string | null, conferenceSid?: string): ConferenceRec {
    const conf = (conferenceSid && this.state(accountSid).conferences[conferenceSid]?.status !== 'completed' ? this.state(accountSid).conferences[conferenceSid] : undefined) ?? this.liveConference(accountSid, name);
    const now = this.now();
    const existing = conf.participants[call.sid];
    const p: ConferenceParticipantRec = existing ?? {
      callSid: call.sid,
      label,
      status: 'connected',
      muted: false,
      hold: false,
      holdUrl: null,
      holdMethod: 'GET',
      endConferenceOnExit: false,
      startConferenceOnEnter: true,
      coaching: false,
      callSidToCoach: null,
      beepOnExit: null,
      waitUrl: null,
      dateCreated: now,
      dateUpdated: now,
    };
    p.status = 'connected';
    p.label = label ?? p.label;
    p.muted = this.flag(attrs.muted, p.muted);
    p.endConferenceOnExit = this.flag(attrs.endConferenceOnExit, p.endConferenceOnExit);
    p.startConferenceOnEnter = this.flag(attrs.startConferenceOnEnter, p.startConferenceOnEnter);
    if (typeof attrs.waitUrl === 'string') p.waitUrl = attrs.waitUrl;
    p.dateUpdated = now;
    conf.participants[call.sid] = p;
    if (p.startConferenceOnEnter && conf.status === 'init') conf.status = 'in-progress';
    conf.dateUpdated = now;
    call.activity = { kind: 'conference', conferenceSid: conf.sid };
    this.say(call, 'Conference', conf.friendlyName);
    this.touch(call);
    return conf;
  }

  /** Connected participants (ringing ones are not yet in). */
  connected(conf: ConferenceRec): ConferenceParticipantRec[] {
    return Object.values(conf.participants).filter((p) => p.status === 'connected');
  }

  private removeParticipant(accountSid: string, conf: ConferenceRec, callSid: string, how: 'left' | 'kicked'): void {
    const p = conf.participants[callSid];
    if (!p) return;
    delete conf.participants[callSid];
    conf.dateUpdated = this.now();
    if (conf.status === 'completed' || p.status !== 'connected') return;
    if (p.endConferenceOnExit) {
      this.endConference(accountSid, conf, how === 'kicked' ? 'participant-with-end-conference-on-exit-kicked' : 'participant-with-end-conference-on-exit-left', callSid);
    } else if (this.connected(conf).length === 0) {
      this.endConference(accountSid, conf, how === 'kicked' ? 'last-participant-kicked' : 'last-participant-left', callSid);
    }
  }

  /** Removes a participant (DELETE): it leaves and its call continues after `<Dial>` (usually ending). */
  kick(accountSid: string, conf: ConferenceRec, callSid: string): void {
    const call = this.call(accountSid, callSid);
    if (call && call.activity.kind === 'conference' && call.activity.conferenceSid === conf.sid) {
      this.leaveActivity(accountSid, call, 'kicked');
      this.resumeAfterDial(accountSid, call, 'completed');
    } else {
      const p = conf.participants[callSid];
      if (p && p.status !== 'connected' && call && isLiveStatus(call.status)) this.endCall(accountSid, call, 'canceled');
      this.removeParticipant(accountSid, conf, callSid, 'kicked');
    }
  }

  endConference(accountSid: string, conf: ConferenceRec, reason: ConferenceEndReason, callSid: string | null): void {
    if (conf.status === 'completed') return;
    conf.status = 'completed';
    conf.reasonEnded = reason;
    conf.callSidEndingConference = callSid;
    conf.dateUpdated = this.now();
    for (const p of Object.values(conf.participants)) {
      delete conf.participants[p.callSid];
      const call = this.call(accountSid, p.callSid);
      if (!call) continue;
      if (call.activity.kind === 'conference' && call.activity.conferenceSid === conf.sid) {
        call.activity = { kind: 'none' };
        this.resumeAfterDial(accountSid, call, 'completed');
      } else if (isLiveStatus(call.status) && call.status !== 'in-progress') {
        this.endCall(accountSid, call, 'canceled');
      }
    }
  }

  // ---- status callbacks ---------------------------------------------------------

  private statusCallback(accountSid: string, call: CallRec, event: 'initiated' | 'ringing' | 'answered' | 'completed'): void {
    if (!call.statusCallback || !call.statusCallbackEvents.includes(event)) return;
    const params: Record<string, string> = {
      ...this.callParams(accountSid, call),
      CallbackSource: 'call-progress-events',
      Timestamp: new Date(this.now()).toUTCString(),
      SequenceNumber: String(['initiated', 'ringing', 'answered', 'completed'].indexOf(event)),
    };
    if (event === 'completed') params.CallDuration = String(duration(call));
    const url = call.statusCallback;
    this.track(this.env.webhooks.send({ url, method: call.statusCallbackMethod, params, accountSid }));
  }

  // ---- instructions (TaskRouter) --------------------------------------------------

  conferenceInstructionTwiml(name: string, worker: Record<string, string | boolean | undefined>): string {
    return conferenceTwiml(name, {
      startConferenceOnEnter: worker.startConferenceOnEnter,
      endConferenceOnExit: worker.endConferenceOnExit,
      beep: worker.beep,
      muted: worker.muted,
      waitUrl: worker.waitUrl,
    });
  }
}

export function duration(call: CallRec): number {
  if (call.startTime === null) return 0;
  return Math.max(0, Math.floor(((call.endTime ?? call.startTime) - call.startTime) / 1000));
}
