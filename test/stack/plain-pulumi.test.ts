// Plain `pulumi` is the product. The README's sequence of plain commands, run
// line by line as a user would (in a copy of the project: Pulumi.yaml,
// Pulumi.local.yaml, the built dist/), against the emulator over real HTTP:
// login to a file backend, stack init, preview, up; a second up that changes
// and writes nothing; stack output with every output the program declares;
// a refresh with no changes; destroy, after which the adopted Flex objects
// are as they were. Then what a user gets when something is wrong: one
// message naming the problem, never a stack trace, nothing created.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Twilio } from 'twilio';
import { createTwilioClient } from '../../clients';
import { type Emulator, flexSeedSids } from '../../emulator';
import { runProgramUnderMocks } from '../../tools/program-under-mocks';
import { LOCAL_STACK_PASSPHRASE, runPulumi } from '../../tools/pulumi-cli';
import { parseStackArgs, runStackCommand } from '../../tools/stack';
import { REPO_ROOT as ROOT } from '../../support';
import { expectSuccess, mutatingCalls, scratchProject, startStackEmulator, type ScratchProject } from './helpers';

const yaml = require('js-yaml') as { load(text: string): unknown };

/** The README's plain sequence: the lines of the sh block after its marker. */
function readmeSequence(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const marker = readme.indexOf('<!-- The block below is run, line by line, by test/stack/plain-pulumi.test.ts. -->');
  expect(marker).toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker))?.[1] ?? '';
  return block.split('\n').filter((line) => line.trim() !== '');
}

/** Config values of a stack file as the engine hands them to the program (objects JSON-encoded; secrets left out). */
function stackConfig(file: string): Record<string, string> {
  const config = ((yaml.load(fs.readFileSync(file, 'utf8')) as { config: Record<string, unknown> }).config ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value && typeof value === 'object' && 'secure' in value) continue;
    out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/** Twilio API writes in the emulator's log (not its test hooks, not webhooks to the functions). */
function twilioWrites(emulator: Emulator): number {
  return emulator.log.list({ mutating: true }).filter((e) => !e.operation.startsWith('admin.') && !e.operation.startsWith('runtime.')).length;
}

describe("the README's plain `pulumi` sequence on the local stack", () => {
  let emulator: Emulator;
  let client: Twilio;
  let dir: string;
  let steps: string[];
  let prelude: string[];
  let seeded: ReturnType<typeof flexSeedSids>;
  let adoptedBefore: { workspace: unknown; uiAttributes: unknown; channels: string[]; queues: string[]; workflows: string[] };
  /** How many resources the program declares (the Stack included). */
  let resources = 0;

  /**
   * The README's lines in order up to `step`, in the copy of the project, with the
   * emulator's address. (Not spawnSync: the emulator answers from this process.)
   */
  function run(step: string): Promise<{ status: number | null; out: string }> {
    const script = ['set -euo pipefail', `cd "${dir}"`, ...prelude, step].join('\n');
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TWILIO_API_BASE_URL: emulator.baseUrl, FLEX_TRANSFER_RETRY_BASE_MS: '20' };
    return new Promise((resolve) => {
      const child = spawn('bash', ['-c', script], { env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (status) => resolve({ status, out }));
    });
  }

  async function adoptedState() {
    const ws = client.taskrouter.v1.workspaces(seeded.workspace);
    const config = await client.flexApi.v1.configuration().fetch();
    const workspace = await ws.fetch();
    return {
      workspace: { friendlyName: workspace.friendlyName, eventCallbackUrl: workspace.eventCallbackUrl ?? '', eventsFilter: workspace.eventsFilter ?? null },
      uiAttributes: config.uiAttributes,
      channels: (await ws.taskChannels.list()).map((c) => `${c.sid} ${c.uniqueName} ${c.friendlyName}`).sort(),
      queues: (await ws.taskQueues.list()).map((q) => `${q.sid} ${q.friendlyName} ${q.targetWorkers}`).sort(),
      workflows: (await ws.workflows.list()).map((w) => `${w.sid} ${w.friendlyName}`).sort(),
    };
  }

  beforeAll(async () => {
    emulator = await startStackEmulator();
    seeded = flexSeedSids(emulator.credentials.accountSid);
    client = createTwilioClient(emulator.credentials, { apiBaseUrl: emulator.baseUrl });
    // A copy of the project: its own files, the clone's build, packages, policy pack and toolchain.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-readme-'));
    for (const file of ['Pulumi.yaml', 'Pulumi.local.yaml']) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    for (const link of ['node_modules', 'dist', 'policy', 'tools', '.tools']) fs.symlinkSync(path.join(ROOT, link), path.join(dir, link));
    const lines = readmeSequence();
    // `npm run build` and `npm run emulator` are the clone's: this test runs on the
    // build setup made, against an emulator of its own on a free port (TWILIO_API_BASE_URL).
    prelude = lines.filter((l) => !/^pulumi (stack init|preview|up|stack output|refresh|destroy)\b/.test(l) && !/^npm run (build|emulator)\b/.test(l));
    steps = lines.filter((l) => /^pulumi (stack init|preview|up|stack output|refresh|destroy)\b/.test(l));
    adoptedBefore = await adoptedState();
  });

  afterAll(async () => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await emulator?.stop();
  });

  test('the sequence is the plain commands a Pulumi user knows', () => {
    expect(prelude).toEqual([
      expect.stringMatching(/^source tools\/env\.sh\b/),
      expect.stringMatching(/^mkdir -p \.pulumi-state && pulumi login "file:\/\/\$PWD\/\.pulumi-state"/),
      expect.stringMatching(/^export PULUMI_CONFIG_PASSPHRASE=flex-transfer-local-only\b/),
    ]);
    expect(steps.map((s) => s.replace(/\s+#.*$/, ''))).toEqual([
      'pulumi stack init local',
      'pulumi preview --stack local --policy-pack policy',
      'pulumi up --stack local --policy-pack policy',
      'pulumi stack output --stack local',
      'pulumi refresh --stack local',
      'pulumi destroy --stack local',
    ]);
    // The stack file adopts the emulator's Flex workspace.
    expect(stackConfig(path.join(ROOT, 'Pulumi.local.yaml'))['flex-transfer:workspace']).toContain(seeded.workspace);
  });

  test('login to a file backend and stack init', async () => {
    expectSuccess(await run(steps[0]));
    expect(fs.existsSync(path.join(dir, '.pulumi-state/.pulumi/stacks/flex-transfer/local.json')) || fs.readdirSync(path.join(dir, '.pulumi-state/.pulumi')).length > 0).toBe(true);
    // The tracked stack file is as it was (its salt matches the throwaway passphrase).
    expect(fs.readFileSync(path.join(dir, 'Pulumi.local.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'Pulumi.local.yaml'), 'utf8'));
  });

  test('preview plans the whole stack, with the policy pack, and changes nothing', async () => {
    emulator.log.clear();
    const out = expectSuccess(await run(steps[1]));
    // Every resource the program declares (the Stack included) is planned.
    const declared = runProgramUnderMocks({ main: path.join(ROOT, 'dist/infra/index.js'), project: 'flex-transfer', stack: 'local', config: stackConfig(path.join(ROOT, 'Pulumi.local.yaml')) });
    resources = declared.resources.length;
    expect(resources).toBeGreaterThan(15);
    expect(out).toContain(`+ ${resources} to create`);
    expect(out).toContain('flex-transfer@v1.0.0');
    expect(twilioWrites(emulator)).toBe(0);
  });

  test('up creates it through the language host, and a second up changes nothing and writes nothing to Twilio', async () => {
    const out = expectSuccess(await run(steps[2]));
    expect(out).toContain(`+ ${resources} created`);
    const workspace = await client.taskrouter.v1.workspaces(seeded.workspace).fetch();
    // The adopted workspace now calls the stack's functions (their public twil.io domain).
    expect(workspace.eventCallbackUrl).toMatch(/^https:\/\/[^/]+\.twil\.io\/\S+$/);

    emulator.log.clear();
    const again = expectSuccess(await run(steps[2]));
    expect(again).toMatch(new RegExp(`Resources:\\n\\s+${resources} unchanged\\n`));
    expect(again).not.toMatch(/[+~-] \d+ (created|updated|deleted|replaced)/);
    expect(mutatingCalls(emulator)).toEqual({});
    expect(twilioWrites(emulator)).toBe(0);
  });

  test('stack output shows every output the program declares', async () => {
    const out = expectSuccess(await run(steps[3]));
    const declared = runProgramUnderMocks({
      main: path.join(ROOT, 'dist/infra/index.js'),
      project: 'flex-transfer',
      stack: 'local',
      config: stackConfig(path.join(ROOT, 'Pulumi.local.yaml')),
    }).outputs;
    const keys = Object.keys(declared);
    expect(keys.length).toBeGreaterThanOrEqual(10);
    expect(out).toContain(`Current stack outputs (${keys.length}):`);
    for (const key of keys) expect(out).toMatch(new RegExp(`^\\s+${key}\\s`, 'm'));
    expect(out).toMatch(new RegExp(`workspaceSid\\s+${seeded.workspace}`));
  });

  test('refresh finds nothing changed', async () => {
    const out = expectSuccess(await run(steps[4]));
    expect(out).toMatch(new RegExp(`Resources:\\n\\s+${resources} unchanged\\n`));
    expect(out).not.toMatch(/~ \d+ updated|- \d+ deleted/);
  });

  test('destroy removes what the stack created; the adopted Flex objects are as they were', async () => {
    expectSuccess(await run(steps[5]));
    expect(await adoptedState()).toEqual(adoptedBefore);
    expect((await client.serverless.v1.services.list()).map((s) => s.uniqueName)).not.toContain('flex-transfer');
  });
});

describe('what a user gets when something is wrong', () => {
  let emulator: Emulator;
  let project: ScratchProject;
  let seeded: ReturnType<typeof flexSeedSids>;

  beforeAll(async () => {
    emulator = await startStackEmulator();
    seeded = flexSeedSids(emulator.credentials.accountSid);
    // The project's own Pulumi.yaml; no credentials in the environment.
    project = scratchProject({ pulumiYamlDir: ROOT, env: { TWILIO_API_BASE_URL: emulator.baseUrl } });
  });

  afterAll(async () => {
    project?.cleanup();
    await emulator?.stop();
  });

  const noCredentials = { TWILIO_ACCOUNT_SID: undefined, TWILIO_AUTH_TOKEN: undefined, TWILIO_API_KEY: undefined, TWILIO_API_SECRET: undefined };

  test('a config error is printed once, naming the field, with no stack trace; nothing is called', async () => {
    project.writeConfig({ workspace: { adoptSid: seeded.workspace }, queues: [{ name: 'Sales', targetWorkers: "routing.skills HAS 'sales'", taskOrder: 'RANDOM' }] });
    emulator.log.clear();
    const preview = await project.runWith(noCredentials, 'preview');
    expect(preview.status).not.toBe(0);
    const problem = 'flex-transfer:queues[0].taskOrder must be FIFO or LIFO, got "RANDOM"';
    expect(preview.out.split(problem)).toHaveLength(2);
    expect(preview.out).toContain('Fix them in Pulumi.test.yaml');
    expect(preview.out).not.toMatch(/unhandled exception|^\s+at .+\(.+:\d+:\d+\)$/m);
    expect(emulator.log.totals().total).toBe(0);
  });

  test('without Twilio credentials a preview and an up stop up front, once, naming what to set; nothing is called', async () => {
    project.writeConfig({ workspace: { adoptSid: seeded.workspace }, queues: [{ name: 'Sales', targetWorkers: "routing.skills HAS 'sales'" }] });
    emulator.log.clear();
    const preview = await project.runWith(noCredentials, 'preview');
    expect(preview.status).not.toBe(0);
    expect(preview.out).toContain("No Twilio credentials for stack 'test':");
    const said = "a preview reads the live Twilio objects (what the stack adopts, Flex's native transfer setting) to compare them with the program, so nothing was read or changed.";
    expect(preview.out.split(said)).toHaveLength(2);
    expect(preview.out).toContain('Set TWILIO_ACCOUNT_SID with TWILIO_API_KEY and TWILIO_API_SECRET (or TWILIO_AUTH_TOKEN) in the environment');
    expect(preview.out).not.toMatch(/unhandled exception|^\s+at .+\(.+:\d+:\d+\)$/m);
    // Up front: before any Twilio resource is planned.
    expect(preview.out).not.toContain('pulumi-nodejs:dynamic/twilio:');

    const up = await project.runWith(noCredentials, 'up');
    expect(up.status).not.toBe(0);
    expect(up.out).toContain("No Twilio credentials for stack 'test':\n");
    expect(up.out).toContain('a preview reads the live Twilio objects');
    expect(up.out).not.toMatch(/unhandled exception/);
    expect(emulator.log.totals().total).toBe(0);
  });

  test("the local stack's throwaway passphrase is refused for any other stack", async () => {
    const other = scratchProject({ pulumiYamlDir: ROOT, stack: 'staging', env: { TWILIO_API_BASE_URL: emulator.baseUrl, PULUMI_CONFIG_PASSPHRASE: LOCAL_STACK_PASSPHRASE } });
    try {
      other.writeConfig({ workspace: { adoptSid: seeded.workspace } });
      const preview = await other.runWith(noCredentials, 'preview');
      expect(preview.status).not.toBe(0);
      expect(preview.out).toContain("Stack 'staging' is running with the local stack's throwaway passphrase");
      // And the npm scripts stop before running anything.
      const lines: string[] = [];
      const wrapped = await runStackCommand(parseStackArgs(['preview', '--stack', 'staging'], other.dir), { log: (l) => lines.push(l), env: { ...other.env } });
      expect(wrapped.status).toBe(2);
      expect(lines.join('\n')).toContain("PULUMI_CONFIG_PASSPHRASE is the local stack's throwaway passphrase, which is printed in the README: stack 'staging' must not use it.");
    } finally {
      other.cleanup();
    }
  });

  test('npm run stack: a mistyped stack name stops before anything is created', async () => {
    const lines: string[] = [];
    const before = fs.readdirSync(project.dir).sort();
    const run = await runStackCommand(parseStackArgs(['preview', '--stack', 'tets'], project.dir), { log: (l) => lines.push(l), env: project.env });
    expect(run.status).toBe(2);
    expect(lines.join('\n')).toContain(`There is no Pulumi.tets.yaml in ${project.dir}: this project's stacks are test. Nothing was created.`);
    expect(fs.readdirSync(project.dir).sort()).toEqual(before);
    const stacks = await runPulumi(['stack', 'ls', '--json'], { cwd: project.dir, env: project.env });
    expect(stacks.status).toBe(0);
    expect(stacks.out).not.toContain('tets');
  });

  test('npm run stack: a run that fails leaves the tracked stack file as it was', async () => {
    // The repository's dev stack file, created in an empty backend: `stack init`
    // rewrites it (salt, re-encoded values), then the preview fails (placeholder SID).
    const file = path.join(project.dir, 'Pulumi.dev.yaml');
    fs.copyFileSync(path.join(ROOT, 'Pulumi.dev.yaml'), file);
    const original = fs.readFileSync(file, 'utf8');
    const lines: string[] = [];
    const run = await runStackCommand(parseStackArgs(['preview', '--stack', 'dev', '--create'], project.dir), {
      log: (l) => lines.push(l),
      env: { ...project.env, PULUMI_CONFIG_PASSPHRASE: 'dev-passphrase', ...noCredentials },
    });
    expect(run.status).not.toBe(0);
    expect(run.out).toContain('flex-transfer:workspace.adoptSid is still the placeholder');
    expect(lines.join('\n')).toContain('stack: the failed run had changed Pulumi.dev.yaml; it is back as it was.');
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
  });
});
