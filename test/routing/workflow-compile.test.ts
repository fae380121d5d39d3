import { asCompiledWorkflow, compileWorkflow, WorkflowValidationError } from '../../routing';

const Q1 = 'WQ1';
const Q2 = 'WQ2';
const Q3 = 'WQ3';

const config = {
  task_routing: {
    filters: [
      {
        filter_friendly_name: 'Support',
        expression: "type == 'support'",
        targets: [
          { queue: Q1, timeout: 10, priority: 5, expression: 'worker.level > 1', order_by: 'worker.level DESC' },
          { timeout: 20 },
          { queue: Q2, priority: '7', skip_if: 'workers.available == 0', timeout: 30 },
          { known_worker_sid: 'task.agent.sid' },
        ],
      },
      { filter_friendly_name: 'Sales', expression: "type == 'sales'", targets: [{ queue: Q3 }] },
      { expression: '1 == 1', targets: [{ queue: Q1 }] },
    ],
    default_filter: { queue: Q3 },
  },
};

describe('compileWorkflow', () => {
  const workflow = compileWorkflow(config);
  const support = workflow.filters[0];

  it('inherits the queue from the previous target when a target names none', () => {
    expect(support.steps.map((step) => [step.queueSid, step.queueInherited])).toEqual([
      [Q1, false],
      [Q1, true],
      [Q2, false],
      [Q2, true],
    ]);
  });

  it('makes timeouts cumulative on task age and leaves targets without timeout open-ended', () => {
    expect(support.steps.map((step) => step.timeoutSeconds)).toEqual([10, 20, 30, undefined]);
    expect(support.steps.map((step) => step.cumulativeTimeoutSeconds)).toEqual([10, 30, 60, undefined]);
  });

  it('does not inherit expressions, priorities, order_by or skip_if (only the queue)', () => {
    const second = support.steps[1];
    expect(second.expression).toBeUndefined();
    expect(second.priority).toBeUndefined();
    expect(second.orderBy).toEqual([]);
    expect(second.skipIf).toBeUndefined();
  });

  it('carries the compiled target expression, priority (string or number), order_by, skip_if and known worker', () => {
    const [first, , third, fourth] = support.steps;
    expect(first.expression?.evaluate({ worker: { sid: 'WK', friendlyName: '', activitySid: '', activityName: '', attributes: { level: 2 } } })).toBe(true);
    expect(first.priority).toBe(5);
    expect(third.priority).toBe(7);
    expect(first.orderBy.map((rule) => `${rule.attribute} ${rule.direction}`)).toEqual(['worker.level DESC']);
    expect(third.skipIf?.evaluate({ workers: { available: 0, unavailable: 2, byActivitySid: {} } })).toBe(true);
    expect(fourth.knownWorker?.field).toBe('known_worker_sid');
    expect(fourth.knownWorker?.valueFor({ agent: { sid: 'WKx' } })).toBe('WKx');
    expect(fourth.knownWorker?.valueFor({})).toBeNull();
  });

  it('marks the last target of each filter', () => {
    expect(support.steps.map((step) => step.isLast)).toEqual([false, false, false, true]);
  });

  it('names filters by friendly name or position', () => {
    expect(workflow.filters.map((filter) => filter.name)).toEqual(['Support', 'Sales', 'filters[2]']);
  });

  it('accepts the JSON string form', () => {
    expect(compileWorkflow(JSON.stringify(config)).filters).toHaveLength(3);
  });

  it('compiles a configuration once and passes a compiled workflow through', () => {
    expect(asCompiledWorkflow(workflow)).toBe(workflow);
    expect(asCompiledWorkflow(config).filters.map((filter) => filter.name)).toEqual(['Support', 'Sales', 'filters[2]']);
  });

  it('compiles the default_filter to one step that never times out', () => {
    expect(workflow.defaultStep).toMatchObject({ isDefault: true, isLast: true, queueSid: Q3, filterIndex: null, filterName: 'default_filter' });
    expect(workflow.defaultStep?.cumulativeTimeoutSeconds).toBeUndefined();
  });

  it('throws WorkflowValidationError carrying the findings', () => {
    try {
      compileWorkflow({ task_routing: { filters: [{ expression: 'a ==', targets: [{ timeout: 1 }] }] } });
      throw new Error('not thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(WorkflowValidationError);
      const findings = (error as WorkflowValidationError).findings;
      expect(findings.map((finding) => finding.field)).toEqual(['expression', 'queue']);
      expect((error as Error).message).toContain('task_routing.filters[0].targets[0].queue');
    }
  });

  it("checks queue references when given the workspace's queues", () => {
    expect(() => compileWorkflow(config, { queueSids: [Q1, Q2] })).toThrow(/'WQ3' is not one of/);
  });
});
