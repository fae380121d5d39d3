// `npm run drift` against the emulator, end to end. The `local` stack (its
// own Pulumi.local.yaml) is deployed with the project's stack command to an
// emulated new Flex account, in a scratch copy of the project with its own
// file backend. Then someone
// changes three things directly through the Twilio API, as Console and the
// Flex Admin UI do: a queue's target_workers, the Chat Transfer workflow's
// configuration and a Flex feature flag. The drift command (a real process,
// as the scheduled workflow runs it) must exit 2 naming exactly those three
// fields with both values, without writing to Twilio or to the state; after
// `up --refresh` it must exit 0. The drift command itself runs the stack the
// standard way (LocalWorkspace on the project directory).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Twilio } from 'twilio';
import { createTwilioClient } from '../../clients';
import type { Emulator } from '../../emulator';
import { loadStackRouting } from '../../infra/stack-routing';
import { canonicalizeExpression, canonicalizeWorkflowConfiguration } from '../../routing';
import { REPO_ROOT as ROOT } from '../../support';
import type { DriftRow } from '../../tools/drift/rows';
import { LOCAL_STACK_PASSPHRASE } from '../../tools/pulumi-cli';
import { expectSuccess, mutatingCalls, runNode, scratchProject, startStackEmulator, type ScratchProject } from '../stack/helpers';

let emulator: Emulator;
let project: ScratchProject;
let client: Twilio;
let outputs: Record<string, unknown>;
let stateDir: string;

const WORKSPACE = 'WSc27141dfc6f049e49f3cbb3f77e89fae'; // Pulumi.local.yaml adopts the seeded Flex workspace
const workspace = () => client.taskrouter.v1.workspaces(WORKSPACE);

/** `npm run drift -- --stack local`, as a process, on the scratch project; the rows from its --json report. */
async function drift(): Promise<{ status: number | null; out: string; rows: DriftRow[] }> {
  const json = path.join(path.dirname(project.dir), 'drift.json');
  fs.rmSync(json, { force: true });
  const run = await runNode([path.join(ROOT, 'dist/tools/drift/cli.js'), '--stack', 'local', '--project', project.dir, '--json', json], project.env);
  const rows = fs.existsSync(json) ? (JSON.parse(fs.readFileSync(json, 'utf8')) as { drift: DriftRow[] }).drift : [];
  return { ...run, rows };
}

/** Every file of the stack's backend, hashed: the state must not change under a drift check. */
function stateDigest(): string {
  const hash = crypto.createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else hash.update(file).update(fs.readFileSync(file));
    }
  };
  walk(stateDir);
  return hash.digest('hex');
}

async function uiAttributes(): Promise<Record<string, unknown>> {
  const ui = (await client.flexApi.v1.configuration().fetch()).uiAttributes as unknown;
  return (typeof ui === 'string' ? JSON.parse(ui) : ui) as Record<string, unknown>;
}

beforeAll(async () => {
  // The default account, seeded as a new Flex account: what Pulumi.local.yaml expects.
  emulator = await startStackEmulator();
  client = createTwilioClient(emulator.credentials, { apiBaseUrl: emulator.baseUrl });
  project = scratchProject({
    pulumiYamlDir: ROOT,
    stack: 'local',
    env: { ...emulator.twilioEnv(), PULUMI_CONFIG_PASSPHRASE: LOCAL_STACK_PASSPHRASE },
  });
  fs.copyFileSync(path.join(ROOT, 'Pulumi.local.yaml'), path.join(project.dir, 'Pulumi.local.yaml'));
  stateDir = path.join(path.dirname(project.dir), 'state');
  expectSuccess(await project.run('up'));
  outputs = await project.outputs();
}, 600_000);

afterAll(async () => {
  project?.cleanup();
  await emulator?.stop();
});

describe('npm run drift on the local stack, deployed to the emulator', () => {
  test('right after the deploy: exit 0, no drift', async () => {
    const { status, out, rows } = await drift();
    expect(out).toContain('No drift in stack local');
    expect(status).toBe(0);
    expect(rows).toEqual([]);
  });

  test("the workflow tools' offline build of Pulumi.local.yaml is what `pulumi up` deployed, SIDs aside", async () => {
    const offline = loadStackRouting({ projectDir: ROOT, stack: 'local', readFile: (f) => fs.readFileSync(f, 'utf8') });
    const deployedSids: Record<string, string> = { [offline.queues[0].friendlyName]: outputs.everyoneQueueSid as string, ...(outputs.queueSids as Record<string, string>) };
    const withDeployedSids = (configuration: string) => offline.queues.reduce((text, queue) => text.split(queue.sid).join(deployedSids[queue.friendlyName]), configuration);
    const deployed = {
      'chat-transfer': await workspace()
        .workflows(outputs.chatTransferWorkflowSid as string)
        .fetch(),
      'voice-transfer': await workspace()
        .workflows(outputs.voiceTransferWorkflowSid as string)
        .fetch(),
    };
    for (const workflow of offline.workflows) {
      expect(canonicalizeWorkflowConfiguration(withDeployedSids(workflow.configuration))).toBe(canonicalizeWorkflowConfiguration(deployed[workflow.key].configuration));
    }
    for (const queue of offline.queues) {
      const live = (await workspace().taskQueues(deployedSids[queue.friendlyName]).fetch()).targetWorkers;
      expect(canonicalizeExpression(live, 'queue')).toBe(canonicalizeExpression(queue.targetWorkers, 'queue'));
    }
  });

  test('three changes made through the Twilio API: exit 2, exactly those three fields with both values; nothing written', async () => {
    const sales = (outputs.queueSids as Record<string, string>).Sales;
    await workspace().taskQueues(sales).update({ targetWorkers: "routing.skills HAS 'sales' OR routing.skills HAS 'support'" });
    const chatSid = outputs.chatTransferWorkflowSid as string;
    const chat = JSON.parse((await workspace().workflows(chatSid).fetch()).configuration);
    expect(chat.task_routing.filters[0].targets[0].timeout).toBe(120);
    chat.task_routing.filters[0].targets[0].timeout = 30;
    await workspace()
      .workflows(chatSid)
      .update({ configuration: JSON.stringify(chat) });
    const ui = await uiAttributes();
    const features = (ui.custom_data as { features: { conversation_transfer: Record<string, boolean> } }).features.conversation_transfer;
    expect(features.cold_transfer).toBe(true);
    features.cold_transfer = false;
    await client.flexApi.v1.configuration().update({ account_sid: emulator.credentials.accountSid, ui_attributes: ui } as never);

    emulator.log.clear();
    const before = stateDigest();
    const { status, out, rows } = await drift();
    expect(status).toBe(2);
    expect(rows.map((r) => [r.resource, r.field, r.path, r.owner, r.stack, r.live])).toEqual([
      ['flex-feature-flags-ui-attribute', 'value', 'value.cold_transfer', 'adopted', true, false],
      ['routing-chat-transfer', 'configuration', 'configuration.task_routing.filters[0].targets[0].timeout', 'owned', 120, 30],
      ['routing-queue-sales', 'targetWorkers', 'targetWorkers', 'owned', "routing.skills HAS 'sales'", "routing.skills HAS 'sales' OR routing.skills HAS 'support'"],
    ]);
    expect(out).toContain('Drift in stack local: 3 fields of 3 resources changed outside the stack');
    expect(out).toContain(`routing-queue-sales (TaskQueue "Sales", owned) · targetWorkers: "routing.skills HAS 'sales'" → "routing.skills HAS 'sales' OR routing.skills HAS 'support'"`);
    expect(out).toContain('routing-chat-transfer (Workflow "Chat Transfer", owned) · configuration.task_routing.filters[0].targets[0].timeout: 120 → 30');
    expect(out).toContain('(FlexUiAttribute "custom_data.features.conversation_transfer", adopted) · value.cold_transfer: true → false');
    // A refresh preview only reads: no Twilio write, and the state is byte for byte the same.
    expect(mutatingCalls(emulator)).toEqual({});
    expect(stateDigest()).toBe(before);
  });

  test("after `up --refresh` (what deploys run), the stack's values are back and drift exits 0", async () => {
    emulator.log.clear();
    const up = expectSuccess(await project.run('up', '--refresh'));
    // The refresh shows the Console edits as the update's changes; exactly they are written back.
    expect(up).toMatch(/3 updated/);
    expect(mutatingCalls(emulator)).toEqual({ 'taskrouter.UpdateTaskQueue': 1, 'taskrouter.UpdateWorkflow': 1, 'flex.UpdateConfiguration': 1 });
    const sales = (outputs.queueSids as Record<string, string>).Sales;
    expect((await workspace().taskQueues(sales).fetch()).targetWorkers).toBe("routing.skills HAS 'sales'");
    const { status, out, rows } = await drift();
    expect(out).toContain('No drift in stack local');
    expect(status).toBe(0);
    expect(rows).toEqual([]);
  });

  test('a failed check is exit 1, never 0 or 2: here, a stack that was never deployed', async () => {
    const run = await runNode([path.join(ROOT, 'dist/tools/drift/cli.js'), '--stack', 'nowhere', '--project', project.dir], project.env);
    expect(run.status).toBe(1);
    expect(run.out).toMatch(/drift: .*nowhere/);
  });
});
