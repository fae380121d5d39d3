/**
 * Conferences, with Twilio's rules: created on first join, `in-progress`
 * once a participant with startConferenceOnEnter joins, ended when the last
 * participant leaves or an endConferenceOnExit participant leaves;
 * participants that remain continue with the TwiML after their `<Dial>`.
 */
import { isLiveStatus, VoiceCore } from './core';
import type { CallRec, ConferenceEndReason, ConferenceParticipantRec, ConferenceRec } from './state';
import { conferenceTwiml } from './twiml';

export abstract class VoiceConferences extends VoiceCore {
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
    const conf =
      (conferenceSid && this.state(accountSid).conferences[conferenceSid]?.status !== 'completed' ? this.state(accountSid).conferences[conferenceSid] : undefined) ??
      this.liveConference(accountSid, name);
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

  protected removeParticipant(accountSid: string, conf: ConferenceRec, callSid: string, how: 'left' | 'kicked'): void {
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
