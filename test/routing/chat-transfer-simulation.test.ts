// The project's Chat Transfer workflow, simulated with the same engine the
// emulator routes with. Task attributes are those the conversation-transfer
// function sets: transferTargetType, transferTargetSid, transferQueueName,
// workerSidsInConversation.
import fc from 'fast-check';
import { compileWorkflow, routeTask, simulate, type RoutingWorker } from '../../routing';
import { buildChatTransferWorkflow } from '../../workflows';
import { OFFLINE, queue, task, worker } from './fixtures';

const EVERYONE = 'WQeveryone';
const SALES = 'WQsales';
const SUPPORT = 'WQsupport';
const queues = [queue(EVERYONE, '1==1', 'Everyone'), queue(SALES, "routing.skills HAS 'sales'", 'Sales'), queue(SUPPORT, "routing.skills HAS 'support'", 'Support')];
const workflow = compileWorkflow(
  buildChatTransferWorkflow({
    everyoneQueueSid: EVERYONE,
    queues: [
      { name: 'Sales', sid: SALES },
      { name: 'Support', sid: SUPPORT },
    ],
  }),
  { queueSids: queues.map((q) => q.sid) },
);

const skills = (...names: string[]) => ({ routing: { skills: names } });
const workers: RoutingWorker[] = [
  worker('WKalice', { attributes: skills('sales'), idleSince: 100 }),
  worker('WKbob', { attributes: skills('sales'), idleSince: 50 }),
  worker('WKcarol', { attributes: skills('support'), idleSince: 10 }),
  worker('WKdave', { attributes: skills('sales', 'support'), idleSince: 70 }),
  worker('WKerin', { attributes: skills(), idleSince: 30 }),
];
const sids = (list: { sid: string }[]) => list.map((w) => w.sid);

const transfer = (attributes: Record<string, unknown>) => task({ workerSidsInConversation: ['WKalice'], ...attributes });

describe('Chat Transfer: transfer to a worker', () => {
  const toDave = transfer({ transferTargetType: 'worker', transferTargetSid: 'WKdave' });

  it('offers exactly that worker', () => {
    const trace = simulate({ workflow, queues, workers, task: toDave });
    expect(trace.steps[0].filterName).toBe('Transfer to worker');
    expect(sids(trace.steps[0].eligible)).toEqual(['WKdave']);
    expect(trace.firstOffer?.worker.sid).toBe('WKdave');
  });

  it('if the worker does not take it within 120s, offers anyone not already in the conversation', () => {
    const trace = simulate({ workflow, queues, workers, task: toDave });
    expect(trace.steps[0].next).toEqual({ kind: 'timeout-to-next-target', atAgeSeconds: 120 });
    expect(sids(trace.steps[1].eligible)).toEqual(['WKcarol', 'WKerin', 'WKbob', 'WKdave']);
    expect(trace.end).toEqual({ kind: 'waits', stepIndex: 1 }); // never canceled: the customer is not stranded
    const later = routeTask({ workflow, queues, workers, task: { ...toDave, ageSeconds: 121 } });
    expect(later.kind === 'offer' && sids(later.evaluation.eligible)).toEqual(['WKcarol', 'WKerin', 'WKbob', 'WKdave']);
  });

  it('holds the transfer for the named worker while they are busy, rather than giving it to someone else at once', () => {
    const daveBusy = workers.map((w) => (w.sid === 'WKdave' ? { ...w, channels: { chat: { capacity: 1, assignedTasks: 1, available: true } } } : w));
    const decision = routeTask({ workflow, queues, workers: daveBusy, task: toDave });
    expect(decision.kind).toBe('wait');
  });

  it('offers nobody in the worker step when the target worker is unknown, and falls back after the timeout', () => {
    const trace = simulate({ workflow, queues, workers, task: transfer({ transferTargetType: 'worker', transferTargetSid: 'WKghost' }) });
    expect(trace.steps[0].knownWorker?.status).toBe('not-in-workspace');
    expect(trace.steps[0].eligible).toEqual([]);
    expect(trace.firstOffer?.stepIndex).toBe(1);
  });
});

describe('Chat Transfer: transfer to a queue', () => {
  it('routes by queue SID even when the name is stale (queue renamed)', () => {
    const trace = simulate({ workflow, queues, workers, task: transfer({ transferTargetType: 'queue', transferTargetSid: SALES, transferQueueName: 'Old Sales Name' }) });
    expect(trace.steps[0]).toMatchObject({ filterName: 'Transfer to queue Sales', queueSid: SALES });
  });

  it('routes by name for plugins that send only the name', () => {
    const trace = simulate({ workflow, queues, workers, task: transfer({ transferTargetType: 'queue', transferQueueName: 'Support' }) });
    expect(trace.steps[0]).toMatchObject({ filterName: 'Transfer to queue Support', queueSid: SUPPORT });
    expect(sids(trace.steps[0].eligible)).toEqual(['WKcarol', 'WKdave']);
  });

  it('never offers a worker who is already in the conversation (property)', () => {
    const workerPool = fc.uniqueArray(
      fc.record({
        n: fc.integer({ min: 0, max: 30 }),
        sales: fc.boolean(),
        support: fc.boolean(),
        available: fc.boolean(),
        idleSince: fc.integer({ min: 0, max: 1000 }),
        assigned: fc.integer({ min: 0, max: 2 }),
      }),
      { selector: (w) => w.n, minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(
        workerPool,
        fc.constantFrom(SALES, SUPPORT, EVERYONE, 'WQundeclared'),
        fc.boolean(),
        fc.integer({ min: 0, max: 300 }),
        fc.func(fc.boolean()),
        (pool, target, byName, age, inConversation) => {
          const generated = pool.map((w) =>
            worker(`WK${w.n}`, {
              attributes: skills(...(w.sales ? ['sales'] : []), ...(w.support ? ['support'] : [])),
              ...(w.available ? {} : OFFLINE),
              idleSince: w.idleSince,
              channels: { chat: { capacity: 2, assignedTasks: w.assigned, available: true } },
            }),
          );
          const conversation = generated.filter((_, index) => inConversation(index)).map((w) => w.sid);
          const name = queues.find((q) => q.sid === target)?.friendlyName ?? 'Undeclared';
          const attributes = byName
            ? { transferTargetType: 'queue', transferQueueName: name, workerSidsInConversation: conversation }
            : { transferTargetType: 'queue', transferTargetSid: target, workerSidsInConversation: conversation };
          const trace = simulate({ workflow, queues, workers: generated, task: task(attributes, { ageSeconds: age }) });
          for (const step of trace.steps) for (const offered of step.eligible) expect(conversation).not.toContain(offered.sid);
          const decision = routeTask({ workflow, queues, workers: generated, task: task(attributes, { ageSeconds: age }) });
          if (decision.kind === 'offer') for (const offered of decision.evaluation.eligible) expect(conversation).not.toContain(offered.sid);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('does not exclude anyone when workerSidsInConversation is missing', () => {
    const trace = simulate({ workflow, queues, workers, task: task({ transferTargetType: 'queue', transferTargetSid: SALES }) });
    expect(sids(trace.steps[0].eligible)).toEqual(['WKbob', 'WKdave', 'WKalice']);
  });
});

describe("Chat Transfer: a transfer that matches nothing (workflows/README.md: 'Unmatched transfer' → Everyone)", () => {
  it.each<[string, Record<string, unknown>]>([
    ['an undeclared queue', { transferTargetType: 'queue', transferTargetSid: 'WQundeclared', transferQueueName: 'Marketing' }],
    ['an unknown target type', { transferTargetType: 'team', transferTargetSid: 'WQsales' }],
    ['no transfer attributes at all', {}],
  ])('%s goes to Everyone, excluding agents in the conversation', (_name, attributes) => {
    const trace = simulate({ workflow, queues, workers, task: transfer(attributes) });
    expect(trace.steps).toHaveLength(1);
    expect(trace.steps[0]).toMatchObject({ filterName: 'Unmatched transfer', queueSid: EVERYONE, next: { kind: 'wait' } });
    expect(sids(trace.steps[0].eligible)).not.toContain('WKalice');
    expect(sids(trace.steps[0].eligible)).toEqual(['WKcarol', 'WKerin', 'WKbob', 'WKdave']);
    expect(trace.end.kind).toBe('waits');
  });

  it('waits in Everyone when nobody is available, instead of being canceled', () => {
    const trace = simulate({ workflow, queues, workers: workers.map((w) => ({ ...w, ...OFFLINE })), task: transfer({ transferTargetType: 'queue', transferQueueName: 'Nope' }) });
    expect(trace.firstOffer).toBeUndefined();
    expect(trace.end).toEqual({ kind: 'waits', stepIndex: 0 });
  });
});
