// The step walk every router uses (emulator, routeTask, simulator): filters
// like a switch, cumulative target timeouts, skip_if to the next target and
// past the last one to later filters and the default_filter.
import { compileWorkflow, evaluateRoutingStep, matchFilter, routeTask, walkWorkflow, type RoutingStep, type StepVisit, type WalkInput, type WorkflowConfigurationInput } from '../../routing';
import { OFFLINE, queue, task, worker } from './fixtures';

const Q1 = 'WQ1';
const Q2 = 'WQ2';
const Q3 = 'WQ3';
const queues = [queue(Q1, '1==1', 'One'), queue(Q2, '1==1', 'Two'), queue(Q3, '1==1', 'Three')];
const nobody = [worker('WKoff', OFFLINE)];
const someone = [worker('WKon')];
const now = new Date('2026-01-05T10:00:00Z');

const walk = (config: WorkflowConfigurationInput, attributes: Record<string, unknown>, options: Partial<WalkInput> & { workers?: typeof someone; ageSeconds?: number } = {}) => {
  const workflow = compileWorkflow(config);
  const visits: StepVisit[] = [];
  const routed = task(attributes, { ageSeconds: options.ageSeconds ?? 0 });
  const end = walkWorkflow({
    workflow,
    attributes,
    ageSeconds: routed.ageSeconds,
    priority: 0,
    now,
    evaluate: (step: RoutingStep) => evaluateRoutingStep({ step, task: routed, queues, workers: options.workers ?? nobody, now }),
    onVisit: (visit) => visits.push(visit),
    ...options,
  });
  return { end, visits: visits.map((visit) => `${visit.step.filterName}#${visit.step.targetIndex}`) };
};

describe('matching filters', () => {
  const workflow = compileWorkflow({
    task_routing: {
      filters: [
        { filter_friendly_name: 'Support', expression: "type == 'support'", targets: [{ queue: Q1 }] },
        { filter_friendly_name: 'Sales', expression: "type == 'sales'", targets: [{ queue: Q3 }] },
        { expression: '1 == 1', targets: [{ queue: Q1 }] },
      ],
    },
  });

  it('finds the first matching filter, like a switch', () => {
    expect(matchFilter(workflow, { type: 'sales' })?.name).toBe('Sales');
    expect(matchFilter(workflow, { type: 'support' })?.name).toBe('Support');
    expect(matchFilter(workflow, { type: 'other' })?.name).toBe('filters[2]');
  });

  it('can start looking after a filter the task skipped', () => {
    expect(matchFilter(workflow, { type: 'support' }, { fromFilter: 1 })?.name).toBe('filters[2]');
    expect(matchFilter(workflow, { type: 'support' }, { fromFilter: 3 })).toBeUndefined();
  });

  it('reports each check in order, up to the match', () => {
    const checks: string[] = [];
    matchFilter(workflow, { type: 'sales' }, { onCheck: (filter, matched) => checks.push(`${filter.name}:${matched}`) });
    expect(checks).toEqual(['Support:false', 'Sales:true']);
  });

  it('evaluates time-of-day filters at the given instant', () => {
    const hours = compileWorkflow({
      task_routing: { filters: [{ filter_friendly_name: 'Open', expression: 'taskrouter.currentHour >= 9 AND taskrouter.currentHour < 17', targets: [{ queue: Q1 }] }] },
    });
    expect(matchFilter(hours, {}, { clock: () => new Date('2026-01-05T10:00:00Z') })?.name).toBe('Open');
    expect(matchFilter(hours, {}, { now: new Date('2026-01-05T18:00:00Z') })).toBeUndefined();
  });
});

describe('walkWorkflow', () => {
  const sales = { filter_friendly_name: 'Sales', expression: "type == 'sales'", targets: [{ queue: Q1 }] };

  it('routes to the default_filter only when no filter matches', () => {
    const config = { task_routing: { filters: [sales], default_filter: { queue: Q3 } } };
    expect(walk(config, { type: 'sales' }).end).toMatchObject({ kind: 'wait', step: { queueSid: Q1, filterName: 'Sales' } });
    expect(walk(config, { type: 'other' }).end).toMatchObject({ kind: 'wait', step: { queueSid: Q3, isDefault: true }, filter: undefined });
  });

  it('reports an unmatched task when nothing matches and there is no default_filter', () => {
    expect(walk({ task_routing: { filters: [sales] } }, { type: 'other' }).end).toEqual({ kind: 'unmatched', afterSkip: false });
  });

  const timed = {
    task_routing: {
      filters: [
        {
          expression: '1==1',
          targets: [{ queue: Q1, timeout: 10 }, { timeout: 20 }, { queue: Q2, timeout: 30, skip_if: 'workers.available == 0' }, { queue: Q3 }],
        },
      ],
    },
  };

  it.each<[number, number]>([
    [0, 0],
    [9, 0],
    [10, 1],
    [29, 1],
    [30, 3], // target 2 is skipped at once: nobody is available in Q2
    [100000, 3],
  ])('at age %is the task waits in target %i (timeouts are cumulative on its age)', (ageSeconds, target) => {
    const { end } = walk(timed, {}, { ageSeconds });
    expect(end.kind === 'wait' && end.step.targetIndex).toBe(target);
  });

  it("passes targets the task's age is past without entering them", () => {
    expect(walk(timed, {}, { ageSeconds: 61 }).visits).toEqual(['filters[0]#3']);
  });

  it('cancels on Workflow timeout once the age passes the last target', () => {
    const config = { task_routing: { filters: [{ filter_friendly_name: 'F', expression: '1==1', targets: [{ queue: Q1, timeout: 10 }, { timeout: 5 }] }], default_filter: { queue: Q3 } } };
    expect(walk(config, {}, { ageSeconds: 14 }).end).toMatchObject({ kind: 'wait', step: { targetIndex: 1 } });
    expect(walk(config, {}, { ageSeconds: 15 }).end).toMatchObject({ kind: 'workflow-timeout', filter: { name: 'F' }, atAgeSeconds: 15 });
  });

  it("does not enter a target reached by skip_if when the task's age is already past it", () => {
    // Target 1 has no timeout, so a task of age 12 is there; its skip leads to target 2, which expired at 11.
    const config = {
      task_routing: {
        filters: [
          {
            filter_friendly_name: 'F',
            expression: '1==1',
            targets: [
              { queue: Q1, timeout: 10 },
              { queue: Q2, skip_if: '1==1' },
              { queue: Q3, timeout: 1 },
            ],
          },
        ],
      },
    };
    const { end, visits } = walk(config, {}, { ageSeconds: 12, workers: nobody });
    expect(visits).toEqual(['F#1']);
    expect(end).toMatchObject({ kind: 'workflow-timeout', filter: { name: 'F' }, atAgeSeconds: 11 });
  });

  it('after the last target times out, moves on to the next filter that matches — never to default_filter', () => {
    const config = {
      task_routing: {
        filters: [
          { filter_friendly_name: 'First', expression: '1==1', targets: [{ queue: Q1, timeout: 10 }] },
          { filter_friendly_name: 'Other', expression: "type == 'other'", targets: [{ queue: Q2 }] },
          { filter_friendly_name: 'Sales', expression: "type == 'sales'", targets: [{ queue: Q2, timeout: 30 }] },
        ],
        default_filter: { queue: Q3 },
      },
    };
    expect(walk(config, { type: 'sales' }, { ageSeconds: 10 }).end).toMatchObject({ kind: 'wait', filter: { name: 'Sales' }, step: { queueSid: Q2 } });
    expect(walk(config, { type: 'sales' }, { ageSeconds: 30 }).end).toMatchObject({ kind: 'workflow-timeout', filter: { name: 'Sales' }, atAgeSeconds: 30 });
    expect(walk(config, { type: 'billing' }, { ageSeconds: 10 }).end).toMatchObject({ kind: 'workflow-timeout', filter: { name: 'First' }, atAgeSeconds: 10 });
    const { visits } = walk(config, { type: 'sales' }, { mode: 'path', workers: nobody });
    expect(visits).toEqual(['First#0', 'Sales#0']);
  });

  it('skips past the last target to the following filters, then the default_filter', () => {
    const skipping = { expression: '1==1', targets: [{ queue: Q1, skip_if: 'workers.available == 0' }] };
    const { end, visits } = walk({ task_routing: { filters: [skipping, skipping], default_filter: { queue: Q3 } } }, {});
    expect(visits).toEqual(['filters[0]#0', 'filters[1]#0', 'default_filter#0']);
    expect(end).toMatchObject({ kind: 'wait', step: { isDefault: true } });
    expect(walk({ task_routing: { filters: [skipping] } }, {}).end).toEqual({ kind: 'unmatched', afterSkip: true });
  });

  it('offers in the first step where someone is eligible, without evaluating skip_if', () => {
    const config = { task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q1, skip_if: '1==1' }, { queue: Q2 }] }] } };
    const { end } = walk(config, {}, { workers: someone });
    expect(end).toMatchObject({ kind: 'offer', step: { targetIndex: 0 } });
    expect(end.kind === 'offer' && end.evaluation.skipIfEvaluated).toBe(false);
  });

  it('carries on inside a filter from a given target (after the previous one timed out)', () => {
    const { end, visits } = walk(timed, {}, { ageSeconds: 10, from: { kind: 'step', filterIndex: 0, stepIndex: 1 } });
    expect(visits).toEqual(['filters[0]#1']);
    expect(end).toMatchObject({ kind: 'wait', step: { targetIndex: 1 } });
    const past = walk(
      { task_routing: { filters: [{ filter_friendly_name: 'F', expression: '1==1', targets: [{ queue: Q1, timeout: 10 }] }] } },
      {},
      {
        ageSeconds: 10,
        from: { kind: 'step', filterIndex: 0, stepIndex: 1 },
      },
    );
    expect(past.end).toMatchObject({ kind: 'workflow-timeout', filter: { name: 'F' } });
  });

  it("applies a target's priority when the task enters it; later targets without one keep it", () => {
    const config = {
      task_routing: {
        filters: [
          {
            expression: '1==1',
            targets: [
              { queue: Q1, timeout: 10, priority: 5 },
              { queue: Q2, timeout: 10 },
              { queue: Q3, priority: 2 },
            ],
          },
        ],
      },
    };
    const priorities: number[] = [];
    walk(config, {}, { mode: 'path', onEnter: (_step, priority) => priorities.push(priority) });
    expect(priorities).toEqual([5, 5, 2]);
  });

  it("does not apply the priority of a target the task's age has passed", () => {
    const config = { task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q1, timeout: 10, priority: 5 }, { queue: Q2 }] }] } };
    expect(walk(config, {}, { ageSeconds: 11 }).end).toMatchObject({ kind: 'wait', priority: 0, step: { targetIndex: 1 } });
  });

  it('in path mode walks every step the task would go through if nobody accepted', () => {
    const { end, visits } = walk(timed, {}, { mode: 'path', workers: someone });
    expect(visits).toEqual(['filters[0]#0', 'filters[0]#1', 'filters[0]#2', 'filters[0]#3']);
    expect(end).toMatchObject({ kind: 'wait', step: { targetIndex: 3 } });
  });
});

describe('routeTask', () => {
  it('is the walk for a snapshot of workers and queues', () => {
    const workflow = compileWorkflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q1, timeout: 10 }, { queue: Q2 }] }] } });
    const decision = routeTask({ workflow, task: task({}, { ageSeconds: 10 }), queues, workers: someone, now });
    expect(decision).toMatchObject({ kind: 'offer', step: { queueSid: Q2 } });
    expect(decision.kind === 'offer' && decision.evaluation.eligible.map((w) => w.sid)).toEqual(['WKon']);
  });
});
