/**
 * Reservations over HTTP, through their task or their worker: list, fetch,
 * and updates that carry a status or an instruction.
 */
import { invalidParam, notFound } from '../../../core/errors';
import { paginate } from '../../../core/paging';
import type { EmulatorRequest, RouteDef, RouteHandler } from '../../../core/types';
import { executeInstruction, type Instruction } from '../engine/assignment';
import { acceptReservation, completeReservation, rejectReservation, wrapReservation } from '../engine/reservations';
import { checkIfMatch } from '../engine/task-ending';
import { serializeReservation } from '../serialize';
import type { ReservationRec, WorkspaceRec } from '../types';
import { body, ifMatch, ok, query, requireTask, requireWorker, ws } from './http';

const RESERVATION_STATUSES = ['pending', 'accepted', 'rejected', 'timeout', 'canceled', 'rescinded', 'wrapping', 'completed'] as const;

/** Reservation update parameters that configure an instruction -> the callback answer's snake_case keys. */
const INSTRUCTION_PARAMS: Record<string, string> = {
  From: 'from',
  To: 'to',
  Timeout: 'timeout',
  EndConferenceOnExit: 'end_conference_on_exit',
  EndConferenceOnCustomerExit: 'end_conference_on_customer_exit',
  StartConferenceOnEnter: 'start_conference_on_enter',
  BeepOnCustomerEntrance: 'beep_on_customer_entrance',
  Beep: 'beep',
  Muted: 'muted',
  WaitUrl: 'wait_url',
  StatusCallback: 'status_callback',
  PostWorkActivitySid: 'post_work_activity_sid',
  CallFrom: 'from',
  CallTo: 'to',
  CallUrl: 'url',
  CallAccept: 'accept',
  CallTimeout: 'timeout',
  CallStatusCallbackUrl: 'status_callback_url',
  RedirectCallSid: 'call_sid',
  RedirectUrl: 'url',
  RedirectAccept: 'accept',
  DequeueFrom: 'from',
  DequeueTo: 'to',
  DequeueTimeout: 'timeout',
  DequeuePostWorkActivitySid: 'post_work_activity_sid',
  WorkerActivitySid: 'activity_sid',
};

function updateReservationHandler(via: 'task' | 'worker'): RouteHandler {
  return (req, env) => {
    const { engine, ws: w } = ws(req, env);
    const res = requireReservation(req, w, via);
    const p = body(req);
    const status = p.enumOf('ReservationStatus', RESERVATION_STATUSES);
    const instruction = p.string('Instruction');
    const activitySid = p.string('WorkerActivitySid');
    const task = w.tasks[res.taskSid];
    if (task) checkIfMatch(task, ifMatch(req));
    if (instruction !== undefined) {
      const instr: Instruction = { instruction };
      for (const [param, key] of Object.entries(INSTRUCTION_PARAMS)) {
        const v = p.string(param);
        if (v !== undefined) instr[key] = v;
      }
      executeInstruction(engine, req.accountSid, w, res, instr);
    }
    if (status !== undefined && status !== res.status) {
      switch (status) {
        case 'accepted':
          acceptReservation(engine, req.accountSid, w, res);
          break;
        case 'rejected':
          rejectReservation(engine, req.accountSid, w, res, { activitySid });
          break;
        case 'completed':
          completeReservation(engine, req.accountSid, w, res);
          break;
        case 'wrapping':
          wrapReservation(engine, req.accountSid, w, res);
          break;
        default:
          throw invalidParam('ReservationStatus', `can be set to accepted, rejected, completed or wrapping (got "${status}")`);
      }
    }
    return ok(serializeReservation(req.accountSid, w, res, via));
  };
}

function requireReservation(req: EmulatorRequest, w: WorkspaceRec, via: 'task' | 'worker'): ReservationRec {
  const owner = via === 'task' ? requireTask(req, w).sid : requireWorker(req, w).sid;
  const res = w.reservations[req.pathParams.Sid];
  if (!res || (via === 'task' ? res.taskSid : res.workerSid) !== owner) throw notFound(req.path);
  return res;
}

function listReservations(via: 'task' | 'worker'): RouteHandler {
  return (req, env) => {
    const { ws: w } = ws(req, env);
    const q = query(req);
    const status = q.enumOf('ReservationStatus', RESERVATION_STATUSES);
    const workerSid = via === 'task' ? q.string('WorkerSid') : undefined;
    let sids: string[];
    if (via === 'task') sids = requireTask(req, w).reservationSids;
    else {
      const worker = requireWorker(req, w);
      sids = Object.values(w.reservations)
        .filter((r) => r.workerSid === worker.sid)
        .map((r) => r.sid);
    }
    const items = sids
      .map((sid) => w.reservations[sid])
      .filter((r): r is ReservationRec => !!r && (status === undefined || r.status === status) && (workerSid === undefined || r.workerSid === workerSid));
    return ok(paginate(req, items, (r) => serializeReservation(req.accountSid, w, r, via), { key: 'reservations' }));
  };
}

export const reservationRoutes: RouteDef[] = [
  { method: 'GET', path: '/v1/Workspaces/{WorkspaceSid}/Tasks/{TaskSid}/Reservations', operationId: 'ListTaskReservation', handler: listReservations('task') },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Tasks/{TaskSid}/Reservations/{Sid}',
    operationId: 'FetchTaskReservation',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      return ok(serializeReservation(req.accountSid, w, requireReservation(req, w, 'task'), 'task'));
    },
  },
  { method: 'POST', path: '/v1/Workspaces/{WorkspaceSid}/Tasks/{TaskSid}/Reservations/{Sid}', operationId: 'UpdateTaskReservation', handler: updateReservationHandler('task') },
  { method: 'GET', path: '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Reservations', operationId: 'ListWorkerReservation', handler: listReservations('worker') },
  {
    method: 'GET',
    path: '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Reservations/{Sid}',
    operationId: 'FetchWorkerReservation',
    handler: (req, env) => {
      const { ws: w } = ws(req, env);
      return ok(serializeReservation(req.accountSid, w, requireReservation(req, w, 'worker'), 'worker'));
    },
  },
  { method: 'POST', path: '/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Reservations/{Sid}', operationId: 'UpdateWorkerReservation', handler: updateReservationHandler('worker') },
];
