// `npm run adopt` edits Pulumi.<stack>.yaml in place: values it changes are
// written, everything else (comments, order, other keys) stays as it was.
import { parseDocument } from 'yaml';
import { queuesOf } from '../../tools/adopt-discovery';
import { mergeInto, parseArgs, readRawConfig } from '../../tools/adopt';

const FILE = `# dev: a real Flex account.
config:
  # Your Flex workspace.
  flex-transfer:workspace:
    adoptSid: WS00000000000000000000000000000000
  flex-transfer:queues:
    - name: Sales   # the sales team
      targetWorkers: routing.skills HAS 'sales'
  flex-transfer:workspaceEventCallback: true
  flex-transfer:features: '{"enabled":true}'
encryptionsalt: v1:abc
`;

test('config values are read as the stack reads them, JSON text decoded', () => {
  const raw = readRawConfig(parseDocument(FILE));
  expect(raw).toEqual({
    workspace: { adoptSid: 'WS00000000000000000000000000000000' },
    queues: [{ name: 'Sales', targetWorkers: "routing.skills HAS 'sales'" }],
    workspaceEventCallback: true,
    features: { enabled: true },
  });
});

test('only changed values are written; comments, booleans and untouched keys stay', () => {
  const doc = parseDocument(FILE);
  const raw = readRawConfig(doc);
  const next = {
    ...raw,
    workspace: { adoptSid: 'WS' + 'a'.repeat(32) },
    queues: [
      { name: 'Sales', targetWorkers: "routing.skills HAS 'sales'" },
      { name: 'Template Example Sales', adopt: { sid: 'WQ' + 'b'.repeat(32) } },
    ],
    everyoneQueue: { name: 'Everyone', adopt: { sid: 'WQ' + 'c'.repeat(32) } },
  };
  for (const key of Object.keys(next)) mergeInto(doc, ['config', `flex-transfer:${key}`], (raw as Record<string, unknown>)[key], (next as Record<string, unknown>)[key]);
  const text = doc.toString();
  expect(text).toContain('# dev: a real Flex account.');
  expect(text).toContain('  # Your Flex workspace.');
  expect(text).toContain(`adoptSid: WS${'a'.repeat(32)}`);
  expect(text).toMatch(/- name: Sales +# the sales team/);
  expect(text).toContain('flex-transfer:workspaceEventCallback: true\n');
  expect(text).toContain(`flex-transfer:features: '{"enabled":true}'`);
  expect(text).toContain('encryptionsalt: v1:abc');
  expect(readRawConfig(parseDocument(text))).toEqual(next);
});

test('the queues a workflow routes to are read from its targets and default filter', () => {
  const a = 'WQ' + '1'.repeat(32);
  const b = 'WQ' + '2'.repeat(32);
  const config = JSON.stringify({ task_routing: { filters: [{ targets: [{ queue: a, known_worker_sid: 'task.x' }, { queue: a }] }], default_filter: { queue: b } } });
  expect(queuesOf(config)).toEqual([a, b]);
  expect(queuesOf('not json')).toEqual([]);
});

test('the command line names its options', () => {
  expect(parseArgs(['--stack', 'dev', '--dry-run'])).toMatchObject({ stack: 'dev', dryRun: true });
  expect(() => parseArgs(['--stak', 'dev'])).toThrow(/unknown argument '--stak'/);
});
