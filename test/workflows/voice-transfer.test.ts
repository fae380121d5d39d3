import { canonicalizeExpression, compileWorkflow, simulate, validateWorkflowConfiguration } from '../../routing';
import { buildVoiceTransferWorkflow } from '../../workflows';
import { OFFLINE, queue, task, worker } from '../routing/fixtures';

const EVERYONE = 'WQeveryone';
const BILLING = 'WQbilling';
const workflow = buildVoiceTransferWorkflow({ everyoneQueueSid: EVERYONE, queues: [{ name: 'Billing', sid: BILLING }], workerTransferTimeoutSeconds: 30 });
const filters = workflow.task_routing.filters ?? [];

describe('buildVoiceTransferWorkflow', () => {
  it('routes requested_agent by known-worker routing with a fallback to everyone', () => {
    expect(filters[0]).toEqual({
      filter_friendly_name: 'Transfer to agent',
      expression: 'requested_agent != null',
      targets: [{ queue: EVERYONE, known_worker_sid: 'task.requested_agent', timeout: 30 }, { queue: EVERYONE }],
    });
  });

  it('routes desired_queue by SID or name, one filter per declared queue', () => {
    expect(filters[1]).toEqual({
      filter_friendly_name: 'Transfer to queue Billing',
      expression: `desired_queue == '${BILLING}' OR desired_queue == 'Billing'`,
      targets: [{ queue: BILLING }],
    });
  });

  it('catches anything else in everyone and has a default_filter', () => {
    expect(filters[2]).toEqual({ filter_friendly_name: 'Unmatched transfer', expression: '1 == 1', targets: [{ queue: EVERYONE }] });
    expect(workflow.task_routing.default_filter).toEqual({ queue: EVERYONE });
  });

  it('is valid, canonical, and defaults the agent timeout to 120s', () => {
    expect(validateWorkflowConfiguration(workflow, { queueSids: [EVERYONE, BILLING] })).toEqual([]);
    for (const filter of filters) expect(canonicalizeExpression(filter.expression)).toBe(filter.expression);
    expect(buildVoiceTransferWorkflow({ everyoneQueueSid: EVERYONE, queues: [] }).task_routing.filters?.[0].targets[0].timeout).toBe(120);
  });

  it('rejects queue names the expression language cannot hold', () => {
    expect(() => buildVoiceTransferWorkflow({ everyoneQueueSid: EVERYONE, queues: [{ name: `a'b"c`, sid: BILLING }] })).toThrow(/queue 'a'b"c' cannot be used/);
  });
});

describe('Voice Transfer routing (simulated)', () => {
  const queues = [queue(EVERYONE, '1==1', 'Everyone'), queue(BILLING, "skills HAS 'billing'", 'Billing')];
  const workers = [worker('WKagent', { idleSince: 9 }), worker('WKbiller', { attributes: { skills: ['billing'] }, idleSince: 5 }), worker('WKother', { idleSince: 1 })];
  const compiled = compileWorkflow(workflow);
  // Attributes of a blind-transfer task, as in Twilio's call-control docs.
  const transfer = (extra: Record<string, unknown>) => task({ conference: { sid: 'CF123', room_name: 'WTorig' }, original_task_sid: 'WTorig', ...extra }, { taskChannel: 'voice' });

  it('offers the requested agent only, then anyone after the timeout', () => {
    const trace = simulate({ workflow: compiled, queues, workers, task: transfer({ requested_agent: 'WKagent' }) });
    expect(trace.steps[0].eligible.map((w) => w.sid)).toEqual(['WKagent']);
    expect(trace.steps[0].next).toEqual({ kind: 'timeout-to-next-target', atAgeSeconds: 30 });
    expect(trace.steps[1].eligible.map((w) => w.sid)).toEqual(['WKother', 'WKbiller', 'WKagent']);
  });

  it('waits for an offline requested agent until the timeout instead of giving up', () => {
    const offline = workers.map((w) => (w.sid === 'WKagent' ? { ...w, ...OFFLINE } : w));
    const trace = simulate({ workflow: compiled, queues, workers: offline, task: transfer({ requested_agent: 'WKagent' }) });
    expect(trace.steps[0].eligible).toEqual([]);
    expect(trace.firstOffer?.stepIndex).toBe(1);
  });

  it.each([['Billing'], [BILLING]])('routes desired_queue %j to that queue', (desired) => {
    const trace = simulate({ workflow: compiled, queues, workers, task: transfer({ desired_queue: desired }) });
    expect(trace.steps[0]).toMatchObject({ filterName: 'Transfer to queue Billing', queueSid: BILLING });
    expect(trace.firstOffer?.worker.sid).toBe('WKbiller');
  });

  it('sends an undeclared desired_queue to everyone', () => {
    const trace = simulate({ workflow: compiled, queues, workers, task: transfer({ desired_queue: 'Nope' }) });
    expect(trace.steps[0]).toMatchObject({ filterName: 'Unmatched transfer', queueSid: EVERYONE });
  });
});
