// routing/explain.ts on its own: every reason a worker is kept out of a step,
// not only the first, and the cases the command-line tests do not reach.
import { explainNobodyEligible, formatNobodyEligible, simulate, type RoutingQueue, type RoutingTask, type RoutingWorker } from '../../routing';

const queues: RoutingQueue[] = [{ sid: 'WQsales', friendlyName: 'Sales', targetWorkers: "skills HAS 'sales'" }];
const workflow = { task_routing: { filters: [{ filter_friendly_name: 'Sales', expression: '1 == 1', targets: [{ queue: 'WQsales', expression: 'worker.level >= 2' }] }] } };
const task: RoutingTask = { sid: 'WT1', attributes: {}, taskChannel: 'chat', priority: 0, ageSeconds: 0 };
const worker = (sid: string, over: Partial<RoutingWorker> = {}): RoutingWorker => ({
  sid,
  friendlyName: sid,
  activitySid: 'WAavailable',
  activityName: 'Available',
  available: true,
  attributes: { skills: ['sales'], level: 2 },
  channels: { chat: { capacity: 1, assignedTasks: 0, available: true } },
  idleSince: 0,
  ...over,
});
const clock = () => new Date('2026-11-23T10:00:00Z');

function explain(workers: RoutingWorker[], queueList = queues) {
  const trace = simulate({ workflow, queues: queueList, workers, task, clock });
  return explainNobodyEligible({ workflow, queues: queueList, workers, task }, trace);
}

test('someone eligible: nothing to explain', () => {
  expect(explain([worker('WKok')])).toBeUndefined();
});

test('every reason that applies, for members and non-members alike', () => {
  const out = explain([
    worker('WKall', { available: false, activityName: 'Break', attributes: { skills: ['support'], level: 1 }, channels: {} }),
    worker('WKlow', { attributes: { skills: ['sales'], level: 1 } }),
  ]);
  expect(out?.steps[0].workers).toEqual([
    {
      sid: 'WKall',
      friendlyName: 'WKall',
      reasons: [
        { kind: 'not-in-queue', queue: 'Sales', targetWorkers: "skills HAS 'sales'" },
        { kind: 'offline', activityName: 'Break' },
        { kind: 'no-capacity', channel: 'chat', detail: "has no 'chat' channel" },
        { kind: 'excluded-by-expression', expression: 'worker.level >= 2' },
      ],
    },
    { sid: 'WKlow', friendlyName: 'WKlow', reasons: [{ kind: 'excluded-by-expression', expression: 'worker.level >= 2' }] },
  ]);
  // Not only offline: no "would be eligible if available" hint.
  expect(out?.hints).toEqual([]);
});

test('a queue missing from the given queues, and no workers at all, each say so', () => {
  const missing = explain([worker('WKok')], []);
  expect(missing?.steps[0]).toMatchObject({ missingQueue: 'WQsales', workers: [] });
  expect(formatNobodyEligible(missing!)).toContain('its queue WQsales is not among the given queues, so it has no members');
  expect(missing?.hints[0]).toMatch(/not among the given queues/);
  expect(explain([])?.hints).toEqual(['No workers were given: pass them with --workers (inline JSON or a file).']);
});
