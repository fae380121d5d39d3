// Taking over a Flex account as flex-project-template's deploy leaves it,
// through the real engine against the emulator over real HTTP:
// `npm run adopt`, then the first preview plans no create for the adopted
// objects and shows only the fields the stack changes; up; a second preview
// is empty; destroy leaves every adopted object exactly as it was.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Twilio } from 'twilio';
import { createTwilioClient } from '../../clients';
import { startEmulator, flexSeedSids, TEMPLATE_SERVICE, templateSeedSids, type Emulator } from '../../emulator';
import { expectSuccess, mutatingCalls, runNode, scratchProject, type ScratchProject } from './helpers';
import { REPO_ROOT as ROOT } from '../../support';

let emulator: Emulator;
let project: ScratchProject;
let client: Twilio;
let before: Snapshot;

const STACK_FILE = () => path.join(project.dir, `Pulumi.${project.stack}.yaml`);

/** A hand-written stack file, with comments the tool must keep. */
const STACK_YAML = `# The test stack: a Flex account the template deployed.
config:
  # Transfer queues of this contact center.
  flex-transfer:queues:
    - name: Sales
      targetWorkers: routing.skills HAS 'sales'   # sales agents
    - name: Support
      targetWorkers: routing.skills HAS 'support'
  flex-transfer:serverless:
    serviceName: flex-transfer-test
`;

type Snapshot = Record<string, unknown>;

/** Everything adoptable, as Twilio reports it, without the update timestamps. */
async function snapshot(): Promise<Snapshot> {
  const plain = (x: { toJSON(): object }) => {
    const o = { ...(x.toJSON() as Record<string, unknown>) };
    delete o.dateUpdated;
    return o;
  };
  const ws = flexSeedSids(emulator.credentials.accountSid).workspace;
  const tr = client.taskrouter.v1.workspaces(ws);
  const service = await client.serverless.v1.services(TEMPLATE_SERVICE).fetch();
  const environments = await client.serverless.v1.services(service.sid).environments.list();
  const config = await client.flexApi.v1.configuration().fetch();
  const native = await client.request({ method: 'get', uri: `https://flex-api.twilio.com/v3/Instances/${config.flexInstanceSid}/TransferSettings` });
  return {
    workspace: plain(await tr.fetch()),
    queues: (await tr.taskQueues.list()).map(plain),
    workflows: (await tr.workflows.list()).map(plain),
    channels: (await tr.taskChannels.list()).map(plain),
    service: plain(service),
    environments: environments.map(plain),
    functions: (await client.serverless.v1.services(service.sid).functions.list()).map(plain),
    variables: (await client.serverless.v1.services(service.sid).environments(environments[0].sid).variables.list()).map(plain),
    uiAttributes: config.uiAttributes,
    nativeTransfers: (native.body as { transfer_settings: Array<Record<string, unknown>> }).transfer_settings.map((s) => ({ ...s, date_updated: undefined, version: undefined })),
  };
}

function adopt(...args: string[]) {
  return runNode([path.join(ROOT, 'dist/tools/adopt.js'), '--stack', project.stack, '--project', project.dir, ...args], project.env);
}

/** The resource lines of a `preview --diff`: `+`/`~`/`-` and the resource name. */
function planned(out: string): Array<{ op: string; type: string; name: string; body: string }> {
  const steps: Array<{ op: string; type: string; name: string; body: string }> = [];
  for (const line of out.split('\n')) {
    const header = /^\s+(?:[+~-]{1,2} )?([\w:/.-]+): \(([\w-]+)\)$/.exec(line);
    if (header) {
      steps.push({ op: header[2], type: header[1], name: '', body: '' });
      continue;
    }
    const step = steps[steps.length - 1];
    if (!step) continue;
    const urn = /\[urn=[^\]]*::([\w.-]+)\]/.exec(line);
    if (urn && !step.name) step.name = urn[1];
    else step.body += `${line}\n`;
  }
  return steps;
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, seed: 'flex-project-template', buildDurationMs: 100 });
  client = createTwilioClient(emulator.credentials, { apiBaseUrl: emulator.baseUrl });
  project = scratchProject({ pulumiYamlDir: ROOT, env: emulator.twilioEnv() });
  fs.writeFileSync(STACK_FILE(), STACK_YAML);
  before = await snapshot();
});

afterAll(async () => {
  project?.cleanup();
  await emulator?.stop();
});

describe('adopting a flex-project-template account', () => {
  const sids = () => ({ ...templateSeedSids(emulator.credentials.accountSid), flex: flexSeedSids(emulator.credentials.accountSid) });

  test("1. adopt finds the workspace, Everyone, the template's Chat Transfer workflow, its queues and service, writes the config in place and changes nothing in Twilio", async () => {
    emulator.log.clear();
    const out = expectSuccess(await adopt());
    expect(mutatingCalls(emulator)).toEqual({});
    const s = sids();
    expect(out).toContain(`workspace "Flex Task Assignment" (${s.flex.workspace}): adopted`);
    expect(out).toContain(`queue "Everyone" (${s.flex.everyoneQueue}`);
    expect(out).toContain(`workflow "Template Example Chat Transfer" (${s.chatTransferWorkflow}): adopted`);
    expect(out).toMatch(/change Workflow .*\(Chat Transfer\): configuration → this stack's routing/);

    const yaml = fs.readFileSync(STACK_FILE(), 'utf8');
    // Comments and hand-written lines are kept; the adoption is added.
    expect(yaml).toContain('# The test stack: a Flex account the template deployed.');
    expect(yaml).toContain('  # Transfer queues of this contact center.');
    expect(yaml).toMatch(/targetWorkers: routing.skills HAS 'sales' +# sales agents/);
    expect(yaml).toContain(`adoptSid: ${s.flex.workspace}`);
    for (const name of ['Template Example Everyone', 'Template Example Sales', 'Template Example Support']) {
      expect(yaml).toContain(`- name: ${name}\n      adopt:\n        sid: ${s.queues[name]}`);
    }
    expect(yaml).toMatch(new RegExp(`chatTransferWorkflow:\\n    adopt:\\n      sid: ${s.chatTransferWorkflow}`));
  });

  test('2. the first preview plans no create for an adopted object, and only the fields the stack changes', async () => {
    const out = expectSuccess(await project.run('preview', '--diff'));
    const plan = planned(out);
    const creates = plan
      .filter((p) => p.op === 'create')
      .map((p) => p.name)
      .sort();
    // Only what the stack owns is created: its queues, environment, deployment, voice workflow (and the component holding the deployment).
    expect(creates).toEqual(['functions', 'functions-deployment', 'functions-host-environment', 'routing-queue-sales', 'routing-queue-support', 'routing-voice-transfer']);
    const updates = plan.filter((p) => p.op === 'update');
    expect(updates.map((p) => p.name).sort()).toEqual(['routing-chat-transfer', 'routing-workspace']);
    // The workspace: only its event callback; the workflow: only its configuration.
    const changedLines = (body: string) =>
      body
        .split('\n')
        .filter((l) => /^\s{6}[+~-] \w/.test(l))
        .map((l) => l.trim().split(/\s*:/)[0]);
    expect(changedLines(updates.find((p) => p.name === 'routing-workspace')!.body)).toEqual(['+ eventCallbackUrl']);
    expect(changedLines(updates.find((p) => p.name === 'routing-chat-transfer')!.body)).toEqual(['~ configuration']);
  });

  test('3. up, then a second preview plans nothing', async () => {
    expectSuccess(await project.run('up'));
    const outputs = await project.outputs();
    const s = sids();
    expect(outputs.everyoneQueueSid).toBe(s.flex.everyoneQueue);
    expect(outputs.chatTransferWorkflowSid).toBe(s.chatTransferWorkflow);
    expect(outputs.serviceSid).toBe(before.service && (before.service as { sid: string }).sid);
    // The template's queues stay routable: the adopted workflow has a filter for each.
    const chat = await client.taskrouter.v1.workspaces(s.flex.workspace).workflows(s.chatTransferWorkflow).fetch();
    for (const queue of Object.values(s.queues)) expect(chat.configuration).toContain(queue);
    emulator.log.clear();
    expectSuccess(await project.run('preview', '--expect-no-changes'));
    expect(mutatingCalls(emulator)).toEqual({});
    // Adopting again finds nothing new: the stack's own objects are never adopted, the file and state stay.
    const yaml = fs.readFileSync(STACK_FILE(), 'utf8');
    const again = expectSuccess(await adopt());
    expect(again).toContain('found  nothing new to adopt');
    expect(again).toContain("every adopted object is already in the stack's state");
    expect(again).toContain('State already holds every adopted object.');
    expect(fs.readFileSync(STACK_FILE(), 'utf8')).toBe(yaml);
    expect(mutatingCalls(emulator)).toEqual({});
  });

  test('4. destroy deletes what the stack created and leaves every adopted object exactly as it was, field by field', async () => {
    expectSuccess(await project.run('destroy'));
    const after = await snapshot();
    for (const key of Object.keys(before)) expect({ [key]: after[key] }).toEqual({ [key]: before[key] });
  });
});
