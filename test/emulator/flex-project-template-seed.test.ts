/**
 * `--seed flex-project-template`: an account as flex-project-template's deploy
 * leaves it (on top of `--seed flex`), and Flex's native-transfer settings.
 */
import type { Twilio } from 'twilio';
import { createTwilioClient } from '../../clients';
import { startEmulator, flexSeedSids, TEMPLATE_CHAT_TRANSFER_WORKFLOW, TEMPLATE_FUNCTIONS, TEMPLATE_SERVICE, templateSeedSids, type Emulator } from '../../emulator';
import { parseArgs } from '../../emulator/cli';

let emu: Emulator;
let client: Twilio;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'flex-project-template', specCheck: true });
  client = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
});
afterAll(() => emu.stop());

const transferSettingsUrl = (instance: string) => `https://flex-api.twilio.com/v3/Instances/${instance}/TransferSettings`;

test('the CLI accepts the seed by name and refuses unknown ones', () => {
  expect(parseArgs(['--seed', 'flex-project-template']).seed).toBe('flex-project-template');
  expect(() => parseArgs(['--seed', 'template'])).toThrow(/--seed must be one of flex, flex-project-template, none/);
});

test("TaskRouter holds Flex's objects plus the template's queues and its Chat Transfer workflow, routed by queue name", async () => {
  const ws = flexSeedSids(emu.credentials.accountSid).workspace;
  const sids = templateSeedSids(emu.credentials.accountSid);
  const queues = await client.taskrouter.v1.workspaces(ws).taskQueues.list();
  expect(Object.fromEntries(queues.map((q) => [q.friendlyName, q.targetWorkers]))).toEqual({
    Everyone: '1==1',
    'Template Example Everyone': '1==1',
    'Template Example Sales': "routing.skills HAS 'template_example_sales'",
    'Template Example Support': "routing.skills HAS 'template_example_support'",
  });
  const workflow = await client.taskrouter.v1.workspaces(ws).workflows(sids.chatTransferWorkflow).fetch();
  expect(workflow.friendlyName).toBe(TEMPLATE_CHAT_TRANSFER_WORKFLOW);
  const config = JSON.parse(workflow.configuration) as { task_routing: { filters: Array<{ expression: string; targets: Array<Record<string, string>> }>; default_filter?: unknown } };
  expect(config.task_routing.default_filter).toBeUndefined();
  expect(config.task_routing.filters[0]).toMatchObject({
    expression: "transferTargetType == 'worker'",
    targets: [{ queue: sids.queues['Template Example Everyone'], known_worker_sid: 'task.transferTargetSid' }],
  });
  expect(config.task_routing.filters.slice(1).map((f) => f.expression)).toEqual([
    "transferQueueName == 'Template Example Everyone'",
    "transferQueueName == 'Template Example Sales'",
    "transferQueueName == 'Template Example Support'",
  ]);
});

test("the template's service runs its functions in dev-environment, wired to the Chat Transfer workflow, and the plugin's flags point at it", async () => {
  const service = await client.serverless.v1.services(TEMPLATE_SERVICE).fetch();
  const [environment] = await client.serverless.v1.services(service.sid).environments.list();
  expect(environment.uniqueName).toBe('dev-environment');
  expect(environment.buildSid).toMatch(/^ZB/);
  const variables = await client.serverless.v1.services(service.sid).environments(environment.sid).variables.list();
  expect(Object.fromEntries(variables.map((v) => [v.key, v.value]))).toEqual({
    TWILIO_FLEX_WORKSPACE_SID: flexSeedSids(emu.credentials.accountSid).workspace,
    TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID: templateSeedSids(emu.credentials.accountSid).chatTransferWorkflow,
  });
  const functions = await client.serverless.v1.services(service.sid).functions.list();
  expect(functions.map((f) => f.friendlyName).sort()).toEqual(TEMPLATE_FUNCTIONS.map((f) => f.path).sort());
  const answer = await fetch(`${emu.baseUrl}/runtime/${environment.domainName}/features/conversation-transfer/flex/invite-participant`, { method: 'POST' });
  expect(answer.status).toBe(200);

  const ui = (await client.flexApi.v1.configuration().fetch()).uiAttributes as { custom_data: Record<string, unknown> };
  expect(ui.custom_data.serverless_functions_domain).toBe(environment.domainName);
  expect((ui.custom_data.features as Record<string, unknown>).conversation_transfer).toEqual({ enabled: true, cold_transfer: true, multi_participant: true });
});

test('native messaging transfers: read as the Flex UI reads them, off at first; a write switches them and bumps the version', async () => {
  const instance = (await client.flexApi.v1.configuration().fetch()).flexInstanceSid as string;
  const read = await client.request({ method: 'get', uri: transferSettingsUrl(instance) });
  expect(read.statusCode).toBe(200);
  const [settings] = (read.body as { transfer_settings: Array<Record<string, unknown>> }).transfer_settings;
  expect(settings).toMatchObject({ enabled: false, transfer_notes_enabled: false, ai_summary_enabled: false, instance_sid: instance, version: 1 });

  const write = await client.request({ method: 'post', uri: transferSettingsUrl(instance), data: { enabled: true }, headers: { 'Content-Type': 'application/json' } });
  expect(write.statusCode).toBe(200);
  expect(write.body).toMatchObject({ enabled: true, version: 2 });
  const bad = await client.request({ method: 'post', uri: transferSettingsUrl(instance), data: { enabled: 'maybe' }, headers: { 'Content-Type': 'application/json' } });
  expect(bad.statusCode).toBe(400);
  expect(JSON.stringify(bad.body)).toMatch(/Invalid enabled: must be true or false/);
  // Another instance SID is not this account's.
  const other = await client.request({ method: 'get', uri: transferSettingsUrl('GO' + '0'.repeat(32)) });
  expect(other.statusCode).toBe(404);
  await client.request({ method: 'post', uri: transferSettingsUrl(instance), data: { enabled: false }, headers: { 'Content-Type': 'application/json' } });
  expect(emu.spec.violations()).toEqual([]);
});
