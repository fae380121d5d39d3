import { canonicalizeExpression, canonicalizeWorkflowConfiguration, validateWorkflowConfiguration } from '../../routing';
import { buildChatTransferWorkflow, CHAT_TRANSFER_FILTER_NAMES, NOT_IN_CONVERSATION } from '../../workflows';

const EVERYONE = 'WQ00000000000000000000000000000000';
const SALES = 'WQ11111111111111111111111111111111';
const SUPPORT = 'WQ22222222222222222222222222222222';

const build = (overrides: Partial<Parameters<typeof buildChatTransferWorkflow>[0]> = {}) =>
  buildChatTransferWorkflow({
    everyoneQueueSid: EVERYONE,
    queues: [
      { name: 'Sales', sid: SALES },
      { name: 'Support', sid: SUPPORT },
    ],
    ...overrides,
  });

describe('buildChatTransferWorkflow', () => {
  const workflow = build();
  const filters = workflow.task_routing.filters ?? [];

  it('orders filters: worker transfer, one per declared queue, then the unmatched catch-all', () => {
    expect(filters.map((filter) => filter.filter_friendly_name)).toEqual(['Transfer to worker', 'Transfer to queue Sales', 'Transfer to queue Support', 'Unmatched transfer']);
  });

  it('routes worker transfers to the named worker through Everyone, then to anyone not in the conversation', () => {
    expect(filters[0]).toEqual({
      filter_friendly_name: CHAT_TRANSFER_FILTER_NAMES.worker,
      expression: "transferTargetType == 'worker'",
      targets: [
        { queue: EVERYONE, known_worker_sid: 'task.transferTargetSid', timeout: 120 },
        { queue: EVERYONE, expression: 'worker.sid NOT IN task.workerSidsInConversation' },
      ],
    });
  });

  it('matches a queue transfer by SID or by name and excludes agents already in the chat', () => {
    expect(filters[1]).toEqual({
      filter_friendly_name: 'Transfer to queue Sales',
      expression: `transferTargetType == 'queue' AND (transferTargetSid == '${SALES}' OR transferQueueName == 'Sales')`,
      targets: [{ queue: SALES, expression: NOT_IN_CONVERSATION }],
    });
  });

  it('catches everything else in Everyone, with default_filter as a backstop', () => {
    expect(filters[3]).toEqual({ filter_friendly_name: 'Unmatched transfer', expression: '1 == 1', targets: [{ queue: EVERYONE, expression: NOT_IN_CONVERSATION }] });
    expect(workflow.task_routing.default_filter).toEqual({ queue: EVERYONE });
  });

  it('honours workerTransferTimeoutSeconds', () => {
    expect(build({ workerTransferTimeoutSeconds: 45 }).task_routing.filters?.[0].targets[0].timeout).toBe(45);
  });

  it('is valid against exactly the queues it was given', () => {
    expect(validateWorkflowConfiguration(workflow, { queueSids: [EVERYONE, SALES, SUPPORT] })).toEqual([]);
    expect(validateWorkflowConfiguration(workflow, { queueSids: [EVERYONE, SALES] }).map((finding) => finding.path)).toEqual(['task_routing.filters[2].targets[0].queue']);
  });

  it("emits expressions already in canonical form, so the stack's diff is stable", () => {
    for (const filter of filters) {
      expect(canonicalizeExpression(filter.expression)).toBe(filter.expression);
      for (const target of filter.targets) if (target.expression) expect(canonicalizeExpression(target.expression, 'target')).toBe(target.expression);
    }
    expect(canonicalizeWorkflowConfiguration(workflow)).toBe(canonicalizeWorkflowConfiguration(JSON.parse(JSON.stringify(workflow))));
  });

  it('works with no declared queues', () => {
    expect(build({ queues: [] }).task_routing.filters?.map((filter) => filter.filter_friendly_name)).toEqual(['Transfer to worker', 'Unmatched transfer']);
  });

  describe('queue names', () => {
    it('quotes a name containing an apostrophe with double quotes', () => {
      const expression = build({ queues: [{ name: "Bob's Team", sid: SALES }] }).task_routing.filters?.[1].expression;
      expect(expression).toBe(`transferTargetType == 'queue' AND (transferTargetSid == '${SALES}' OR transferQueueName == "Bob's Team")`);
    });

    it('quotes a name containing double quotes with single quotes', () => {
      expect(build({ queues: [{ name: 'The "A" Team', sid: SALES }] }).task_routing.filters?.[1].expression).toContain(`transferQueueName == 'The "A" Team'`);
    });

    it.each<[string, RegExp]>([
      [`Bob's "A" Team`, /queue 'Bob's "A" Team' cannot be used in a TaskRouter expression: it contains both ' and "/],
      ['Back\\slash', /queue 'Back\\slash' cannot be used .*backslash/],
      ['Two\nlines', /cannot be used .*control character/],
      ['', /name must be a non-empty string/],
    ])('rejects %j with an error naming the queue', (name, message) => {
      expect(() => build({ queues: [{ name, sid: SALES }] })).toThrow(message);
    });

    it('rejects duplicate names (ignoring case) and duplicate SIDs', () => {
      expect(() =>
        build({
          queues: [
            { name: 'Sales', sid: SALES },
            { name: 'sales', sid: SUPPORT },
          ],
        }),
      ).toThrow(/queue 'sales' is declared twice \(also as 'Sales'\)/);
      expect(() =>
        build({
          queues: [
            { name: 'Sales', sid: SALES },
            { name: 'Other', sid: SALES },
          ],
        }),
      ).toThrow(/queue 'Other': sid .* is used by another declared queue/);
    });
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ everyoneQueueSid: 'WW123' }, /everyoneQueueSid must be a TaskQueue SID/],
    [{ everyoneQueueSid: "WQ1' OR 1==1" }, /everyoneQueueSid must be a TaskQueue SID/],
    [{ queues: [{ name: 'Sales', sid: 'not-a-sid' }] }, /queue 'Sales': sid must be a TaskQueue SID/],
    [{ workerTransferTimeoutSeconds: 0 }, /workerTransferTimeoutSeconds must be a positive integer/],
    [{ workerTransferTimeoutSeconds: 1.5 }, /positive integer/],
  ])('rejects bad options %j', (overrides, message) => {
    expect(() => build(overrides as never)).toThrow(message);
  });
});
