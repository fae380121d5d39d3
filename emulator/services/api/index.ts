/**
 * API 2010 voice (api.twilio.com/2010-04-01): Calls, Conferences and their
 * Participants, on the emulated voice network (`emulator/voice/`). Also the
 * in-process VoiceApi TaskRouter uses, test controls for the far end of
 * calls, and their HTTP form under `/voice-network/<AccountSid>/...`.
 * See README.md.
 */
import type { RawMount, RawRequest, RawResponse, ServiceEnv, ServiceModule } from '../../core/types';
import type { DequeueOptions, DialIntoConferenceOptions, PlaceCallOptions, VoiceApi } from '../../voice/api';
import { isLiveStatus, voiceEngine } from '../../voice/engine';
import { initialVoiceState, type AnswerMode, type CallRec, type ConferenceRec, type VoiceNotification, type VoiceState } from '../../voice/state';
import type { TaskRouterApi } from '../taskrouter';
import { apiRoutes } from './routes';

export type { VoiceState, CallRec, ConferenceRec, AnswerMode };

/** VoiceApi (for TaskRouter) + controls for tests: `emulator.core.apiOf<VoiceNetworkApi>('api')`. */
export interface VoiceNetworkApi extends VoiceApi {
  calls(accountSid: string): CallRec[];
  call(accountSid: string, callSid: string): CallRec | undefined;
  /** Live conference by name, else the last one with that name; or by SID. */
  conference(accountSid: string, sidOrName: string): ConferenceRec | undefined;
  /** The callee answers a ringing call. */
  answer(accountSid: string, callSid: string): CallRec;
  /** Answers the most recent ringing call to `to` (e.g. `client:alice`); throws when none rings. */
  answerRinging(accountSid: string, to: string): CallRec;
  /** The callee declines: busy, no-answer or failed. */
  decline(accountSid: string, callSid: string, status: 'busy' | 'no-answer' | 'failed'): void;
  /** The far end hangs up. */
  hangup(accountSid: string, callSid: string): void;
  /** How calls to `to` (exact, or a prefix ending in `*`) are answered: auto (default for numbers), manual (default for client:/sip:), busy, no-answer, failed. */
  setAnswerMode(accountSid: string, to: string, mode: AnswerMode): void;
  /** A call arriving at a Twilio number: answered at once, runs `twiml` or fetches `url`. */
  inboundCall(accountSid: string, opts: { from: string; to: string; twiml?: string; url?: string }): CallRec;
  /** Errors reported by the voice network (11200, 12100, 12200, ...). */
  notifications(accountSid: string): VoiceNotification[];
  pending(): number;
  whenIdle(): Promise<void>;
}

function createApi(env: ServiceEnv): VoiceNetworkApi {
  const engine = voiceEngine(env);
  const mustCall = (accountSid: string, sid: string) => {
    const c = engine.call(accountSid, sid);
    if (!c) throw new Error(`unknown call ${sid} in account ${accountSid}`);
    return c;
  };
  return {
    dialIntoConference(accountSid, opts: DialIntoConferenceOptions) {
      const call = engine.createCall(accountSid, {
        to: opts.to,
        from: opts.from,
        timeoutSec: opts.timeoutSec,
        twiml: engine.conferenceInstructionTwiml(opts.conferenceName, { ...opts.worker }),
        statusCallback: opts.statusCallback,
        instruction: { kind: 'conference', conferenceName: opts.conferenceName, customerCallSid: opts.customerCallSid, customer: { ...(opts.customer ?? {}) } },
        hook: opts.hook,
      });
      return call.sid;
    },
    placeCall(accountSid, opts: PlaceCallOptions) {
      return engine.createCall(accountSid, {
        to: opts.to,
        from: opts.from,
        url: opts.url,
        method: opts.method,
        twiml: opts.twiml,
        timeoutSec: opts.timeoutSec,
        statusCallback: opts.statusCallback,
        statusCallbackEvents: opts.statusCallbackEvents,
        hook: opts.hook,
        parentCallSid: opts.parentCallSid,
      }).sid;
    },
    dequeue(accountSid, opts: DequeueOptions) {
      return engine.createCall(accountSid, { to: opts.to, from: opts.from, timeoutSec: opts.timeoutSec, instruction: { kind: 'dequeue', customerCallSid: opts.customerCallSid }, hook: opts.hook }).sid;
    },
    redirectCall(accountSid, callSid, url, method) {
      const call = mustCall(accountSid, callSid);
      if (isLiveStatus(call.status)) engine.redirect(accountSid, call, { url, method });
    },
    isLive: (accountSid, callSid) => {
      const c = engine.call(accountSid, callSid);
      return !!c && isLiveStatus(c.status);
    },
    calls: (accountSid) => Object.values(engine.state(accountSid).calls),
    call: (accountSid, sid) => engine.call(accountSid, sid),
    conference: (accountSid, sidOrName) => engine.state(accountSid).conferences[sidOrName] ?? engine.conferenceByName(accountSid, sidOrName),
    answer: (accountSid, sid) => engine.answer(accountSid, sid),
    answerRinging(accountSid, to) {
      const ringing = Object.values(engine.state(accountSid).calls).filter((c) => c.to === to && (c.status === 'ringing' || c.status === 'queued'));
      const last = ringing[ringing.length - 1];
      if (!last) throw new Error(`no call to ${to} is ringing in account ${accountSid}`);
      return engine.answer(accountSid, last.sid);
    },
    decline(accountSid, sid, status) {
      const call = mustCall(accountSid, sid);
      if (call.status !== 'queued' && call.status !== 'ringing') throw new Error(`call ${sid} is ${call.status}, not ringing`);
      engine.endCall(accountSid, call, status);
    },
    hangup: (accountSid, sid) => engine.hangup(accountSid, sid),
    setAnswerMode: (accountSid, to, mode) => engine.setAnswerMode(accountSid, to, mode),
    inboundCall(accountSid, opts) {
      if (opts.twiml === undefined && !opts.url) throw new Error('inboundCall needs twiml or url');
      return engine.createCall(accountSid, { to: opts.to, from: opts.from, twiml: opts.twiml ?? null, url: opts.url ?? null, direction: 'inbound', answered: true });
    },
    notifications: (accountSid) => [...engine.state(accountSid).notifications],
    pending: () => engine.pending(),
    whenIdle: () => engine.whenIdle(),
  };
}

// ---- HTTP test controls: /voice-network/<AccountSid>/... ----------------------------

function json(status: number, body: unknown): RawResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

function param(req: RawRequest, name: string): string | undefined {
  const fromJson = req.json && typeof req.json === 'object' ? (req.json as Record<string, unknown>)[name] : undefined;
  const v = fromJson ?? req.body[name] ?? req.query[name];
  return v === undefined ? undefined : Array.isArray(v) ? String(v[v.length - 1]) : String(v);
}

const voiceNetworkMount: RawMount = {
  operation: 'voice-network.control',
  prefix: 'voice-network',
  mutating: true,
  async handle(req, env) {
    const api = env.service<VoiceNetworkApi>('api');
    const accountSid = req.host;
    if (!env.accounts.get(accountSid)) return json(404, { message: `unknown account ${accountSid}` });
    const parts = req.path.split('/').filter(Boolean);
    try {
      if (req.method === 'GET' && parts[0] === 'Calls' && parts.length === 1) return json(200, { calls: api.calls(accountSid) });
      if (req.method === 'GET' && parts[0] === 'Calls' && parts.length === 2) {
        const c = api.call(accountSid, parts[1]);
        return c ? json(200, c) : json(404, { message: `unknown call ${parts[1]}` });
      }
      if (req.method === 'GET' && parts[0] === 'notifications') return json(200, { notifications: api.notifications(accountSid) });
      if (req.method === 'POST' && parts[0] === 'Calls' && parts.length === 3) {
        const sid = parts[1];
        switch (parts[2]) {
          case 'answer':
            return json(200, api.answer(accountSid, sid));
          case 'hangup':
            api.hangup(accountSid, sid);
            return json(200, api.call(accountSid, sid));
          case 'decline': {
            const status = (param(req, 'status') ?? 'busy') as 'busy' | 'no-answer' | 'failed';
            if (!['busy', 'no-answer', 'failed'].includes(status)) return json(400, { message: 'status must be busy, no-answer or failed' });
            api.decline(accountSid, sid, status);
            return json(200, api.call(accountSid, sid));
          }
        }
      }
      if (req.method === 'POST' && parts[0] === 'answer') {
        const to = param(req, 'to');
        if (!to) return json(400, { message: 'missing parameter to' });
        return json(200, api.answerRinging(accountSid, to));
      }
      if (req.method === 'POST' && parts[0] === 'answer-mode') {
        const to = param(req, 'to');
        const mode = param(req, 'mode') as AnswerMode | undefined;
        if (!to || !mode || !['auto', 'manual', 'busy', 'no-answer', 'failed'].includes(mode)) return json(400, { message: 'to and mode (auto|manual|busy|no-answer|failed) are required' });
        api.setAnswerMode(accountSid, to, mode);
        return json(200, { to, mode });
      }
      if (req.method === 'POST' && parts[0] === 'inbound') {
        const from = param(req, 'from');
        const to = param(req, 'to');
        if (!from || !to) return json(400, { message: 'from and to are required' });
        return json(201, api.inboundCall(accountSid, { from, to, twiml: param(req, 'twiml'), url: param(req, 'url') }));
      }
      return json(404, { message: `no voice-network control ${req.method} ${req.path}` });
    } catch (err) {
      return json(409, { message: (err as Error).message });
    }
  },
};

export const apiService: ServiceModule<VoiceState> = {
  name: 'api',
  host: 'api',
  specFiles: ['twilio_api_v2010.json'],
  initialState: initialVoiceState,
  routes: apiRoutes,
  createApi,
  mounts: [voiceNetworkMount],
  start(env) {
    let tr: TaskRouterApi | undefined;
    try {
      tr = env.service<TaskRouterApi>('taskrouter');
    } catch {
      return;
    }
    // A caller waiting on a task whose task is canceled (TTL, workflow timeout, API) leaves the queue.
    tr.subscribe((accountSid, _ws, event) => {
      if (event.eventType !== 'task.canceled') return;
      let attrs: Record<string, unknown>;
      try {
        attrs = JSON.parse(String(event.data.task_attributes ?? '{}')) as Record<string, unknown>;
      } catch {
        return;
      }
      voiceEngine(env).onTaskEnded(accountSid, String(event.data.task_sid), typeof attrs.call_sid === 'string' ? attrs.call_sid : undefined, String(event.data.task_canceled_reason ?? 'canceled'));
    });
  },
  afterLoad: (env) => voiceEngine(env).rearm(),
};
