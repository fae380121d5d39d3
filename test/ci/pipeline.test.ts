// The pipeline tool's pure parts: the pull-request comment it renders from a
// preview, and its command line. (The preview and smoke themselves run in
// test/ci/rehearsal.test.ts against the emulator.)
import { parseArgs, placeholderSid, readableDiff, renderMarkdown, type PreviewReport } from '../../tools/pipeline';
import { buildChatTransferWorkflow } from '../../workflows';

const SALES = 'WQ' + '5'.repeat(32);
const EVERYONE = 'WQ' + 'e'.repeat(32);

function report(overrides: Partial<PreviewReport> = {}): PreviewReport {
  return {
    stack: 'dev',
    ok: true,
    diff: 'Previewing update (dev):\n@ previewing update....\n    ~ pulumi-nodejs:dynamic/twilio:TaskQueue: (update)\n      ~ targetWorkers: "a" => "b"\n\n\n\nResources:\n    ~ 1 to update\n    16 unchanged\n',
    changes: { update: 1, same: 16 },
    workflows: [],
    violations: [],
    ...overrides,
  };
}

test('a clean preview renders the marker, the outcome, the counts and the diff', () => {
  const md = renderMarkdown(report(), { commit: '0123456789abcdef0123' });
  expect(md.split('\n').slice(0, 5)).toEqual([
    '<!-- flex-transfer-preview:dev -->',
    '### `pulumi preview` of stack `dev`: ✅ preview succeeded',
    '',
    'Commit `0123456789ab` · 1 to update, 16 unchanged',
    '',
  ]);
  expect(md).toContain('```diff\nPreviewing update (dev):\n    ~ pulumi-nodejs:dynamic/twilio:TaskQueue: (update)\n      ~ targetWorkers: "a" => "b"\n\nResources:');
  expect(md).not.toContain('@ previewing');
  expect(md).not.toContain('#### Workflow');
});

test('a failed preview lists the policy violations with the resource', () => {
  const md = renderMarkdown(
    report({
      ok: false,
      violations: [
        { policy: 'production-adopts-flex-workspace', level: 'mandatory', resource: 'routing-workspace', message: 'Workspace "X" (resource routing-workspace) would be created…\n  Fix: …' },
      ],
    }),
  );
  expect(md).toContain('❌ preview failed');
  expect(md).toContain('**Policy violations** (policy pack `flex-transfer`; 1 blocking):');
  expect(md).toContain('- **production-adopts-flex-workspace** (mandatory, `routing-workspace`): Workspace "X" (resource routing-workspace) would be created… Fix: …');
});

test('changed workflows get a Mermaid diagram; ones that come out as deployed get one line', () => {
  const configuration = JSON.stringify(buildChatTransferWorkflow({ everyoneQueueSid: EVERYONE, queues: [{ name: 'Sales', sid: SALES }] }));
  const md = renderMarkdown(
    report({
      workflows: [
        { name: 'routing-chat-transfer', friendlyName: 'Chat Transfer', op: 'update', configuration, source: 'program', queueNames: { [SALES]: 'Sales (new)' }, mermaid: 'flowchart TD\n  a --> b\n' },
        { name: 'routing-voice-transfer', friendlyName: 'Voice Transfer', op: 'unchanged', queueNames: {}, note: '…' },
      ],
    }),
  );
  expect(md).toContain('#### Workflow "Chat Transfer" (`routing-chat-transfer`): update\n\n_The preview cannot compute this configuration until `up`');
  expect(md).toContain('```mermaid\nflowchart TD\n  a --> b\n```');
  expect(md).toContain('so they will not change: "Voice Transfer"._');
  expect(md).not.toContain('#### Workflow "Voice Transfer"');
});

test('a huge diff is truncated with a pointer to the log', () => {
  const md = renderMarkdown(report({ diff: 'x'.repeat(100) }), { maxDiffChars: 10 });
  expect(md).toContain('xxxxxxxxxx\n… (truncated; the full diff is in the job log)');
});

test('progress lines leave the diff', () => {
  expect(readableDiff('Loading policy packs...: done\n@ previewing update.....\n  ~ a\n')).toBe('~ a');
});

test('placeholder SIDs are well-formed and stable per name', () => {
  expect(placeholderSid('WQ', 'routing-queue-billing')).toMatch(/^WQ[0-9a-f]{32}$/);
  expect(placeholderSid('WQ', 'routing-queue-billing')).toBe(placeholderSid('WQ', 'routing-queue-billing'));
  expect(placeholderSid('WQ', 'a')).not.toBe(placeholderSid('WQ', 'b'));
});

test('the command line names what is wrong', () => {
  expect(parseArgs(['smoke', '--stack', 'dev', '--no-routing']).flags.has('--no-routing')).toBe(true);
  expect(() => parseArgs(['deploy', '--stack', 'dev'])).toThrow(/^usage: pipeline <preview-report\|smoke>/);
  expect(() => parseArgs(['smoke'])).toThrow('--stack is required');
  expect(() => parseArgs(['smoke', '--stack'])).toThrow('--stack needs a value');
  expect(() => parseArgs(['smoke', '--stack', 'dev', '--bogus'])).toThrow("unknown argument '--bogus'");
});
