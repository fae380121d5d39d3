// The promotion guard's judgement on a plan (tools/promotion-guard.ts), from
// engine events shaped as `pulumi preview --json` streams them. The guard on
// a real preview of a real stack runs in test/ci/rehearsal.test.ts.
import { parsePreviewEvents } from '../../tools/engine-events';
import { judge, parseGuardArgs, report } from '../../tools/promotion-guard';

const URN = (type: string, name: string) => `urn:pulumi:prod::flex-transfer::flex-transfer:index:TransferRouting$pulumi-nodejs:dynamic/twilio:${type}::${name}`;

function step(op: string, type: string, name: string, old: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> } = {}) {
  return JSON.stringify({
    sequence: 1,
    timestamp: 0,
    resourcePreEvent: {
      metadata: {
        op,
        urn: URN(type, name),
        type: `pulumi-nodejs:dynamic/twilio:${type}`,
        old: { type: `pulumi-nodejs:dynamic/twilio:${type}`, custom: true, inputs: old.inputs ?? {}, outputs: { sid: `WQ${'1'.repeat(32)}`, ...old.outputs } },
        new: op === 'delete' ? undefined : { custom: true, inputs: {} },
      },
    },
  });
}

const summary = (result: string) => JSON.stringify({ sequence: 9, timestamp: 0, summaryEvent: { resourceChanges: {}, result } });

function plan(...lines: string[]) {
  return parsePreviewEvents([...lines, summary('succeeded')].join('\n'));
}

test('no deletion or replacement: ok', () => {
  const verdict = judge(plan(step('update', 'TaskQueue', 'routing-queue-sales'), step('same', 'Workflow', 'routing-chat-transfer')).steps, { maxManagedDeletes: 0, allow: [] });
  expect(verdict).toEqual({ ok: true, destructions: [], reasons: [] });
});

test('deleting one queue stops a deploy that allows none, and passes when the run names it', () => {
  const steps = plan(step('delete', 'TaskQueue', 'routing-queue-billing')).steps;
  const stopped = judge(steps, { maxManagedDeletes: 0, allow: [] });
  expect(stopped.ok).toBe(false);
  expect(report('prod', stopped)).toBe(
    [
      'promotion guard: stack prod: STOPPED before `pulumi up`, nothing was changed:',
      `  - the plan would delete or replace 1 of the stack's own resources, more than the 0 this deploy allows without naming them: delete TaskQueue routing-queue-billing (WQ${'1'.repeat(32)})`,
      'If this is intended, read the preview above, then run the Deploy workflow by hand for this commit with allow-destructive set to: routing-queue-billing',
      '(each name is one resource this run may delete or replace; see docs/operations.md, "The promotion guard").',
    ].join('\n'),
  );
  const allowed = judge(steps, { maxManagedDeletes: 0, allow: ['routing-queue-billing'] });
  expect(allowed.ok).toBe(true);
  expect(report('prod', allowed)).toBe('promotion guard: stack prod: ok; 1 resource(s) deleted or replaced (allowed by name: routing-queue-billing).');
  // A full URN names it too.
  expect(judge(steps, { maxManagedDeletes: 0, allow: [URN('TaskQueue', 'routing-queue-billing')] }).ok).toBe(true);
});

test("within the configured number, the stack's own deletions pass; one more stops", () => {
  const two = plan(step('delete', 'TaskQueue', 'a'), step('replace', 'Workflow', 'b'), step('create-replacement', 'Workflow', 'b'), step('delete-replaced', 'Workflow', 'b')).steps;
  const verdict = judge(two, { maxManagedDeletes: 2, allow: [] });
  expect(verdict.ok).toBe(true);
  // A replacement's several steps count once, as a replace.
  expect(verdict.destructions.map((d) => `${d.op} ${d.name}`)).toEqual(['delete a', 'replace b']);
  expect(judge(two, { maxManagedDeletes: 1, allow: [] }).ok).toBe(false);
  expect(judge(two, { maxManagedDeletes: 1, allow: ['b'] }).ok).toBe(true);
});

test('an adopted object is never deleted or replaced without naming it, whatever the number allows', () => {
  const adoptedWorkspace = step('replace', 'Workspace', 'routing-workspace', { inputs: { adoptSid: `WS${'2'.repeat(32)}` }, outputs: { adopted: true } });
  const adoptedChannel = step('delete', 'TaskChannel', 'routing-channel-chat', { inputs: { adopt: true }, outputs: { adopted: true } });
  const verdict = judge(plan(adoptedWorkspace, adoptedChannel).steps, { maxManagedDeletes: 50, allow: [] });
  expect(verdict.ok).toBe(false);
  expect(verdict.reasons).toEqual([
    expect.stringMatching(/^the plan would replace Workspace routing-workspace \(.+\), an adopted object: the stack must never remove it$/),
    expect.stringMatching(/^the plan would delete TaskChannel routing-channel-chat \(.+\), an adopted object: the stack must never remove it$/),
  ]);
  expect(judge(plan(adoptedWorkspace, adoptedChannel).steps, { maxManagedDeletes: 0, allow: ['routing-workspace', 'routing-channel-chat'] }).ok).toBe(true);
  // A queue declared by the name it has (adoption by name), before the provider recorded it.
  const byName = step('delete', 'TaskQueue', 'routing-queue-everyone', { inputs: { adoptName: 'Everyone' } });
  expect(judge(plan(byName).steps, { maxManagedDeletes: 5, allow: [] }).reasons).toEqual([expect.stringContaining('routing-queue-everyone')]);
});

test('components and the stack itself are not counted; only Twilio objects', () => {
  const component = JSON.stringify({
    resourcePreEvent: {
      metadata: { op: 'delete', urn: 'urn:pulumi:prod::flex-transfer::flex-transfer:index:FlexFeatureFlags::flags', type: 'flex-transfer:index:FlexFeatureFlags', old: { custom: false } },
    },
  });
  expect(judge(plan(component).steps, { maxManagedDeletes: 0, allow: [] }).ok).toBe(true);
});

test('the events of a failed preview carry its verdict and its errors', () => {
  const failed = parsePreviewEvents(
    [
      JSON.stringify({ diagnosticEvent: { message: 'Invalid stack configuration:\n  - flex-transfer:workspace is required', severity: 'error' } }),
      JSON.stringify({ diagnosticEvent: { message: 'preview failed', severity: 'error' } }),
      JSON.stringify({
        policyEvent: {
          policyName: 'production-adopts-flex-workspace',
          enforcementLevel: 'mandatory',
          message: 'Workspace would be created',
          resourceUrn: URN('Workspace', 'routing-workspace'),
          policyPackName: 'flex-transfer',
          policyPackVersion: '1.0.0',
          policyPackVersionTag: '',
          color: 'never',
        },
      }),
      summary('failed'),
      'not an event',
    ].join('\n'),
  );
  expect(failed.result).toBe('failed');
  expect(failed.errors).toEqual(['Invalid stack configuration:\n  - flex-transfer:workspace is required']);
  expect(failed.violations).toEqual([{ policy: 'production-adopts-flex-workspace', level: 'mandatory', resource: 'routing-workspace', message: 'Workspace would be created' }]);
});

test('the command line names what is wrong', () => {
  expect(parseGuardArgs(['plan.jsonl', '--stack', 'prod', '--max-deletes', '0', '--allow', 'a, b', '--allow', ''])).toEqual({
    file: 'plan.jsonl',
    stack: 'prod',
    options: { maxManagedDeletes: 0, allow: ['a', 'b'] },
  });
  expect(() => parseGuardArgs(['plan.jsonl', '--max-deletes', '-1'])).toThrow("--max-deletes must be a whole number >= 0, got '-1'");
  expect(() => parseGuardArgs(['--max-deletes', '1'])).toThrow(/^usage: promotion-guard PLAN\.jsonl/);
  expect(() => parseGuardArgs(['plan.jsonl', '--bogus'])).toThrow("unknown argument '--bogus'");
});
