/**
 * Running TwiML on a live call: documents inline or fetched with a signed
 * webhook (with fallback), verb by verb until one blocks (`<Dial>`,
 * `<Enqueue>`, `<Redirect>`) or the document ends; what happens after a
 * `<Dial>` or a TaskRouter queue ends; new TwiML for a live call.
 */
import type { TaskRouterApi } from '../services/taskrouter';
import { VoiceConferences } from './conferences';
import type { CallRec, CallStatus } from './state';
import { parseTwiml, TwimlError, type DialNoun, type TwimlVerb } from './twiml';

export abstract class VoiceTwiml extends VoiceConferences {
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

  private fail(accountSid: string, call: CallRec, code: number, message: string): void {
    call.error = { code, message };
    this.notify(accountSid, call.sid, code, message);
    this.endCall(accountSid, call, 'failed');
  }

  fetchAndRun(accountSid: string, call: CallRec, url: string, method: 'GET' | 'POST', extra: Record<string, string>, fallback?: { url: string; method: 'GET' | 'POST' }): void {
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
    call.dialAction = attrs.action ? { url: this.absolute(call, attrs.action), method: attrs.method?.toUpperCase() === 'GET' ? 'GET' : 'POST' } : null;
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
    const target =
      first.noun === 'Client' && !first.target.startsWith('client:') ? `client:${first.target}` : first.noun === 'Sip' && !first.target.startsWith('sip:') ? `sip:${first.target}` : first.target;
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

  protected resumeAfterDial(accountSid: string, call: CallRec, dialStatus: CallStatus): void {
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
}
