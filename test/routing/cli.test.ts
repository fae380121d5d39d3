import { main, type CliIo } from '../../routing/cli';
import { buildChatTransferWorkflow } from '../../workflows';

function fakeIo(files: Record<string, unknown>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    readFile: (path) => {
      if (!(path in files)) throw new Error(`ENOENT: no such file '${path}'`);
      const content = files[path];
      return typeof content === 'string' ? content : JSON.stringify(content);
    },
    clock: () => new Date('2026-11-23T10:00:00Z'),
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

const chat = buildChatTransferWorkflow({ everyoneQueueSid: 'WQeveryone', queues: [{ name: 'Sales', sid: 'WQsales' }] });
const files = {
  'chat.json': chat,
  'resource.json': { sid: 'WW1', friendly_name: 'Chat Transfer', configuration: JSON.stringify(chat) },
  'broken.json': { task_routing: { filters: [{ filter_friendly_name: 'Bad', expression: 'skill-level > 3', targets: [{ timeout: 0 }] }] } },
  'malformed.json': '{ nope',
  'queues.json': [
    { sid: 'WQeveryone', friendly_name: 'Everyone', target_workers: '1==1' },
    { sid: 'WQsales', friendlyName: 'Sales', targetWorkers: "routing.skills HAS 'sales'" },
  ],
  'bad-queues.json': [{ sid: 'WQeveryone', friendlyName: 'Everyone', targetWorkers: 'skill-level > 3' }],
  'workers.json': [
    { sid: 'WKann', friendlyName: 'Ann', attributes: { routing: { skills: ['sales'] } }, idleSince: '2026-11-23T09:00:00Z' },
    { sid: 'WKbob', friendly_name: 'Bob', attributes: JSON.stringify({ routing: { skills: ['sales'] } }), idleSince: '2026-11-23T08:00:00Z' },
    { sid: 'WKcy', friendlyName: 'Cy', activityName: 'Offline' },
  ],
  'task.json': { attributes: { transferTargetType: 'queue', transferQueueName: 'Sales', workerSidsInConversation: ['WKbob'] }, taskChannel: 'chat' },
};

describe('workflow lint', () => {
  it('exits 0 and says so for a valid workflow, also given as a Workflow resource', () => {
    for (const file of ['chat.json', 'resource.json']) {
      const { io, stdout } = fakeIo(files);
      expect(main(['lint', file, '--queues', 'queues.json'], io)).toBe(0);
      expect(stdout()).toBe(`${file}: no findings\n`);
    }
  });

  it('exits 1 and prints each finding with its path and position', () => {
    const { io, stdout, stderr } = fakeIo(files);
    expect(main(['lint', 'broken.json'], io)).toBe(1);
    expect(stdout()).toContain('broken.json: task_routing.filters[0].expression (position 5): Invalid filter expression');
    expect(stdout()).toContain('broken.json: task_routing.filters[0].targets[0].queue: the first target of a filter needs a queue');
    expect(stdout()).toContain('broken.json: task_routing.filters[0].targets[0].timeout: timeout must be a positive integer');
    expect(stderr()).toBe('3 findings\n');
  });

  it('reports malformed JSON as a finding', () => {
    const { io, stdout } = fakeIo(files);
    expect(main(['lint', 'malformed.json'], io)).toBe(1);
    expect(stdout()).toMatch(/^malformed\.json: configuration: configuration is not valid JSON/);
  });

  it('checks queue references and queue target_workers against --queues', () => {
    const { io, stdout } = fakeIo({ ...files, 'one-queue.json': [files['queues.json'][0]] });
    expect(main(['lint', 'chat.json', '--queues', 'one-queue.json'], io)).toBe(1);
    expect(stdout()).toContain("task_routing.filters[1].targets[0].queue: queue 'WQsales' is not one of the workspace's TaskQueues");
    const bad = fakeIo(files);
    expect(main(['lint', 'chat.json', '--queues=bad-queues.json'], bad.io)).toBe(1);
    expect(bad.stdout()).toContain('bad-queues.json: queues[0] (Everyone).target_workers (position 5): Invalid target_workers expression');
  });
});

describe('workflow simulate', () => {
  it('prints a readable trace', () => {
    const { io, stdout } = fakeIo(files);
    expect(main(['simulate', 'chat.json', '--task', '@task.json', '--workers', 'workers.json', '--queues', 'queues.json'], io)).toBe(0);
    const text = stdout();
    expect(text).toContain('✘ [0] Transfer to worker');
    expect(text).toContain('✔ [1] Transfer to queue Sales');
    expect(text).toContain('eligible, in offer order (1): WKann (Ann)');
    expect(text).toContain('excluded — target expression is false (1): WKbob (Bob)');
    expect(text).toContain('First offer: WKann (Ann) via Transfer to queue Sales target 0');
    expect(text).toContain('at 2026-11-23T10:00:00.000Z');
  });

  it('takes inline task JSON (bare attributes), --now and --json', () => {
    const { io, stdout } = fakeIo(files);
    const code = main(
      [
        'simulate',
        'chat.json',
        '--task',
        '{"transferTargetType":"worker","transferTargetSid":"WKann"}',
        '--workers',
        'workers.json',
        '--queues',
        'queues.json',
        '--now',
        '2026-01-01T00:00:00Z',
        '--json',
      ],
      io,
    );
    expect(code).toBe(0);
    const trace = JSON.parse(stdout());
    expect(trace.evaluatedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(trace.task.taskChannel).toBe('default');
    expect(trace.firstOffer.worker.sid).toBe('WKann'); // workers without channels get capacity on the task's channel
    expect(trace.steps[1].excluded).toEqual([{ sid: 'WKcy', friendlyName: 'Cy', reason: 'unavailable-activity' }]);
  });

  it('exits 1 with the findings when the workflow is invalid', () => {
    const { io, stderr } = fakeIo(files);
    expect(main(['simulate', 'broken.json', '--task', '{}', '--workers', 'workers.json', '--queues', 'queues.json'], io)).toBe(1);
    expect(stderr()).toContain('the workflow is invalid');
    expect(stderr()).toContain('task_routing.filters[0].targets[0].queue');
  });

  it.each<[string[], RegExp]>([
    [['simulate', 'chat.json', '--workers', 'workers.json', '--queues', 'queues.json'], /simulate needs --task/],
    [['simulate', 'chat.json', '--task', '{', '--workers', 'workers.json', '--queues', 'queues.json'], /--task is not valid JSON/],
    [['simulate', 'chat.json', '--task', '{}', '--workers', 'missing.json', '--queues', 'queues.json'], /cannot read workers file missing\.json/],
    [['simulate', 'chat.json', '--task', '{}', '--workers', 'queues.json', '--queues', 'queues.json', '--now', 'yesterday'], /--now yesterday is not an ISO date/],
    [['simulate', 'chat.json', '--task', '{}', '--workers', 'workers.json', '--queues', 'bad-queues.json'], /Invalid target_workers expression/],
    [['lint'], /lint needs a workflow FILE or --stack NAME/],
    [['lint', 'a.json', 'b.json'], /unexpected argument b\.json/],
    [['lint', 'chat.json', '--verbose'], /unknown option --verbose/],
    [['deploy'], /unknown command deploy/],
  ])('exits 2 on bad usage or input: %j', (argv, message) => {
    const { io, stderr } = fakeIo(files);
    expect(main(argv, io)).toBe(2);
    expect(stderr()).toMatch(message);
  });
});

describe('workflow diagram and canonical', () => {
  it('prints Mermaid with queue names from --queues', () => {
    const { io, stdout } = fakeIo(files);
    expect(main(['diagram', 'chat.json', '--queues', 'queues.json'], io)).toBe(0);
    expect(stdout()).toMatch(/^flowchart TD\n/);
    expect(stdout()).toContain(`[("Sales<br/>WQsales")]`);
  });

  it('prints the canonical JSON', () => {
    const { io, stdout } = fakeIo(files);
    expect(main(['canonical', 'resource.json'], io)).toBe(0);
    expect(stdout()).toMatch(/^\{"task_routing":\{"default_filter":\{"queue":"WQeveryone"\},"filters":\[/);
  });

  it('prints usage for help', () => {
    const { io, stdout } = fakeIo(files);
    expect(main(['help'], io)).toBe(0);
    expect(stdout()).toContain('<command> (FILE | --stack NAME)');
    expect(stdout()).toContain('simulate  Show the routing trace');
  });
});
