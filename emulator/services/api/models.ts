/**
 * API 2010 voice rules (Calls, Conferences, Conference Participants) on top
 * of the voice engine (`emulator/voice/engine.ts`). No HTTP here.
 */
import { badRequest, invalidParam, notFound, TwilioError } from '../../core/errors';
import type { ServiceEnv } from '../../core/types';
import { isLiveStatus, voiceEngine } from '../../voice/engine';
import type { CallRec, ConferenceParticipantRec, ConferenceRec } from '../../voice/state';

export const API_VERSION = '2010-04-01';

export function accountPath(accountSid: string, rest: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}${rest}`;
}

export function requireCall(env: ServiceEnv, accountSid: string, sid: string): CallRec {
  const call = voiceEngine(env).call(accountSid, sid);
  if (!call) throw notFound(accountPath(accountSid, `/Calls/${sid}.json`));
  return call;
}

/** A conference by SID; when `orName`, by friendly name too (Participants create accepts a name). */
export function requireConference(env: ServiceEnv, accountSid: string, sidOrName: string): ConferenceRec {
  const engine = voiceEngine(env);
  const conf = engine.state(accountSid).conferences[sidOrName] ?? engine.conferenceByName(accountSid, sidOrName);
  if (!conf) throw notFound(accountPath(accountSid, `/Conferences/${sidOrName}.json`));
  return conf;
}

export function requireParticipant(env: ServiceEnv, accountSid: string, conf: ConferenceRec, callSidOrLabel: string): ConferenceParticipantRec {
  const p = conf.participants[callSidOrLabel] ?? Object.values(conf.participants).find((x) => x.label === callSidOrLabel);
  if (!p) throw notFound(accountPath(accountSid, `/Conferences/${conf.sid}/Participants/${callSidOrLabel}.json`));
  return p;
}

function checkAddress(name: string, code: number, value: string): void {
  if (!/^(\+\d{5,15}|client:[\w.@-]+|sip:\S+|[\w.@-]+)$/.test(value)) {
    throw new TwilioError(400, code, `The '${name}' number ${value} is not a valid phone number, client identifier or SIP address`);
  }
}

function checkUrl(name: string, value: string | undefined): void {
  if (value === undefined) return;
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw invalidParam(name, `must be an absolute http(s) URL (got "${value}")`);
  }
}

export interface CreateCallInput {
  to?: string;
  from?: string;
  url?: string;
  method?: 'GET' | 'POST';
  twiml?: string;
  applicationSid?: string;
  fallbackUrl?: string;
  fallbackMethod?: 'GET' | 'POST';
  statusCallback?: string;
  statusCallbackMethod?: 'GET' | 'POST';
  statusCallbackEvents?: string[];
  timeout?: number;
}

export function createCall(env: ServiceEnv, accountSid: string, input: CreateCallInput): CallRec {
  if (!input.to) throw new TwilioError(400, 21201, "No 'To' number is specified (Missing required parameter To in the post body)");
  if (!input.from) throw new TwilioError(400, 21213, "No 'From' number is specified (Missing required parameter From in the post body)");
  checkAddress('To', 21211, input.to);
  checkAddress('From', 21212, input.from);
  if (input.applicationSid) throw invalidParam('ApplicationSid', 'TwiML Applications are not emulated; pass Url or Twiml');
  if (input.url === undefined && input.twiml === undefined) throw new TwilioError(400, 21205, 'Missing required parameter Url (or Twiml) in the post body');
  checkUrl('Url', input.url);
  checkUrl('FallbackUrl', input.fallbackUrl);
  checkUrl('StatusCallback', input.statusCallback);
  if (input.timeout !== undefined && (input.timeout < 1 || input.timeout > 600)) throw invalidParam('Timeout', `must be between 1 and 600 seconds (got ${input.timeout})`);
  for (const e of input.statusCallbackEvents ?? []) {
    if (!['initiated', 'ringing', 'answered', 'completed'].includes(e)) throw invalidParam('StatusCallbackEvent', `"${e}" is not one of initiated, ringing, answered, completed`);
  }
  return voiceEngine(env).createCall(accountSid, {
    to: input.to,
    from: input.from,
    url: input.twiml !== undefined ? null : input.url,
    method: input.method,
    twiml: input.twiml ?? null,
    fallbackUrl: input.fallbackUrl,
    fallbackMethod: input.fallbackMethod,
    statusCallback: input.statusCallback,
    statusCallbackMethod: input.statusCallbackMethod,
    statusCallbackEvents: input.statusCallbackEvents,
    timeoutSec: input.timeout,
  });
}

export interface UpdateCallInput {
  url?: string;
  method?: 'GET' | 'POST';
  twiml?: string;
  status?: 'canceled' | 'completed';
  fallbackUrl?: string;
  statusCallback?: string;
  statusCallbackMethod?: 'GET' | 'POST';
}

export function updateCall(env: ServiceEnv, accountSid: string, call: CallRec, input: UpdateCallInput): CallRec {
  const engine = voiceEngine(env);
  checkUrl('Url', input.url);
  checkUrl('StatusCallback', input.statusCallback);
  if (input.url !== undefined && input.twiml !== undefined) throw invalidParam('Twiml', 'Twiml and Url are mutually exclusive');
  if (!isLiveStatus(call.status) && (input.url !== undefined || input.twiml !== undefined || input.status !== undefined)) {
    throw new TwilioError(400, 21220, `Call ${call.sid} is not in-progress (it is ${call.status}); it can't be redirected or ended`);
  }
  if (input.statusCallback !== undefined) call.statusCallback = input.statusCallback || null;
  if (input.statusCallbackMethod !== undefined) call.statusCallbackMethod = input.statusCallbackMethod;
  if (input.fallbackUrl !== undefined) call.fallbackUrl = input.fallbackUrl || null;
  if (input.status === 'canceled') {
    // Canceling only affects calls not yet answered (Twilio: no effect on in-progress calls).
    if (call.status === 'queued' || call.status === 'ringing') engine.endCall(accountSid, call, 'canceled');
  } else if (input.status === 'completed') {
    engine.hangup(accountSid, call.sid);
  } else if (input.twiml !== undefined || input.url !== undefined) {
    engine.redirect(accountSid, call, { url: input.url, method: input.method, twiml: input.twiml });
  }
  call.dateUpdated = env.clock.now();
  return call;
}

export function deleteCall(env: ServiceEnv, accountSid: string, call: CallRec): void {
  if (isLiveStatus(call.status)) throw badRequest(`Call ${call.sid} is ${call.status}; only ended calls can be deleted`, 21220);
  delete voiceEngine(env).state(accountSid).calls[call.sid];
}

export interface ParticipantOptions {
  from?: string;
  to?: string;
  label?: string;
  timeout?: number;
  muted?: boolean;
  beep?: string;
  startConferenceOnEnter?: boolean;
  endConferenceOnExit?: boolean;
  waitUrl?: string;
  statusCallback?: string;
  statusCallbackEvents?: string[];
  earlyMedia?: boolean;
  coaching?: boolean;
  callSidToCoach?: string;
}

/** Participants create: dials `To`; the participant joins the conference (by SID or name) when answered. */
export function createParticipant(env: ServiceEnv, accountSid: string, sidOrName: string, input: ParticipantOptions): { conference: ConferenceRec; participant: ConferenceParticipantRec } {
  if (!input.from) throw new TwilioError(400, 21213, "No 'From' number is specified (Missing required parameter From in the post body)");
  if (!input.to) throw new TwilioError(400, 21201, "No 'To' number is specified (Missing required parameter To in the post body)");
  checkAddress('To', 21211, input.to);
  if (input.timeout !== undefined && (input.timeout < 5 || input.timeout > 600)) throw invalidParam('Timeout', `must be between 5 and 600 seconds (got ${input.timeout})`);
  const engine = voiceEngine(env);
  let conf: ConferenceRec | undefined = engine.state(accountSid).conferences[sidOrName];
  if (conf && conf.status === 'completed') throw new TwilioError(400, 21220, `Conference ${conf.sid} is completed; no participant can join it`);
  if (!conf) {
    if (/^CF[0-9a-fA-F]{32}$/.test(sidOrName)) throw notFound(accountPath(accountSid, `/Conferences/${sidOrName}.json`));
    conf = engine.liveConference(accountSid, sidOrName);
  }
  if (input.label && Object.values(conf.participants).some((p) => p.label === input.label)) {
    throw invalidParam('Label', `"${input.label}" is already used by a participant of Conference ${conf.sid}`);
  }
  const attrs = {
    muted: input.muted,
    beep: input.beep,
    startConferenceOnEnter: input.startConferenceOnEnter,
    endConferenceOnExit: input.endConferenceOnExit,
    waitUrl: input.waitUrl,
  };
  const call = engine.createCall(accountSid, {
    to: input.to,
    from: input.from,
    timeoutSec: input.timeout,
    statusCallback: input.statusCallback,
    statusCallbackEvents: input.statusCallbackEvents,
    instruction: { kind: 'join', conferenceSid: conf.sid, attrs, label: input.label ?? null },
  });
  const now = env.clock.now();
  const participant: ConferenceParticipantRec = {
    callSid: call.sid,
    label: input.label ?? null,
    status: 'queued',
    muted: input.muted ?? false,
    hold: false,
    holdUrl: null,
    holdMethod: 'GET',
    endConferenceOnExit: input.endConferenceOnExit ?? false,
    startConferenceOnEnter: input.startConferenceOnEnter ?? true,
    coaching: input.coaching ?? false,
    callSidToCoach: input.callSidToCoach ?? null,
    beepOnExit: null,
    waitUrl: input.waitUrl ?? null,
    dateCreated: now,
    dateUpdated: now,
  };
  conf.participants[call.sid] = participant;
  return { conference: conf, participant };
}

export interface UpdateParticipantInput {
  muted?: boolean;
  hold?: boolean;
  holdUrl?: string;
  holdMethod?: 'GET' | 'POST';
  announceUrl?: string;
  waitUrl?: string;
  beepOnExit?: boolean;
  endConferenceOnExit?: boolean;
  coaching?: boolean;
  callSidToCoach?: string;
}

export function updateParticipant(env: ServiceEnv, accountSid: string, conf: ConferenceRec, p: ConferenceParticipantRec, input: UpdateParticipantInput): ConferenceParticipantRec {
  checkUrl('HoldUrl', input.holdUrl);
  checkUrl('AnnounceUrl', input.announceUrl);
  checkUrl('WaitUrl', input.waitUrl);
  if (conf.status === 'completed') throw new TwilioError(400, 21220, `Conference ${conf.sid} is completed`);
  if (input.holdUrl !== undefined && input.hold !== true && !p.hold) throw invalidParam('HoldUrl', 'only applies with Hold=true');
  if (input.coaching === true && !input.callSidToCoach && !p.callSidToCoach) throw invalidParam('CallSidToCoach', 'is required when Coaching is true');
  if (input.muted !== undefined) p.muted = input.muted;
  if (input.hold !== undefined) {
    p.hold = input.hold;
    p.holdUrl = input.hold ? (input.holdUrl ?? p.holdUrl) : null;
    if (input.holdMethod !== undefined) p.holdMethod = input.holdMethod;
    if (!input.hold) p.holdMethod = 'GET';
  }
  if (input.waitUrl !== undefined) p.waitUrl = input.waitUrl;
  if (input.beepOnExit !== undefined) p.beepOnExit = input.beepOnExit;
  if (input.endConferenceOnExit !== undefined) p.endConferenceOnExit = input.endConferenceOnExit;
  if (input.coaching !== undefined) p.coaching = input.coaching;
  if (input.callSidToCoach !== undefined) p.callSidToCoach = input.callSidToCoach;
  if (input.announceUrl !== undefined) conf.announcements.push(input.announceUrl);
  p.dateUpdated = env.clock.now();
  return p;
}

export function updateConference(env: ServiceEnv, accountSid: string, conf: ConferenceRec, input: { status?: 'completed'; announceUrl?: string }): ConferenceRec {
  checkUrl('AnnounceUrl', input.announceUrl);
  if (input.status === 'completed') voiceEngine(env).endConference(accountSid, conf, 'conference-ended-via-api', null);
  if (input.announceUrl !== undefined) {
    if (conf.status === 'completed') throw new TwilioError(400, 21220, `Conference ${conf.sid} is completed; nothing can be announced`);
    conf.announcements.push(input.announceUrl);
  }
  conf.dateUpdated = env.clock.now();
  return conf;
}
