// One test per rule stated on Twilio's "Using TaskRouter Expressions"
// (E…) and "Workflows Overview" (W…) pages; routing/README.md lists each
// rule with the sentence it comes from and the name of its test here.
import {
  compileExpression,
  compileWorkflow,
  evaluateRoutingStep,
  ExpressionSyntaxError,
  routeTask,
  validateWorkflowConfiguration,
  walkWorkflow,
  type BooleanExpressionKind,
  type RoutingStep,
  type WorkflowConfigurationInput,
} from '../../routing';
import { OFFLINE, queue, task, worker } from './fixtures';

const filter = (source: string, attributes: Record<string, unknown>) => compileExpression(source, { kind: 'filter' }).evaluate({ task: attributes });
const compiles = (source: string, kind: BooleanExpressionKind) => () => compileExpression(source, { kind });

// The page's own example document.
const DOC = { string_const: 'foo', object: { array: ['a', 'b', 'c'], attr: 'bar', param: 'pear' } };

describe('Using TaskRouter Expressions', () => {
  it('E01 expressions bind workers to queues (bare worker attributes) and filter tasks (bare task attributes)', () => {
    const targetWorkers = compileExpression("(skills HAS 'support') AND (languages HAS 'english')", { kind: 'queue' });
    expect(targetWorkers.evaluate({ worker: worker('WKa', { attributes: { skills: ['support'], languages: ['english'] } }) })).toBe(true);
    expect(targetWorkers.evaluate({ worker: worker('WKb', { attributes: { skills: ['sales'], languages: ['english'] } }) })).toBe(false);
    expect(filter("customer_value == 'Gold' AND type == 'ticket'", { customer_value: 'Gold', type: 'ticket' })).toBe(true);
  });

  it.each<[string, Record<string, unknown>, boolean]>([
    ['1 == 1', {}, true],
    ['0 != 1', {}, true],
    ['"apple" != "orange"', {}, true],
    ['key > 1', { key: 2 }, true],
    ['object.param != "apple"', { object: { param: 'pear' } }, true],
    ['language IN ["en", "es"]', { language: 'es' }, true],
    ['language IN ["en", "es"]', { language: 'fr' }, false],
    ['(condition_a == true) OR (condition_b == true)', { condition_b: true }, true],
    ['(language == "en" OR language == "fr") AND skill_rating >= 5.1', { language: 'fr', skill_rating: 5.1 }, true],
    ['(language == "en" OR language == "fr") AND skill_rating >= 5.1', { language: 'fr', skill_rating: 5 }, false],
  ])("E02 the page's example %s on %j is %s", (source, attributes, expected) => {
    expect(filter(source, attributes)).toBe(expected);
  });

  it('E03 hyphens are not supported', () => {
    expect(compiles('skill-level > 3', 'queue')).toThrow(ExpressionSyntaxError);
    expect(compiles("type == 'a-b'", 'filter')).not.toThrow(); // inside a string constant it is just a character
  });

  it('E04 strings are single or double quoted', () => {
    expect(filter(`'string' == "string"`, {})).toBe(true);
  });

  it('E05 numbers are integers or floating point numbers', () => {
    expect(filter('1 == 1.0 AND 1.00 == 1 AND pi == 3.141529', { pi: 3.141529 })).toBe(true);
  });

  it('E06 booleans are unquoted true or false', () => {
    expect(filter('vip == true AND spam == false', { vip: true, spam: false })).toBe(true);
    expect(filter("vip == 'true'", { vip: true })).toBe(false);
  });

  it('E07 constants can be the left or the right value of a comparison', () => {
    expect(filter("'Gold' == customer_value AND 1 < level AND 'en' IN languages", { customer_value: 'Gold', level: 2, languages: ['en'] })).toBe(true);
  });

  it('E08 keys are resolved against the attributes with dot notation and square brackets', () => {
    expect(filter("string_const == 'foo'", DOC)).toBe(true);
    expect(filter("object.array HAS 'b'", DOC)).toBe(true);
    expect(filter("object.array[2] == 'c'", DOC)).toBe(true);
    expect(filter("object.attr == 'bar'", DOC)).toBe(true);
  });

  it('E09 a key the document does not contain resolves to NULL', () => {
    expect(filter('missing == null', DOC)).toBe(true);
    expect(filter('object.missing.deeper == null AND object.array[9] == null', DOC)).toBe(true);
  });

  it('E10 comparisons between different types are avoided: a number and a non-numeric string are unequal', () => {
    expect(filter('string_const == 1', DOC)).toBe(false);
    expect(filter('string_const != 1', DOC)).toBe(true);
    expect(filter('string_const > 1', DOC)).toBe(false);
  });

  it.each<[string, boolean]>([
    ['level > 1', true],
    ['level >= 2', true],
    ['level == 2', true],
    ['level != 2', false],
    ['level <= 1', false],
    ['level < 3', true],
    ["string_const CONTAINS 'oo'", true],
    ["string_const CONTAINS 'x'", false],
  ])('E11 scalar operator: %s is %s', (source, expected) => {
    expect(filter(source, { ...DOC, level: 2 })).toBe(expected);
  });

  it.each<[string, boolean]>([
    ["object.array HAS 'a'", true],
    ["object.array HAS 'z'", false],
    ["string_const IN ['foo', 'bar']", true],
    ["string_const IN ['bar']", false],
    ["string_const NOT IN ['bar']", true],
    ["string_const NOT IN ['foo']", false],
  ])('E12 array operator: %s is %s', (source, expected) => {
    expect(filter(source, DOC)).toBe(expected);
  });

  it('E13 scalar operators on arrays are false (null tests excepted, see the README)', () => {
    expect(filter("object.array == 'a'", DOC)).toBe(false);
    expect(filter("object.array != 'a'", DOC)).toBe(false);
    expect(filter('object.array > 1', DOC)).toBe(false);
    expect(filter("object.array CONTAINS 'a'", DOC)).toBe(false);
    expect(filter('object.array != null', DOC)).toBe(true);
  });

  it('E14 array operators on two scalar values are false', () => {
    expect(filter("string_const HAS 'foo'", DOC)).toBe(false);
    expect(filter("string_const IN 'foo'", DOC)).toBe(false);
    expect(filter("string_const NOT IN 'bar'", DOC)).toBe(false);
  });

  it('E15 AND is true when both sides are, OR when either is; parentheses group', () => {
    expect(filter('a == 1 AND b == 1', { a: 1, b: 2 })).toBe(false);
    expect(filter('a == 1 OR b == 1', { a: 1, b: 2 })).toBe(true);
    expect(filter('a == 2 AND (b == 2 OR c == 2)', { a: 2, c: 2 })).toBe(true);
    expect(filter('(a == 2 AND b == 2) OR c == 2', { a: 2, c: 3 })).toBe(false);
  });

  it("E16 a target expression sees one task and each worker of the step's queue, every name prefixed task. or worker.", () => {
    expect(compiles('level > 1', 'target')).toThrow(ExpressionSyntaxError);
    const step = compileWorkflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: 'WQ1', expression: 'task.level <= worker.level' }] }] } }).filters[0].steps[0];
    const workers = [worker('WKlow', { attributes: { level: 1 } }), worker('WKhigh', { attributes: { level: 5 } }), worker('WKout', { attributes: { level: 9 } })];
    const evaluation = evaluateRoutingStep({ step, task: task({ level: 3 }), queues: [queue('WQ1', 'level < 9')], workers });
    expect(evaluation.eligible.map((w) => w.sid)).toEqual(['WKhigh']);
  });

  it('E17 a target expression can use the worker fields sid, friendly_name, activity_sid and activity_name', () => {
    const target = compileExpression("worker.sid == task.sid AND worker.friendly_name == task.name AND worker.activity_sid == 'WAavailable' AND worker.activity_name == 'Available'", {
      kind: 'target',
    });
    expect(target.evaluate({ task: { sid: 'WKann', name: 'ann' }, worker: worker('WKann') })).toBe(true);
    expect(target.evaluate({ task: { sid: 'WKann', name: 'ann' }, worker: worker('WKann', OFFLINE) })).toBe(false);
  });
});

// ---- Workflows Overview ------------------------------------------------------------

const Q_SALES = 'WQaaa';
const Q_SUPPORT = 'WQbbb';
const Q_EVERYONE = 'WQccc';
const queues = [queue(Q_SALES, '1==1', 'Sales'), queue(Q_SUPPORT, '1==1', 'Support'), queue(Q_EVERYONE, '1==1', 'Everyone')];
const nobody = [worker('WKoff', OFFLINE)];
const now = new Date('2026-01-05T10:00:00Z');

/** Where a task of this age is and what happened to it, with nobody available unless workers are given. */
function route(config: WorkflowConfigurationInput, attributes: Record<string, unknown>, ageSeconds = 0, workers = nobody) {
  return routeTask({ workflow: compileWorkflow(config), task: task(attributes, { ageSeconds }), queues, workers, now });
}
const where = (decision: ReturnType<typeof route>) =>
  decision.kind === 'wait' || decision.kind === 'offer' ? `${decision.step.filterName}#${decision.step.targetIndex} ${decision.step.queueSid} p${decision.priority}` : decision.kind;

const complex = {
  task_routing: {
    filters: [
      { filter_friendly_name: 'Bronze and Silver Tickets', expression: "type == 'ticket' AND customer_value IN ['Silver', 'Bronze']", targets: [{ queue: Q_SUPPORT }] },
      {
        filter_friendly_name: 'Gold Tickets',
        expression: "type == 'ticket' AND customer_value == 'Gold'",
        targets: [{ queue: Q_SUPPORT, priority: '10', timeout: 300 }, { queue: Q_EVERYONE }],
      },
      { filter_friendly_name: 'Leads', expression: "type == 'lead'", targets: [{ queue: Q_SALES, priority: 1 }] },
    ],
    default_filter: { queue: Q_EVERYONE },
  },
};

describe('Workflows Overview', () => {
  it('W01 the configuration is a case statement: the first matching filter routes the task', () => {
    const overlapping = {
      task_routing: {
        filters: [
          { filter_friendly_name: 'A', expression: '1==1', targets: [{ queue: Q_SALES }] },
          { filter_friendly_name: 'B', expression: '1==1', targets: [{ queue: Q_SUPPORT }] },
        ],
      },
    };
    expect(where(route(overlapping, {}))).toBe('A#0 WQaaa p0');
  });

  it('W02 the document holds filters and a default_filter that catches tasks no filter matches', () => {
    expect(where(route(complex, { type: 'spam' }))).toBe('default_filter#0 WQccc p0');
    expect(where(route({ task_routing: { default_filter: { queue: Q_EVERYONE } } }, {}))).toBe('default_filter#0 WQccc p0');
  });

  it('W03 a filter has an optional filter_friendly_name, an expression and targets', () => {
    expect(validateWorkflowConfiguration({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q_SALES }] }] } })).toEqual([]);
    expect(validateWorkflowConfiguration({ task_routing: { filters: [{ targets: [{ queue: Q_SALES }] }] } }).map((f) => f.field)).toEqual(['expression']);
    expect(validateWorkflowConfiguration({ task_routing: { filters: [{ expression: '1==1' }] } }).map((f) => f.field)).toEqual(['targets']);
  });

  it("W04 a target's timeout must be a positive integer", () => {
    for (const timeout of [0, -5, 1.5, '30']) {
      const findings = validateWorkflowConfiguration({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q_SALES, timeout }] }] } });
      expect(findings.map((f) => f.field)).toEqual(['timeout']);
    }
  });

  it('W05 the default_filter points at a target object without timeout', () => {
    expect(validateWorkflowConfiguration({ task_routing: { default_filter: { queue: Q_EVERYONE, timeout: 30 } } }).map((f) => f.field)).toEqual(['timeout']);
  });

  it('W06 once a filter matched, its targets apply top to bottom, each timeout moving the task to the next target', () => {
    const config = {
      task_routing: { filters: [{ filter_friendly_name: 'F', expression: '1==1', targets: [{ queue: Q_SALES, timeout: 10 }, { queue: Q_SUPPORT, timeout: 10 }, { queue: Q_EVERYONE }] }] },
    };
    expect([0, 10, 20].map((age) => where(route(config, {}, age)))).toEqual(['F#0 WQaaa p0', 'F#1 WQbbb p0', 'F#2 WQccc p0']);
  });

  it('W07 the next target can raise the priority of a long-waiting task and move it to another queue', () => {
    expect(where(route(complex, { type: 'ticket', customer_value: 'Gold' }))).toBe('Gold Tickets#0 WQbbb p10');
    const escalation = {
      task_routing: { filters: [{ filter_friendly_name: 'Prioritizing Filter', expression: '1==1', targets: [{ queue: Q_EVERYONE, priority: 1, timeout: 300 }, { priority: 10 }] }] },
    };
    const path: string[] = [];
    walkWorkflow({
      workflow: compileWorkflow(escalation),
      attributes: {},
      ageSeconds: 0,
      priority: 0,
      now,
      mode: 'path',
      evaluate: (step: RoutingStep) => evaluateRoutingStep({ step, task: task({}), queues, workers: nobody, now }),
      onVisit: (visit) => path.push(`${visit.step.queueSid} p${visit.priority} ${visit.next.kind}`),
    });
    // "Because the second Task did not have a timeout stated, the Task is not re-targeted again."
    expect(path).toEqual(['WQccc p1 timeout-to-next-target', 'WQccc p10 wait']);
  });

  it('W08 a target that expires with no further target, and no later filter matching, cancels the task', () => {
    const config = { task_routing: { filters: [{ filter_friendly_name: 'F', expression: '1==1', targets: [{ queue: Q_SALES, timeout: 30 }] }], default_filter: { queue: Q_EVERYONE } } };
    expect(route(config, {}, 30)).toMatchObject({ kind: 'workflow-timeout', filter: { name: 'F' } });
  });

  it('W09 the first target requires a queue; later targets inherit it unless they name their own', () => {
    expect(validateWorkflowConfiguration({ task_routing: { filters: [{ expression: '1==1', targets: [{ timeout: 5 }] }] } }).map((f) => f.field)).toEqual(['queue']);
    const steps = compileWorkflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q_SALES, timeout: 5 }, { timeout: 5 }, { queue: Q_SUPPORT }] }] } }).filters[0].steps;
    expect(steps.map((step) => step.queueSid)).toEqual([Q_SALES, Q_SALES, Q_SUPPORT]);
  });

  it("W10 a target's priority updates the task's; without one the task keeps its existing priority", () => {
    const config = { task_routing: { filters: [{ filter_friendly_name: 'F', expression: '1==1', targets: [{ queue: Q_SALES, timeout: 10 }, { queue: Q_SUPPORT }] }] } };
    const decision = routeTask({ workflow: compileWorkflow(config), task: task({}, { priority: 4 }), queues, workers: nobody, now });
    expect(where(decision)).toBe('F#0 WQaaa p4');
    expect(where(route(complex, { type: 'lead' }))).toBe('Leads#0 WQaaa p1');
  });

  it('W11 expressions and timeouts apply only where a target defines them (they are not inherited)', () => {
    const steps = compileWorkflow({
      task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q_SALES, timeout: 5, expression: 'worker.level > 1' }, { queue: Q_SUPPORT }] }] },
    }).filters[0].steps;
    expect(steps[1].expression).toBeUndefined();
    expect(steps[1].timeoutSeconds).toBeUndefined();
  });

  it('W12 a later target is reached only through a timeout or a Skip Timeout on the one before', () => {
    const unreachable = validateWorkflowConfiguration({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: Q_SALES }, { queue: Q_SUPPORT }] }] } });
    expect(unreachable.map((f) => f.path)).toEqual(['task_routing.filters[0].targets[0].timeout']);
    const skipping = { task_routing: { filters: [{ filter_friendly_name: 'F', expression: '1==1', targets: [{ queue: Q_SALES, skip_if: 'workers.available == 0' }, { queue: Q_SUPPORT }] }] } };
    expect(where(route(skipping, {}))).toBe('F#1 WQbbb p0');
  });

  it("W13 timeouts flow from a filter's last target to the next matching filter, if one exists", () => {
    const config = {
      task_routing: {
        filters: [
          { filter_friendly_name: 'First', expression: '1==1', targets: [{ queue: Q_SALES, timeout: 10 }] },
          { filter_friendly_name: 'Tickets', expression: "type == 'ticket'", targets: [{ queue: Q_SUPPORT }] },
        ],
      },
    };
    expect(where(route(config, { type: 'ticket' }, 10))).toBe('Tickets#0 WQbbb p0');
    expect(route(config, { type: 'lead' }, 10)).toMatchObject({ kind: 'workflow-timeout', filter: { name: 'First' } });
  });

  it('W14 the default_filter is not a subsequent filter for a timeout; it takes tasks that skip or match no filter', () => {
    const config = {
      task_routing: {
        filters: [
          { filter_friendly_name: 'Timed', expression: "kind == 'timed'", targets: [{ queue: Q_SALES, timeout: 10 }] },
          { filter_friendly_name: 'Skipping', expression: "kind == 'skipping'", targets: [{ queue: Q_SALES, skip_if: 'workers.available == 0' }] },
        ],
        default_filter: { queue: Q_EVERYONE },
      },
    };
    expect(route(config, { kind: 'timed' }, 10)).toMatchObject({ kind: 'workflow-timeout' });
    expect(where(route(config, { kind: 'skipping' }))).toBe('default_filter#0 WQccc p0');
    expect(where(route(config, { kind: 'neither' }))).toBe('default_filter#0 WQccc p0');
  });

  it('W15 a task that matches a filter never goes to the default_filter, even when it times out', () => {
    expect(route(complex, { type: 'lead' }, 100000)).toMatchObject({ kind: 'wait', step: { queueSid: Q_SALES } });
    const gold = { type: 'ticket', customer_value: 'Gold' };
    expect(where(route(complex, gold, 300))).toBe('Gold Tickets#1 WQccc p0');
  });

  it('W16 a task whose first filter is false is routed by the second that matches', () => {
    const multiple = {
      task_routing: {
        filters: [
          { filter_friendly_name: 'Sales Lead Filter', expression: "type=='lead'", targets: [{ queue: Q_SALES, priority: 10 }] },
          { filter_friendly_name: 'Support Ticket Filter', expression: "type=='ticket'", targets: [{ queue: Q_SUPPORT, priority: 10 }] },
        ],
        default_filter: { queue: Q_EVERYONE },
      },
    };
    expect(where(route(multiple, { type: 'ticket' }))).toBe('Support Ticket Filter#0 WQbbb p10');
    expect(where(route(multiple, {}))).toBe('default_filter#0 WQccc p0');
  });

  it("W17 target worker expressions match a task's attribute against the workers' (requested agent, spoken languages)", () => {
    const requested = compileExpression('task.requested_agent==worker.agent_id', { kind: 'target' });
    expect(requested.evaluate({ task: { requested_agent: 'a7' }, worker: worker('WKx', { attributes: { agent_id: 'a7' } }) })).toBe(true);
    const language = compileExpression('task.required_language IN worker.spoken_languages', { kind: 'target' });
    expect(language.evaluate({ task: { required_language: 'fr' }, worker: worker('WKy', { attributes: { spoken_languages: ['en', 'fr'] } }) })).toBe(true);
    expect(language.evaluate({ task: { required_language: 'de' }, worker: worker('WKy', { attributes: { spoken_languages: ['en', 'fr'] } }) })).toBe(false);
  });

  it('W18 priority may be written as a number or its string form', () => {
    expect(validateWorkflowConfiguration(complex)).toEqual([]);
    expect(compileWorkflow(complex).filters[1].steps[0].priority).toBe(10);
  });
});
