// Create is safe to retry: with faults injected into 10% of requests (rate
// limits, server errors, connection resets and lost responses whose change
// was committed), repeated `up` converges with no duplicate and no orphan.
import { createTwilioClient } from '../../clients';
import { type Emulator, flexSeedSids } from '../../emulator';
import { expectSuccess, scratchProject, startStackEmulator, type ScratchProject } from './helpers';
import { REPO_ROOT } from '../../support';

let emulator: Emulator;
let project: ScratchProject;

beforeAll(async () => {
  emulator = await startStackEmulator();
  project = scratchProject({ pulumiYamlDir: REPO_ROOT, env: emulator.twilioEnv() });
  project.writeConfig({
    workspace: { adoptSid: flexSeedSids(emulator.credentials.accountSid).workspace },
    queues: [
      { name: 'Sales', targetWorkers: "routing.skills HAS 'sales'" },
      { name: 'Support', targetWorkers: "routing.skills HAS 'support'" },
      { name: 'Billing', targetWorkers: "routing.skills HAS 'billing'" },
    ],
    serverless: { serviceName: 'flex-transfer-faults' },
  });
});

afterAll(async () => {
  project?.cleanup();
  await emulator?.stop();
});

test('repeated up under 10% injected faults converges without duplicates or orphans', async () => {
  // Only API traffic is faulted; the fault PRNG is seeded, so runs repeat.
  for (const kind of ['429', '500', 'reset', 'lost-response'] as const) {
    emulator.faults.add({ path: '^/(taskrouter|serverless|serverless-upload|flex-api)/', kind, rate: 0.025 });
  }
  let attempts = 0;
  let last = { status: 1 as number | null, out: '' };
  while (attempts < 8) {
    attempts++;
    last = await project.run('up');
    if (last.status === 0) break;
  }
  emulator.faults.clear();
  const injected = emulator.log.list().filter((e) => e.fault).length;
  expect(injected).toBeGreaterThan(0);
  expectSuccess(last);

  // Converged: a fault-free preview sees nothing to do.
  expectSuccess(await project.run('preview', '--expect-no-changes'));

  // No duplicate: every name the stack creates exists exactly once.
  const client = createTwilioClient(emulator.credentials, { apiBaseUrl: emulator.baseUrl });
  const ws = flexSeedSids(emulator.credentials.accountSid).workspace;
  const queueNames = (await client.taskrouter.v1.workspaces(ws).taskQueues.list()).map((q) => q.friendlyName).sort();
  // One all-agents queue: Flex's Everyone, adopted, not a second one beside it.
  expect(queueNames).toEqual(['Billing', 'Everyone', 'Sales', 'Support']);
  const workflowNames = (await client.taskrouter.v1.workspaces(ws).workflows.list()).map((w) => w.friendlyName).sort();
  expect(workflowNames).toEqual(['Assign to Anyone', 'Chat Transfer', 'Voice Transfer']);
  const services = await client.serverless.v1.services.list();
  expect(services.map((s) => s.uniqueName)).toEqual(['flex-transfer-faults']);
  const environments = await client.serverless.v1.services(services[0].sid).environments.list();
  expect(environments).toHaveLength(1);
  const functions = (await client.serverless.v1.services(services[0].sid).functions.list()).map((f) => f.friendlyName);
  expect(new Set(functions).size).toBe(functions.length);
  const variables = (await client.serverless.v1.services(services[0].sid).environments(environments[0].sid).variables.list()).map((v) => v.key);
  expect(new Set(variables).size).toBe(variables.length);

  // No orphan: everything the account holds beyond Flex's seed is in the stack's state.
  const state = await project.exportState();
  const ids = new Set((state.deployment.resources as Array<{ id?: string }>).map((r) => r.id));
  for (const q of await client.taskrouter.v1.workspaces(ws).taskQueues.list()) {
    if (q.friendlyName !== 'Everyone') expect(ids).toContain(q.sid);
  }
  for (const w of await client.taskrouter.v1.workspaces(ws).workflows.list()) {
    if (w.friendlyName !== 'Assign to Anyone') expect(ids).toContain(w.sid);
  }
  expect(ids).toContain(services[0].sid);
  expect(ids).toContain(environments[0].sid);
}, 600_000);
