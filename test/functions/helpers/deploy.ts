/**
 * Deploys the transfer stack to a running emulator, the way the stack does:
 * the Chat Transfer and voice transfer workflows (built by `workflows/`) and
 * the queues they route to, created with the `twilio` SDK through the
 * `clients/` adapters, and `dist/functions` deployed with
 * `@twilio-labs/serverless-api`'s `deployProject` (one Function per compiled
 * file, visibility from the `.protected`/`.private` suffix), with the
 * environment variables wired from the created SIDs; then the voice workflow's
 * assignment callback and the workspace's event callback point at the
 * deployed functions.
 *
 * It compiles nothing: run `tsc -p tsconfig.json` first (it refuses a stale
 * dist/functions). Its interface is deliberately small so the lead can swap
 * the body for `pulumi up` of the `local` stack.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type twilio from 'twilio';
import type { Emulator } from '../../../emulator';
import { createServerlessClient, createTwilioClient } from '../../../clients';
import { buildChatTransferWorkflow, buildVoiceTransferWorkflow } from '../../../workflows';
import { readFunctionSources } from '../../../infra/function-sources';

/** The repository root (works from test/functions/helpers and from dist/test/functions/helpers). */
export const REPO_ROOT = ((): string => {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'flex-transfer') return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(__dirname, '../../..');
    dir = up;
  }
})();
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

/** Throws when dist/functions is missing or older than functions/ (the tests would test stale code). */
export function assertCompiledFunctionsFresh(): void {
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

  // The Flex workspace (adopted, as the stack does) and what Flex seeds in it.
  const workspaces = await client.taskrouter.v1.workspaces.list();
  const workspace = workspaces.find((w) => w.friendlyName.startsWith('Flex Task Assignment'));
  if (!workspace) throw new Error('the emulator account has no Flex workspace: start it with seed "flex"');
  const ws = client.taskrouter.v1.workspaces(workspace.sid);
  const queuesByName = await byName(ws.taskQueues.list());
  const workers = await byName(ws.workers.list());
  const activities = await byName(ws.activities.list());
  const workflowsByName = await byName(ws.workflows.list());
  const everyone = queuesByName.Everyone;
  if (!everyone) throw new Error('the Flex workspace has no "Everyone" queue');

  // Queues a transfer can target.
  const sales = queuesByName.Sales ?? (await ws.taskQueues.create({ friendlyName: 'Sales', targetWorkers: "routing.skills HAS 'sales'" })).sid;
  const support = queuesByName.Support ?? (await ws.taskQueues.create({ friendlyName: 'Support', targetWorkers: "routing.skills HAS 'support'" })).sid;
  const declared = [
    { name: 'Sales', sid: sales },
    { name: 'Support', sid: support },
  ];

  // The two transfer workflows from the project's builders.
  const chatConfig = JSON.stringify(buildChatTransferWorkflow({ everyoneQueueSid: everyone, queues: declared }));
  const voiceConfig = JSON.stringify(buildVoiceTransferWorkflow({ everyoneQueueSid: everyone, queues: declared }));
  const chatWf = workflowsByName['Chat Transfer'] ?? (await ws.workflows.create({ friendlyName: 'Chat Transfer', configuration: chatConfig })).sid;
  const voiceWf = workflowsByName['Voice Transfer'] ?? (await ws.workflows.create({ friendlyName: 'Voice Transfer', configuration: voiceConfig })).sid;

  const env: Record<string, string> = {
    TWILIO_FLEX_WORKSPACE_SID: workspace.sid,
    TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID: chatWf,
    TWILIO_FLEX_VOICE_TRANSFER_WORKFLOW_SID: voiceWf,
    FLEX_TRANSFER_ENABLED: 'true',
    FLEX_TRANSFER_COLD_TRANSFER: 'true',
    FLEX_TRANSFER_MULTI_PARTICIPANT: 'true',
    FLEX_TRANSFER_VOICE_ENABLED: 'true',
    FLEX_TRANSFER_ALLOWED_ORIGINS: 'https://flex.twilio.com',
    ...(opts.env ?? {}),
  };

  // The compiled functions, exactly as the stack reads them.
  const sources = readFunctionSources(COMPILED_FUNCTIONS);
  const serverless = createServerlessClient(emulator.credentials, { apiBaseUrl: emulator.baseUrl });
  type DeployConfig = Parameters<typeof serverless.deployProject>[0];
  // Builds complete on the emulator clock: keep it moving while deploying (a no-op in effect for a real clock).
  const ticker = setInterval(() => emulator.clock.advance(500), 5);
  let result;
  try {
    result = await serverless.deployProject({
      serviceName: opts.serviceName ?? 'flex-transfer',
      functionsEnv: 'dev',
      env,
      pkgJson: { dependencies: { twilio: '6.2.0' } },
      runtime: 'node22',
      overrideExistingService: true,
      functions: sources.map((f) => ({ name: f.path.slice(1), path: f.path, access: f.visibility, content: f.content })),
      assets: [],
    } as unknown as DeployConfig);
  } finally {
    clearInterval(ticker);
  }
  const domain = result.domain;

  // Callbacks into the deployed functions (Twilio calls them on the functions' domain).
  await ws.workflows(voiceWf).update({ assignmentCallbackUrl: `https://${domain}/voice/assignment`, configuration: voiceConfig });
  await ws.workflows(chatWf).update({ configuration: chatConfig });
  await ws.update({ eventCallbackUrl: `https://${domain}/chat/taskrouter-events` });

  return {
    baseUrl: `${emulator.baseUrl}/runtime/${domain}`,
    domain,
    accountSid,
    workspaceSid: workspace.sid,
    chatTransferWorkflowSid: chatWf,
    voiceTransferWorkflowSid: voiceWf,
    inboundWorkflowSid: workflowsByName['Assign to Anyone'],
    queues: { everyone, sales, support },
    workers,
    activities,
    serviceSid: result.serviceSid,
    environmentSid: result.environmentSid,
    env,
    client,
  };
}
