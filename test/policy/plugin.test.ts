// The analyzer plugin that serves the policy pack when the CLI has no Node
// language host: an executable shim, installed into the plugin cache (where
// the CLI finds it), idempotently.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensurePolicyAnalyzerPlugin, POLICY_ANALYZER_SHIM, policyAnalyzerPath } from '../../tools/plugins/install';

let home: string;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-pulumi-home-'));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

test("the shim is an executable script that runs @pulumi/pulumi's run-policy-pack", () => {
  expect(fs.statSync(POLICY_ANALYZER_SHIM).mode & 0o111).not.toBe(0);
  const text = fs.readFileSync(POLICY_ANALYZER_SHIM, 'utf8');
  expect(text.startsWith('#!/bin/sh\n')).toBe(true);
  expect(text).toContain('require.resolve("@pulumi/pulumi/cmd/run-policy-pack")');
  expect(text).toContain('exec node "$runner" "$@"');
});

test('installs into the plugin cache of the given PULUMI_HOME, once', () => {
  const installed = ensurePolicyAnalyzerPlugin(home);
  expect(installed).toBe(policyAnalyzerPath(home));
  expect(installed).toMatch(/plugins\/analyzer-policy-nodejs-v\d+\.\d+\.\d+\/pulumi-analyzer-policy-nodejs$/);
  expect(fs.readFileSync(installed)).toEqual(fs.readFileSync(POLICY_ANALYZER_SHIM));
  const before = fs.statSync(installed).mtimeMs;
  ensurePolicyAnalyzerPlugin(home);
  expect(fs.statSync(installed).mtimeMs).toBe(before);
  // A stale copy is replaced.
  fs.writeFileSync(installed, '#!/bin/sh\nexit 1\n');
  ensurePolicyAnalyzerPlugin(home);
  expect(fs.readFileSync(installed)).toEqual(fs.readFileSync(POLICY_ANALYZER_SHIM));
});
