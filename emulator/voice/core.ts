/**
 * The base of the emulated voice network (engine.ts describes the layers):
 * per-account state, async bookkeeping (`whenIdle`), notifications, call
 * transcripts, who answers a call, and the parameters TwiML fetches and
 * status callbacks carry.
 *
 * The operations the layers above implement are declared abstract here, so
 * each layer calls the others without importing them.
 */
import type { ServiceEnv } from '../core/types';
import type { VoiceHook } from './api';
import type { AnswerMode, CallDirection, CallInstruction, CallRec, CallStatus, VoiceState } from './state';

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

export function duration(call: CallRec): number {
  if (call.startTime === null) return 0;
  return Math.max(0, Math.floor(((call.endTime ?? call.startTime) - call.startTime) / 1000));
}

export abstract class VoiceCore {
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(readonly env: ServiceEnv) {}

  state(accountSid: string): VoiceState {
    return this.env.state<VoiceState>(accountSid, SERVICE_NAME);
  }

  now(): number {
    return this.env.clock.now();
  }

  // Async bookkeeping: network steps run after the request that caused them.

  track(p: Promise<unknown>): void {
    const q = p.catch((err) => this.env.debug(`voice: ${(err as Error)?.stack ?? String(err)}`)).finally(() => this.inflight.delete(q));
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

  protected touch(call: CallRec): void {
    call.dateUpdated = this.now();
    this.env.markDirty();
  }

  protected say(call: CallRec, verb: string, text?: string): void {
    call.transcript.push({ at: this.now(), verb, ...(text !== undefined ? { text } : {}) });
    if (call.transcript.length > MAX_TRANSCRIPT) call.transcript.splice(0, call.transcript.length - MAX_TRANSCRIPT);
  }

  // Who answers a call.

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

  call(accountSid: string, sid: string): CallRec | undefined {
    return this.state(accountSid).calls[sid];
  }

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

  // Implemented by the layers above.

  abstract createCall(accountSid: string, opts: CreateCallOptions): CallRec;
  abstract endCall(accountSid: string, call: CallRec, status: CallStatus): void;
  abstract leaveActivity(accountSid: string, call: CallRec, why: 'hangup' | 'moved' | 'redirect' | 'kicked'): void;
  protected abstract resumeAfterDial(accountSid: string, call: CallRec, dialStatus: CallStatus): void;
}
