// The delivery pipeline, rehearsed locally against the Twilio emulator
// (`npm run rehearse`): the same commands the GitHub Actions workflows run,
// on two emulator-backed stacks, `dev` and `prod`, each its own emulated
// Flex account, configured from the repository's Pulumi.dev.yaml and
// Pulumi.prod.yaml (the placeholder workspace SID replaced by the emulated
// account's "Flex Task Assignment").
//
//   1. preview   dev and prod: `pulumi preview --diff` with the policy pack, and the
//                pull-request comment it would post (workflow diagrams included)
//   2. up dev    the promotion guard on the plan, then `pulumi up` with the policy pack
//   3. smoke dev the functions answer; a transfer to Sales is reserved by Carol,
//                never by Alice, who is already in the conversation
//   4. up prod   the promotion guard, then `pulumi up` with the same build: the
//                compiled program and functions that dev got
//   5. smoke prod the functions answer (no test task in production)
//   6. preview   dev and prod again: no changes
//
//   node dist/tools/rehearse.js [--keep] [--out DIR]
// The preview reports (the pull-request comments) go to --out DIR, or to a
// temporary directory named at the end; --keep also keeps the scratch stacks.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Emulator, flexSeedSids, startEmulator } from '../emulator';
import { readArgs } from './cli-args';
import { ensurePolicyAnalyzerPlugin } from './plugins/install';
import { REPO_ROOT } from './pulumi-cli';
import { runNode, scratchProject, type ScratchProject, type StackRun } from './scratch-project';
import { resourceType } from '../functions/lib/contract.private';

export const POLICY_PACK = path.join(REPO_ROOT, 'policy');
const PROGRAM = path.join(REPO_ROOT, 'dist', 'infra', 'index.js');
const PIPELINE_JS = path.join(REPO_ROOT, 'dist', 'tools', 'pipeline.js');
const GUARD_JS = path.join(REPO_ROOT, 'dist', 'tools', 'promotion-guard.js');

/** How many of its own resources a deploy may delete or replace without naming them (deploy.yml's `max-deletes`). */
export const MAX_MANAGED_DELETES = { dev: 2, prod: 0 } as const;

export interface RehearsalStack {
  name: 'dev' | 'prod';
  project: ScratchProject;
  /** Environment of every command on this stack: backend, passphrase, the emulated account's credentials, the build. */
  env: Record<string, string>;
  account: { accountSid: string; authToken: string };
  seeded: ReturnType<typeof flexSeedSids>;
  /** `pulumi <command> --stack <name> --policy-pack policy …` in the stack's project. */
  stack(command: string, ...args: string[]): Promise<StackRun>;
  /** `node dist/tools/pipeline.js <command> --stack <name> …`. */
  pipeline(command: string, ...args: string[]): Promise<StackRun>;
  /**
   * The promotion guard as deploy-stack.yml runs it: the plan of a plain
   * `pulumi preview --json` (streaming engine events), then
   * `promotion-guard.js PLAN --max-deletes N [--allow NAMES]`.
   */
  guard(maxDeletes: number, allow?: string): Promise<StackRun>;
}

export interface RehearsalContext {
  emulator: Emulator;
  dev: RehearsalStack;
  prod: RehearsalStack;
  outDir: string;
  /** The promoted build: compiled functions both stacks deploy. */
  buildDir: string;
}

export interface StageResult {
  name: string;
  seconds: number;
  detail: string;
}

export interface RehearsalResult {
  stages: StageResult[];
  /** sha256 of the promoted build's function files. */
  buildDigest: string;
  reports: { dev: string; prod: string };
  totalSeconds: number;
}

export interface RehearsalOptions {
  /** Stage headers, results and the summary. */
  log?: (line: string) => void;
  /** The commands' own output (the diffs), streamed. */
  output?: (text: string) => void;
  /** Where the preview reports go; default a temporary directory. */
  outDir?: string;
  /** Leave the emulator state and scratch stacks on disk. */
  keep?: boolean;
  /** Runs after the last stage, before cleanup (tests use it to preview a change). */
  afterwards?: (context: RehearsalContext) => Promise<void>;
}

export class StageError extends Error {
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super(`rehearsal stage '${stage}' failed: ${message}`);
    this.name = 'StageError';
  }
}

/** sha256 over every file of a directory (paths and contents), to show two deploys used one build. */
export function digestOf(dir: string): string {
  const hash = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(d, entry.name);
      if (entry.isDirectory()) walk(file);
      else hash.update(path.relative(dir, file)).update('\0').update(fs.readFileSync(file)).update('\0');
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/** The repository's stack file, pointed at an emulated account: its workspace SID and the emulator's URL. */
export function emulatedStackConfig(yaml: string, workspaceSid: string, apiBaseUrl: string): string {
  if (!/adoptSid:\s*WS[0-9a-fA-F]{32}/.test(yaml)) throw new Error('the stack file does not adopt a workspace by SID (flex-transfer:workspace.adoptSid)');
  if (/secure:/.test(yaml)) throw new Error('the stack file holds encrypted values, which only its own backend can decrypt; keep credentials in the environment');
  return yaml.replace(/adoptSid:\s*WS[0-9a-fA-F]{32}/, `adoptSid: ${workspaceSid}`).replace(/^config:\s*$/m, `config:\n  flex-transfer:twilioApiBaseUrl: ${apiBaseUrl}`);
}

function fail(stage: string, run: StackRun, what: string): never {
  throw new StageError(stage, `${what} exited ${run.status}:\n${run.out.slice(-5000)}`);
}

/** Deployed function files (path → sha256) of a stack, from its state. */
function deployedFunctions(exported: string): Record<string, string> {
  const state = JSON.parse(exported.slice(exported.indexOf('{'))) as { deployment?: { resources?: Array<{ type: string; outputs?: { functions?: Array<{ path: string; sha256: string }> } }> } };
  const deployment = state.deployment?.resources?.find((r) => r.type === resourceType('Deployment'));
  return Object.fromEntries((deployment?.outputs?.functions ?? []).map((f) => [f.path, f.sha256]));
}

export async function rehearse(options: RehearsalOptions = {}): Promise<RehearsalResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const output = options.output ?? (() => undefined);
  const started = Date.now();
  const stages: StageResult[] = [];
  const stage = async (name: string, body: () => Promise<string>) => {
    log(`\n=== ${name}`);
    const t0 = Date.now();
    const detail = await body();
    const seconds = (Date.now() - t0) / 1000;
    stages.push({ name, seconds, detail });
    log(`--- ${name}: ok in ${seconds.toFixed(1)} s${detail ? ` (${detail})` : ''}`);
  };

  for (const file of [PROGRAM, PIPELINE_JS, GUARD_JS]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(REPO_ROOT, file)} does not exist: run \`npm run build\` first.`);
  }
  ensurePolicyAnalyzerPlugin();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-rehearsal-'));
  const outDir = options.outDir ? path.resolve(options.outDir) : path.join(workDir, 'reports');
  fs.mkdirSync(outDir, { recursive: true });

  // The build that is promoted: compiled once, deployed to dev, then to prod.
  const buildDir = path.join(workDir, 'build', 'functions');
  fs.cpSync(path.join(REPO_ROOT, 'dist', 'functions'), buildDir, { recursive: true });
  const buildDigest = digestOf(buildDir);

  const emulator = await startEmulator({ port: 0, seed: 'flex', buildDurationMs: 100 });
  const projects: ScratchProject[] = [];
  try {
    const makeStack = (name: 'dev' | 'prod', account: { accountSid: string; authToken: string }): RehearsalStack => {
      const seeded = flexSeedSids(account.accountSid);
      const project = scratchProject({ pulumiYamlDir: REPO_ROOT, stack: name });
      projects.push(project);
      const source = fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${name}.yaml`), 'utf8');
      fs.writeFileSync(path.join(project.dir, `Pulumi.${name}.yaml`), emulatedStackConfig(source, seeded.workspace, emulator.baseUrl));
      const env = {
        ...project.env,
        ...emulator.twilioEnv(account),
        FLEX_TRANSFER_FUNCTIONS_DIR: buildDir,
      };
      const streamed = async (running: Promise<StackRun>) => {
        const run = await running;
        output(run.out);
        return run;
      };
      return {
        name,
        project,
        env,
        account,
        seeded,
        stack: (command, ...args) => streamed(project.runWith(env, command, '--policy-pack', POLICY_PACK, ...args)),
        pipeline: (command, ...args) => streamed(runNode([PIPELINE_JS, command, '--stack', name, '--project', project.dir, ...args], env)),
        async guard(maxDeletes, allow) {
          const plan = await project.runWith({ ...env, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: 'true' }, 'preview', '--policy-pack', POLICY_PACK, '--json');
          const planFile = path.join(workDir, `plan-${name}.jsonl`);
          fs.writeFileSync(planFile, plan.out);
          return streamed(runNode([GUARD_JS, planFile, '--stack', name, '--max-deletes', String(maxDeletes), ...(allow ? ['--allow', allow] : [])], env));
        },
      };
    };
    const dev = makeStack('dev', emulator.credentials);
    const prod = makeStack('prod', emulator.createAccount({ seed: 'flex' }));
    // CI's stacks exist in their backend (created once with `pulumi stack init`).
    for (const s of [dev, prod]) {
      const init = await s.project.init();
      if (init.status !== 0) throw new StageError('setup', `pulumi stack init ${s.name} exited ${init.status}:\n${init.out}`);
    }
    log(`Emulator at ${emulator.baseUrl}: dev = account ${dev.account.accountSid}, prod = account ${prod.account.accountSid}`);
    log(`Build: ${path.relative(REPO_ROOT, path.join(REPO_ROOT, 'dist', 'functions'))} copied once, sha256 ${buildDigest.slice(0, 16)}…; both stacks deploy it`);
    const reports = { dev: path.join(outDir, 'preview-dev.md'), prod: path.join(outDir, 'preview-prod.md') };

    await stage('1. preview dev and prod (--diff, policy pack, pull-request report)', async () => {
      for (const s of [dev, prod]) {
        const run = await s.pipeline('preview-report', '--policy-pack', POLICY_PACK, '--out', reports[s.name], '--workflows-dir', path.join(outDir, 'workflows'));
        if (run.status !== 0) fail('preview', run, `preview-report --stack ${s.name}`);
        if (!fs.readFileSync(reports[s.name], 'utf8').includes('```mermaid')) throw new StageError('preview', `the ${s.name} report has no workflow diagram`);
      }
      return `reports: ${reports.dev}, ${reports.prod}`;
    });

    await stage('2. up dev (promotion guard, policy pack)', async () => {
      const guard = await dev.guard(MAX_MANAGED_DELETES.dev);
      if (guard.status !== 0) fail('up dev', guard, 'promotion guard --stack dev');
      const run = await dev.stack('up');
      if (run.status !== 0) fail('up dev', run, 'up --stack dev');
      return summaryOf(run.out);
    });

    await stage('3. smoke dev: functions answer; a transfer to Sales skips the agent already in the conversation', async () => {
      const w = dev.seeded.workers;
      const run = await dev.pipeline('smoke', '--queue', 'Sales', '--available-workers', `${w.alice},${w.carol}`, '--in-conversation', w.alice, '--expect-worker', w.carol);
      if (run.status !== 0) fail('smoke dev', run, 'smoke --stack dev');
      return 'reserved by carol, not alice';
    });

    await stage('4. up prod with the same build (promotion guard)', async () => {
      const guard = await prod.guard(MAX_MANAGED_DELETES.prod);
      if (guard.status !== 0) fail('up prod', guard, 'promotion guard --stack prod');
      const run = await prod.stack('up');
      if (run.status !== 0) fail('up prod', run, 'up --stack prod');
      const [devState, prodState] = await Promise.all([dev.project.runWith(dev.env, 'export'), prod.project.runWith(prod.env, 'export')]);
      const devFunctions = deployedFunctions(devState.out);
      const prodFunctions = deployedFunctions(prodState.out);
      if (Object.keys(devFunctions).length === 0 || JSON.stringify(devFunctions) !== JSON.stringify(prodFunctions)) {
        throw new StageError('up prod', `prod's deployed functions differ from dev's:\n dev: ${JSON.stringify(devFunctions)}\nprod: ${JSON.stringify(prodFunctions)}`);
      }
      return `${summaryOf(run.out)}; ${Object.keys(prodFunctions).length} function files identical to dev's`;
    });

    await stage('5. smoke prod: functions answer (no test task in production)', async () => {
      const run = await prod.pipeline('smoke', '--no-routing');
      if (run.status !== 0) fail('smoke prod', run, 'smoke --stack prod');
      return '';
    });

    await stage('6. preview dev and prod again: no changes', async () => {
      for (const s of [dev, prod]) {
        const run = await s.stack('preview', '--diff', '--expect-no-changes');
        if (run.status !== 0) fail('preview again', run, `preview --stack ${s.name} --expect-no-changes`);
      }
      return '';
    });

    if (options.afterwards) await options.afterwards({ emulator, dev, prod, outDir, buildDir });

    const totalSeconds = (Date.now() - started) / 1000;
    log('\nRehearsal passed:');
    for (const s of stages) log(`  ${s.seconds.toFixed(1).padStart(6)} s  ${s.name}`);
    log(`  ${totalSeconds.toFixed(1).padStart(6)} s  total`);
    log(`Reports: ${reports.dev}, ${reports.prod}`);
    return { stages, buildDigest, reports, totalSeconds };
  } finally {
    await emulator.stop();
    if (!options.keep) {
      for (const p of projects) p.cleanup();
      fs.rmSync(path.join(workDir, 'build'), { recursive: true, force: true });
      // The reports stay: in --out, or in the temporary directory named in the log.
      if (options.outDir) fs.rmSync(workDir, { recursive: true, force: true });
    } else {
      log(`Kept: ${workDir} and ${projects.map((p) => p.dir).join(', ')}`);
    }
  }
}

/** "Resources: + 30 created" → "30 created". */
function summaryOf(out: string): string {
  const block = /Resources:\n((?:[ \t]+\S.*\n?)+)/.exec(out)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(', ')
    .replace(/^[+~-]\s*/, '');
}

if (require.main === module) {
  let values: { keep?: boolean; out?: string };
  try {
    ({ values } = readArgs(process.argv.slice(2), { keep: { type: 'boolean' }, out: { type: 'string' } }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nusage: rehearse [--keep] [--out DIR]\n`);
    process.exit(2);
  }
  const { keep = false, out } = values;
  rehearse({ keep, outDir: out, output: (text) => process.stdout.write(text) }).then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`\n${err.message}\n`);
      process.exit(1);
    },
  );
}
