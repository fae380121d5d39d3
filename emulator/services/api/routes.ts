/** API 2010 HTTP mapping for voice: Calls, Conferences, Conference Participants. */
import { toRfc2822 } from '../../core/clock';
import { invalidParam } from '../../core/errors';
import { paginate } from '../../core/paging';
import { Params } from '../../core/params';
import type { EmulatorRequest, RouteDef, ServiceEnv } from '../../core/types';
import { duration, voiceEngine } from '../../voice/engine';
import type { CallRec, CallStatus, ConferenceParticipantRec, ConferenceRec } from '../../voice/state';
import { API_VERSION, accountPath, createCall, createParticipant, deleteCall, requireCall, requireConference, requireParticipant, updateCall, updateConference, updateParticipant } from './models';

const rfc = (ms: number | null) => (ms === null ? null : toRfc2822(ms));
const METHODS = ['GET', 'POST'] as const;
const CALL_STATUSES = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;

function formatted(n: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(n);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : n;
}

function serializeCall(accountSid: string, c: CallRec): Record<string, unknown> {
  const base = accountPath(accountSid, `/Calls/${c.sid}`);
  const sub = (name: string) => `${base}/${name}.json`;
  return {
    sid: c.sid,
    date_created: rfc(c.dateCreated),
    date_updated: rfc(c.dateUpdated),
    parent_call_sid: c.parentCallSid,
    account_sid: accountSid,
    to: c.to,
    to_formatted: formatted(c.to),
    from: c.from,
    from_formatted: formatted(c.from),
    phone_number_sid: null,
    status: c.status,
    start_time: rfc(c.startTime),
    end_time: rfc(c.endTime),
    duration: c.endTime !== null ? String(duration(c)) : null,
    price: null,
    price_unit: 'USD',
    direction: c.direction,
    answered_by: null,
    api_version: API_VERSION,
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: '0',
    trunk_sid: null,
    uri: `${base}.json`,
    subresource_uris: {
      notifications: sub('Notifications'),
      recordings: sub('Recordings'),
      payments: sub('Payments'),
      events: sub('Events'),
      siprec: sub('Siprec'),
      streams: sub('Streams'),
      transcriptions: sub('Transcriptions'),
      user_defined_message_subscriptions: sub('UserDefinedMessageSubscriptions'),
      user_defined_messages: sub('UserDefinedMessages'),
    },
  };
}

function serializeConference(accountSid: string, c: ConferenceRec): Record<string, unknown> {
  const base = accountPath(accountSid, `/Conferences/${c.sid}`);
  return {
    account_sid: accountSid,
    api_version: API_VERSION,
    date_created: rfc(c.dateCreated),
    date_updated: rfc(c.dateUpdated),
    friendly_name: c.friendlyName,
    sid: c.sid,
    region: c.region,
    status: c.status,
    subresource_uris: { participants: `${base}/Participants.json`, recordings: `${base}/Recordings.json` },
    uri: `${base}.json`,
    // The spec types this as a non-nullable enum: while the conference runs it is left out (Twilio sends null).
    ...(c.reasonEnded ? { reason_conference_ended: c.reasonEnded } : {}),
    call_sid_ending_conference: c.callSidEndingConference,
  };
}

function serializeParticipant(accountSid: string, conf: ConferenceRec, p: ConferenceParticipantRec): Record<string, unknown> {
  return {
    account_sid: accountSid,
    call_sid: p.callSid,
    label: p.label,
    call_sid_to_coach: p.callSidToCoach,
    coaching: p.coaching,
    conference_sid: conf.sid,
    date_created: rfc(p.dateCreated),
    date_updated: rfc(p.dateUpdated),
    end_conference_on_exit: p.endConferenceOnExit,
    muted: p.muted,
    hold: p.hold,
    start_conference_on_enter: p.startConferenceOnEnter,
    status: p.status,
    queue_time: null,
    uri: accountPath(accountSid, `/Conferences/${conf.sid}/Participants/${p.callSid}.json`),
  };
}

/** 2010 date filters: `Name`, `Name<`, `Name>` (dates `YYYY-MM-DD` or date-times). */
function dateFilter(q: Params, name: string, value: (x: { created: number; updated: number; start: number | null; end: number | null }) => number | null) {
  const eq = q.string(name);
  const before = q.string(`${name}<`);
  const after = q.string(`${name}>`);
  const parse = (param: string, v: string): number => {
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw invalidParam(param, `expected a date (YYYY-MM-DD) or an ISO 8601 date-time, got "${v}"`);
    return t;
  };
  const day = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);
  const eqT = eq !== undefined ? parse(name, eq) : undefined;
  const beforeT = before !== undefined ? parse(`${name}<`, before) : undefined;
  const afterT = after !== undefined ? parse(`${name}>`, after) : undefined;
  return (x: { created: number; updated: number; start: number | null; end: number | null }) => {
    const v = value(x);
    if (eqT !== undefined) {
      if (v === null) return false;
      if (day(eq!) ? new Date(v).toISOString().slice(0, 10) !== eq : v !== eqT) return false;
    }
    if (beforeT !== undefined && (v === null || v > beforeT + (day(before!) ? 86_399_999 : 0))) return false;
    if (afterT !== undefined && (v === null || v < afterT)) return false;
    return true;
  };
}

function callOf(req: EmulatorRequest, env: ServiceEnv): CallRec {
  return requireCall(env, req.accountSid, req.pathParams.Sid);
}

const P = '/2010-04-01/Accounts/{AccountSid}';

export const apiRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: `${P}/Calls.json`,
    operationId: 'ListCall',
    handler: (req, env) => {
      const q = new Params(req.query, 'query');
      const to = q.string('To');
      const from = q.string('From');
      const parent = q.string('ParentCallSid');
      const status = q.enumOf('Status', CALL_STATUSES) as CallStatus | undefined;
      const start = dateFilter(q, 'StartTime', (x) => x.start);
      const end = dateFilter(q, 'EndTime', (x) => x.end);
      const calls = Object.values(voiceEngine(env).state(req.accountSid).calls)
        .filter((c) => {
          if (to !== undefined && c.to !== to) return false;
          if (from !== undefined && c.from !== from) return false;
          if (parent !== undefined && c.parentCallSid !== parent) return false;
          if (status !== undefined && c.status !== status) return false;
          const x = { created: c.dateCreated, updated: c.dateUpdated, start: c.startTime, end: c.endTime };
          return start(x) && end(x);
        })
        .reverse();
      return { status: 200, body: paginate(req, calls, (c) => serializeCall(req.accountSid, c), { key: 'calls', style: '2010' }) };
    },
  },
  {
    method: 'POST',
    path: `${P}/Calls.json`,
    operationId: 'CreateCall',
    handler: (req, env) => {
      const p = new Params(req.body);
      const call = createCall(env, req.accountSid, {
        to: p.string('To'),
        from: p.string('From'),
        url: p.string('Url'),
        method: p.enumOf('Method', METHODS),
        twiml: p.string('Twiml'),
        applicationSid: p.string('ApplicationSid'),
        fallbackUrl: p.string('FallbackUrl'),
        fallbackMethod: p.enumOf('FallbackMethod', METHODS),
        statusCallback: p.string('StatusCallback'),
        statusCallbackMethod: p.enumOf('StatusCallbackMethod', METHODS),
        statusCallbackEvents: p
          .list('StatusCallbackEvent')
          .flatMap((e) => e.split(/[ ,]+/))
          .filter(Boolean),
        timeout: p.int('Timeout'),
      });
      return { status: 201, body: serializeCall(req.accountSid, call) };
    },
  },
  { method: 'GET', path: `${P}/Calls/{Sid}.json`, operationId: 'FetchCall', handler: (req, env) => ({ status: 200, body: serializeCall(req.accountSid, callOf(req, env)) }) },
  {
    method: 'POST',
    path: `${P}/Calls/{Sid}.json`,
    operationId: 'UpdateCall',
    handler: (req, env) => {
      const call = callOf(req, env);
      const p = new Params(req.body);
      updateCall(env, req.accountSid, call, {
        url: p.string('Url'),
        method: p.enumOf('Method', METHODS),
        twiml: p.string('Twiml'),
        status: p.enumOf('Status', ['canceled', 'completed'] as const),
        fallbackUrl: p.string('FallbackUrl'),
        statusCallback: p.string('StatusCallback'),
        statusCallbackMethod: p.enumOf('StatusCallbackMethod', METHODS),
      });
      return { status: 200, body: serializeCall(req.accountSid, call) };
    },
  },
  {
    method: 'DELETE',
    path: `${P}/Calls/{Sid}.json`,
    operationId: 'DeleteCall',
    handler: (req, env) => {
      deleteCall(env, req.accountSid, callOf(req, env));
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: `${P}/Conferences.json`,
    operationId: 'ListConference',
    handler: (req, env) => {
      const q = new Params(req.query, 'query');
      const name = q.string('FriendlyName');
      const status = q.enumOf('Status', ['init', 'in-progress', 'completed'] as const);
      const created = dateFilter(q, 'DateCreated', (x) => x.created);
      const updated = dateFilter(q, 'DateUpdated', (x) => x.updated);
      const confs = Object.values(voiceEngine(env).state(req.accountSid).conferences)
        .filter((c) => {
          if (name !== undefined && c.friendlyName !== name) return false;
          if (status !== undefined && c.status !== status) return false;
          const x = { created: c.dateCreated, updated: c.dateUpdated, start: null, end: null };
          return created(x) && updated(x);
        })
        .reverse();
      return { status: 200, body: paginate(req, confs, (c) => serializeConference(req.accountSid, c), { key: 'conferences', style: '2010' }) };
    },
  },
  {
    method: 'GET',
    path: `${P}/Conferences/{Sid}.json`,
    operationId: 'FetchConference',
    handler: (req, env) => ({ status: 200, body: serializeConference(req.accountSid, requireConference(env, req.accountSid, req.pathParams.Sid)) }),
  },
  {
    method: 'POST',
    path: `${P}/Conferences/{Sid}.json`,
    operationId: 'UpdateConference',
    handler: (req, env) => {
      const conf = requireConference(env, req.accountSid, req.pathParams.Sid);
      const p = new Params(req.body);
      p.enumOf('AnnounceMethod', METHODS);
      updateConference(env, req.accountSid, conf, { status: p.enumOf('Status', ['completed'] as const), announceUrl: p.string('AnnounceUrl') });
      return { status: 200, body: serializeConference(req.accountSid, conf) };
    },
  },
  {
    method: 'GET',
    path: `${P}/Conferences/{ConferenceSid}/Participants.json`,
    operationId: 'ListParticipant',
    handler: (req, env) => {
      const conf = requireConference(env, req.accountSid, req.pathParams.ConferenceSid);
      const q = new Params(req.query, 'query');
      const muted = q.bool('Muted');
      const hold = q.bool('Hold');
      const coaching = q.bool('Coaching');
      const items = Object.values(conf.participants).filter(
        (p) => (muted === undefined || p.muted === muted) && (hold === undefined || p.hold === hold) && (coaching === undefined || p.coaching === coaching),
      );
      return { status: 200, body: paginate(req, items, (p) => serializeParticipant(req.accountSid, conf, p), { key: 'participants', style: '2010', idOf: (p) => p.callSid }) };
    },
  },
  {
    method: 'POST',
    path: `${P}/Conferences/{ConferenceSid}/Participants.json`,
    operationId: 'CreateParticipant',
    handler: (req, env) => {
      const p = new Params(req.body);
      const { conference, participant } = createParticipant(env, req.accountSid, req.pathParams.ConferenceSid, {
        from: p.string('From'),
        to: p.string('To'),
        label: p.string('Label'),
        timeout: p.int('Timeout'),
        muted: p.bool('Muted'),
        beep: p.string('Beep'),
        startConferenceOnEnter: p.bool('StartConferenceOnEnter'),
        endConferenceOnExit: p.bool('EndConferenceOnExit'),
        waitUrl: p.string('WaitUrl'),
        statusCallback: p.string('StatusCallback'),
        statusCallbackEvents: p
          .list('StatusCallbackEvent')
          .flatMap((e) => e.split(/[ ,]+/))
          .filter(Boolean),
        earlyMedia: p.bool('EarlyMedia'),
        coaching: p.bool('Coaching'),
        callSidToCoach: p.string('CallSidToCoach'),
      });
      return { status: 201, body: serializeParticipant(req.accountSid, conference, participant) };
    },
  },
  {
    method: 'GET',
    path: `${P}/Conferences/{ConferenceSid}/Participants/{CallSid}.json`,
    operationId: 'FetchParticipant',
    handler: (req, env) => {
      const conf = requireConference(env, req.accountSid, req.pathParams.ConferenceSid);
      return { status: 200, body: serializeParticipant(req.accountSid, conf, requireParticipant(env, req.accountSid, conf, req.pathParams.CallSid)) };
    },
  },
  {
    method: 'POST',
    path: `${P}/Conferences/{ConferenceSid}/Participants/{CallSid}.json`,
    operationId: 'UpdateParticipant',
    handler: (req, env) => {
      const conf = requireConference(env, req.accountSid, req.pathParams.ConferenceSid);
      const part = requireParticipant(env, req.accountSid, conf, req.pathParams.CallSid);
      const p = new Params(req.body);
      p.enumOf('AnnounceMethod', METHODS);
      p.enumOf('WaitMethod', METHODS);
      updateParticipant(env, req.accountSid, conf, part, {
        muted: p.bool('Muted'),
        hold: p.bool('Hold'),
        holdUrl: p.string('HoldUrl'),
        holdMethod: p.enumOf('HoldMethod', METHODS),
        announceUrl: p.string('AnnounceUrl'),
        waitUrl: p.string('WaitUrl'),
        beepOnExit: p.bool('BeepOnExit'),
        endConferenceOnExit: p.bool('EndConferenceOnExit'),
        coaching: p.bool('Coaching'),
        callSidToCoach: p.string('CallSidToCoach'),
      });
      return { status: 200, body: serializeParticipant(req.accountSid, conf, part) };
    },
  },
  {
    method: 'DELETE',
    path: `${P}/Conferences/{ConferenceSid}/Participants/{CallSid}.json`,
    operationId: 'DeleteParticipant',
    handler: (req, env) => {
      const conf = requireConference(env, req.accountSid, req.pathParams.ConferenceSid);
      const part = requireParticipant(env, req.accountSid, conf, req.pathParams.CallSid);
      voiceEngine(env).kick(req.accountSid, conf, part.callSid);
      return { status: 204 };
    },
  },
];
