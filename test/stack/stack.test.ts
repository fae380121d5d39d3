// The product's main job through the real engine against the emulator over
// real HTTP: the flex-transfer program adopting a Flex account's workspace.
// Each test builds on the state the previous one left (one stack, in order).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Twilio } from 'twilio';
import { createTwilioClient } from '../../clients';
import { type Emulator, flexSeedSids } from '../../emulator';
import { expectSuccess, mutatingCalls, scratchProject, startStackEmulator, type ScratchProject } from './helpers';
import { REPO_ROOT } from '../../support';

let emulator: Emulator;
let project: ScratchProject;
let client: Twilio;
let functionsDir: string;
let seeded: ReturnType<typeof flexSeedSids>;
let uiAttributesBefore: Record<string, unknown>;

async function uiAttributes(): Promise<Record<string, unknown>> {
  const config = await client.flexApi.v1.configuration().fetch();
  const ui = config.uiAttributes as unknown;
  return (typeof ui === 'string' ? JSON.parse(ui) : ui) as Record<string, unknown>;
}

const QUEUES = [
  { name: 'Sales', targetWorkers: "routing.skills HAS 'sales'" },
  { name: 'Support', targetWorkers: "routing.skills HAS 'support'" },
];

function config(overrides: Record<string, unknown> = {}) {
  return {
    workspace: { adoptSid: seeded.workspace },
    queues: QUEUES,
    serverless: { serviceName: 'flex-transfer-test' },
    ...overrides,
  };
}

beforeAll(async () => {
  emulator = await startStackEmulator();
  seeded = flexSeedSids(emulator.credentials.accountSid);
  client = createTwilioClient(emulator.credentials, { apiBaseUrl: emulator.baseUrl });
  // A private copy of the compiled functions, so a test can change one file.
  functionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-functions-'));
  fs.cpSync(path.join(REPO_ROOT, 'dist/functions'), functionsDir, { recursive: true });
  // The project's own Pulumi.yaml: plain `pulumi` runs its compiled program through the language host.
  project = scratchProject({
    pulumiYamlDir: REPO_ROOT,
    env: { ...emulator.twilioEnv(), FLEX_TRANSFER_FUNCTIONS_DIR: functionsDir },
  });
  project.writeConfig(config());
  uiAttributesBefore = await uiAttributes();
});

afterAll(async () => {
  project?.cleanup();
  if (functionsDir) fs.rmSync(functionsDir, { recursive: true, force: true });
  await emulator?.stop();
});

describe('flex-transfer stack on an emulated Flex account', () => {
  let outputs: Record<string, unknown>;

  test("1. up creates everything and the outputs wire the functions to this stack's workflows", async () => {
    expectSuccess(await project.run('up'));
    outputs = await project.outputs();
    expect(outputs.workspaceSid).toBe(seeded.workspace);
    expect(outputs.chatTransferWorkflowSid).toMatch(/^WW[0-9a-f]{32}$/);
    expect(outputs.voiceTransferWorkflowSid).toMatch(/^WW[0-9a-f]{32}$/);
    const queueSids = outputs.queueSids as Record<string, string>;
    expect(Object.keys(queueSids).sort()).toEqual(['Sales', 'Support']);

    const env = outputs.functionEnvironment as Record<string, string>;
    expect(env.TWILIO_FLEX_WORKSPACE_SID).toBe(seeded.workspace);
    expect(env.TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID).toBe(outputs.chatTransferWorkflowSid);
    expect(env.TWILIO_FLEX_VOICE_TRANSFER_WORKFLOW_SID).toBe(outputs.voiceTransferWorkflowSid);

    // What Twilio now holds matches: the deployed variables, the workflow's routing.
    const live = await client.serverless.v1
      .services(outputs.serviceSid as string)
      .environments(outputs.environmentSid as string)
      .variables.list();
    expect(Object.fromEntries(live.map((v) => [v.key, v.value]))).toEqual(env);
    const chat = await client.taskrouter.v1
      .workspaces(seeded.workspace)
      .workflows(outputs.chatTransferWorkflowSid as string)
      .fetch();
    const filters = JSON.parse(chat.configuration).task_routing.filters as Array<{ expression: string; targets: Array<{ queue: string; expression?: string }> }>;
    const sales = filters.find((f) => f.expression.includes(queueSids.Sales));
    expect(sales?.targets[0]).toEqual({ queue: queueSids.Sales, expression: 'worker.sid NOT IN task.workerSidsInConversation' });

    // The voice workflow calls back into this stack's functions domain.
    const voice = await client.taskrouter.v1
      .workspaces(seeded.workspace)
      .workflows(outputs.voiceTransferWorkflowSid as string)
      .fetch();
    expect(voice.assignmentCallbackUrl).toBe(`https://${outputs.functionsDomain}/voice/assignment`);
    expect(outputs.functionsBaseUrl).toBe(`${emulator.baseUrl}/runtime/${outputs.functionsDomain}`);

    // The Flex UI reads the same flags; everything else in ui_attributes is untouched.
    const ui = await uiAttributes();
    expect((ui.custom_data as { features: Record<string, unknown> }).features.conversation_transfer).toEqual({ enabled: true, cold_transfer: true, multi_participant: true });
    for (const key of Object.keys(uiAttributesBefore).filter((k) => k !== 'custom_data')) expect(ui[key]).toEqual(uiAttributesBefore[key]);
  });

  test('2. a second up changes nothing and writes nothing', async () => {
    emulator.log.clear();
    const out = expectSuccess(await project.run('up', '--expect-no-changes'));
    expect(out).not.toMatch(/updated|created|replaced|deleted/);
    expect(mutatingCalls(emulator)).toEqual({});
  });

  test('3a. one queue expression changed: only that queue is updated', async () => {
    project.writeConfig(config({ queues: [{ ...QUEUES[0], targetWorkers: "routing.skills HAS 'sales' AND routing.level >= 2" }, QUEUES[1]] }));
    emulator.log.clear();
    expectSuccess(await project.run('up'));
    expect(mutatingCalls(emulator)).toEqual({ 'taskrouter.UpdateTaskQueue': 1 });
    const queue = await client.taskrouter.v1
      .workspaces(seeded.workspace)
      .taskQueues((outputs.queueSids as Record<string, string>).Sales)
      .fetch();
    expect(queue.targetWorkers).toBe("routing.skills HAS 'sales' AND routing.level >= 2");
  });

  test('3b. one function file changed: one upload, one build, one deployment, nothing else', async () => {
    const file = fs.readdirSync(path.join(functionsDir, 'chat')).find((f) => f.endsWith('.js')) as string;
    fs.appendFileSync(path.join(functionsDir, 'chat', file), '\n// changed\n');
    emulator.log.clear();
    expectSuccess(await project.run('up'));
    expect(mutatingCalls(emulator)).toEqual({
      'serverless.CreateFunctionVersion': 1,
      'serverless.CreateBuild': 1,
      'serverless.CreateDeployment': 1,
    });
  });

  test('4. refresh shows a change made outside the stack', async () => {
    const salesSid = (outputs.queueSids as Record<string, string>).Sales;
    await client.taskrouter.v1.workspaces(seeded.workspace).taskQueues(salesSid).update({ targetWorkers: '1==1' });
    const refresh = await project.run('refresh', '--expect-no-changes');
    expect(refresh.status).not.toBe(0);
    expect(refresh.out).toMatch(/~\s+pulumi-nodejs:dynamic\/twilio:TaskQueue\s+routing-queue-sales/);
    // The next up puts the declared expression back.
    emulator.log.clear();
    expectSuccess(await project.run('up'));
    expect(mutatingCalls(emulator)).toEqual({ 'taskrouter.UpdateTaskQueue': 1 });
  });

  test('6. a preview with an invalid expression fails before any API call, naming the filter and the position', async () => {
    project.writeConfig(config({ queues: [{ ...QUEUES[0], transferExpression: 'worker.skill-level > 3' }, QUEUES[1]] }));
    emulator.log.clear();
    const preview = await project.run('preview');
    expect(preview.status).not.toBe(0);
    expect(preview.out).toContain('filter "Transfer to queue Sales"');
    expect(preview.out).toMatch(/position \d+/);
    expect(emulator.log.totals().total).toBe(0);
    project.writeConfig(config({ queues: [{ ...QUEUES[0], targetWorkers: "routing.skills HAS 'sales' AND routing.level >= 2" }, QUEUES[1]] }));
  });

  test('8. neither the auth token nor an API secret reaches state or its export; the API address is not frozen in', async () => {
    const key = emulator.createApiKey();
    const withKey = { TWILIO_API_KEY: key.sid, TWILIO_API_SECRET: key.secret, TWILIO_AUTH_TOKEN: undefined };
    // The same stack, driven with an API key: a refresh and an up touch every provider.
    expectSuccess(await project.runWith(withKey, 'refresh'));
    expectSuccess(await project.runWith(withKey, 'up'));
    // And with the credentials only in the stack's secret config, none in the environment.
    expectSuccess(await project.run('config', 'set', 'flex-transfer:twilioAccountSid', emulator.credentials.accountSid));
    expectSuccess(await project.run('config', 'set', '--secret', 'flex-transfer:twilioAuthToken', emulator.credentials.authToken));
    // `up` hands the new config to the providers (refresh uses the last deployment's).
    const configOnly = { TWILIO_ACCOUNT_SID: undefined, TWILIO_AUTH_TOKEN: undefined };
    expectSuccess(await project.runWith(configOnly, 'up'));
    expectSuccess(await project.runWith(configOnly, 'refresh'));

    const exported = expectSuccess(await project.run('export'));
    const stateFiles = listFiles(path.join(path.dirname(project.dir), 'state')).map((f) => fs.readFileSync(f, 'utf8'));
    const stackConfig = fs.readFileSync(path.join(project.dir, `Pulumi.${project.stack}.yaml`), 'utf8');
    for (const text of [exported, ...stateFiles, stackConfig]) {
      expect(text).not.toContain(emulator.credentials.authToken);
      expect(text).not.toContain(key.secret);
    }
    // The base URL is chosen per run (env or config), not stored in any Twilio resource.
    const state = JSON.parse(exported.slice(exported.indexOf('{')));
    const twilioResources = (state.deployment.resources as Array<{ type: string; urn: string }>).filter((r) => r.type.startsWith('pulumi-nodejs:dynamic/twilio:'));
    expect(twilioResources.length).toBeGreaterThan(10);
    const mentioning = twilioResources.filter((r) => JSON.stringify(r).includes(`127.0.0.1:${emulator.port}`)).map((r) => r.urn);
    expect(mentioning).toEqual([]);
  });

  test('5. destroy removes what the stack created and leaves the adopted workspace as it was', async () => {
    const before = await client.taskrouter.v1.workspaces(seeded.workspace).fetch();
    expect(before.eventCallbackUrl).toBe(`https://${outputs.functionsDomain}/taskrouter/events`);
    expectSuccess(await project.run('destroy'));

    const workspace = await client.taskrouter.v1.workspaces(seeded.workspace).fetch();
    expect(workspace.eventCallbackUrl ?? '').toBe('');
    const queues = (await client.taskrouter.v1.workspaces(seeded.workspace).taskQueues.list()).map((q) => q.sid);
    expect(queues).toEqual([seeded.everyoneQueue]);
    const workflows = (await client.taskrouter.v1.workspaces(seeded.workspace).workflows.list()).map((w) => w.sid);
    expect(workflows).toEqual([seeded.assignToAnyoneWorkflow]);
    const channels = (await client.taskrouter.v1.workspaces(seeded.workspace).taskChannels.list()).map((c) => c.sid).sort();
    expect(channels).toEqual(Object.values(seeded.channels).sort());
    const activities = (await client.taskrouter.v1.workspaces(seeded.workspace).activities.list()).map((a) => a.sid).sort();
    expect(activities).toEqual(Object.values(seeded.activities).sort());
    expect((await client.serverless.v1.services.list()).map((s) => s.uniqueName)).not.toContain('flex-transfer-test');
    expect(await uiAttributes()).toEqual(uiAttributesBefore);
  });
});

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
