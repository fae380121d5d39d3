// Flex's native messaging transfers against this stack's chat transfer,
// through the real engine against the emulator over real HTTP: with both on
// the preview fails saying which to turn off; with
// `flex-transfer:nativeTransfers: turnOff` the stack plans the switch, makes
// it on up, and destroy switches native transfers back on.
import type { Twilio } from 'twilio';
import { createTwilioClient } from '../../clients';
import { flexSeedSids, type Emulator } from '../../emulator';
import { expectSuccess, scratchProject, startStackEmulator, type ScratchProject } from './helpers';
import { REPO_ROOT as ROOT } from '../../support';

let emulator: Emulator;
let project: ScratchProject;
let client: Twilio;
let settingsUrl: string;

async function nativeEnabled(): Promise<boolean> {
  const r = await client.request({ method: 'get', uri: settingsUrl });
  return (r.body as { transfer_settings: Array<{ enabled: boolean }> }).transfer_settings[0].enabled;
}

async function setNative(enabled: boolean) {
  await client.request({ method: 'post', uri: settingsUrl, data: { enabled }, headers: { 'Content-Type': 'application/json' } });
}

function config(extra: Record<string, unknown> = {}) {
  return { workspace: { adoptSid: flexSeedSids(emulator.credentials.accountSid).workspace }, serverless: { serviceName: 'flex-transfer-native' }, features: { voice_transfer: false }, ...extra };
}

beforeAll(async () => {
  emulator = await startStackEmulator();
  client = createTwilioClient(emulator.credentials, { apiBaseUrl: emulator.baseUrl });
  const instance = (await client.flexApi.v1.configuration().fetch()).flexInstanceSid as string;
  settingsUrl = `https://flex-api.twilio.com/v3/Instances/${instance}/TransferSettings`;
  project = scratchProject({ pulumiYamlDir: ROOT, env: emulator.twilioEnv() });
  await setNative(true);
});

afterAll(async () => {
  project?.cleanup();
  await emulator?.stop();
});

test('native transfers on and chat transfer enabled: the preview fails, saying which to turn off', async () => {
  project.writeConfig(config());
  const preview = await project.run('preview');
  expect(preview.status).not.toBe(0);
  expect(preview.out).toContain("Flex's native messaging transfers are on");
  expect(preview.out).toContain('Turn one off: switch native messaging transfers off in the Console, or set flex-transfer:features.enabled to false, or set flex-transfer:nativeTransfers to turnOff');
});

test("with this stack's chat transfer disabled the same account previews", async () => {
  project.writeConfig(config({ features: { enabled: false, cold_transfer: false, multi_participant: false } }));
  expectSuccess(await project.run('preview'));
});

test('nativeTransfers: turnOff plans the flag change, up switches native transfers off, destroy switches them back on', async () => {
  project.writeConfig(config({ nativeTransfers: 'turnOff' }));
  const preview = expectSuccess(await project.run('preview', '--diff'));
  expect(preview).toMatch(/\+ pulumi-nodejs:dynamic\/twilio:FlexNativeTransfers: \(create\)[\s\S]*?enabled\s*: false/);
  expect(await nativeEnabled()).toBe(true);

  expectSuccess(await project.run('up'));
  expect(await nativeEnabled()).toBe(false);
  expectSuccess(await project.run('preview', '--expect-no-changes'));

  expectSuccess(await project.run('destroy'));
  expect(await nativeEnabled()).toBe(true);
});
