// From a refresh preview's engine events to drift rows and their text and
// Markdown. The events have the shapes the engine sends for a refresh
// preview (recorded against the emulator): per resource, `old` = the state and
// `new` = what the provider read back, whose inputs are the live values of the
// fields the provider manages.
import type { EngineEvent } from '@pulumi/pulumi/automation';
import { driftRows, leafDifferences } from '../../tools/drift/rows';
import { driftLine, formatMarkdown, formatText, issueMarker } from '../../tools/drift/report';
import { parseDriftArgs } from '../../tools/drift/cli';
import { managedFieldsOf } from '../../tools/drift/managed';
import { providers } from '../../infra/providers/registry';

const PREFIX = 'urn:pulumi:dev::flex-transfer::flex-transfer:index:TransferRouting$pulumi-nodejs:dynamic/twilio:';
const PROVIDER_CODE = 'exports.handler = __f0; /* the serialized provider */';

type Props = Record<string, unknown>;

function outputsEvent(op: string, kind: string, name: string, old: { inputs: Props; outputs?: Props } | undefined, live: { inputs: Props; outputs?: Props } | undefined): EngineEvent {
  const type = `pulumi-nodejs:dynamic/twilio:${kind}`;
  const state = (s: { inputs: Props; outputs?: Props } | undefined) =>
    s && { type, urn: `${PREFIX}${kind}::${name}`, custom: true, id: 'X', inputs: { __provider: PROVIDER_CODE, ...s.inputs }, outputs: s.outputs ?? s.inputs, provider: 'p' };
  return {
    sequence: 1,
    timestamp: 0,
    resOutputsEvent: { metadata: { op, urn: `${PREFIX}${kind}::${name}`, type, old: state(old), new: state(live), provider: 'p' } },
  } as unknown as EngineEvent;
}

const queue = { workspaceSid: 'WS1', friendlyName: 'Sales', targetWorkers: "routing.skills HAS 'sales'", taskOrder: 'FIFO', maxReservedWorkers: 1 };
const chatConfig = (timeout: number) =>
  JSON.stringify({
    task_routing: { filters: [{ filter_friendly_name: 'Transfer to worker', expression: '1 == 1', targets: [{ queue: 'WQ1', timeout }, { queue: 'WQ1' }] }], default_filter: { queue: 'WQ1' } },
  });
const flags = (cold: boolean) => ({ keyPath: 'custom_data.features.conversation_transfer', value: { enabled: true, cold_transfer: cold, multi_participant: true } });

const events: EngineEvent[] = [
  { sequence: 0, timestamp: 0, preludeEvent: { config: {} } } as unknown as EngineEvent,
  // A component and the stack itself: never drift.
  {
    sequence: 1,
    timestamp: 0,
    resOutputsEvent: { metadata: { op: 'same', urn: 'urn:pulumi:dev::flex-transfer::pulumi:pulumi:Stack::flex-transfer-dev', type: 'pulumi:pulumi:Stack', provider: '' } },
  } as unknown as EngineEvent,
  outputsEvent(
    'update',
    'TaskQueue',
    'routing-queue-sales',
    { inputs: queue, outputs: { ...queue, sid: 'WQ2' } },
    {
      // The read merges the outputs (sid) into the refreshed inputs: not a field the stack set.
      inputs: { ...queue, sid: 'WQ2', targetWorkers: "routing.skills HAS 'sales' OR 1 == 1" },
    },
  ),
  outputsEvent(
    'update',
    'Workflow',
    'routing-chat-transfer',
    { inputs: { workspaceSid: 'WS1', friendlyName: 'Chat Transfer', configuration: chatConfig(120) } },
    {
      inputs: { workspaceSid: 'WS1', friendlyName: 'Chat Transfer', configuration: chatConfig(30), sid: 'WW1' },
    },
  ),
  outputsEvent(
    'update',
    'FlexUiAttribute',
    'flex-feature-flags-ui-attribute',
    { inputs: flags(true), outputs: { ...flags(true), original: null, hadOriginal: false } },
    {
      inputs: { ...flags(false), original: null, hadOriginal: false },
    },
  ),
  // The adopted workspace: the read adds outputs and originals, and a field the
  // program never declares (eventsFilter) changed; neither is drift.
  outputsEvent(
    'same',
    'Workspace',
    'routing-workspace',
    { inputs: { adoptSid: 'WS1', eventCallbackUrl: 'https://a/cb' }, outputs: { adopted: true, sid: 'WS1' } },
    {
      inputs: { adoptSid: 'WS1', eventCallbackUrl: 'https://a/cb', adopted: true, sid: 'WS1', eventsFilter: 'task.created', originals: { eventCallbackUrl: '' } },
    },
  ),
];

describe('drift rows', () => {
  test("name exactly the three changed fields, with the stack's and the live value, and who owns each object", () => {
    expect(driftRows(events)).toEqual([
      {
        resource: 'flex-feature-flags-ui-attribute',
        kind: 'FlexUiAttribute',
        label: 'custom_data.features.conversation_transfer',
        owner: 'adopted',
        field: 'value',
        path: 'value.cold_transfer',
        stack: true,
        live: false,
      },
      {
        resource: 'routing-chat-transfer',
        kind: 'Workflow',
        label: 'Chat Transfer',
        owner: 'owned',
        field: 'configuration',
        path: 'configuration.task_routing.filters[0].targets[0].timeout',
        stack: 120,
        live: 30,
      },
      {
        resource: 'routing-queue-sales',
        kind: 'TaskQueue',
        label: 'Sales',
        owner: 'owned',
        field: 'targetWorkers',
        path: 'targetWorkers',
        stack: "routing.skills HAS 'sales'",
        live: "routing.skills HAS 'sales' OR 1 == 1",
      },
    ]);
  });

  test("a declared field of an adopted object that changed is drift, owned by 'adopted'", () => {
    const rows = driftRows([
      outputsEvent(
        'update',
        'Workspace',
        'routing-workspace',
        { inputs: { adoptSid: 'WS1', eventCallbackUrl: 'https://a/cb' }, outputs: { adopted: true } },
        {
          inputs: { adoptSid: 'WS1', eventCallbackUrl: '', adopted: true },
        },
      ),
    ]);
    expect(rows).toEqual([expect.objectContaining({ resource: 'routing-workspace', owner: 'adopted', path: 'eventCallbackUrl', stack: 'https://a/cb', live: '' })]);
  });

  test('an object deleted outside the stack is one row for the whole object', () => {
    const rows = driftRows([outputsEvent('delete', 'TaskQueue', 'routing-queue-billing', { inputs: { ...queue, friendlyName: 'Billing' } }, undefined)]);
    expect(rows.map(driftLine)).toEqual(['routing-queue-billing (TaskQueue "Billing", owned) · (the object): "exists" → "deleted outside the stack"']);
  });

  test('a Deployment, whose files the state keeps with their content and Twilio reports by version: drift only when another build replaced them', () => {
    const file = { path: '/chat/transfer', visibility: 'public', sha256: 'aa' };
    const stack = { inputs: { serviceSid: 'ZS1', environmentSid: 'ZE1', functions: [{ ...file, content: 'exports.handler = …' }], variables: { A: '1' } } };
    const deployed = { ...file, resourceSid: 'ZH1', versionSid: 'ZN1' };
    const same = outputsEvent('same', 'Deployment', 'functions-deployment', stack, { inputs: { ...stack.inputs, functions: [deployed], variables: { A: '1' } } });
    expect(driftRows([same])).toEqual([]);
    const replaced = outputsEvent('update', 'Deployment', 'functions-deployment', stack, {
      inputs: { ...stack.inputs, functions: [{ ...deployed, sha256: 'replaced-by-ZB9' }], variables: { A: '2' } },
    });
    expect(driftRows([replaced]).map((r) => [r.path, r.stack, r.live])).toEqual([
      ['functions[0].sha256', 'aa', 'replaced-by-ZB9'],
      ['variables.A', '1', '2'],
    ]);
  });

  test('no events of a changed resource, no rows', () => {
    expect(driftRows(events.slice(0, 2))).toEqual([]);
    expect(driftRows([outputsEvent('same', 'TaskQueue', 'q', { inputs: queue }, { inputs: { ...queue, sid: 'WQ2' } })])).toEqual([]);
  });

  test('leaf differences: lists of another length, keys added or removed, JSON held in strings', () => {
    expect(leafDifferences([1, 2], [1, 2, 3], 'a')).toEqual([{ path: 'a[2]', stack: undefined, live: 3 }]);
    expect(leafDifferences({ x: 1 }, { y: 1 }, 'o')).toEqual([
      { path: 'o.x', stack: 1, live: undefined },
      { path: 'o.y', stack: undefined, live: 1 },
    ]);
    expect(leafDifferences('{"a":{"b":[1]}}', '{"a":{"b":[2]}}', 'doc')).toEqual([{ path: 'doc.a.b[0]', stack: 1, live: 2 }]);
    // A plain string is compared as a string, even when it is valid JSON.
    expect(leafDifferences('12', '13', 's')).toEqual([{ path: 's', stack: '12', live: '13' }]);
    expect(leafDifferences(null, undefined, 'n')).toEqual([]);
  });
});

test('drift knows the managed fields of every resource kind the providers define', () => {
  for (const kind of Object.keys(providers)) expect([kind, managedFieldsOf(kind)?.fields.length]).toEqual([kind, expect.any(Number)]);
  expect(managedFieldsOf('TaskQueue')?.fields).toContain('targetWorkers');
  expect(managedFieldsOf('Nothing')).toBeUndefined();
});

describe('drift report', () => {
  const rows = driftRows(events);

  test('text: one `resource · field: stack value → live value` line per field, then what to do', () => {
    const text = formatText('dev', rows);
    expect(text).toContain('Drift in stack dev: 3 fields of 3 resources changed outside the stack (stack value → live value):\n');
    expect(text).toContain(`  routing-queue-sales (TaskQueue "Sales", owned) · targetWorkers: "routing.skills HAS 'sales'" → "routing.skills HAS 'sales' OR 1 == 1"\n`);
    expect(text).toContain('  routing-chat-transfer (Workflow "Chat Transfer", owned) · configuration.task_routing.filters[0].targets[0].timeout: 120 → 30\n');
    expect(text).toContain('  flex-feature-flags-ui-attribute (FlexUiAttribute "custom_data.features.conversation_transfer", adopted) · value.cold_transfer: true → false\n');
    expect(text).toContain('npm run stack -- up --stack dev --refresh');
    expect(formatText('dev', [])).toBe('No drift in stack dev: every field the stack manages matches Twilio.\n');
  });

  test("Markdown: the stack's marker, a table row per field with pipes escaped, and both ways out", () => {
    const withPipe = [{ ...rows[2], live: 'a | b' }];
    const markdown = formatMarkdown('prod', withPipe, { checkedAt: '2026-12-01T06:00:00Z', runUrl: 'https://github.com/o/r/actions/runs/1' });
    expect(markdown.startsWith(`${issueMarker('prod')}\n### Drift in stack \`prod\`\n`)).toBe(true);
    expect(markdown).toContain('| Resource | Owner | Field | Stack value | Live value |');
    expect(markdown).toContain('| `routing-queue-sales` TaskQueue "Sales" | owned | `targetWorkers` | `"routing.skills HAS \'sales\'"` | `"a \\| b"` |');
    expect(markdown).toContain('**Revert**');
    expect(markdown).toContain('**Adopt**');
    expect(formatMarkdown('prod', [])).toContain('No drift');
  });

  test('very long values are cut in the middle', () => {
    const long = [{ ...rows[2], live: 'x'.repeat(1000) }];
    const line = driftLine(long[0]);
    expect(line.length).toBeLessThan(400);
    expect(line).toContain('…');
  });
});

describe('drift command line', () => {
  test('needs --stack and takes --project, --markdown, --json', () => {
    expect(parseDriftArgs(['--stack', 'dev', '--markdown', 'd.md', '--json', 'd.json'])).toMatchObject({ stackName: 'dev', markdown: 'd.md', json: 'd.json' });
    expect(() => parseDriftArgs([])).toThrow(/--stack is required/);
    expect(() => parseDriftArgs(['--stack', 'dev', 'extra'])).toThrow(/unexpected argument extra/);
    expect(() => parseDriftArgs(['--stack', 'dev', '--verbose'])).toThrow(/Unknown option '--verbose'/);
  });
});
