// The workflow CLI on what a stack deploys (`--stack NAME`), the Twilio API's
// list shapes for --queues/--workers, inline workers, and the explanation
// printed when nobody is eligible. Stack files are the repository's own
// Pulumi.<stack>.yaml, read through the CLI's io like any file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main, type CliIo } from '../../routing/cli';
import { parseStackSettings } from '../../infra/config';
import { loadStackRouting, placeholderQueueSid } from '../../infra/stack-routing';
import { chatTransferConfiguration } from '../../infra/routing-plan';

const ROOT = path.resolve(__dirname, '../..');

function io(files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    readFile: (file) => (file in files ? files[file] : fs.readFileSync(path.isAbsolute(file) ? file : path.join(ROOT, file), 'utf8')),
    clock: () => new Date('2026-11-23T10:00:00Z'),
    projectDir: ROOT,
  };
  return { cli, stdout: () => out.join(''), stderr: () => err.join('') };
}

const SALES = placeholderQueueSid('local', 'Sales');
const ALICE = { sid: 'WKalice', friendlyName: 'alice', attributes: { routing: { skills: ['sales', 'support'] } } };
const CAROL = { sid: 'WKcarol', friendlyName: 'carol', attributes: { routing: { skills: ['sales', 'billing'] } } };
const BOB = { sid: 'WKbob', friendlyName: 'bob', attributes: { routing: { skills: ['support'] } } };
const toSales = (inConversation: string[]) =>
  JSON.stringify({ taskChannel: 'chat', attributes: { transferTargetType: 'queue', transferQueueName: 'Sales', workerSidsInConversation: inConversation } });

describe('--stack: the workflows a stack deploys, built offline', () => {
  test("builds the Chat Transfer workflow from Pulumi.local.yaml exactly as the stack's program does", () => {
    const routing = loadStackRouting({ projectDir: ROOT, stack: 'local', readFile: (f) => fs.readFileSync(f, 'utf8') });
    expect(routing.queues.map((q) => [q.friendlyName, q.targetWorkers])).toEqual([
      // Flex's Everyone queue, adopted: its target_workers stays Twilio's; taken as Flex's default.
      ['Everyone', '1==1'],
      ['Sales', "routing.skills HAS 'sales'"],
      ['Support', "routing.skills HAS 'support'"],
      ['Billing', "routing.skills HAS 'billing'"],
    ]);
    expect(routing.workflows.map((w) => w.friendlyName)).toEqual(['Chat Transfer', 'Voice Transfer']);
    // The same settings through the same builder the component calls.
    const settings = parseStackSettings(
      {
        workspace: { adoptSid: 'WSc27141dfc6f049e49f3cbb3f77e89fae' },
        queues: [
          { name: 'Sales', targetWorkers: "routing.skills HAS 'sales'" },
          { name: 'Support', targetWorkers: "routing.skills HAS 'support'" },
          { name: 'Billing', targetWorkers: "routing.skills HAS 'billing'" },
        ],
      },
      'local',
    );
    const byName = Object.fromEntries(routing.queues.slice(1).map((q) => [q.friendlyName, q.sid]));
    expect(routing.workflows[0].configuration).toBe(chatTransferConfiguration(settings, { everyone: routing.queues[0].sid, byName }));
  });

  test('lint --stack checks every workflow and queue of the stack', () => {
    const { cli, stdout } = io();
    expect(main(['lint', '--stack', 'local'], cli)).toBe(0);
    expect(stdout()).toBe('stack local · Chat Transfer: no findings\nstack local · Voice Transfer: no findings\n');
  });

  test('a queue expression the stack file gets wrong is refused before anything, naming the key', () => {
    const broken = fs.readFileSync(path.join(ROOT, 'Pulumi.local.yaml'), 'utf8').replace("routing.skills HAS 'sales'", 'routing.skills HAS sales-team');
    const { cli, stderr } = io({ [path.join(ROOT, 'Pulumi.broken.yaml')]: broken });
    expect(main(['lint', '--stack', 'broken'], cli)).toBe(2);
    expect(stderr()).toContain("flex-transfer:queues[0].targetWorkers (TaskQueue 'Sales')");
    expect(stderr()).toContain('Hyphens are not allowed');
  });

  test("dev's placeholder workspace is a note, not a failure: the routing does not depend on it", () => {
    const { cli, stdout, stderr } = io();
    expect(main(['lint', '--stack', 'dev'], cli)).toBe(0);
    expect(stdout()).toContain('stack dev · Chat Transfer: no findings');
    expect(stderr()).toMatch(/^note: Pulumi\.dev\.yaml: flex-transfer:workspace\.adoptSid is still the placeholder/);
  });

  test("diagram --stack draws the Chat Transfer workflow with the stack's queue names; --workflow voice the other", () => {
    const chat = io();
    expect(main(['diagram', '--stack', 'local'], chat.cli)).toBe(0);
    expect(chat.stdout()).toMatch(/^flowchart TD\n/);
    expect(chat.stdout()).toContain(`[("Sales<br/>${SALES}")]`);
    expect(chat.stdout()).toContain('Unmatched transfer');
    const voice = io();
    expect(main(['diagram', '--stack', 'local', '--workflow', 'voice'], voice.cli)).toBe(0);
    expect(voice.stdout()).toContain('Transfer to agent');
  });

  test('simulate --stack with inline workers offers a Sales transfer to a Sales agent not in the conversation', () => {
    const { cli, stdout } = io();
    const code = main(['simulate', '--stack', 'local', '--task', toSales(['WKalice']), '--workers', JSON.stringify([ALICE, CAROL, BOB])], cli);
    expect(code).toBe(0);
    expect(stdout()).toContain(`✔ [1] Transfer to queue Sales`);
    expect(stdout()).toContain('First offer: WKcarol (carol) via Transfer to queue Sales target 0');
    expect(stdout()).not.toContain('Why nobody is eligible');
  });

  test("simulate says what it assumes that the stack file does not say: the adopted Everyone queue's members", () => {
    const { cli, stderr } = io();
    expect(main(['simulate', '--stack', 'local', '--task', toSales([]), '--workers', JSON.stringify([CAROL])], cli)).toBe(0);
    expect(stderr()).toBe(
      "note: 'Everyone': adopted, keeping its own target_workers in Twilio (not in Pulumi.local.yaml); taken here as 1==1 (every worker), as Flex's Everyone queue has by default\n",
    );
    // lint and diagram do not depend on it, and say nothing.
    const lint = io();
    expect(main(['lint', '--stack', 'local'], lint.cli)).toBe(0);
    expect(lint.stderr()).toBe('');
  });

  test('simulate takes workers from a file too (@FILE or a path)', () => {
    const files = { 'workers.json': JSON.stringify([ALICE, CAROL]) };
    for (const workers of ['workers.json', '@workers.json']) {
      const { cli, stdout } = io(files);
      expect(main(['simulate', '--stack', 'local', '--task', toSales([]), '--workers', workers], cli)).toBe(0);
      expect(stdout()).toMatch(/First offer: WK(alice|carol)/);
    }
  });

  test.each<[string[], RegExp]>([
    [['lint', '--stack', 'local', '--queues', 'q.json'], /--queues cannot be combined with --stack/],
    [['lint', 'chat.json', '--stack', 'local'], /give a workflow FILE or --stack, not both/],
    [['diagram', '--stack', 'local', '--workflow', 'email'], /--workflow email: expected chat or voice/],
    [['lint', 'chat.json', '--workflow', 'chat'], /--workflow selects one of a stack's workflows/],
    [['lint', '--stack', 'staging'], /there is no stack file Pulumi\.staging\.yaml/],
    [['lint', 'workflows/chat-transfer.ts'], /workflows\/chat-transfer\.ts is source code, not workflow JSON: .*--stack NAME/],
    [['simulate', '--stack', 'local', '--task', '{}'], /simulate needs --workers/],
    [['lint', '--stack'], /--stack needs a value/],
  ])('exits 2 with a clear message: %j', (argv, message) => {
    const { cli, stderr } = io({ 'workflows/chat-transfer.ts': 'export const x = 1;\n' });
    expect(main(argv, cli)).toBe(2);
    expect(stderr()).toMatch(message);
  });
});

describe("the Twilio API's list shapes", () => {
  // As `GET /v1/Workspaces/WS…/TaskQueues` and `…/Workers` answer.
  const apiQueues = {
    task_queues: [
      { sid: 'WQeveryone', friendly_name: 'Everyone', target_workers: '1==1', task_order: 'FIFO' },
      { sid: 'WQsales', friendly_name: 'Sales', target_workers: "routing.skills HAS 'sales'" },
    ],
    meta: { page: 0, page_size: 50, key: 'task_queues' },
  };
  const apiWorkers = {
    workers: [
      { sid: 'WKalice', friendly_name: 'alice', activity_name: 'Offline', available: false, attributes: JSON.stringify(ALICE.attributes) },
      { sid: 'WKcarol', friendly_name: 'carol', activity_name: 'Available', available: true, attributes: JSON.stringify(CAROL.attributes) },
    ],
    meta: { key: 'workers' },
  };
  const workflow = JSON.stringify({
    task_routing: { filters: [{ filter_friendly_name: 'Sales', expression: '1==1', targets: [{ queue: 'WQsales' }] }], default_filter: { queue: 'WQeveryone' } },
  });

  test('--queues takes {task_queues: […]} and --workers {workers: […]}, inline or as files', () => {
    const files = { 'wf.json': workflow, 'queues.json': JSON.stringify(apiQueues), 'workers.json': JSON.stringify(apiWorkers) };
    for (const [queues, workers] of [
      ['queues.json', 'workers.json'],
      [JSON.stringify(apiQueues), JSON.stringify(apiWorkers)],
    ]) {
      const { cli, stdout } = io(files);
      expect(main(['simulate', 'wf.json', '--task', '{}', '--queues', queues, '--workers', workers], cli)).toBe(0);
      expect(stdout()).toContain('queue Sales (WQsales)');
      expect(stdout()).toContain('First offer: WKcarol (carol)');
      expect(stdout()).toContain('excluded — activity not available (1): WKalice (alice)');
    }
    const lint = io(files);
    expect(main(['lint', 'wf.json', '--queues', 'queues.json'], lint.cli)).toBe(0);
  });

  test('a list under another key is refused, naming the keys it accepts', () => {
    const { cli, stderr } = io({ 'wf.json': workflow, 'q.json': JSON.stringify({ queues_list: [] }) });
    expect(main(['lint', 'wf.json', '--queues', 'q.json'], cli)).toBe(2);
    expect(stderr()).toContain('expected a JSON array of queues (or an object with a "queues" or a "task_queues" array, as the API lists them)');
  });
});

describe('why nobody is eligible', () => {
  test("names each worker's reasons: offline, excluded by the expression, not in the queue", () => {
    const { cli, stdout } = io();
    const workers = [ALICE, { ...CAROL, activityName: 'Offline' }, BOB];
    expect(main(['simulate', '--stack', 'local', '--task', toSales(['WKalice']), '--workers', JSON.stringify(workers)], cli)).toBe(0);
    const text = stdout();
    expect(text).toContain('First offer: nobody is eligible right now');
    expect(text).toContain('Why nobody is eligible:\n  step 1: Transfer to queue Sales target 0 → queue Sales\n');
    expect(text).toContain('    alice (WKalice): excluded by the target expression worker.sid NOT IN task.workerSidsInConversation\n');
    expect(text).toContain('    carol (WKcarol): offline (activity Offline is not an available one)\n');
    expect(text).toContain("    bob (WKbob): not in the queue (Sales's target_workers routing.skills HAS 'sales' is false for them)\n");
    expect(text).toContain('Hint: carol (WKcarol) would be eligible if available: give them an available activity ("activityName": "Available"');
  });

  test("the emulator's seeded workers, as the API lists them (all Offline), get the offline hint", () => {
    const seeded = {
      workers: ['alice', 'bob', 'carol', 'dave'].map((name) => ({
        sid: `WK${name}`,
        friendly_name: name,
        activity_name: 'Offline',
        available: false,
        attributes: JSON.stringify({ routing: { skills: name === 'bob' ? ['support'] : ['sales'] } }),
      })),
    };
    const { cli, stdout } = io();
    expect(main(['simulate', '--stack', 'local', '--task', toSales([]), '--workers', JSON.stringify(seeded), '--json'], cli)).toBe(0);
    const trace = JSON.parse(stdout());
    expect(trace.firstOffer).toBeUndefined();
    const step = trace.nobodyEligible.steps[0];
    expect(step.workers.find((w: { sid: string }) => w.sid === 'WKalice').reasons).toEqual([{ kind: 'offline', activityName: 'Offline' }]);
    expect(step.workers.find((w: { sid: string }) => w.sid === 'WKbob').reasons.map((r: { kind: string }) => r.kind)).toEqual(['not-in-queue', 'offline']);
    expect(trace.nobodyEligible.hints[0]).toMatch(/^alice \(WKalice\), carol \(WKcarol\), dave \(WKdave\) would be eligible if available/);
  });

  test("a worker transfer explains both steps: the known worker's and the fallback's", () => {
    const { cli, stdout } = io();
    const task = JSON.stringify({ taskChannel: 'chat', attributes: { transferTargetType: 'worker', transferTargetSid: 'WKcarol', workerSidsInConversation: ['WKalice'] } });
    const workers = [ALICE, { ...CAROL, channels: { chat: { capacity: 1, assignedTasks: 1 } } }];
    expect(main(['simulate', '--stack', 'local', '--task', task, '--workers', JSON.stringify(workers)], cli)).toBe(0);
    const text = stdout();
    expect(text).toContain('  step 1: Transfer to worker target 0 → queue Everyone\n');
    expect(text).toContain('    alice (WKalice): not the known worker (task.transferTargetSid = "WKcarol")\n');
    expect(text).toContain('    alice (WKalice): excluded by the target expression worker.sid NOT IN task.workerSidsInConversation\n');
    expect(text).toContain("    carol (WKcarol): no free capacity (1 of 1 'chat' tasks already assigned)\n");
    expect(text).toContain('  step 2: Transfer to worker target 1 → queue Everyone\n');
  });
});
