import { compileWorkflow, computeQueueMembership, evaluateRoutingStep, queueMembers, type RoutingStep } from '../../routing';
import { BREAK, OFFLINE, queue, task, worker } from './fixtures';

const stepOf = (target: Record<string, unknown>): RoutingStep => compileWorkflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: 'WQ1', ...target }] }] } }).filters[0].steps[0];

const sids = (workers: { sid: string }[]) => workers.map((w) => w.sid);

describe('queueMembers: target_workers against every worker', () => {
  const workers = [
    worker('WKa', { attributes: { skills: ['sales'], routing: { skills: ['sales'] } } }),
    worker('WKb', { attributes: { skills: ['support'] }, ...OFFLINE }),
    worker('WKc', { attributes: {} }),
  ];

  it.each<[string, string[]]>([
    ['1==1', ['WKa', 'WKb', 'WKc']],
    ['1==2', []],
    ["skills HAS 'sales'", ['WKa']],
    ["routing.skills HAS 'sales'", ['WKa']],
    ["skills HAS 'support' OR skills HAS 'sales'", ['WKa', 'WKb']],
    ['', []], // empty target_workers: nobody (tasks wait until moved)
  ])('%j → %j (membership ignores activity)', (targetWorkers, expected) => {
    expect(sids(queueMembers(queue('WQ1', targetWorkers), workers))).toEqual(expected);
  });

  it("computes every queue's members at once", () => {
    const membership = computeQueueMembership([queue('WQ1', "skills HAS 'sales'"), queue('WQ2')], workers);
    expect(sids(membership.get('WQ1') ?? [])).toEqual(['WKa']);
    expect(membership.get('WQ2')).toHaveLength(3);
  });
});

describe('evaluateRoutingStep: who is eligible and why not', () => {
  const queues = [queue('WQ1', "skills HAS 'chat'")];
  const chat = { skills: ['chat'] };
  const workers = [
    worker('WKready', { attributes: chat, idleSince: 300 }),
    worker('WKoffline', { attributes: chat, ...OFFLINE }),
    worker('WKfull', { attributes: chat, channels: { chat: { capacity: 2, assignedTasks: 2, available: true } } }),
    worker('WKchatoff', { attributes: chat, channels: { chat: { capacity: 2, assignedTasks: 0, available: false } } }),
    worker('WKnochat', { attributes: chat, channels: { voice: { capacity: 1, assignedTasks: 0, available: true } } }),
    worker('WKinchat', { attributes: chat, idleSince: 100 }),
    worker('WKlongidle', { attributes: chat, idleSince: 50 }),
    worker('WKoutsider', { attributes: { skills: ['voice'] } }),
  ];
  const chatTask = task({ workerSidsInConversation: ['WKinchat'] });

  it("keeps available members with capacity on the task's channel who match the target expression, longest idle first", () => {
    const evaluation = evaluateRoutingStep({ step: stepOf({ expression: 'worker.sid NOT IN task.workerSidsInConversation' }), task: chatTask, queues, workers, explain: true });
    expect(sids(evaluation.eligible)).toEqual(['WKlongidle', 'WKready']);
    expect(evaluation.excluded.map((exclusion) => [exclusion.worker.sid, exclusion.reason])).toEqual([
      ['WKoffline', 'unavailable-activity'],
      ['WKfull', 'no-channel-capacity'],
      ['WKchatoff', 'no-channel-capacity'],
      ['WKnochat', 'no-channel-capacity'],
      ['WKinchat', 'target-expression'],
    ]);
    expect(evaluation.members).toHaveLength(7); // WKoutsider is not in the queue
  });

  it("checks capacity on the task's own channel", () => {
    const voiceTask = task({}, { taskChannel: 'voice' });
    expect(sids(evaluateRoutingStep({ step: stepOf({}), task: voiceTask, queues, workers }).eligible)).toContain('WKnochat');
  });

  it('records no exclusions unless asked to explain', () => {
    expect(evaluateRoutingStep({ step: stepOf({}), task: chatTask, queues, workers }).excluded).toEqual([]);
  });

  it("has no members when the step's queue is unknown", () => {
    const evaluation = evaluateRoutingStep({ step: stepOf({ queue: 'WQ404' }), task: chatTask, queues, workers });
    expect(evaluation.queue).toBeUndefined();
    expect(evaluation.eligible).toEqual([]);
  });

  it('uses precomputed membership when given (and does not re-evaluate target_workers)', () => {
    const membership = new Map([['WQ1', [workers[0]]]]);
    expect(sids(evaluateRoutingStep({ step: stepOf({}), task: chatTask, queues, workers, membership }).eligible)).toEqual(['WKready']);
  });

  it("counts the queue's workers by activity for skip_if", () => {
    const mixed = [worker('WK1', BREAK), worker('WK2', BREAK), worker('WK3', OFFLINE), worker('WK4')];
    const evaluation = evaluateRoutingStep({ step: stepOf({}), task: chatTask, queues: [queue('WQ1')], workers: mixed });
    expect(evaluation.counts).toEqual({ available: 1, unavailable: 3, byActivitySid: { WAbreak: 2, WAoffline: 1, WAavailable: 1 } });
  });
});

describe('skip_if', () => {
  const queues = [queue('WQ1')];

  it('is not evaluated when someone is eligible, even if it would be true', () => {
    const evaluation = evaluateRoutingStep({ step: stepOf({ skip_if: 'workers.available >= 0' }), task: task({}), queues, workers: [worker('WK1')] });
    expect(evaluation.skipIfEvaluated).toBe(false);
    expect(evaluation.skip).toBe(false);
  });

  it('skips when nobody is eligible and it is true', () => {
    const evaluation = evaluateRoutingStep({ step: stepOf({ skip_if: 'workers.available == 0' }), task: task({}), queues, workers: [worker('WK1', OFFLINE)] });
    expect(evaluation).toMatchObject({ skipIfEvaluated: true, skip: true });
  });

  it('does not skip when nobody is eligible but it is false', () => {
    // The only available worker is busy: available == 1, so `workers.available == 0` is false and the task waits.
    const busy = worker('WK1', { channels: { chat: { capacity: 1, assignedTasks: 1, available: true } } });
    const evaluation = evaluateRoutingStep({ step: stepOf({ skip_if: 'workers.available == 0' }), task: task({}), queues, workers: [busy] });
    expect(evaluation).toMatchObject({ skipIfEvaluated: true, skip: false });
  });

  it('can count a specific activity', () => {
    const evaluation = evaluateRoutingStep({ step: stepOf({ skip_if: 'workers.WAbreak > 1' }), task: task({}), queues, workers: [worker('WK1', BREAK), worker('WK2', BREAK)] });
    expect(evaluation.skip).toBe(true);
  });
});

describe('known-worker routing', () => {
  const queues = [queue('WQ1', "team == 'a'")];
  const workers = [
    worker('WKann', { attributes: { team: 'a' }, friendlyName: 'Ann', idleSince: 1 }),
    worker('WKbob', { attributes: { team: 'a' }, friendlyName: 'Bob', idleSince: 2 }),
    worker('WKcid', { attributes: { team: 'b' }, friendlyName: 'Cid' }),
  ];
  const bySid = stepOf({ known_worker_sid: 'task.agent_sid' });

  it('offers exactly the named worker', () => {
    const evaluation = evaluateRoutingStep({ step: bySid, task: task({ agent_sid: 'WKbob' }), queues, workers, explain: true });
    expect(sids(evaluation.eligible)).toEqual(['WKbob']);
    expect(evaluation.knownWorker).toMatchObject({ status: 'in-queue', value: 'WKbob' });
    expect(evaluation.excluded).toEqual([{ worker: workers[0], reason: 'not-known-worker' }]);
  });

  it('matches friendly names case-insensitively (they are unique that way)', () => {
    const evaluation = evaluateRoutingStep({ step: stepOf({ known_worker_friendly_name: 'task.agent' }), task: task({ agent: 'bOB' }), queues, workers });
    expect(sids(evaluation.eligible)).toEqual(['WKbob']);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a null attribute', { agent_sid: null }, 'missing'],
    ['a missing attribute', {}, 'missing'],
    ['a non-string attribute', { agent_sid: 7 }, 'missing'],
    ['a worker outside the queue (error 40152)', { agent_sid: 'WKcid' }, 'not-in-queue'],
    ['an unknown worker (error 40155)', { agent_sid: 'WKghost' }, 'not-in-workspace'],
  ])('offers nobody for %s', (_name, attributes, status) => {
    const evaluation = evaluateRoutingStep({ step: bySid, task: task(attributes), queues, workers });
    expect(evaluation.eligible).toEqual([]);
    expect(evaluation.knownWorker?.status).toBe(status);
  });

  it('still applies availability and the target expression to the known worker', () => {
    const offline = workers.map((w) => (w.sid === 'WKbob' ? { ...w, ...OFFLINE } : w));
    expect(evaluateRoutingStep({ step: bySid, task: task({ agent_sid: 'WKbob' }), queues, workers: offline }).eligible).toEqual([]);
    const withExpression = stepOf({ known_worker_sid: 'task.agent_sid', expression: "worker.friendly_name == 'Ann'" });
    expect(evaluateRoutingStep({ step: withExpression, task: task({ agent_sid: 'WKbob' }), queues, workers }).eligible).toEqual([]);
  });
});

describe('offer order', () => {
  const queues = [queue('WQ1')];

  it('follows the documented order_by example: ties on the first clause fall to the second', () => {
    const alice = worker('WKalice', { attributes: { finance: 10, support: 8 } });
    const bob = worker('WKbob', { attributes: { finance: 10, support: 5 } });
    const step = stepOf({ order_by: 'worker.finance ASC, worker.support ASC' });
    expect(sids(evaluateRoutingStep({ step, task: task({}), queues, workers: [alice, bob] }).eligible)).toEqual(['WKbob', 'WKalice']);
  });

  it('orders DESC and puts workers without the attribute last whatever the direction', () => {
    const workers = [
      worker('WKnone', { attributes: {}, idleSince: 0 }),
      worker('WKlow', { attributes: { level: 1 } }),
      worker('WKtext', { attributes: { level: '9' }, idleSince: 1 }),
      worker('WKhigh', { attributes: { level: 5 } }),
    ];
    const desc = evaluateRoutingStep({ step: stepOf({ order_by: 'worker.level DESC' }), task: task({}), queues, workers }).eligible;
    const asc = evaluateRoutingStep({ step: stepOf({ order_by: 'worker.level ASC' }), task: task({}), queues, workers }).eligible;
    expect(sids(desc)).toEqual(['WKhigh', 'WKlow', 'WKnone', 'WKtext']);
    expect(sids(asc)).toEqual(['WKlow', 'WKhigh', 'WKnone', 'WKtext']);
  });

  it('breaks order_by ties by longest idle, then by SID', () => {
    const workers = [worker('WKb', { attributes: { level: 1 }, idleSince: 5 }), worker('WKc', { attributes: { level: 1 }, idleSince: 5 }), worker('WKa', { attributes: { level: 1 }, idleSince: 9 })];
    expect(sids(evaluateRoutingStep({ step: stepOf({ order_by: 'worker.level ASC' }), task: task({}), queues, workers }).eligible)).toEqual(['WKb', 'WKc', 'WKa']);
  });

  it('without order_by offers the longest idle worker first', () => {
    const workers = [worker('WKrecent', { idleSince: 900 }), worker('WKoldest', { idleSince: 100 }), worker('WKmiddle', { idleSince: 500 })];
    expect(sids(evaluateRoutingStep({ step: stepOf({}), task: task({}), queues, workers }).eligible)).toEqual(['WKoldest', 'WKmiddle', 'WKrecent']);
  });

  it('compares numbers only: a clause on a text field leaves the longest-idle order', () => {
    const workers = [worker('WKz', { idleSince: 2 }), worker('WKy', { idleSince: 1 })];
    expect(sids(evaluateRoutingStep({ step: stepOf({ order_by: 'worker.friendly_name ASC' }), task: task({}), queues, workers }).eligible)).toEqual(['WKy', 'WKz']);
  });
});
