// Installs tools/plugins/pulumi-analyzer-policy-nodejs into the Pulumi plugin
// cache, where the CLI looks for the analyzer that serves Node.js policy
// packs when it has no Node language host. (Beside the CLI binary it is not
// found: the CLI only looks there for the plugins it bundles, and
// PULUMI_IGNORE_AMBIENT_PLUGINS keeps it off PATH.) Idempotent: a no-op when
// the cached copy is identical.
//   node dist/tools/plugins/install.js     # into $PULUMI_HOME (default .pulumi-home)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, sdkVersion } from '../pulumi-cli';

export const POLICY_ANALYZER_SHIM = path.join(REPO_ROOT, 'tools', 'plugins', 'pulumi-analyzer-policy-nodejs');

export function defaultPulumiHome(): string {
  return process.env.PULUMI_HOME ?? path.join(REPO_ROOT, '.pulumi-home');
}

/** Where the plugin cache keeps the analyzer for this SDK version. */
export function policyAnalyzerPath(pulumiHome: string = defaultPulumiHome()): string {
  return path.join(pulumiHome, 'plugins', `analyzer-policy-nodejs-v${sdkVersion()}`, 'pulumi-analyzer-policy-nodejs');
}

/** Installs the analyzer into `pulumiHome`'s plugin cache unless an identical copy is there; returns its path. */
export function ensurePolicyAnalyzerPlugin(pulumiHome: string = defaultPulumiHome()): string {
  const installed = policyAnalyzerPath(pulumiHome);
  if (fs.existsSync(installed) && fs.readFileSync(installed).equals(fs.readFileSync(POLICY_ANALYZER_SHIM))) return installed;
  const cli = path.join(REPO_ROOT, '.tools', 'bin', 'pulumi');
  if (!fs.existsSync(cli)) throw new Error('The Pulumi CLI is not set up: run `npm run setup` (tools/setup.sh) first.');
  execFileSync(cli, ['plugin', 'install', 'analyzer', 'policy-nodejs', sdkVersion(), '--file', POLICY_ANALYZER_SHIM, '--reinstall'], {
    env: { ...process.env, PULUMI_HOME: pulumiHome, PULUMI_SKIP_UPDATE_CHECK: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return installed;
}

if (require.main === module) {
  try {
    process.stdout.write(`${ensurePolicyAnalyzerPlugin()}\n`);
  } catch (err) {
    process.stderr.write(`install policy analyzer: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
