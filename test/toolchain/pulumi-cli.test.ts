// The real Pulumi CLI, pinned to the SDK version, runs a dynamic-provider
// program end to end on a file backend with no network, the standard way
// (plain `pulumi` in the project directory; the CLI starts the official Node
// language host beside it, which runs Pulumi.yaml's program): up, a no-change
// preview, a preview that does see a change, and destroy.
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../support';

const SMOKE = path.join(REPO_ROOT, 'tools/smoke');

function lockedSdkVersion(): string {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8'));
  return lock.packages['node_modules/@pulumi/pulumi'].version;
}

/** Network namespaces with only loopback up: the CLI cannot reach anything. */
const offline = spawnSync('unshare', ['-n', 'true']).status === 0;

function run(args: string[], env: Record<string, string> = {}, cwd: string = REPO_ROOT) {
  const runSh = path.join(REPO_ROOT, 'tools/run.sh');
  const command = offline ? ['unshare', '-n', 'bash', '-c', 'ip link set lo up && exec "$@"', '_', 'bash', runSh, ...args] : ['bash', runSh, ...args];
  const result = spawnSync(command[0], command.slice(1), {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('pinned Pulumi CLI', () => {
  test('`npm run pulumi -- version` prints the @pulumi/pulumi version from package-lock.json', () => {
    const result = spawnSync('npm', ['run', '--silent', 'pulumi', '--', 'version'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(`v${lockedSdkVersion()}`);
  });
});

describe('offline smoke stack through the real engine', () => {
  // A scratch copy of the project, so stack config written by the test never
  // lands in the repository; node_modules and dist are linked so the language
  // host runs the compiled program and the dynamic-provider plugin (started in
  // the project directory) resolves @pulumi/pulumi.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-smoke-'));
  const project = path.join(scratch, 'project');
  fs.mkdirSync(project);
  const yaml = fs.readFileSync(path.join(SMOKE, 'Pulumi.yaml'), 'utf8').replace(/^main:.*$/m, 'main: dist/tools/smoke/index.js');
  fs.writeFileSync(path.join(project, 'Pulumi.yaml'), yaml);
  for (const link of ['node_modules', 'dist']) fs.symlinkSync(path.join(REPO_ROOT, link), path.join(project, link));
  const env = { PULUMI_BACKEND_URL: `file://${scratch}/state`, PULUMI_CONFIG_PASSPHRASE: 'smoke-test' };
  fs.mkdirSync(`${scratch}/state`);
  const pulumi = (...args: string[]) => run(['pulumi', ...args, '--stack', 'smoke', '--non-interactive'], env, project);
  beforeAll(() => {
    const init = pulumi('stack', 'init');
    if (init.status !== 0) throw new Error(init.out);
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test('the test namespace has no route off the machine', () => {
    if (!offline) {
      console.warn("unshare -n is not available here: the smoke stack runs with the machine's network");
      return;
    }
    const routes = spawnSync('unshare', ['-n', 'ip', 'route', 'show'], { encoding: 'utf8' });
    expect(routes.status).toBe(0);
    expect(routes.stdout.trim()).toBe('');
  });

  test('up creates the dynamic resource and records the CLI version in state', () => {
    const up = pulumi('up', '--yes', '--config', 'text=offline');
    expect(up.out).toContain('+ 2 created');
    expect(up.status).toBe(0);
    const digest = crypto.createHash('sha256').update('offline').digest('hex');
    expect(up.out).toContain(digest);

    const exported = pulumi('stack', 'export');
    expect(exported.status).toBe(0);
    const state = JSON.parse(exported.out.slice(exported.out.indexOf('{')));
    const version = `v${lockedSdkVersion()}`;
    expect(state.deployment.manifest.version).toBe(version);
    const sdk = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules/@pulumi/pulumi/package.json'), 'utf8'));
    expect(`v${sdk.version}`).toBe(version);
    const types = state.deployment.resources.map((r: { type: string }) => r.type);
    expect(types).toContain('pulumi-nodejs:dynamic/smoke:Digest');
  });

  test('a second preview reports no changes; a changed input is seen', () => {
    const same = pulumi('preview', '--expect-no-changes');
    expect(same.out).toContain('2 unchanged');
    expect(same.status).toBe(0);

    const changed = pulumi('preview', '--expect-no-changes', '--config', 'text=changed');
    expect(changed.status).not.toBe(0);
    expect(changed.out).toMatch(/1 to replace|\+-1 to replace|replace/);
  });

  test('destroy removes everything', () => {
    const destroy = pulumi('destroy', '--yes');
    expect(destroy.status).toBe(0);
    expect(destroy.out).toContain('deleted');
    const exported = pulumi('stack', 'export');
    const state = JSON.parse(exported.out.slice(exported.out.indexOf('{')));
    expect(state.deployment.resources ?? []).toHaveLength(0);
  });
});
