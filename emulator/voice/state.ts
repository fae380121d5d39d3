/** The voice network's per-account state (the `api` service): plain JSON. */
import type { VoiceHook } from './api';
import type { TwimlVerb } from './twiml';

export type CallStatus = 'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';
export type CallDirection = 'inbound' | 'outbound-api' | 'outbound-dial';
export type AnswerMode = 'auto' | 'manual' | 'busy' | 'no-answer' | 'failed';

/** What a live call is doing while it is not running TwiML. */
export type CallActivity =
  | { kind: 'none' }
  | { kind: 'conference'; conferenceSid: string }
  | { kind: 'taskrouter'; workspaceSid: string; taskSid: string; action?: { url: string; method: 'GET' | 'POST' } }
  | { kind: 'queue'; name: string }
  | { kind: 'dialing'; childCallSid: string }
  | { kind: 'bridged'; otherCallSid: string };

/** What to do when an outbound call is answered (besides its TwiML). */
export type CallInstruction =
  | { kind: 'conference'; conferenceName: string; customerCallSid?: string; customer: Record<string, string | boolean | undefined> }
  | { kind: 'dequeue'; customerCallSid: string }
  | { kind: 'join'; conferenceSid: string; attrs: Record<string, string | boolean | undefined>; label: string | null };

export interface TranscriptEntry {
  at: number;
  verb: string;
  text?: string;
}

export interface CallRec {
  sid: string;
  parentCallSid: string | null;
  to: string;
  from: string;
  direction: CallDirection;
  status: CallStatus;
  dateCreated: number;
  dateUpdated: number;
  startTime: number | null;
  endTime: number | null;
  timeoutSec: number;
  /** Initial TwiML source. */
  url: string | null;
  method: 'GET' | 'POST';
  twiml: string | null;
  fallbackUrl: string | null;
  fallbackMethod: 'GET' | 'POST';
  statusCallback: string | null;
  statusCallbackMethod: 'GET' | 'POST';
  statusCallbackEvents: string[];
  activity: CallActivity;
  /** Verbs still to run once the current activity ends (after `<Dial>`/`<Enqueue>`). */
  pendingVerbs: TwimlVerb[];
  /** `<Dial action>`: fetched when the dial/conference ends instead of the pending verbs. */
  dialAction: { url: string; method: 'GET' | 'POST' } | null;
  /** Bumped on every redirect so stale TwiML fetches are ignored. */
  generation: number;
  instruction: CallInstruction | null;
  hook: VoiceHook | null;
  /** `<Say>`, `<Play>`, `<Pause>`... as executed (tests assert on it). */
  transcript: TranscriptEntry[];
  error: { code: number; message: string } | null;
}

export interface ConferenceParticipantRec {
  callSid: string;
  label: string | null;
  status: 'queued' | 'connecting' | 'ringing' | 'connected' | 'complete' | 'failed';
  muted: boolean;
  hold: boolean;
  holdUrl: string | null;
  holdMethod: 'GET' | 'POST';
  endConferenceOnExit: boolean;
  startConferenceOnEnter: boolean;
  coaching: boolean;
  callSidToCoach: string | null;
  beepOnExit: boolean | null;
  waitUrl: string | null;
  dateCreated: number;
  dateUpdated: number;
}

export type ConferenceEndReason =
  'conference-ended-via-api' | 'participant-with-end-conference-on-exit-left' | 'participant-with-end-conference-on-exit-kicked' | 'last-participant-kicked' | 'last-participant-left';

export interface ConferenceRec {
  sid: string;
  friendlyName: string;
  status: 'init' | 'in-progress' | 'completed';
  region: string;
  dateCreated: number;
  dateUpdated: number;
  reasonEnded: ConferenceEndReason | null;
  callSidEndingConference: string | null;
  participants: Record<string, ConferenceParticipantRec>;
  /** Announcements made into the conference (AnnounceUrl). */
  announcements: string[];
}

export interface VoiceNotification {
  at: number;
  callSid: string | null;
  code: number;
  message: string;
}

export interface VoiceState {
  calls: Record<string, CallRec>;
  conferences: Record<string, ConferenceRec>;
  /** Answer rules, first match wins: `to` exactly, or a prefix ending in `*`. */
  answerRules: Array<{ to: string; mode: AnswerMode }>;
  /** Errors the voice network reported (Twilio's debugger: 11200, 12100, 12200...). */
  notifications: VoiceNotification[];
}

export function initialVoiceState(): VoiceState {
  return { calls: {}, conferences: {}, answerRules: [], notifications: [] };
}
