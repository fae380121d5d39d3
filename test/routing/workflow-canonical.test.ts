import fc from 'fast-check';
import { canonicalizeWorkflowConfiguration, compileWorkflow, simulate, validateWorkflowConfiguration } from '../../routing';
import { queue, task, worker } from './fixtures';

describe('canonicalizeWorkflowConfiguration', () => {
  const messy = {
    task_routing: {
      default_filter: { queue: 'WQ2' },
      filters: [
        {
          targets: [
            { timeout: 30, expression: 'worker.level>2  and worker.sid not in task.skip', queue: 'WQ1', order_by: 'worker.level desc,worker.x  ASC', skip_if: 'workers.available=0' },
            { priority: '5' },
          ],
          expression: 'type==\'sales\'  OR   type = "support"',
          filter_friendly_name: 'Sales',
        },
      ],
    },
  };

  it('sorts keys, drops whitespace and canonicalizes every expression field', () => {
    expect(canonicalizeWorkflowConfiguration(messy)).toBe(
      '{"task_routing":{"default_filter":{"queue":"WQ2"},"filters":[{"expression":"type == \'sales\' OR type == \'support\'","filter_friendly_name":"Sales","targets":[{"expression":"worker.level > 2 AND worker.sid NOT IN task.skip","order_by":"worker.level DESC, worker.x ASC","queue":"WQ1","skip_if":"workers.available == 0","timeout":30},{"priority":"5"}]}]}}',
    );
  });

  it('gives the same string for the JSON text and the object', () => {
    expect(canonicalizeWorkflowConfiguration(JSON.stringify(messy, null, 2))).toBe(canonicalizeWorkflowConfiguration(messy));
  });

  it("keeps filter and target order (it is meaningful) and values' types", () => {
    const canonical = JSON.parse(canonicalizeWorkflowConfiguration(messy));
    expect(canonical.task_routing.filters[0].targets.map((t: { queue?: string }) => t.queue)).toEqual(['WQ1', undefined]);
    expect(canonical.task_routing.filters[0].targets[1].priority).toBe('5');
  });

  it('leaves expressions that do not parse as written, and malformed JSON unchanged', () => {
    const broken = { task_routing: { filters: [{ expression: 'skill-level > 3', targets: [{ queue: 'WQ1' }] }] } };
    expect(JSON.parse(canonicalizeWorkflowConfiguration(broken)).task_routing.filters[0].expression).toBe('skill-level > 3');
    expect(canonicalizeWorkflowConfiguration('{not json')).toBe('{not json');
  });

  it('is idempotent and does not change routing (property over generated workflows)', () => {
    const spaced = (text: string) => fc.constantFrom(text, text.replace(/ /g, '  '), text.replace(/ AND /g, ' and ').replace(/ OR /g, ' or ').replace(/==/g, '='));
    const filterExpression = fc.constantFrom("type == 'a'", "type == 'b' OR vip == true", "level > 2 AND type IN ['a', 'b']", '1 == 1').chain(spaced);
    const targetExpression = fc.constantFrom('worker.level >= task.level', 'worker.sid NOT IN task.skip', "worker.team == 'x' OR task.vip == true").chain(spaced);
    const target = fc.record(
      { queue: fc.constantFrom('WQ1', 'WQ2'), expression: targetExpression, timeout: fc.integer({ min: 1, max: 100 }), priority: fc.integer({ min: 0, max: 9 }) },
      { requiredKeys: ['queue', 'timeout'] },
    );
    const filter = fc.record({ filter_friendly_name: fc.constantFrom('A', 'B', 'C'), expression: filterExpression, targets: fc.array(target, { minLength: 1, maxLength: 3 }) });
    const config = fc.record({ task_routing: fc.record({ filters: fc.array(filter, { maxLength: 4 }), default_filter: fc.constant({ queue: 'WQ1' }) }) });
    const attributes = fc.record({ type: fc.constantFrom('a', 'b', 'c'), vip: fc.boolean(), level: fc.integer({ min: 0, max: 5 }), skip: fc.constantFrom([], ['WK1'], ['WK1', 'WK2']) });
    const queues = [queue('WQ1'), queue('WQ2', "team == 'x'")];
    const workers = [worker('WK1', { attributes: { level: 3, team: 'x' } }), worker('WK2', { attributes: { level: 1 } }), worker('WK3', { attributes: { level: 5, team: 'y' } })];

    fc.assert(
      fc.property(config, attributes, (raw, attrs) => {
        const once = canonicalizeWorkflowConfiguration(raw);
        expect(canonicalizeWorkflowConfiguration(once)).toBe(once);
        expect(validateWorkflowConfiguration(once)).toEqual(validateWorkflowConfiguration(raw));
        const clock = () => new Date('2026-01-01T12:00:00Z');
        const before = simulate({ workflow: compileWorkflow(raw), queues, workers, task: task(attrs), clock });
        const after = simulate({ workflow: compileWorkflow(once), queues, workers, task: task(attrs), clock });
        const summary = (trace: typeof before) => ({ steps: trace.steps.map((step) => [step.filterName, step.queueSid, step.eligible, step.next]), end: trace.end, firstOffer: trace.firstOffer });
        expect(summary(after)).toEqual(summary(before));
      }),
      { numRuns: 150 },
    );
  });
});
