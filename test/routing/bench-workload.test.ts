// The benchmark's numbers only mean something if its workload really routes
// through the Chat Transfer workflow; speed itself is measured by the
// benchmark, never asserted here.
import { buildWorkload, run } from '../../bench/routing';
import { routeTask } from '../../routing';

describe('routing benchmark workload', () => {
  const { workflow, queues, workers, tasks } = buildWorkload();

  it('is the Chat Transfer workflow over 1,000 workers and 20 queues', () => {
    expect(workers).toHaveLength(1000);
    expect(queues).toHaveLength(20);
    expect(workflow.filters.map((filter) => filter.name)).toEqual(['Transfer to worker', ...queues.map((q) => `Transfer to queue ${q.friendlyName}`), 'Unmatched transfer']);
  });

  it('exercises every kind of transfer and mostly produces offers', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    const decisions = tasks.map((task) => routeTask({ workflow, task, queues, workers, now }));
    const filters = new Set(decisions.map((decision) => (decision.kind === 'offer' || decision.kind === 'wait' ? decision.step.filterName : decision.kind)));
    expect(filters).toContain('Transfer to worker');
    expect(filters).toContain('Unmatched transfer');
    expect([...filters].some((name) => name.startsWith('Transfer to queue'))).toBe(true);
    expect(decisions.filter((decision) => decision.kind === 'offer').length / decisions.length).toBeGreaterThan(0.5);
  });

  it('run() reports both rates', () => {
    const result = run({ ms: 5, workers: 50, queues: 5 });
    expect(result.workers).toBe(50);
    expect(result.decisionsPerSecond).toBeGreaterThan(0);
    expect(result.evaluationsPerSecond).toBeGreaterThan(0);
  });
});
