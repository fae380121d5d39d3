// The Serverless providers through the real engine against the emulator:
// create, a no-op second up with zero writes, an incremental one-file change,
// stale variables removed, destroy.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Emulator } from '../../emulator';
import { expectSuccess, mutatingCalls, scratchProject, startStackEmulator, type ScratchProject } from './helpers';
import { REPO_ROOT } from '../../support';

let emulator: Emulator;
let project: ScratchProject;
let functionsDir: string;

beforeAll(async () => {
  emulator = await startStackEmulator();
  functionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-fns-'));
  fs.mkdirSync(path.join(functionsDir, 'lib'));
  fs.writeFileSync(path.join(functionsDir, 'hello.js'), 'exports.handler = (context, event, callback) => callback(null, { greeting: context.GREETING });\n');
  fs.writeFileSync(path.join(functionsDir, 'lib', 'util.private.js'), 'exports.x = 1;\n');
  project = scratchProject({
    pulumiYamlDir: path.join(REPO_ROOT, 'test/stack/fixtures/serverless-only'),
    programModule: path.join(REPO_ROOT, 'dist/test/stack/fixtures/serverless-only/index.js'),
    env: emulator.twilioEnv(),
  });
  project.writeConfig({ serviceName: 'svc-test', functionsDir, variables: { GREETING: 'hello', STALE: 'x' } });
});

afterAll(async () => {
  project?.cleanup();
  fs.rmSync(functionsDir, { recursive: true, force: true });
  await emulator?.stop();
});

test('first up creates the service, environment and a deployment that answers over HTTP', async () => {
  const out = expectSuccess(await project.run('up'));
  expect(out).toContain('created');
  const outputs = await project.outputs();
  const response = await fetch(`${emulator.baseUrl}/runtime/${outputs.domain}/hello`);
  expect(await response.json()).toEqual({ greeting: 'hello' });
});

test('second up makes no mutating API call', async () => {
  emulator.log.clear();
  expectSuccess(await project.run('up', '--expect-no-changes'));
  expect(mutatingCalls(emulator)).toEqual({});
});

test('one function changed: one upload, one build, one deployment; a dropped variable is deleted', async () => {
  fs.writeFileSync(path.join(functionsDir, 'hello.js'), "exports.handler = (context, event, callback) => callback(null, { greeting: context.GREETING + '!' });\n");
  emulator.log.clear();
  expectSuccess(await project.run('up'));
  expect(mutatingCalls(emulator)).toEqual({
    'serverless.CreateFunctionVersion': 1,
    'serverless.CreateBuild': 1,
    'serverless.CreateDeployment': 1,
  });

  project.writeConfig({ serviceName: 'svc-test', functionsDir, variables: { GREETING: 'hello' } });
  emulator.log.clear();
  expectSuccess(await project.run('up'));
  expect(mutatingCalls(emulator)).toEqual({ 'serverless.DeleteVariable': 1, 'serverless.CreateDeployment': 1 });
});

test('destroy removes the service', async () => {
  expectSuccess(await project.run('destroy'));
  const client = (await import('../../clients')).createTwilioClient(emulator.credentials, { apiBaseUrl: emulator.baseUrl });
  const services = await client.serverless.v1.services.list();
  expect(services.map((s) => s.uniqueName)).not.toContain('svc-test');
});
