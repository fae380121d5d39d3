// Benchmark of the stack's main job against the emulator, through the standard
// path (the plain `pulumi` CLI in a copy of the project, its Node language host
// running the compiled program): Twilio API calls and wall time for a first
// `up`, a no-op `up`, a one-function change and a one-queue change; the same
// one-function redeploy done the way `twilio serverless:deploy` does it
// (@twilio-labs/serverless-api deployProject), as ratios; and a no-change
// `pulumi preview` over a `pulumi preview` of an empty program (the engine's
// floor), as the median of alternating runs.
//   node dist/bench/stack.js
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createServerlessClient } from '../clients';
import { type Emulator, flexSeedSids, startEmulator } from '../emulator';
import { readFunctionSources } from '../infra/function-sources';
import { REPO_ROOT } from '../tools/pulumi-cli';
import { expectSuccess, scratchProject, type ScratchProject } from '../tools/scratch-project';
import { TRANSFER_FLAGS } from '../functions/lib/contract.private';

export interface Measure {
  name: string;
  calls: number;
  mutating: number;
  ms: number;
}

export async function measure(emulator: Emulator, name: string, run: () => Promise<unknown>): Promise<Measure> {
  emulator.log.clear();
  const start = process.hrtime.bigint();
  await run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // Twilio API calls only: not the emulator's test hooks, nor the webhooks it
  // delivers to deployed functions (TaskRouter events caused by the change).
  const calls = emulator.log.list().filter((e) => !e.operation.startsWith('admin.') && !e.operation.startsWith('runtime.'));
  return { name, calls: calls.length, mutating: calls.filter((e) => e.mutating).length, ms };
}

export async function run(): Promise<Measure[]> {
  const emulator = await startEmulator({ port: 0, seed: 'flex', buildDurationMs: 100 });
  const env = emulator.twilioEnv();
  const functionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-bench-fns-'));
  fs.cpSync(path.join(REPO_ROOT, 'dist/functions'), functionsDir, { recursive: true });
  const project = scratchProject({
    pulumiYamlDir: REPO_ROOT,
    stack: 'bench',
    env: { ...env, FLEX_TRANSFER_FUNCTIONS_DIR: functionsDir },
  });
  const empty = scratchProject({
    pulumiYamlDir: path.join(REPO_ROOT, 'bench/fixtures/empty'),
    programModule: path.join(REPO_ROOT, 'dist/bench/fixtures/empty/index.js'),
    stack: 'bench',
  });
  const emptySdk = scratchProject({
    pulumiYamlDir: path.join(REPO_ROOT, 'bench/fixtures/empty-sdk'),
    programModule: path.join(REPO_ROOT, 'dist/bench/fixtures/empty-sdk/index.js'),
    stack: 'bench',
  });
  const queues = (salesExpression: string) => [
    { name: 'Sales', targetWorkers: salesExpression },
    { name: 'Support', targetWorkers: "routing.skills HAS 'support'" },
    { name: 'Billing', targetWorkers: "routing.skills HAS 'billing'" },
  ];
  const config = (salesExpression: string) => ({
    workspace: { adoptSid: flexSeedSids(emulator.credentials.accountSid).workspace },
    queues: queues(salesExpression),
    serverless: { serviceName: 'flex-transfer-bench' },
  });
  const changeOneFunction = (marker: string) => {
    const file = path.join(
      functionsDir,
      'chat',
      fs
        .readdirSync(path.join(functionsDir, 'chat'))
        .filter((f) => f.endsWith('.js'))
        .sort()[0],
    );
    fs.appendFileSync(file, `\n// ${marker}\n`);
  };

  const results: Measure[] = [];
  try {
    project.writeConfig(config("routing.skills HAS 'sales'"));
    results.push(await measure(emulator, 'first up', async () => expectSuccess(await project.run('up'))));
    results.push(await measure(emulator, 'no-op up', async () => expectSuccess(await project.run('up', '--expect-no-changes'))));
    changeOneFunction('bench change 1');
    results.push(await measure(emulator, 'one-function change (up)', async () => expectSuccess(await project.run('up'))));
    project.writeConfig(config("routing.skills HAS 'sales' AND routing.level >= 2"));
    results.push(await measure(emulator, 'one-queue change (up)', async () => expectSuccess(await project.run('up'))));

    // The floors and the no-change preview, alternated so all see the same machine load.
    expectSuccess(await empty.run('preview'));
    expectSuccess(await emptySdk.run('preview'));
    const floor: Measure[] = [];
    const floorSdk: Measure[] = [];
    const noop: Measure[] = [];
    for (let i = 0; i < PREVIEW_ROUNDS; i++) {
      floor.push(await measure(emulator, 'preview of an empty program', () => previewOf(empty)));
      floorSdk.push(await measure(emulator, 'preview of an empty Pulumi program (loads the SDK)', () => previewOf(emptySdk)));
      noop.push(await measure(emulator, 'no-change preview', () => previewOf(project, '--expect-no-changes')));
    }
    results.push(median(noop), median(floor), median(floorSdk));

    // The same function redeploy as `twilio serverless:deploy`: every file is
    // uploaded again, then build, variables and deployment.
    const serverless = createServerlessClient(emulator.credentials, { apiBaseUrl: emulator.baseUrl });
    const deployConfig = (): Parameters<typeof serverless.deployProject>[0] => ({
      // deployProject wants credentials in its config too (its client has them already).
      username: emulator.credentials.accountSid,
      password: emulator.credentials.authToken,
      serviceName: 'flex-transfer-deploy-project',
      functionsEnv: 'bench',
      env: { [TRANSFER_FLAGS.enabled.env]: 'true' },
      pkgJson: { dependencies: { twilio: (require('twilio/package.json') as { version: string }).version } },
      functions: readFunctionSources(functionsDir).map((f) => ({
        name: f.path,
        path: f.path,
        access: f.visibility as 'public' | 'protected' | 'private',
        content: f.content ?? '',
      })),
      assets: [],
      runtime: 'node22',
      overrideExistingService: true,
    });
    await serverless.deployProject(deployConfig());
    changeOneFunction('bench change 2');
    results.push(await measure(emulator, 'one-function change (deployProject)', () => serverless.deployProject(deployConfig())));
  } finally {
    project.cleanup();
    empty.cleanup();
    emptySdk.cleanup();
    fs.rmSync(functionsDir, { recursive: true, force: true });
    await emulator.stop();
  }
  return results;
}

/** Rounds of the two previews behind the ratio (the median of each is reported). */
const PREVIEW_ROUNDS = 5;

async function previewOf(project: ScratchProject, ...args: string[]): Promise<void> {
  expectSuccess(await project.run('preview', ...args));
}

function median(measures: Measure[]): Measure {
  const sorted = [...measures].sort((a, b) => a.ms - b.ms);
  return { ...sorted[Math.floor(sorted.length / 2)], name: `${sorted[0].name} (median of ${measures.length})` };
}

export function report(results: Measure[]): string {
  const by = (name: string) => results.find((r) => r.name === name || r.name.startsWith(`${name} (`)) as Measure;
  const lines = [
    '| operation | Twilio API calls | of which writes | wall time |',
    '| --- | ---: | ---: | ---: |',
    ...results.map((r) => `| ${r.name} | ${r.calls} | ${r.mutating} | ${(r.ms / 1000).toFixed(2)} s |`),
    '',
  ];
  const ours = by('one-function change (up)');
  const theirs = by('one-function change (deployProject)');
  const floor = by('preview of an empty program');
  const noopUp = by('no-op up');
  const noopPreview = by('no-change preview');
  lines.push(
    `one-function redeploy, stack vs deployProject: calls ${ours.calls}/${theirs.calls} = ${(ours.calls / theirs.calls).toFixed(2)}, time ${(ours.ms / 1000).toFixed(2)}/${(theirs.ms / 1000).toFixed(2)} s = ${(ours.ms / theirs.ms).toFixed(2)}`,
  );
  const floorSdk = by('preview of an empty Pulumi program (loads the SDK)');
  lines.push(
    `no-change \`pulumi preview\` over empty-program preview (standard path, engine floor; target <= 1.5): ${(noopPreview.ms / 1000).toFixed(2)}/${(floor.ms / 1000).toFixed(2)} s = ${(noopPreview.ms / floor.ms).toFixed(2)}`,
  );
  lines.push(
    `no-change \`pulumi preview\` over an empty Pulumi program that loads the SDK: ${(noopPreview.ms / 1000).toFixed(2)}/${(floorSdk.ms / 1000).toFixed(2)} s = ${(noopPreview.ms / floorSdk.ms).toFixed(2)}`,
  );
  lines.push(`no-op \`pulumi up\` over empty-program preview: ${(noopUp.ms / 1000).toFixed(2)}/${(floor.ms / 1000).toFixed(2)} s = ${(noopUp.ms / floor.ms).toFixed(2)}`);
  return lines.join('\n');
}

if (require.main === module) {
  run().then(
    (results) => console.log(report(results)),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
