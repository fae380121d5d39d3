import { validateTargetWorkersExpression, validateWorkflowConfiguration, type Finding } from '../../routing';

const Q1 = 'WQ11111111111111111111111111111111';
const Q2 = 'WQ22222222222222222222222222222222';

const routing = (taskRouting: unknown) => ({ task_routing: taskRouting });
const oneFilter = (filter: Record<string, unknown>) => routing({ filters: [{ filter_friendly_name: 'Support', expression: "type == 'support'", targets: [{ queue: Q1 }], ...filter }] });
const withTargets = (...targets: unknown[]) => oneFilter({ targets });

describe('valid configurations have no findings', () => {
  it.each<[string, unknown]>([
    ['the simplest documented config', routing({ default_filter: { queue: Q1 } })],
    ['filters with an empty default', routing({ filters: [], default_filter: { queue: Q1 } })],
    [
      'the documented lifecycle example',
      routing({
        filters: [
          { expression: 'type=="Support"', filter_friendly_name: 'Support Calls', targets: [{ queue: Q1, timeout: 15, expression: 'worker.id IN task.preferred_agents' }, { timeout: 15 }] },
          { expression: 'type=="Sales"', filter_friendly_name: 'Sales Calls', targets: [{ queue: Q2, timeout: 15 }] },
        ],
        default_filter: { queue: Q1 },
      }),
    ],
    ['priority as a number and as a string', withTargets({ queue: Q1, priority: 10, timeout: 5 }, { priority: '20' })],
    ['known worker by sid', withTargets({ queue: Q1, known_worker_sid: 'task.agent_sid', timeout: 30 }, {})],
    ['known worker by friendly name', withTargets({ queue: Q1, known_worker_friendly_name: 'task.agent.name' })],
    ['order_by and skip_if', withTargets({ queue: Q1, order_by: 'worker.level DESC, worker.tenure ASC', skip_if: 'workers.available == 0' }, { queue: Q2 })],
    ['a default_filter with priority and expression', routing({ default_filter: { queue: Q1, priority: 1, expression: 'worker.level > 1' } })],
  ])('%s', (_name, config) => {
    expect(validateWorkflowConfiguration(config as Record<string, unknown>, { queueSids: [Q1, Q2] })).toEqual([]);
  });

  it('accepts the configuration as a JSON string, as TaskRouter stores it', () => {
    expect(validateWorkflowConfiguration(JSON.stringify(routing({ default_filter: { queue: Q1 } })))).toEqual([]);
  });
});

// Each row: config, and the one finding expected (path, filter, targetIndex, field, message fragment).
describe('each rule produces a finding that names filter, target and field', () => {
  it.each<[string, unknown, Omit<Partial<Finding>, 'message'> & { message: RegExp }]>([
    ['malformed JSON', '{"task_routing": {', { path: 'configuration', message: /not valid JSON/ }],
    ['not an object', '[1, 2]', { path: 'configuration', message: /must be a JSON object/ }],
    ['no task_routing', {}, { path: 'configuration', message: /needs a task_routing/ }],
    ['unknown root key', { task_routing: { default_filter: { queue: Q1 } }, taskRouting: {} }, { path: 'taskRouting', field: 'taskRouting', message: /unknown key 'taskRouting'/ }],
    ['unknown task_routing key', routing({ default_filter: { queue: Q1 }, filter: [] }), { path: 'task_routing.filter', field: 'filter', message: /unknown key 'filter'/ }],
    ['neither filters nor default', routing({}), { path: 'task_routing', message: /neither filters nor a default_filter/ }],
    ['filters not an array', routing({ filters: {} }), { path: 'task_routing.filters', field: 'filters', message: /must be an array/ }],
    ['filter not an object', routing({ filters: ['x'] }), { path: 'task_routing.filters[0]', filter: 'filters[0]', message: /filter must be an object/ }],
    ['unknown filter key', oneFilter({ friendly_name: 'x' }), { path: 'task_routing.filters[0].friendly_name', filter: 'Support', field: 'friendly_name', message: /unknown key/ }],
    ['missing filter expression', oneFilter({ expression: undefined }), { path: 'task_routing.filters[0].expression', filter: 'Support', field: 'expression', message: /needs an expression/ }],
    ['empty filter expression', oneFilter({ expression: '  ' }), { field: 'expression', message: /is empty/ }],
    ['non-string filter expression', oneFilter({ expression: 1 }), { field: 'expression', message: /must be a string/ }],
    ['filter expression syntax', oneFilter({ expression: 'skill-level > 3' }), { field: 'expression', position: 5, message: /Hyphens/ }],
    ['filter name not a string', oneFilter({ filter_friendly_name: 3 }), { path: 'task_routing.filters[0].filter_friendly_name', filter: 'filters[0]', message: /must be a string/ }],
    ['missing targets', oneFilter({ targets: undefined }), { path: 'task_routing.filters[0].targets', field: 'targets', message: /needs a targets array/ }],
    ['empty targets', oneFilter({ targets: [] }), { field: 'targets', message: /targets is empty/ }],
    ['target not an object', withTargets(7), { path: 'task_routing.filters[0].targets[0]', targetIndex: 0, message: /target must be an object/ }],
    [
      'first target without queue',
      withTargets({ timeout: 10 }),
      { path: 'task_routing.filters[0].targets[0].queue', targetIndex: 0, field: 'queue', message: /first target of a filter needs a queue/ },
    ],
    ['queue not a string', withTargets({ queue: 12 }), { field: 'queue', targetIndex: 0, message: /must be a TaskQueue SID/ }],
    ['unknown queue', withTargets({ queue: 'WQ404' }), { field: 'queue', targetIndex: 0, message: /'WQ404' is not one of the workspace's TaskQueues/ }],
    ['unknown queue on a later target', withTargets({ queue: Q1, timeout: 5 }, { queue: 'WQ404' }), { path: 'task_routing.filters[0].targets[1].queue', targetIndex: 1, message: /not one of/ }],
    ['unknown target key', withTargets({ queue: Q1, timout: 5 }), { path: 'task_routing.filters[0].targets[0].timout', field: 'timout', message: /unknown key 'timout'/ }],
    ['timeout zero', withTargets({ queue: Q1, timeout: 0 }), { field: 'timeout', message: /positive integer/ }],
    ['timeout negative', withTargets({ queue: Q1, timeout: -5 }), { field: 'timeout', message: /positive integer/ }],
    ['timeout fractional', withTargets({ queue: Q1, timeout: 1.5 }), { field: 'timeout', message: /positive integer/ }],
    ['timeout as string', withTargets({ queue: Q1, timeout: '30' }), { field: 'timeout', message: /positive integer.*string "30"/ }],
    ['priority negative', withTargets({ queue: Q1, priority: -1 }), { field: 'priority', message: /non-negative integer/ }],
    ['priority text', withTargets({ queue: Q1, priority: 'high' }), { field: 'priority', message: /non-negative integer/ }],
    ['target expression without prefix', withTargets({ queue: Q1, expression: 'level > 3' }), { field: 'expression', position: 0, message: /prefixed by task\. or worker\./ }],
    ['target expression syntax', withTargets({ queue: Q1, expression: 'worker.a ==' }), { field: 'expression', position: 11, message: /unexpected end/ }],
    ['skip_if over the wrong names', withTargets({ queue: Q1, skip_if: 'task.x == 1' }, {}), { field: 'skip_if', message: /workers\.available/ }],
    ['order_by without direction', withTargets({ queue: Q1, order_by: 'worker.level' }), { field: 'order_by', message: /expecting ASC or DESC/ }],
    ['order_by not on worker', withTargets({ queue: Q1, order_by: 'task.level ASC' }), { field: 'order_by', message: /worker attribute/ }],
    ['both known-worker fields', withTargets({ queue: Q1, known_worker_sid: 'task.a', known_worker_friendly_name: 'task.b' }), { field: 'known_worker_friendly_name', message: /exclusive/ }],
    ['known worker without task. prefix', withTargets({ queue: Q1, known_worker_sid: 'agent_sid' }), { field: 'known_worker_sid', message: /task\. prefix/ }],
    ['known worker naming task itself', withTargets({ queue: Q1, known_worker_sid: 'task' }), { field: 'known_worker_sid', message: /task\. prefix/ }],
    ['known worker not a path', withTargets({ queue: Q1, known_worker_sid: 'task.agent-sid' }), { field: 'known_worker_sid', position: 10, message: /Hyphens/ }],
    ['known worker not a string', withTargets({ queue: Q1, known_worker_sid: 5 }), { field: 'known_worker_sid', message: /must name a task attribute/ }],
    [
      'unreachable target',
      withTargets({ queue: Q1 }, { queue: Q2 }),
      {
        path: 'task_routing.filters[0].targets[0].timeout',
        targetIndex: 0,
        field: 'timeout',
        message: /target 0 has neither a timeout nor a skip_if, so tasks never leave it and target 1 is unreachable/,
      },
    ],
    ['default_filter not an object', routing({ default_filter: 'WQ1' }), { path: 'task_routing.default_filter', filter: 'default_filter', message: /must be an object with a queue/ }],
    ['default_filter without queue', routing({ default_filter: {} }), { path: 'task_routing.default_filter.queue', filter: 'default_filter', field: 'queue', message: /needs a queue/ }],
    ['default_filter unknown queue', routing({ default_filter: { queue: 'WQ404' } }), { field: 'queue', message: /not one of/ }],
    ['default_filter with timeout', routing({ default_filter: { queue: Q1, timeout: 30 } }), { path: 'task_routing.default_filter.timeout', message: /takes no timeout/ }],
    ['default_filter with skip_if', routing({ default_filter: { queue: Q1, skip_if: 'workers.available == 0' } }), { field: 'skip_if', message: /takes no skip_if/ }],
    ['default_filter expression', routing({ default_filter: { queue: Q1, expression: 'level > 1' } }), { field: 'expression', message: /prefixed/ }],
  ])('%s', (_name, config, expected) => {
    const findings = validateWorkflowConfiguration(config as string, { queueSids: [Q1, Q2] });
    expect(findings).toHaveLength(1);
    const { message, ...rest } = expected;
    expect(findings[0]).toMatchObject(rest);
    expect(findings[0].message).toMatch(message);
  });
});

describe('reporting', () => {
  it('reports every problem at once, in document order', () => {
    const findings = validateWorkflowConfiguration(
      routing({
        filters: [
          { filter_friendly_name: 'A', expression: 'a ==', targets: [{ timeout: 0 }] },
          { filter_friendly_name: 'B', expression: 'b == 1', targets: [{ queue: 'WQ404', expression: 'x == 1' }] },
        ],
        default_filter: { queue: 'WQ405' },
      }),
      { queueSids: [Q1] },
    );
    expect(findings.map((finding) => `${finding.filter}:${finding.targetIndex ?? '-'}:${finding.field}`)).toEqual([
      'A:-:expression',
      'A:0:queue',
      'A:0:timeout',
      'B:0:queue',
      'B:0:expression',
      'default_filter:-:queue',
    ]);
  });

  it('does not check queue references when no queue set is given', () => {
    expect(validateWorkflowConfiguration(routing({ default_filter: { queue: 'WQanything' } }))).toEqual([]);
  });

  it('names a filter by position when it has no friendly name', () => {
    const [finding] = validateWorkflowConfiguration(routing({ filters: [{ expression: 'a == 1', targets: [] }] }));
    expect(finding.filter).toBe('filters[0]');
  });
});

describe('validateTargetWorkersExpression', () => {
  it.each(['1==1', "routing.skills HAS 'sales'", "(skills HAS 'support') AND (languages HAS 'english')", ''])('accepts %j', (expression) => {
    expect(validateTargetWorkersExpression(expression)).toEqual([]);
  });

  it('reports syntax errors with their position', () => {
    expect(validateTargetWorkersExpression('skill-level > 3')).toEqual([
      expect.objectContaining({ path: 'target_workers', field: 'target_workers', position: 5, message: expect.stringContaining('Hyphens') }),
    ]);
  });

  it('rejects a non-string', () => {
    expect(validateTargetWorkersExpression(null)[0].message).toMatch(/must be a string/);
  });
});
