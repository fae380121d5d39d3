/**
 * The voice network's in-process API (the `api` service, API 2010), as other
 * services see it. TaskRouter uses it for the `conference`, `call`,
 * `dequeue` and `redirect` instructions; TwiML `<Enqueue>` uses TaskRouter's.
 */

/** Where a voice outcome is reported: `env.service(service).handleVoiceHook(accountSid, data, result)`. */
export interface VoiceHook {
  service: string;
  data: Record<string, string>;
}

export type VoiceHookResult = { ok: true; callSid: string; conferenceSid?: string; customerCallSid?: string } | { ok: false; callSid?: string; reason: string; status?: string };

export interface VoiceHookHandler {
  handleVoiceHook(accountSid: string, data: Record<string, string>, result: VoiceHookResult): void;
}

export interface ConferenceLegOptions {
  endConferenceOnExit?: boolean;
  startConferenceOnEnter?: boolean;
  beep?: string;
  muted?: boolean;
  waitUrl?: string;
  statusCallback?: string;
}

export interface DialIntoConferenceOptions {
  /** The worker's address (`client:alice`, `+1...`, `sip:...`). */
  to: string;
  from: string;
  /** Ring timeout, seconds (Twilio default 60). */
  timeoutSec?: number;
  conferenceName: string;
  worker: ConferenceLegOptions;
  /** The waiting caller to move into the conference once the worker answers. */
  customerCallSid?: string;
  customer?: ConferenceLegOptions;
  statusCallback?: string;
  hook: VoiceHook;
}

export interface PlaceCallOptions {
  to: string;
  from: string;
  url?: string;
  method?: 'GET' | 'POST';
  twiml?: string;
  timeoutSec?: number;
  statusCallback?: string;
  statusCallbackEvents?: string[];
  hook?: VoiceHook;
  parentCallSid?: string;
}

export interface DequeueOptions {
  customerCallSid: string;
  to: string;
  from: string;
  timeoutSec?: number;
  hook: VoiceHook;
}

export interface VoiceApi {
  /** Calls `to`; when answered, joins it (and the waiting customer) to the conference named `conferenceName`. Outcome via the hook. */
  dialIntoConference(accountSid: string, opts: DialIntoConferenceOptions): string;
  /** Places an outbound call; returns its CA SID. */
  placeCall(accountSid: string, opts: PlaceCallOptions): string;
  /** Calls `to` and bridges it with the waiting customer call (Dequeue). */
  dequeue(accountSid: string, opts: DequeueOptions): string;
  /** Redirects a live call to new TwiML from `url`. */
  redirectCall(accountSid: string, callSid: string, url: string, method?: 'GET' | 'POST'): void;
  /** Whether a call exists and is not over. */
  isLive(accountSid: string, callSid: string): boolean;
}
