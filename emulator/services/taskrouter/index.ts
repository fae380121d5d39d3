/**
 * TaskRouter v1 (taskrouter.twilio.com): Workspaces, Activities,
 * TaskChannels, TaskQueues, Workflows, Workers, Tasks, Reservations, Events
 * and Statistics, routed by the routing engine in `routing/`. See README.md.
 */
import { isFlexSeed, type ServiceEnv, type ServiceModule } from '../../core/types';
import { seedTemplateTaskRouter } from '../../seeds/flex-project-template';
import type { VoiceHookResult } from '../../voice/api';
import { engineOf } from './context';
import type { EventListener, TaskRouterEngine } from './engine/engine';
import { recordEvent } from './engine/events';
import { handleVoiceHook, workerContactUri } from './engine/assignment';
import { rearmAll } from './engine/deadlines';
import { acceptReservation, rejectReservation } from './engine/reservations';
import { cancelTask, completeTask, wrapTask } from './engine/task-ending';
import { createTask, updateTask, type CreateTaskInput, type UpdateTaskInput } from './engine/tasks';
import { taskrouterRoutes } from './routes';
import { flexSeedSids, seedFlexTaskRouter, type FlexSeedSids } from './seed';
import { serializeTask, taskRoutingProperties } from './serialize';
import type { ReservationRec, TaskRec, TaskRouterState, WorkerRec, WorkflowRec, WorkspaceRec } from './types';

export type { TaskRouterState, WorkspaceRec, TaskRec, ReservationRec, WorkerRec, WorkflowRec, EventListener, CreateTaskInput, UpdateTaskInput, FlexSeedSids };
export { flexSeedSids };

/** TaskRouter's in-process API: `env.service<TaskRouterApi>('taskrouter')`, or `emulator.core.apiOf('taskrouter')` in tests. */
export interface TaskRouterApi {
  readonly engine: TaskRouterEngine;
  /** Every recorded event, synchronously after the change (Flex uses it to add agent participants). */
  subscribe(listener: EventListener): () => void;
  /** Resolves when no assignment/event callback is in flight. */
  whenIdle(): Promise<void>;
  pending(): number;
  flexSeedSids(accountSid: string): FlexSeedSids;
  workspace(accountSid: string, workspaceSid: string): WorkspaceRec | undefined;
  findWorkflow(accountSid: string, workflowSid: string): { workspace: WorkspaceRec; workflow: WorkflowRec } | undefined;
  getTask(accountSid: string, workspaceSid: string, taskSid: string): TaskRec | undefined;
  /** Creates and routes a task (same rules as POST /Tasks; throws TwilioError). */
  createTask(accountSid: string, workspaceSid: string, input: CreateTaskInput): TaskRec;
  updateTask(accountSid: string, workspaceSid: string, taskSid: string, input: UpdateTaskInput): TaskRec;
  /** Moves a task to completed / wrapping / canceled when it is in a state that allows it; returns whether it changed. */
  endTask(accountSid: string, workspaceSid: string, taskSid: string, to: 'completed' | 'wrapping' | 'canceled', reason?: string): boolean;
  acceptReservation(accountSid: string, workspaceSid: string, reservationSid: string): void;
  rejectReservation(accountSid: string, workspaceSid: string, reservationSid: string, activitySid?: string): void;
  /** The task as JSON (the REST body). */
  serializeTask(accountSid: string, workspaceSid: string, taskSid: string): Record<string, unknown> | undefined;
  /** The task as Flex's `routing.properties`. */
  routingProperties(accountSid: string, workspaceSid: string, taskSid: string): Record<string, unknown> | undefined;
  workerContactUri(accountSid: string, workspaceSid: string, workerSid: string): string | undefined;
  /** TwiML `<Enqueue workflowSid>`: a task for a waiting call. */
  enqueue(
    accountSid: string,
    input: { workflowSid: string; attributes: Record<string, unknown>; taskChannel?: string; priority?: number; timeout?: number },
  ): { workspaceSid: string; taskSid: string };
  /**
   * Benchmark/bulk helper: creates `count` tasks in-process (no HTTP), each
   * routed like POST /Tasks. Returns the number created.
   */
  createTasksBulk(accountSid: string, workspaceSid: string, count: number, input?: CreateTaskInput): number;
  /** Outcome of a voice instruction's worker call (called by the api service). */
  handleVoiceHook(accountSid: string, data: Record<string, string>, result: VoiceHookResult): void;
}

function createApi(env: ServiceEnv): TaskRouterApi {
  const engine = engineOf(env);
  const ws = (accountSid: string, sid: string) => engine.state(accountSid).workspaces[sid];
  const mustWs = (accountSid: string, sid: string) => {
    const w = ws(accountSid, sid);
    if (!w) throw new Error(`unknown workspace ${sid} in account ${accountSid}`);
    return w;
  };
  const reservation = (w: WorkspaceRec, sid: string) => {
    const r = w.reservations[sid];
    if (!r) throw new Error(`unknown reservation ${sid}`);
    return r;
  };
  return {
    engine,
    subscribe: (l) => engine.subscribe(l),
    whenIdle: () => engine.whenIdle(),
    pending: () => engine.pending(),
    flexSeedSids,
    workspace: ws,
    findWorkflow(accountSid, workflowSid) {
      for (const w of Object.values(engine.state(accountSid).workspaces)) {
        const wf = w.workflows[workflowSid];
        if (wf) return { workspace: w, workflow: wf };
      }
      return undefined;
    },
    getTask: (accountSid, wsSid, taskSid) => ws(accountSid, wsSid)?.tasks[taskSid],
    createTask: (accountSid, wsSid, input) => createTask(engine, accountSid, mustWs(accountSid, wsSid), input),
    updateTask(accountSid, wsSid, taskSid, input) {
      const w = mustWs(accountSid, wsSid);
      const t = w.tasks[taskSid];
      if (!t) throw new Error(`unknown task ${taskSid}`);
      return updateTask(engine, accountSid, w, t, input);
    },
    endTask(accountSid, wsSid, taskSid, to, reason) {
      const w = ws(accountSid, wsSid);
      const t = w?.tasks[taskSid];
      if (!w || !t) return false;
      const s = t.assignmentStatus;
      if (to === 'canceled' && (s === 'pending' || s === 'reserved')) cancelTask(engine, accountSid, w, t, reason ?? null);
      else if (to === 'completed' && (s === 'assigned' || s === 'wrapping')) completeTask(engine, accountSid, w, t, reason ?? null);
      else if (to === 'wrapping' && s === 'assigned') wrapTask(engine, accountSid, w, t, reason ?? null);
      else return false;
      return true;
    },
    acceptReservation(accountSid, wsSid, resSid) {
      const w = mustWs(accountSid, wsSid);
      acceptReservation(engine, accountSid, w, reservation(w, resSid));
    },
    rejectReservation(accountSid, wsSid, resSid, activitySid) {
      const w = mustWs(accountSid, wsSid);
      rejectReservation(engine, accountSid, w, reservation(w, resSid), { activitySid });
    },
    serializeTask(accountSid, wsSid, taskSid) {
      const w = ws(accountSid, wsSid);
      const t = w?.tasks[taskSid];
      return w && t ? serializeTask(engine, accountSid, w, t) : undefined;
    },
    routingProperties(accountSid, wsSid, taskSid) {
      const w = ws(accountSid, wsSid);
      const t = w?.tasks[taskSid];
      return w && t ? taskRoutingProperties(engine, accountSid, w, t) : undefined;
    },
    workerContactUri(accountSid, wsSid, workerSid) {
      const worker = ws(accountSid, wsSid)?.workers[workerSid];
      return worker ? workerContactUri(engine, worker) : undefined;
    },
    enqueue(accountSid, input) {
      const found = this.findWorkflow(accountSid, input.workflowSid);
      if (!found) throw new Error(`Workflow ${input.workflowSid} does not exist in account ${accountSid}`);
      const task = createTask(engine, accountSid, found.workspace, {
        workflowSid: input.workflowSid,
        attributes: JSON.stringify(input.attributes),
        taskChannel: input.taskChannel ?? 'voice',
        priority: input.priority,
        timeout: input.timeout,
      });
      return { workspaceSid: found.workspace.sid, taskSid: task.sid };
    },
    createTasksBulk(accountSid, wsSid, count, input = {}) {
      const w = mustWs(accountSid, wsSid);
      for (let i = 0; i < count; i++) createTask(engine, accountSid, w, input);
      return count;
    },
    handleVoiceHook: (accountSid, data, result) => handleVoiceHook(engine, accountSid, data, result),
  };
}

export const taskrouterService: ServiceModule<TaskRouterState> = {
  name: 'taskrouter',
  host: 'taskrouter',
  specFiles: ['twilio_taskrouter_v1.json'],
  initialState: () => ({ workspaces: {} }),
  routes: taskrouterRoutes,
  createApi,
  afterLoad: (env) => rearmAll(engineOf(env)),
  seed(env, accountSid, kind) {
    if (isFlexSeed(kind)) seedFlexTaskRouter(engineOf(env), accountSid);
    if (kind === 'flex-project-template') seedTemplateTaskRouter(engineOf(env), accountSid);
  },
  stop(env) {
    engineOf(env).clearDeadlines();
  },
};

// Re-exported for other services' typing.
export { recordEvent };
