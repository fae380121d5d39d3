import { activeStepIndex, compileWorkflow, WorkflowValidationError } from "../../routing";

const Q1 = "WQ1";
const Q2 = "WQ2";
const Q3 = "WQ3";

const config = {
  task_routing: {
    filters: [
      {
        filter_friendly_name: "Support",
        expression: "type == 'support'",
        targets: [
          { queue: Q1, timeout: 10, priority: 5, expression: "worker.level > 1", order_by: "worker.level DESC" },
          { timeout: 20 },
          { queue: Q2, priority: "7", skip_if: "workers.available == 0", timeout: 30 },
          { known_worker_sid: "task.agent.sid" },
        ],
      },
      { filter_friendly_name: "Sales", expression: "type == 'sales'", targets: [{ queue: Q3 }] },
      { expression: "1 == 1", targets: [{ queue: Q1 }] },
    ],
    default_filter: { queue: Q3 },
  },
};

describe("compileWorkflow", () => {
  const workflow = compileWorkflow(config);
  const support = workflow.filters[0];

  it("inherits the queue from the previous target when a target names none", () => {
    expect(support.steps.map((step) => [step.queueSid, step.queueInherited])).toEqual([
      [Q1, false],
      [Q1, true],
      [Q2, false],
      [Q2, true],
    ]);
  });

  it("makes timeouts cumulative on task age and leaves targets without timeout open-ended", () => {
    expect(support.steps.map((step) => step.timeoutSeconds)).toEqual([10, 20, 30, undefined]);
    expect(support.steps.map((step) => step.cumulativeTimeoutSeconds)).toEqual([10, 30, 60, undefined]);
  });

  it("does not inherit expressions, priorities, order_by or skip_if (only the queue)", () => {
    const second = support.steps[1];
    expect(second.expression).toBeUndefined();
    expect(second.priority).toBeUndefined();
    expect(second.orderBy).toEqual([]);
    expect(second.skipIf).toBeUndefined();
  });

  it("carries the compiled target expression, priority (string or number), order_by, skip_if and known worker", () => {
    const [first, , third, fourth] = support.steps;
    expect(first.expression?.evaluate({ worker: { sid: "WK", friendlyName: "", activitySid: "", activityName: "", attributes: { level: 2 } } })).toBe(true);
    expect(first.priority).toBe(5);
    expect(third.priority).toBe(7);
    expect(first.orderBy.map((rule) => `${rule.attribute} ${rule.direction}`)).toEqual(["worker.level DESC"]);
    expect(third.skipIf?.evaluate({ workers: { available: 0, unavailable: 2, byActivitySid: {} } })).toBe(true);
    expect(fourth.knownWorker?.field).toBe("known_worker_sid");
    expect(fourth.knownWorker?.valueFor({ agent: { sid: "WKx" } })).toBe("WKx");
    expect(fourth.knownWorker?.valueFor({})).toBeNull();
  });

  it("marks the last target of each filter", () => {
    expect(support.steps.map((step) => step.isLast)).toEqual([false, false, false, true]);
  });

  it("names filters by friendly name or position", () => {
    expect(workflow.filters.map((filter) => filter.name)).toEqual(["Support", "Sales", "filters[2]"]);
  });

  it("finds the first matching filter, like a switch", () => {
    expect(workflow.findMatchingFilter({ type: "sales" })?.name).toBe("Sales");
    expect(workflow.findMatchingFilter({ type: "support" })?.name).toBe("Support");
    expect(workflow.findMatchingFilter({ type: "other" })?.name).toBe("filters[2]");
  });

  it("can start looking after a filter the task skipped", () => {
    expect(workflow.findMatchingFilter({ type: "support" }, { fromIndex: 1 })?.name).toBe("filters[2]");
    expect(workflow.findMatchingFilter({ type: "support" }, { fromIndex: 3 })).toBeUndefined();
  });

  it("routes to the default_filter only when no filter matches", () => {
    const noCatchAll = compileWorkflow({ task_routing: { filters: [config.task_routing.filters[1]], default_filter: { queue: Q3 } } });
    expect(noCatchAll.route({ type: "sales" })).toMatchObject({ kind: "filter" });
    const fallback = noCatchAll.route({ type: "other" });
    expect(fallback.kind).toBe("default");
    if (fallback.kind !== "default") return;
    expect(fallback.steps[0]).toMatchObject({ isDefault: true, queueSid: Q3, filterIndex: null });
    expect(fallback.steps[0].cumulativeTimeoutSeconds).toBeUndefined();
  });

  it("reports no route when nothing matches and there is no default_filter", () => {
    const strict = compileWorkflow({ task_routing: { filters: [config.task_routing.filters[1]] } });
    expect(strict.route({ type: "other" })).toEqual({ kind: "none" });
  });

  it("evaluates time-of-day filters against the given clock", () => {
    const hours = compileWorkflow({
      task_routing: {
        filters: [{ filter_friendly_name: "Open", expression: "taskrouter.currentHour >= 9 AND taskrouter.currentHour < 17", targets: [{ queue: Q1 }] }],
        default_filter: { queue: Q2 },
      },
    });
    expect(hours.route({}, { clock: () => new Date("2026-01-05T10:00:00Z") }).kind).toBe("filter");
    expect(hours.route({}, { now: new Date("2026-01-05T18:00:00Z") }).kind).toBe("default");
  });

  it("accepts the JSON string form", () => {
    expect(compileWorkflow(JSON.stringify(config)).filters).toHaveLength(3);
  });

  it("throws WorkflowValidationError carrying the findings", () => {
    try {
      compileWorkflow({ task_routing: { filters: [{ expression: "a ==", targets: [{ timeout: 1 }] }] } });
      throw new Error("not thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(WorkflowValidationError);
      const findings = (error as WorkflowValidationError).findings;
      expect(findings.map((finding) => finding.field)).toEqual(["expression", "queue"]);
      expect((error as Error).message).toContain("task_routing.filters[0].targets[0].queue");
    }
  });

  it("checks queue references when given the workspace's queues", () => {
    expect(() => compileWorkflow(config, { queueSids: [Q1, Q2] })).toThrow(/'WQ3' is not one of/);
  });
});

describe("activeStepIndex: where a task of a given age is", () => {
  const steps = compileWorkflow(config).filters[0].steps;
  it.each<[number, number | undefined]>([
    [0, 0],
    [9, 0],
    [10, 1],
    [29, 1],
    [30, 2],
    [59, 2],
    [60, 3],
    [100000, 3],
  ])("age %is → step %p", (age, index) => {
    expect(activeStepIndex(steps, age)).toBe(index);
  });

  it("is undefined once the last target's cumulative timeout has passed", () => {
    const timed = compileWorkflow({ task_routing: { filters: [{ expression: "1==1", targets: [{ queue: Q1, timeout: 10 }, { timeout: 5 }] }] } }).filters[0].steps;
    expect(activeStepIndex(timed, 14)).toBe(1);
    expect(activeStepIndex(timed, 15)).toBeUndefined();
  });
});
