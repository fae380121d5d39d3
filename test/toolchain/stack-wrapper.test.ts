// What `npm run stack` adds around the plain `pulumi` command (tools/stack.ts,
// tools/pulumi-cli.ts), checked without running it: the local stack alone gets
// a state folder and the throwaway passphrase; the policy pack goes on preview
// and up; a stack with no stack file, or a non-local stack with the throwaway
// passphrase or with no passphrase for its salt, stops before anything runs.
// (The same paths through the real CLI: test/stack/plain-pulumi.test.ts.)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOCAL_STACK_PASSPHRASE, REPO_ROOT, stackEnv } from '../../tools/pulumi-cli';
import { parseStackArgs, preflight, pulumiArgs, stackFileName } from '../../tools/stack';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-wrapper-'));
  fs.writeFileSync(path.join(dir, 'Pulumi.local.yaml'), 'config: {}\n');
  fs.writeFileSync(path.join(dir, 'Pulumi.dev.yaml'), 'config: {}\nencryptionsalt: v1:abc\n');
  fs.writeFileSync(path.join(dir, 'Pulumi.prod.yaml'), 'config: {}\n');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('only the local stack gets the state folder and the throwaway passphrase', () => {
  expect(stackEnv('local', dir, {})).toEqual({ PULUMI_BACKEND_URL: `file://${dir}/.pulumi-state`, PULUMI_CONFIG_PASSPHRASE: LOCAL_STACK_PASSPHRASE });
  expect(fs.existsSync(path.join(dir, '.pulumi-state'))).toBe(true);
  // The user's own backend or passphrase wins, even for local.
  expect(stackEnv('local', dir, { PULUMI_BACKEND_URL: 'file:///elsewhere', PULUMI_CONFIG_PASSPHRASE: 'mine' })).toEqual({});
  expect(stackEnv('local', dir, { PULUMI_CONFIG_PASSPHRASE_FILE: '/run/secret' })).toEqual({ PULUMI_BACKEND_URL: `file://${dir}/.pulumi-state` });
  // dev and prod: nothing, whatever backend is in use.
  for (const stack of ['dev', 'prod', 'org/flex-transfer/prod']) {
    expect(stackEnv(stack, dir, {})).toEqual({});
    expect(stackEnv(stack, dir, { PULUMI_BACKEND_URL: 'file:///state' })).toEqual({});
  }
});

test("preview and up run the project's policy pack, in the project only; other commands as typed", () => {
  expect(pulumiArgs(parseStackArgs(['preview', '--diff']))).toEqual(['preview', '--diff', '--stack', 'local', '--policy-pack', 'policy']);
  expect(pulumiArgs(parseStackArgs(['up', '--stack', 'dev']))).toEqual(['up', '--stack', 'dev', '--policy-pack', 'policy']);
  expect(pulumiArgs(parseStackArgs(['up', '--stack', 'dev', '--no-policy']))).toEqual(['up', '--stack', 'dev']);
  expect(pulumiArgs(parseStackArgs(['refresh', '--stack=prod']))).toEqual(['refresh', '--stack', 'prod']);
  expect(pulumiArgs(parseStackArgs(['stack', 'output', '--json']))).toEqual(['stack', 'output', '--json', '--stack', 'local']);
  expect(pulumiArgs(parseStackArgs(['preview'], dir))).toEqual(['preview', '--stack', 'local']);
  expect(parseStackArgs(['preview']).projectDir).toBe(REPO_ROOT);
  expect(() => parseStackArgs([])).toThrow(/^usage: npm run stack -- <preview\|up\|refresh\|destroy\|stack output\|\.\.\.>/);
  expect(() => parseStackArgs(['up', '--stack'])).toThrow('--stack needs a value');
});

test('a stack with no stack file stops before anything runs, unless asked to create it', () => {
  const typo = parseStackArgs(['up', '--stack', 'prdo'], dir);
  expect(preflight(typo, {})).toEqual([
    `There is no Pulumi.prdo.yaml in ${dir}: this project's stacks are dev, local, prod. Nothing was created. If 'prdo' is a new stack, run again with --create (or \`pulumi stack init prdo\`) and give it its configuration.`,
  ]);
  expect(preflight(parseStackArgs(['up', '--stack', 'prdo', '--create'], dir), {})).toEqual([]);
  expect(stackFileName('my-org/flex-transfer/prod')).toBe('Pulumi.prod.yaml');
  expect(preflight(parseStackArgs(['up', '--stack', 'my-org/flex-transfer/prod'], dir), {})).toEqual([]);
});

test('the throwaway passphrase is refused for any stack but local; a salted stack needs its passphrase', () => {
  expect(preflight(parseStackArgs(['preview', '--stack', 'local'], dir), { PULUMI_CONFIG_PASSPHRASE: LOCAL_STACK_PASSPHRASE })).toEqual([]);
  expect(preflight(parseStackArgs(['preview', '--stack', 'prod'], dir), { PULUMI_CONFIG_PASSPHRASE: LOCAL_STACK_PASSPHRASE })).toEqual([
    "PULUMI_CONFIG_PASSPHRASE is the local stack's throwaway passphrase, which is printed in the README: stack 'prod' must not use it. Unset it (`unset PULUMI_CONFIG_PASSPHRASE`) and give this stack's own passphrase, or use its secrets provider.",
  ]);
  expect(preflight(parseStackArgs(['preview', '--stack', 'dev'], dir), {})).toEqual([
    "Stack 'dev' keeps its secrets with a passphrase (Pulumi.dev.yaml has an encryptionsalt), and none is set: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to this stack's passphrase.",
  ]);
  expect(preflight(parseStackArgs(['preview', '--stack', 'dev'], dir), { PULUMI_CONFIG_PASSPHRASE_FILE: '/run/secret' })).toEqual([]);
  // prod has no salt (a secrets provider, or Pulumi Cloud): nothing to ask.
  expect(preflight(parseStackArgs(['preview', '--stack', 'prod'], dir), {})).toEqual([]);
});
