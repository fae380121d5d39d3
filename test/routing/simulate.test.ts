import { compileWorkflow, formatTrace, routeTask, simulate, WorkflowValidationError, type RoutingTrace, type SimulateInput } from '../../routing';
import { OFFLINE, fixedClock, queue, task, worker } from './fixtures';

const SALES = 'WQsales';
const SUPPORT = 'WQsupport';
const EVERYONE = 'WQeveryone';
const queues = [queue(SALES, "skills HAS 'sales'", 'Sales'), queue(SUPPORT, "skills HAS 'support'", 'Support'), queue(EVERYONE, '1==1', 'Everyone')];
const workers = [
  worker('WKsam', { attributes: { skills: ['sales'], level: 3 }, idleSince: 10 }),
  worker('WKsue', { attributes: { skills: ['support'] }, idleSince: 20 }),
  worker('WKgus', { attributes: { skills: [] }, idleSince: 5 }),
];
const nobodyAvailable = workers.map((w) => ({ ...w, ...OFFLINE }));
const clock = fixedClock('2026-11-23T10:00:00Z');

const run = (config: SimulateInput['workflow'], attributes: Record<string, unknown>, overrides: { workers?: typeof workers; ageSeconds?: number; priority?: number } = {}): RoutingTrace =>
  simulate({ workflow: config, queues, workers: overrides.workers ?? workers, task: task(attributes, { ageSeconds: overrides.ageSeconds ?? 0, priority: overrides.priority ?? 0 }), clock });

const transitions = (trace: RoutingTrace) => trace.steps.map((step) => `${step.filterName}#${step.targetIndex}:${step.next.kind}`);

describe('simulate: following twilio-semantics §3', () => {
  const salesWithTimeouts = {
    task_routing: {
      filters: [
        {
          filter_friendly_name: 'Sales',
          expression: "type == 'sales'",
          targets: [
            { queue: SALES, timeout: 30, priority: 5 },
            { queue: EVERYONE, timeout: 60 },
          ],
        },
      ],
      default_filter: { queue: SUPPORT },
    },
  };

  it("offers the matched filter's first target, longest idle first", () => {
    const trace = run(salesWithTimeouts, { type: 'sales' });
    expect(trace.filterChecks).toEqual([{ filterIndex: 0, filterName: 'Sales', expression: "type == 'sales'", matched: true }]);
    expect(trace.firstOffer).toEqual({ stepIndex: 0, worker: { sid: 'WKsam', friendlyName: 'sam' } });
    expect(trace.steps[1].eligible.map((w) => w.sid)).toEqual(['WKgus', 'WKsam', 'WKsue']);
  });

  it('moves on at each cumulative timeout, and a matched filter that times out is canceled — it does NOT go to default_filter', () => {
    const trace = run(salesWithTimeouts, { type: 'sales' });
    expect(trace.steps.map((step) => step.next)).toEqual([
      { kind: 'timeout-to-next-target', atAgeSeconds: 30 },
      { kind: 'workflow-timeout', atAgeSeconds: 90 },
    ]);
    expect(trace.steps[1].entersAtAgeSeconds).toBe(30);
    expect(trace.end).toEqual({ kind: 'canceled', reason: 'Task canceled on Workflow timeout', atAgeSeconds: 90 });
    expect(trace.steps.some((step) => step.isDefault)).toBe(false);
  });

  it("keeps a target's priority for later targets that set none", () => {
    const trace = run(salesWithTimeouts, { type: 'sales' }, { priority: 1 });
    expect(trace.steps.map((step) => step.priority)).toEqual([5, 5]);
  });

  it("names the next matching filter as where the last target's timeout leads, if one matches", () => {
    const config = { task_routing: { filters: [...salesWithTimeouts.task_routing.filters, { filter_friendly_name: 'Any', expression: '1==1', targets: [{ queue: SUPPORT }] }] } };
    const trace = run(config, { type: 'sales' });
    expect(trace.steps.map((step) => step.next)).toEqual([{ kind: 'timeout-to-next-target', atAgeSeconds: 30 }, { kind: 'timeout-to-next-filter', atAgeSeconds: 90 }, { kind: 'wait' }]);
    expect(trace.steps[2]).toMatchObject({ filterName: 'Any', entersAtAgeSeconds: 90 });
    expect(trace.end).toEqual({ kind: 'waits', stepIndex: 2 });
  });

  it('sends a task that matches no filter to the default_filter, which waits until TTL', () => {
    const trace = run(salesWithTimeouts, { type: 'billing' });
    expect(trace.filterChecks.map((check) => check.matched)).toEqual([false]);
    expect(trace.steps).toHaveLength(1);
    expect(trace.steps[0]).toMatchObject({ isDefault: true, filterIndex: null, queueSid: SUPPORT, queueName: 'Support', next: { kind: 'wait' } });
    expect(trace.end).toEqual({ kind: 'waits', stepIndex: 0 });
    expect(trace.firstOffer?.worker.sid).toBe('WKsue');
  });

  it('reports an unmatched task when there is no default_filter', () => {
    const trace = run({ task_routing: { filters: salesWithTimeouts.task_routing.filters } }, { type: 'billing' });
    expect(trace.steps).toEqual([]);
    expect(trace.firstOffer).toBeUndefined();
    expect(trace.end).toEqual({ kind: 'unmatched', afterSkip: false });
  });

  it('stays in a target without timeout; later targets are never reached', () => {
    const trace = run({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: SALES }] }] } }, {}, { workers: nobodyAvailable });
    expect(transitions(trace)).toEqual(['filters[0]#0:wait']);
    expect(trace.firstOffer).toBeUndefined();
    expect(trace.end).toEqual({ kind: 'waits', stepIndex: 0 });
  });

  const skipping = {
    task_routing: {
      filters: [
        {
          filter_friendly_name: 'VIP',
          expression: 'vip == true',
          targets: [
            { queue: SALES, skip_if: 'workers.available == 0' },
            { queue: SUPPORT, skip_if: 'workers.available == 0' },
          ],
        },
        { filter_friendly_name: 'Sales', expression: "type == 'sales'", targets: [{ queue: SALES, skip_if: 'workers.available == 0' }] },
      ],
      default_filter: { queue: EVERYONE },
    },
  };

  it('skips to the next target, then past the last target to the next filter, then to default_filter', () => {
    const trace = run(skipping, { vip: true, type: 'sales' }, { workers: nobodyAvailable });
    expect(transitions(trace)).toEqual(['VIP#0:skip-to-next-target', 'VIP#1:skip-to-next-filter', 'Sales#0:skip-to-next-filter', 'default_filter#0:wait']);
    expect(trace.filterChecks.map((check) => `${check.filterName}:${check.matched}`)).toEqual(['VIP:true', 'Sales:true']);
    expect(trace.steps[0].skipIf).toEqual({ expression: 'workers.available == 0', evaluated: true, result: true, available: 0, unavailable: 1 });
    expect(trace.end).toEqual({ kind: 'waits', stepIndex: 3 });
  });

  it('skipping the named filters still qualifies for default_filter; without one the task is unmatched', () => {
    const trace = run({ task_routing: { filters: skipping.task_routing.filters } }, { vip: true }, { workers: nobodyAvailable });
    expect(transitions(trace)).toEqual(['VIP#0:skip-to-next-target', 'VIP#1:skip-to-next-filter']);
    expect(trace.filterChecks.map((check) => check.filterName)).toEqual(['VIP', 'Sales']);
    expect(trace.end).toEqual({ kind: 'unmatched', afterSkip: true });
  });

  it('does not skip when someone is eligible', () => {
    const trace = run(skipping, { vip: true });
    expect(trace.steps[0].next.kind).toBe('wait');
    expect(trace.steps[0].skipIf?.evaluated).toBe(false);
    expect(trace.firstOffer?.worker.sid).toBe('WKsam');
  });

  it("marks targets the task's age has already passed and offers from the current one", () => {
    const trace = run(salesWithTimeouts, { type: 'sales' }, { ageSeconds: 45 });
    expect(trace.steps.map((step) => step.alreadyTimedOut)).toEqual([true, false]);
    expect(trace.firstOffer).toEqual({ stepIndex: 1, worker: { sid: 'WKgus', friendlyName: 'gus' } });
  });

  it('flags a step whose queue is not among the given queues', () => {
    const trace = run({ task_routing: { default_filter: { queue: 'WQgone' } } }, {});
    expect(trace.steps[0]).toMatchObject({ queueFound: false, memberCount: 0, eligible: [] });
    expect(formatTrace(trace)).toContain('WQgone — NOT FOUND among the given queues');
  });

  it('accepts a compiled workflow and rejects an invalid configuration', () => {
    expect(run(compileWorkflow(salesWithTimeouts), { type: 'sales' }).firstOffer?.worker.sid).toBe('WKsam');
    expect(() => run({ task_routing: {} }, {})).toThrow(WorkflowValidationError);
  });

  it('evaluates time-of-day filters at the injected clock', () => {
    const hours = {
      task_routing: {
        filters: [{ filter_friendly_name: 'Weekend', expression: "taskrouter.dayOfWeek IN ['Sat', 'Sun']", targets: [{ queue: SUPPORT }] }],
        default_filter: { queue: SALES },
      },
    };
    const at = (iso: string) => simulate({ workflow: hours, queues, workers, task: task({}), clock: fixedClock(iso) });
    expect(at('2026-11-22T10:00:00Z').steps[0].filterName).toBe('Weekend'); // Sunday
    expect(at('2026-11-23T10:00:00Z').steps[0].filterName).toBe('default_filter'); // Monday
  });
});

describe('formatTrace', () => {
  const config = {
    task_routing: {
      filters: [
        {
          filter_friendly_name: 'Sales',
          expression: "type == 'sales'",
          targets: [
            { queue: SALES, timeout: 30, known_worker_sid: 'task.agent' },
            { queue: EVERYONE, timeout: 60, expression: "worker.sid != 'WKsue'" },
          ],
        },
      ],
      default_filter: { queue: SUPPORT },
    },
  };
  const text = formatTrace(run(config, { type: 'sales', agent: 'WKsam' }));

  it.each([
    "✔ [0] Sales: type == 'sales'",
    '1. target 0 → queue Sales (WQsales)',
    'timeout 30s (leaves at age 30s)',
    'known_worker_sid: task.agent = "WKsam" — in the queue',
    'eligible, in offer order (1): WKsam (sam)',
    'if nobody accepts: at age 30s the target times out → next target',
    '2. target 1 → queue Everyone (WQeveryone)',
    'excluded — target expression is false (1): WKsue (sue)',
    'at age 90s the last target times out and no later filter matches → Task canceled on Workflow timeout',
    'First offer: WKsam (sam) via Sales target 0',
    'If nobody accepts: Task canceled on Workflow timeout at age 90s',
  ])('shows %j', (line) => {
    expect(text).toContain(line);
  });

  it('summarizes long worker lists', () => {
    const many = Array.from({ length: 25 }, (_, index) => worker(`WK${String(index).padStart(2, '0')}`, { idleSince: index }));
    const trace = simulate({ workflow: { task_routing: { default_filter: { queue: EVERYONE } } }, queues, workers: many, task: task({}), clock });
    expect(formatTrace(trace)).toContain('eligible, in offer order (25): WK00 (00), WK01 (01)');
    expect(formatTrace(trace)).toContain('… and 15 more');
  });

  it('says where an unmatched task goes', () => {
    expect(formatTrace(run({ task_routing: { filters: config.task_routing.filters } }, { type: 'x' }))).toContain('no filter matched and there is no default_filter — the task is not routed');
  });
});

describe("routeTask: the emulator's routing decision for a snapshot", () => {
  const workflow = compileWorkflow({
    task_routing: {
      filters: [
        {
          filter_friendly_name: 'Sales',
          expression: "type == 'sales'",
          targets: [
            { queue: SALES, timeout: 30, priority: 9 },
            { queue: EVERYONE, timeout: 30, skip_if: 'workers.available == 0' },
          ],
        },
        { filter_friendly_name: 'Support', expression: "type == 'support'", targets: [{ queue: SUPPORT, skip_if: 'workers.available == 0' }] },
      ],
    },
  });
  const decide = (attributes: Record<string, unknown>, ageSeconds = 0, pool = workers) => routeTask({ workflow, task: task(attributes, { ageSeconds }), queues, workers: pool, clock });

  it('offers in the current step with its priority', () => {
    const decision = decide({ type: 'sales' });
    expect(decision.kind).toBe('offer');
    if (decision.kind !== 'offer') return;
    expect(decision.step.queueSid).toBe(SALES);
    expect(decision.priority).toBe(9);
    expect(decision.evaluation.eligible[0].sid).toBe('WKsam');
  });

  it("uses the task's age to pick the step (timeouts are cumulative)", () => {
    const decision = decide({ type: 'sales' }, 31);
    expect(decision.kind === 'offer' && decision.step.queueSid).toBe(EVERYONE);
    // The task never entered the Sales target at this age, so its priority is the task's own.
    expect(decision.kind === 'offer' && decision.priority).toBe(0);
  });

  it('cancels on Workflow timeout once the age passes the last target', () => {
    expect(decide({ type: 'sales' }, 60)).toMatchObject({ kind: 'workflow-timeout', filter: { name: 'Sales' } });
  });

  it('waits where nobody is eligible and skip_if does not apply', () => {
    const decision = decide({ type: 'sales' }, 0, nobodyAvailable);
    expect(decision.kind === 'wait' && decision.step.queueSid).toBe(SALES);
  });

  it('follows a skip of the last target to the next filters and reports unmatched when none is left', () => {
    expect(decide({ type: 'sales' }, 31, nobodyAvailable)).toEqual({ kind: 'unmatched', afterSkip: true });
    expect(decide({ type: 'other' })).toEqual({ kind: 'unmatched', afterSkip: false });
  });
});
