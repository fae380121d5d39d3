/**
 * The emulator routes with the shared step walk: for random workflows,
 * queues, workers and tasks, what the emulator does over HTTP (the task's
 * queue, status, priority, reservation, cancel reason) is what `routeTask`
 * / `walkWorkflow` decide for the same inputs, and what the simulator's
 * trace shows, on creation; at each target timeout as the clock moves; and
 * on re-evaluation after new attributes.
 */
import fc from 'fast-check';
import {
  compileWorkflow,
  evaluateRoutingStep,
  routeTask,
  simulate,
  walkWorkflow,
  WorkflowValidationError,
  type CompiledWorkflow,
  type RoutingDecision,
  type RoutingTrace,
  type RoutingQueue,
  type RoutingTask,
  type RoutingWorker,
} from '../../routing';
import { startTestEmulator, type TestEmu } from './taskrouter.helpers';

const TARGET_WORKERS = ['1==1', "skills HAS 'a'", "skills HAS 'b'", 'level >= 2', '1==2'];
const FILTER_EXPRESSIONS = ["type == 'x'", "type == 'y'", 'vip == true', '1==1', 'level > 1'];
const TARGET_EXPRESSIONS = ['worker.level >= task.minLevel', 'task.vip == true', 'worker.sid NOT IN task.exclude', 'worker.level > 0'];
const SKIP_IFS = ['workers.available == 0', 'workers.available < 2', 'workers.unavailable > 0', '1==1'];

interface WorkerSpec {
  skills: string[];
  level: number;
  available: boolean;
  capacity: number;
}

interface TargetSpec {
  queue?: number;
  timeout?: number;
  skipIf?: number;
  expression?: number;
  priority?: number;
  orderBy: boolean;
  knownWorker: boolean;
}

interface Scenario {
  queues: number[];
  workers: WorkerSpec[];
  filters: { expression: number; targets: TargetSpec[] }[];
  defaultQueue?: number;
  task: { type?: string; vip: boolean; minLevel: number; level: number; exclude: number[]; agent?: number };
  /** Seconds the clock moves after creation. */
  advance: number;
}

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const targetArb: fc.Arbitrary<TargetSpec> = fc.record({
  queue: maybe(fc.nat(2)),
  timeout: maybe(fc.constantFrom(10, 25)),
  skipIf: maybe(fc.nat(SKIP_IFS.length - 1)),
  expression: maybe(fc.nat(TARGET_EXPRESSIONS.length - 1)),
  priority: maybe(fc.constantFrom(1, 7)),
  orderBy: fc.boolean(),
  knownWorker: fc.boolean(),
});

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  queues: fc.array(fc.nat(TARGET_WORKERS.length - 1), { minLength: 3, maxLength: 3 }),
  workers: fc.array(fc.record({ skills: fc.subarray(['a', 'b']), level: fc.nat(3), available: fc.boolean(), capacity: fc.constantFrom(0, 1, 1) }), { minLength: 1, maxLength: 4 }),
  filters: fc.array(fc.record({ expression: fc.nat(FILTER_EXPRESSIONS.length - 1), targets: fc.array(targetArb, { minLength: 1, maxLength: 3 }) }), { maxLength: 3 }),
  defaultQueue: maybe(fc.nat(2)),
  task: fc.record({
    type: maybe(fc.constantFrom('x', 'y')),
    vip: fc.boolean(),
    minLevel: fc.nat(3),
    level: fc.nat(3),
    exclude: fc.subarray([0, 1, 2, 3]),
    agent: maybe(fc.nat(4)),
  }),
  advance: fc.nat(70),
});

function configuration(s: Scenario, queueSids: string[]): Record<string, unknown> {
  const filters = s.filters.map((filter) => ({
    expression: FILTER_EXPRESSIONS[filter.expression],
    targets: filter.targets.map((target, index) => ({
      ...(index === 0 || target.queue !== undefined ? { queue: queueSids[target.queue ?? 0] } : {}),
      ...(target.timeout !== undefined ? { timeout: target.timeout } : {}),
      ...(target.skipIf !== undefined ? { skip_if: SKIP_IFS[target.skipIf] } : {}),
      ...(target.expression !== undefined ? { expression: TARGET_EXPRESSIONS[target.expression] } : {}),
      ...(target.priority !== undefined ? { priority: target.priority } : {}),
      ...(target.orderBy ? { order_by: 'worker.level DESC' } : {}),
      ...(target.knownWorker ? { known_worker_sid: 'task.agent' } : {}),
    })),
  }));
  return {
    task_routing: {
      ...(filters.length ? { filters } : {}),
      ...(s.defaultQueue !== undefined || filters.length === 0 ? { default_filter: { queue: queueSids[s.defaultQueue ?? 0] } } : {}),
    },
  };
}

/** What the emulator shows of a task, in the words of a routing decision. */
interface Observed {
  status: string;
  queueSid: string | null;
  priority: number;
  reason: string | null;
  reservedTo: string[];
}

function expected(decision: RoutingDecision): Partial<Observed> {
  switch (decision.kind) {
    case 'offer':
      return { status: 'reserved', queueSid: decision.step.queueSid, priority: decision.priority, reservedTo: [decision.evaluation.eligible[0].sid] };
    case 'wait':
      return { status: 'pending', queueSid: decision.step.queueSid, priority: decision.priority, reservedTo: [] };
    case 'workflow-timeout':
      return { status: 'canceled', reason: 'Task canceled on Workflow timeout' };
    case 'unmatched':
      return { status: 'canceled', reason: expect.stringContaining('did not match any filter') as unknown as string };
  }
}

/** What the simulator's trace says of a new task: the first step it does not skip is where it is offered or waits. */
function fromTrace(trace: RoutingTrace): Partial<Observed> {
  const current = trace.steps.find((step) => step.next.kind !== 'skip-to-next-target' && step.next.kind !== 'skip-to-next-filter');
  if (!current) return { status: 'canceled' };
  if (current.eligible.length > 0) return { status: 'reserved', queueSid: current.queueSid, priority: current.priority, reservedTo: [current.eligible[0].sid] };
  return { status: 'pending', queueSid: current.queueSid, priority: current.priority, reservedTo: [] };
}

describe('the emulator routes with the shared walk', () => {
  let t: TestEmu;
  beforeAll(async () => {
    t = await startTestEmulator({ seed: 'none' });
  });
  afterAll(() => t.stop());

  async function observe(wsSid: string, taskSid: string): Promise<Observed> {
    const ws = t.client.taskrouter.v1.workspaces(wsSid);
    const task = await ws.tasks(taskSid).fetch();
    const reservations = await ws.tasks(taskSid).reservations.list();
    return {
      status: task.assignmentStatus,
      queueSid: task.taskQueueSid,
      priority: task.priority,
      reason: task.reason,
      reservedTo: reservations.filter((r) => r.reservationStatus === 'pending').map((r) => r.workerSid),
    };
  }

  test('on creation, at every target timeout and on re-evaluation', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const client = t.client.taskrouter.v1;
        const workspace = await client.workspaces.create({ friendlyName: `walk-${Math.random()}` });
        const ws = client.workspaces(workspace.sid);
        try {
          const activities = await ws.activities.list();
          const available = activities.find((a) => a.friendlyName === 'Available')!;
          const offline = activities.find((a) => a.friendlyName === 'Offline')!;
          const queues: RoutingQueue[] = [];
          for (const [index, expression] of s.queues.entries()) {
            const queue = await ws.taskQueues.create({ friendlyName: `q${index}`, targetWorkers: TARGET_WORKERS[expression] });
            queues.push({ sid: queue.sid, friendlyName: queue.friendlyName, targetWorkers: queue.targetWorkers });
          }
          const workers: RoutingWorker[] = [];
          for (const [index, spec] of s.workers.entries()) {
            // A second apart, so the longest idle worker is the first created.
            t.emu.clock.advance(1000);
            const activity = spec.available ? available : offline;
            const attributes = { skills: spec.skills, level: spec.level };
            const created = await ws.workers.create({ friendlyName: `w${index}`, activitySid: activity.sid, attributes: JSON.stringify(attributes) });
            if (spec.capacity !== 1) await ws.workers(created.sid).workerChannels('default').update({ capacity: spec.capacity });
            workers.push({
              sid: created.sid,
              friendlyName: created.friendlyName,
              activitySid: activity.sid,
              activityName: activity.friendlyName,
              available: spec.available,
              attributes,
              channels: { default: { capacity: spec.capacity, assignedTasks: 0, available: true } },
              idleSince: index,
            });
          }

          const queueSids = queues.map((q) => q.sid);
          const config = configuration(s, queueSids);
          let workflow: CompiledWorkflow;
          try {
            workflow = compileWorkflow(config, { queueSids });
          } catch (err) {
            // The emulator refuses what the routing engine refuses.
            if (!(err instanceof WorkflowValidationError)) throw err;
            await expect(ws.workflows.create({ friendlyName: 'wf', configuration: JSON.stringify(config) })).rejects.toMatchObject({ status: 400 });
            return;
          }
          const wf = await ws.workflows.create({ friendlyName: 'wf', configuration: JSON.stringify(config) });

          const attributes: Record<string, unknown> = {
            ...(s.task.type !== undefined ? { type: s.task.type } : {}),
            vip: s.task.vip,
            minLevel: s.task.minLevel,
            level: s.task.level,
            exclude: s.task.exclude.filter((i) => i < workers.length).map((i) => workers[i].sid),
            ...(s.task.agent !== undefined ? { agent: workers[s.task.agent]?.sid ?? 'WKnobody' } : {}),
          };
          const created = await ws.tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify(attributes) });
          const snapshot = (attrs: Record<string, unknown>, ageSeconds: number, priority: number): RoutingTask => ({
            sid: created.sid,
            attributes: attrs,
            taskChannel: 'default',
            priority,
            ageSeconds,
          });

          // 1. On creation: the walk from the first filter at age 0, and the simulator's trace says the same.
          let decision = routeTask({ workflow, task: snapshot(attributes, 0, 0), queues, workers });
          const observed = await observe(workspace.sid, created.sid);
          expect(observed).toMatchObject(expected(decision));
          expect(observed).toMatchObject(fromTrace(simulate({ workflow, queues, workers, task: snapshot(attributes, 0, 0) })));
          if (decision.kind !== 'wait') return;

          // 2. The clock moves: at each target timeout the walk carries on from the next target.
          while (decision.kind === 'wait' && decision.step.cumulativeTimeoutSeconds !== undefined && decision.step.cumulativeTimeoutSeconds <= s.advance) {
            const age = decision.step.cumulativeTimeoutSeconds;
            const routed = snapshot(attributes, age, decision.priority);
            decision = walkWorkflow({
              workflow,
              attributes,
              ageSeconds: age,
              priority: decision.priority,
              now: new Date(t.emu.clock.now()),
              from: { kind: 'step', filterIndex: decision.step.filterIndex, stepIndex: decision.step.targetIndex + 1 },
              evaluate: (step) => evaluateRoutingStep({ step, task: routed, queues, workers }),
            });
          }
          t.emu.clock.advance(s.advance * 1000);
          expect(await observe(workspace.sid, created.sid)).toMatchObject(expected(decision));
          if (decision.kind !== 'wait') return;

          // 3. New attributes: the task is routed again from the first filter, keeping its age and priority.
          const changed = { ...attributes, vip: !s.task.vip, type: s.task.type === 'x' ? 'y' : 'x' };
          await ws.tasks(created.sid).update({ attributes: JSON.stringify(changed) });
          decision = routeTask({ workflow, task: snapshot(changed, s.advance, decision.priority), queues, workers });
          expect(await observe(workspace.sid, created.sid)).toMatchObject(expected(decision));
        } finally {
          await ws.remove();
        }
      }),
      { numRuns: 80 },
    );
  });
});
