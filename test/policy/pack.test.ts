// The policy pack through the real CLI (preview and up with --policy-pack
// policy) on a small transfer stack (fixtures/transfer-stack) against the
// emulator: a clean stack passes, and each rule, broken on its own, fails the
// preview with its message naming the resource and the fix. A broken Chat
// Transfer workflow also stops `up` before the workflow is changed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Emulator, flexSeedSids } from '../../emulator';
import { ensurePolicyAnalyzerPlugin } from '../../tools/plugins/install';
import { expectSuccess, mutatingCalls, scratchProject, startStackEmulator, type ScratchProject } from '../stack/helpers';
import { REPO_ROOT } from '../../support';

const POLICY_PACK = path.join(REPO_ROOT, 'policy');

let emulator: Emulator;
let project: ScratchProject;
let seeded: ReturnType<typeof flexSeedSids>;

/** Writes Pulumi.prod.yaml with full keys (values JSON-encoded as Pulumi stores objects), keeping the encryption salt. */
function writeStackConfig(values: Record<string, unknown>) {
  const file = path.join(project.dir, `Pulumi.${project.stack}.yaml`);
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const salt = /^encryptionsalt:.*$/m.exec(existing)?.[0];
  const lines = Object.entries(values).map(([k, v]) => `  ${k}: ${JSON.stringify(typeof v === 'string' ? v : JSON.stringify(v))}`);
  fs.writeFileSync(file, `${salt ? `${salt}\n` : ''}config:\n${lines.join('\n')}\n`);
}

function cleanConfig(): Record<string, unknown> {
  return { 'fixture:workspace': { adoptSid: seeded.workspace }, 'fixture:serviceName': 'flex-transfer-policy' };
}

const previewWithPack = () => project.run('preview', '--policy-pack', POLICY_PACK);

/** The pinned CLI in the scratch project, with its backend and passphrase. */
function pulumiCli(...args: string[]): string {
  return execFileSync(path.join(REPO_ROOT, '.tools/bin/pulumi'), [...args, '--stack', project.stack, '--cwd', project.dir, '--non-interactive'], {
    env: { ...process.env, ...project.env },
    encoding: 'utf8',
  });
}

/** The policy report the CLI prints, for failure messages. */
function policiesSection(out: string): string {
  const start = out.indexOf('Policies:');
  return start >= 0 ? out.slice(start, start + 4000) : out.slice(-4000);
}

beforeAll(async () => {
  ensurePolicyAnalyzerPlugin();
  emulator = await startStackEmulator();
  seeded = flexSeedSids(emulator.credentials.accountSid);
  project = scratchProject({
    pulumiYamlDir: path.join(REPO_ROOT, 'test/policy/fixtures/transfer-stack'),
    programModule: path.join(REPO_ROOT, 'dist/test/policy/fixtures/transfer-stack/index.js'),
    stack: 'prod',
    env: emulator.twilioEnv(),
  });
  writeStackConfig(cleanConfig());
});

afterAll(async () => {
  project?.cleanup();
  await emulator?.stop();
});

describe('policy pack on a transfer stack (stack prod)', () => {
  test('a clean stack passes every rule in preview and up, with real SIDs compared', async () => {
    const preview = expectSuccess(await previewWithPack());
    expect(preview).toMatch(/flex-transfer@v1\.0\.0/);
    const up = expectSuccess(await project.run('up', '--policy-pack', POLICY_PACK));
    expect(up).not.toMatch(/\[mandatory\]/);
    // Now every SID is known: the wiring rule compares them.
    const again = expectSuccess(await project.run('preview', '--policy-pack', POLICY_PACK, '--expect-no-changes'));
    expect(again).not.toMatch(/\[mandatory\]/);
  });

  test('chat-transfer-excludes-agents-in-conversation: a queue target without the exclusion fails preview, and up changes nothing', async () => {
    writeStackConfig({ ...cleanConfig(), 'fixture:dropExclusion': 'Sales' });
    const preview = await previewWithPack();
    expect(preview.status).not.toBe(0);
    const report = policiesSection(preview.out);
    expect(report).toMatch(/\[mandatory\].*chat-transfer-excludes-agents-in-conversation\s+\(pulumi-nodejs:dynamic\/twilio:Workflow: routing-chat-transfer\)/);
    expect(report).toMatch(/Workflow "Chat Transfer" \(resource routing-chat-transfer\): filter 2 "Transfer to queue Sales", target 1 \(queue WQ[0-9a-f]{32}\) has no expression/);
    expect(report).toContain('Fix: give the target the expression "worker.sid NOT IN task.workerSidsInConversation"');

    emulator.log.clear();
    const up = await project.run('up', '--policy-pack', POLICY_PACK);
    expect(up.status).not.toBe(0);
    expect(mutatingCalls(emulator)).toEqual({});
  });

  test('production-adopts-flex-workspace: prod creating its own workspace fails preview', async () => {
    writeStackConfig({ ...cleanConfig(), 'fixture:workspace': { friendlyName: 'Transfers' } });
    const preview = await previewWithPack();
    expect(preview.status).not.toBe(0);
    const report = policiesSection(preview.out);
    expect(report).toMatch(/production-adopts-flex-workspace\s+\(pulumi-nodejs:dynamic\/twilio:Workspace: routing-workspace\)/);
    expect(report).toContain(`Workspace "Transfers" (resource routing-workspace) would be created by the production stack 'prod'.`);
    expect(report).toContain('Fix: set flex-transfer:workspace to {"adoptSid": "WS…"} in Pulumi.prod.yaml');
  });

  test('functions-use-this-stacks-workflows: a pasted workflow SID fails preview, naming both SIDs', async () => {
    writeStackConfig({ ...cleanConfig(), 'fixture:pastedChatSid': seeded.assignToAnyoneWorkflow });
    const preview = await previewWithPack();
    expect(preview.status).not.toBe(0);
    const report = policiesSection(preview.out);
    expect(report).toMatch(/functions-use-this-stacks-workflows\s+\(pulumi-nodejs:dynamic\/twilio:Deployment: functions-deployment\)/);
    expect(report).toMatch(
      new RegExp(
        `Deployment functions-deployment: TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID is "${seeded.assignToAnyoneWorkflow}", which is not the SID of this stack's "Chat Transfer" workflow \\(routing-chat-transfer = WW[0-9a-f]{32}\\)`,
      ),
    );
    expect(report).toContain('Fix: wire it from the stack');
  });

  test('no-plaintext-secrets-in-stack-config: a plaintext auth token fails preview without showing it; the same value as a secret passes', async () => {
    const token = '0123456789abcdef0123456789abcdef';
    writeStackConfig({ ...cleanConfig(), 'flex-transfer:twilioAuthToken': token });
    const preview = await previewWithPack();
    expect(preview.status).not.toBe(0);
    const report = policiesSection(preview.out);
    expect(report).toMatch(/no-plaintext-secrets-in-stack-config\s+\(pulumi:pulumi:Stack: flex-transfer-prod\)/);
    expect(report).toContain("Stack config flex-transfer:twilioAuthToken holds a credential in plain text (stack 'prod'). Fix: store it encrypted");
    expect(preview.out).not.toContain(token);

    writeStackConfig(cleanConfig());
    pulumiCli('config', 'set', '--secret', 'flex-transfer:twilioAuthToken', token);
    expect(fs.readFileSync(path.join(project.dir, 'Pulumi.prod.yaml'), 'utf8')).toMatch(/flex-transfer:twilioAuthToken:\s+secure:/);
    const report2 = expectSuccess(await previewWithPack());
    expect(report2).not.toContain(token);
  });
});
