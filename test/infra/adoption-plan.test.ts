// The adoption plan (what `npm run adopt` records) must declare exactly what
// the program declares for each adopted resource: the same names, the same
// identity, the same set of fields. Otherwise the first preview after adopt
// would show fields as added or removed. The program runs under Pulumi's mocks.
import * as path from 'node:path';
import { ROOT } from '../../tools/scratch-project';
import { runProgramUnderMocks } from '../../tools/program-under-mocks';
import { parseStackSettings } from '../../infra/config';
import { plannedAdoptions, urnOf } from '../../infra/adoption-plan';

const WS = 'WS' + 'ab'.repeat(16);
const WQ = 'WQ' + 'cd'.repeat(16);
const WW = 'WW' + 'ef'.repeat(16);
const ZS = 'ZS' + '12'.repeat(16);

const RAW = {
  workspace: { adoptSid: WS },
  everyoneQueue: { name: 'Everyone', adopt: { sid: WQ } },
  queues: [
    { name: 'Sales', targetWorkers: "routing.skills HAS 'sales'" },
    { name: 'Template Example Sales', adopt: { name: 'Template Example Sales' }, maxReservedWorkers: 2 },
  ],
  chatTransferWorkflow: { adopt: { sid: WW } },
  voiceTransferWorkflow: { friendlyName: 'Voice Transfer', adopt: true },
  serverless: { serviceName: 'flex-transfer', adopt: { sid: ZS } },
  nativeTransfers: 'turnOff',
};

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * Runs the compiled program under Pulumi's mocks, loaded by Pulumi's stock
 * Node runner as `pulumi up` loads it (tools/program-under-mocks.ts, in a
 * child Node process), and returns what it registered.
 */
function runProgram(): Registered[] {
  const config = Object.fromEntries(Object.entries(RAW).map(([k, v]) => [`flex-transfer:${k}`, JSON.stringify(v)]));
  const run = runProgramUnderMocks(
    { main: path.join(ROOT, 'dist/infra/index.js'), project: 'flex-transfer', stack: 'dev', config, preview: false },
    { ...process.env, FLEX_TRANSFER_FUNCTIONS_DIR: path.join(ROOT, 'dist/functions') },
  );
  return run.resources;
}

test('every planned adoption is registered by the program under its name, with its identity and exactly its declared fields', async () => {
  const registered = runProgram();
  const plan = plannedAdoptions(parseStackSettings(RAW, 'dev'));
  expect(plan.map((p) => p.name).sort()).toEqual(
    [
      'routing-workspace',
      'routing-channel-voice',
      'routing-channel-chat',
      'routing-queue-everyone',
      'routing-queue-template-example-sales',
      'routing-chat-transfer',
      'routing-voice-transfer',
      'functions-host-service',
      'flex-feature-flags-ui-attribute',
      'flex-native-transfers',
    ].sort(),
  );
  for (const p of plan) {
    const r = registered.find((x) => x.name === p.name && x.type === `pulumi-nodejs:dynamic/twilio:${p.kind}`);
    expect({ name: p.name, found: r !== undefined }).toEqual({ name: p.name, found: true });
    const keys = Object.keys(r!.inputs)
      .filter((k) => k !== '__provider' && r!.inputs[k] !== undefined)
      .sort();
    expect({ name: p.name, keys }).toEqual({ name: p.name, keys: [...Object.keys(p.identity), ...p.declared].sort() });
    for (const [k, v] of Object.entries(p.identity)) expect({ name: p.name, [k]: r!.inputs[k] }).toEqual({ name: p.name, [k]: v });
  }
  // Owned objects are not in the plan: the Sales queue, the environment, the deployment.
  for (const owned of ['routing-queue-sales', 'functions-host-environment', 'functions-deployment']) {
    expect(registered.some((r) => r.name === owned)).toBe(true);
    expect(plan.some((p) => p.name === owned)).toBe(false);
  }
});

test("URNs for the targeted adoption run name the parent component's type", () => {
  expect(urnOf('dev', 'flex-transfer', { kind: 'TaskQueue', component: 'routing', name: 'routing-queue-everyone' })).toBe(
    'urn:pulumi:dev::flex-transfer::flex-transfer:index:TransferRouting$pulumi-nodejs:dynamic/twilio:TaskQueue::routing-queue-everyone',
  );
  expect(urnOf('dev', 'flex-transfer', { kind: 'FlexNativeTransfers', name: 'flex-native-transfers' })).toBe(
    'urn:pulumi:dev::flex-transfer::pulumi-nodejs:dynamic/twilio:FlexNativeTransfers::flex-native-transfers',
  );
});
