/**
 * The emulated voice network: calls ring and are answered (by policy or by a
 * test), run TwiML (inline or fetched with a signed webhook), sit in
 * conferences, TaskRouter queues or bridges, and end.
 *
 * One engine per emulator, built in layers, each in its own file and each
 * using only the ones below it:
 * - core.ts: state, async bookkeeping, answer policy, status callbacks, hooks;
 * - conferences.ts: conferences and their participants;
 * - twiml-runner.ts: TwiML documents and verbs;
 * - engine.ts (this layer): a call's life: created, ringing, answered, ended.
 *
 * All state is in the `api` service's per-account state; instant network
 * steps (ringing, auto-answer, TwiML fetches) run asynchronously and are
 * tracked (`whenIdle`), ring timeouts run on the emulator clock.
 */
import type { ServiceEnv, TimerId } from '../core/types';
import type { TaskRouterApi } from '../services/taskrouter';
import type { VoiceHookHandler, VoiceHookResult } from './api';
import { duration, isLiveStatus, SERVICE_NAME, type CreateCallOptions } from './core';
import type { CallActivity, CallRec, CallStatus } from './state';
import { VoiceTwiml } from './twiml-runner';

export { duration, isLiveStatus, type CreateCallOptions } from './core';

export class VoiceEngine extends VoiceTwiml {
  private readonly ringTimers = new Map<string, TimerId>();

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
      this.runDocument(accountSid, call, call.twiml, "the call's Twiml");
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
}

const engines = new WeakMap<ServiceEnv, VoiceEngine>();

export function voiceEngine(env: ServiceEnv): VoiceEngine {
  let e = engines.get(env);
  if (!e) engines.set(env, (e = new VoiceEngine(env)));
  return e;
}
