/**
 * Assignment callbacks and instructions: the workflow's assignment callback
 * for each new reservation, and the instructions it (or a reservation
 * update) gives: accept, reject, call, conference, dequeue, redirect. Voice
 * instructions finish asynchronously through the voice engine.
 */
import { badRequest, invalidParam } from '../../../core/errors';
import type { VoiceApi, VoiceHookResult } from '../../../voice/api';
import type { ReservationRec, TaskRec, WorkerRec, WorkspaceRec } from '../types';
import type { TaskRouterEngine } from './engine';
import { requireStatus } from './reservation-state';
import { acceptReservation, rejectReservation } from './reservations';
import { touch, workflowOf } from './views';

export type Instruction = Record<string, unknown> & { instruction: string };

export function sendAssignmentCallback(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, task: TaskRec, res: ReservationRec): void {
  const wf = workflowOf(ws, task);
  if (!wf?.assignmentCallbackUrl) return;
  const worker = ws.workers[res.workerSid];
  const params: Record<string, string> = {
    AccountSid: accountSid,
    WorkspaceSid: ws.sid,
    WorkflowSid: wf.sid,
    TaskQueueSid: task.queueSid ?? '',
    TaskSid: task.sid,
    TaskAttributes: task.attributes,
    TaskAge: String(Math.floor((engine.now() - task.dateCreated) / 1000)),
    TaskPriority: String(task.priority),
    TaskChannelSid: task.taskChannelSid,
    TaskChannelUniqueName: ws.channels[task.taskChannelSid]?.uniqueName ?? '',
    WorkerSid: res.workerSid,
    WorkerAttributes: worker?.attributes ?? '{}',
    ReservationSid: res.sid,
    Timestamp: String(Math.floor(engine.now() / 1000)),
  };
  const urls = [wf.assignmentCallbackUrl, wf.fallbackAssignmentCallbackUrl].filter((u): u is string => !!u);
  engine.track(
    (async () => {
      for (const url of urls) {
        const answer = await engine.env.webhooks.send({ url, method: 'POST', params, accountSid, timeoutMs: 5_000 });
        if (answer.error || answer.status === 0 || answer.status >= 400) {
          engine.env.debug(`assignment callback ${url} for ${res.sid} failed: ${answer.error ?? `HTTP ${answer.status}`}`);
          continue;
        }
        const body = answer.body.trim();
        if (!body) return;
        let instruction: unknown;
        try {
          instruction = JSON.parse(body);
        } catch {
          engine.env.debug(`assignment callback ${url} for ${res.sid} answered non-JSON; no instruction carried out`);
          return;
        }
        if (!instruction || typeof instruction !== 'object' || typeof (instruction as Instruction).instruction !== 'string') return;
        const current = engine.state(accountSid).workspaces[ws.sid];
        const live = current?.reservations[res.sid];
        if (!current || !live || live.status !== 'pending') return;
        try {
          executeInstruction(engine, accountSid, current, live, instruction as Instruction);
          engine.env.markDirty();
        } catch (err) {
          engine.env.debug(`instruction ${(instruction as Instruction).instruction} for ${res.sid} failed: ${(err as Error).message}`);
        }
        return;
      }
    })(),
  );
}

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

function bool(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  return String(v).toLowerCase() === 'true';
}

function voice(engine: TaskRouterEngine): VoiceApi {
  try {
    return engine.env.service<VoiceApi>('api');
  } catch {
    throw badRequest('this emulator runs without the voice (api) service, so call instructions are unavailable');
  }
}

/** Contact address of a worker: attributes.contact_uri, else client:<friendly name>. */
export function workerContactUri(engine: TaskRouterEngine, worker: WorkerRec): string {
  const uri = engine.attributes(worker.attributes).contact_uri;
  return typeof uri === 'string' && uri ? uri : `client:${worker.friendlyName}`;
}

/**
 * Carries out an assignment instruction (from the assignment callback's
 * answer or a reservation update's `Instruction`): accept, reject, call,
 * conference, dequeue, redirect. Voice instructions finish asynchronously.
 */
export function executeInstruction(engine: TaskRouterEngine, accountSid: string, ws: WorkspaceRec, res: ReservationRec, instr: Instruction): void {
  const name = instr.instruction;
  const task = ws.tasks[res.taskSid];
  const worker = ws.workers[res.workerSid];
  switch (name) {
    case 'accept':
      acceptReservation(engine, accountSid, ws, res);
      return;
    case 'reject':
      rejectReservation(engine, accountSid, ws, res, { activitySid: str(instr.activity_sid) });
      return;
    case 'conference': {
      requireStatus(res, ['pending'], 'given a conference instruction');
      if (!task || !worker) return;
      const attrs = engine.attributes(task.attributes);
      const customerCallSid = typeof attrs.call_sid === 'string' ? attrs.call_sid : undefined;
      res.instruction = 'conference';
      const from = str(instr.from) ?? (typeof attrs.to === 'string' ? attrs.to : undefined) ?? '+15005550006';
      voice(engine).dialIntoConference(accountSid, {
        to: str(instr.to) ?? workerContactUri(engine, worker),
        from,
        timeoutSec: instr.timeout !== undefined ? Number(instr.timeout) : 60,
        conferenceName: task.sid,
        worker: {
          endConferenceOnExit: bool(instr.end_conference_on_exit),
          startConferenceOnEnter: bool(instr.start_conference_on_enter),
          beep: str(instr.beep),
          muted: bool(instr.muted),
          waitUrl: str(instr.wait_url),
        },
        customerCallSid,
        customer: { endConferenceOnExit: bool(instr.end_conference_on_customer_exit), beep: str(instr.beep_on_customer_entrance) },
        statusCallback: str(instr.status_callback),
        hook: {
          service: 'taskrouter',
          data: { kind: 'conference', workspaceSid: ws.sid, taskSid: res.taskSid, reservationSid: res.sid, postWorkActivitySid: str(instr.post_work_activity_sid) ?? '' },
        },
      });
      return;
    }
    case 'call': {
      requireStatus(res, ['pending'], 'given a call instruction');
      if (!worker) return;
      const url = str(instr.url);
      if (!url) throw invalidParam('CallUrl', 'the call instruction needs a url');
      const from = str(instr.from);
      if (!from) throw invalidParam('CallFrom', 'the call instruction needs a from');
      res.instruction = 'call';
      voice(engine).placeCall(accountSid, {
        to: str(instr.to) ?? workerContactUri(engine, worker),
        from,
        url,
        timeoutSec: instr.timeout !== undefined ? Number(instr.timeout) : 60,
        statusCallback: str(instr.status_callback_url),
      });
      if (bool(instr.accept)) acceptReservation(engine, accountSid, ws, res);
      return;
    }
    case 'dequeue': {
      requireStatus(res, ['pending'], 'given a dequeue instruction');
      if (!task || !worker) return;
      const attrs = engine.attributes(task.attributes);
      const customerCallSid = typeof attrs.call_sid === 'string' ? attrs.call_sid : undefined;
      if (!customerCallSid) throw badRequest(`Task ${task.sid} has no call_sid attribute: nothing to dequeue`);
      res.instruction = 'dequeue';
      voice(engine).dequeue(accountSid, {
        customerCallSid,
        to: str(instr.to) ?? workerContactUri(engine, worker),
        from: str(instr.from) ?? (typeof attrs.to === 'string' ? attrs.to : '+15005550006'),
        timeoutSec: instr.timeout !== undefined ? Number(instr.timeout) : 60,
        hook: { service: 'taskrouter', data: { kind: 'dequeue', workspaceSid: ws.sid, taskSid: res.taskSid, reservationSid: res.sid, postWorkActivitySid: str(instr.post_work_activity_sid) ?? '' } },
      });
      return;
    }
    case 'redirect': {
      requireStatus(res, ['pending'], 'given a redirect instruction');
      const callSid = str(instr.call_sid);
      const url = str(instr.url);
      if (!callSid) throw invalidParam('RedirectCallSid', 'the redirect instruction needs a call_sid');
      if (!url) throw invalidParam('RedirectUrl', 'the redirect instruction needs a url');
      voice(engine).redirectCall(accountSid, callSid, url);
      if (bool(instr.accept)) acceptReservation(engine, accountSid, ws, res);
      return;
    }
    default:
      throw invalidParam('Instruction', `unknown instruction "${name}" (error 55555); use accept, reject, call, conference, dequeue or redirect`);
  }
}

/** Outcome of a conference/dequeue instruction's worker call. */
export function handleVoiceHook(engine: TaskRouterEngine, accountSid: string, data: Record<string, string>, result: VoiceHookResult): void {
  const ws = engine.state(accountSid).workspaces[data.workspaceSid];
  const res = ws?.reservations[data.reservationSid];
  const task = ws?.tasks[data.taskSid];
  if (!ws || !res || !task || res.status !== 'pending') return;
  if (!result.ok) {
    engine.env.debug(`${data.kind} instruction for ${res.sid} failed: ${result.reason}`);
    rejectReservation(engine, accountSid, ws, res, {});
    return;
  }
  if (data.kind === 'conference' && result.conferenceSid) {
    const attrs = { ...engine.attributes(task.attributes) };
    attrs.conference = {
      sid: result.conferenceSid,
      room_name: task.sid,
      participants: { worker: result.callSid, ...(result.customerCallSid ? { customer: result.customerCallSid } : {}) },
    };
    task.attributes = JSON.stringify(attrs);
    touch(engine, task);
  }
  acceptReservation(engine, accountSid, ws, res);
}
