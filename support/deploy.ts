/**
 * Deploys the transfer stack to a running emulator with the real thing:
 * plain `pulumi up` of the project (the pinned CLI starts the Node language
 * host, which runs Pulumi.yaml's compiled program, in a scratch copy of the
 * project with its own file backend), adopting the
 * emulator's seeded Flex workspace. Queues, the Chat Transfer and Voice
 * Transfer workflows, the functions and their environment variables, the
 * workspace event callback and the voice assignment callback all come from
 * the stack, wired from its outputs.
 *
 * It compiles nothing: run `tsc -p tsconfig.json` first (it refuses a stale
 * dist/functions).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type twilio from 'twilio';
import { type Emulator, flexSeedSids } from '../emulator';
import { createTwilioClient } from '../clients';
import { expectSuccess, scratchProject } from '../tools/scratch-project';
import { REPO_ROOT } from '../tools/pulumi-cli';
import { TRANSFER_FLAG_NAMES, TRANSFER_FLAGS } from '../functions/lib/contract.private';

export const COMPILED_FUNCTIONS = path.join(REPO_ROOT, 'dist', 'functions');
export const SOURCE_FUNCTIONS = path.join(REPO_ROOT, 'functions');

export interface TransferStack {
  /** `http://127.0.0.1:PORT/runtime/<domain>`: append `/chat/transfer` etc. */
  baseUrl: string;
  /** The environment's domain (`…twil.io`), as Twilio would call it. */
  domain: string;
  accountSid: string;
  workspaceSid: string;
  chatTransferWorkflowSid: string;
  voiceTransferWorkflowSid: string;
  /** The Flex workflow that routes new (inbound) work: "Assign to Anyone". */
  inboundWorkflowSid: string;
  queues: { everyone: string; sales: string; support: string };
  /** Worker SIDs by friendly name (the emulator's Flex seed: alice, bob, carol, dave). */
  workers: Record<string, string>;
  /** Activity SIDs by friendly name. */
  activities: Record<string, string>;
  serviceSid: string;
  environmentSid: string;
  /** The functions' environment variables. */
  env: Record<string, string>;
  client: twilio.Twilio;
}

export interface DeployOptions {
  /** Overrides of the functions' environment variables (e.g. feature flags). */
  env?: Record<string, string>;
  serviceName?: string;
}

/**
 * Throws when dist/functions is missing or older than functions/ (the tests
 * would test stale code). With FLEX_TRANSFER_FUNCTIONS_DIR the stack deploys
 * that build instead (e.g. an earlier version, to show a test fails there),
 * and it is deployed as it is.
 */
export function assertCompiledFunctionsFresh(): void {
  if (process.env.FLEX_TRANSFER_FUNCTIONS_DIR) return;
  if (!fs.existsSync(COMPILED_FUNCTIONS)) throw new Error(`${COMPILED_FUNCTIONS} does not exist: run \`tsc -p tsconfig.json\` (npm run build) before these tests`);
  for (const src of walkTs(SOURCE_FUNCTIONS)) {
    const rel = path.relative(SOURCE_FUNCTIONS, src).replace(/\.ts$/, '.js');
    const out = path.join(COMPILED_FUNCTIONS, rel);
    if (!fs.existsSync(out) || fs.statSync(out).mtimeMs + 1000 < fs.statSync(src).mtimeMs) {
      throw new Error(`${path.relative(REPO_ROOT, out)} is missing or older than ${path.relative(REPO_ROOT, src)}: run \`tsc -p tsconfig.json\` (npm run build) before these tests`);
    }
  }
}

function walkTs(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walkTs(full));
    else if (full.endsWith('.ts') && !full.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

async function byName<T extends { friendlyName: string; sid: string }>(list: Promise<T[]>): Promise<Record<string, string>> {
  return Object.fromEntries((await list).map((x) => [x.friendlyName, x.sid]));
}

export async function deployTransferStack(emulator: Emulator, opts: DeployOptions = {}): Promise<TransferStack> {
  assertCompiledFunctionsFresh();
  const client = createTwilioClient(emulator.credentials, { apiBaseUrl: emulator.baseUrl, maxRetries: 0 });
  const accountSid = emulator.credentials.accountSid;
  const workspaceSid = flexSeedSids(accountSid).workspace;

  const project = scratchProject({
    pulumiYamlDir: REPO_ROOT,
    stack: 'e2e',
    env: { ...emulator.twilioEnv(), FLEX_TRANSFER_RETRY_BASE_MS: '20' },
  });
  project.writeConfig({
    workspace: { adoptSid: workspaceSid },
    queues: [
      { name: 'Sales', targetWorkers: "routing.skills HAS 'sales'" },
      { name: 'Support', targetWorkers: "routing.skills HAS 'support'" },
    ],
    serverless: { serviceName: opts.serviceName ?? 'flex-transfer' },
    features: featuresFrom(opts.env),
  });
  // Builds complete on the emulator clock: keep it moving while deploying (a no-op in effect for a real clock).
  const ticker = setInterval(() => emulator.clock.advance(500), 5);
  let deployed: Record<string, unknown>;
  try {
    expectSuccess(await project.run('up'));
    deployed = await project.outputs();
  } finally {
    clearInterval(ticker);
    project.cleanup();
  }
  const outputs = deployed as {
    functionsDomain: string;
    functionsBaseUrl: string;
    chatTransferWorkflowSid: string;
    voiceTransferWorkflowSid: string;
    everyoneQueueSid: string;
    queueSids: Record<string, string>;
    serviceSid: string;
    environmentSid: string;
    functionEnvironment: Record<string, string>;
  };

  const ws = client.taskrouter.v1.workspaces(workspaceSid);
  const workers = await byName(ws.workers.list());
  const activities = await byName(ws.activities.list());
  const workflowsByName = await byName(ws.workflows.list());

  return {
    baseUrl: outputs.functionsBaseUrl,
    domain: outputs.functionsDomain,
    accountSid,
    workspaceSid,
    chatTransferWorkflowSid: outputs.chatTransferWorkflowSid,
    voiceTransferWorkflowSid: outputs.voiceTransferWorkflowSid,
    inboundWorkflowSid: workflowsByName['Assign to Anyone'],
    queues: { everyone: outputs.everyoneQueueSid, sales: outputs.queueSids.Sales, support: outputs.queueSids.Support },
    workers,
    activities,
    serviceSid: outputs.serviceSid,
    environmentSid: outputs.environmentSid,
    env: outputs.functionEnvironment,
    client,
  };
}

/** Flag variables (by their environment names) as the stack's `features` config: the stack owns the functions' environment. */
function featuresFrom(env: Record<string, string> = {}): Record<string, boolean> {
  const features: Record<string, boolean> = {};
  for (const [key, value] of Object.entries(env)) {
    const flag = TRANSFER_FLAG_NAMES.find((f) => TRANSFER_FLAGS[f].env === key);
    if (!flag) throw new Error(`deployTransferStack: ${key} is not a feature flag the stack sets; set it through stack config`);
    features[TRANSFER_FLAGS[flag].setting] = value === 'true';
  }
  return features;
}
