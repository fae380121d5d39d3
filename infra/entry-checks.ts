// What the entry checks before it declares anything, so that a plain
// `pulumi preview|up` either runs the current program with what it needs or
// stops with one message that names the problem and the fix:
//   - dist/ is the build of the current sources (tools/build-stamp.ts);
//   - the stack configuration is valid (a user error: no stack trace);
//   - Twilio credentials are there (a preview needs them too: it reads the live objects);
//   - no stack but `local` runs with the local stack's public passphrase;
// and it applies `protect` from stack config to the objects a hand-typed
// `pulumi up` must never delete.
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { staleBuildReason } from '../tools/build-stamp';
import { ConfigError, loadStackSettings, type StackSettings } from './config';
import { resourceType } from '../functions/lib/contract.private';

const NS = 'flex-transfer';

/** The repository root: dist/infra/ → the clone. */
const ROOT = path.resolve(__dirname, '..', '..');

/** Refuses to run compiled code older than its sources. */
export function refuseStaleBuild(root: string = ROOT): void {
  const reason = staleBuildReason(root);
  if (reason) throw new pulumi.RunError(reason);
}

/** The stack's settings; an invalid configuration is reported once, by field, without a stack trace. */
export function stackSettingsOrStop(): StackSettings {
  try {
    return loadStackSettings();
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new pulumi.RunError(`${err.message}\nFix them in Pulumi.${pulumi.getStack()}.yaml (or with \`pulumi config set --stack ${pulumi.getStack()}\`).`);
    }
    throw err;
  }
}

/** Which credential source the providers will find, mirroring infra/providers/runtime/settings.ts. */
export function credentialSource(env: NodeJS.ProcessEnv, config: pulumi.Config): 'environment' | 'stack config' | undefined {
  if (env.TWILIO_ACCOUNT_SID && (env.TWILIO_AUTH_TOKEN || (env.TWILIO_API_KEY && env.TWILIO_API_SECRET))) return 'environment';
  // getSecret: presence only, without the SDK's warning about reading a secret with get.
  const has = (key: string) => config.getSecret(key) !== undefined;
  if (!env.TWILIO_ACCOUNT_SID && has('twilioAccountSid') && (has('twilioAuthToken') || (has('twilioApiKey') && has('twilioApiSecret')))) return 'stack config';
  return undefined;
}

export const CREDENTIALS_HELP =
  'set TWILIO_ACCOUNT_SID with TWILIO_API_KEY and TWILIO_API_SECRET (or TWILIO_AUTH_TOKEN) in the environment, ' +
  `or ${NS}:twilioAccountSid with ${NS}:twilioAuthToken in the stack config (\`pulumi config set --secret\`)`;

/**
 * A preview reads the live Twilio objects (what the stack adopts, Flex's
 * native transfer setting) and an update changes them: without credentials
 * neither can run, so say so before anything else, once, without a stack trace.
 */
export function requireCredentials(env: NodeJS.ProcessEnv = process.env): void {
  const config = new pulumi.Config(NS);
  if (credentialSource(env, config)) return;
  const stack = pulumi.getStack();
  const what = pulumi.runtime.isDryRun()
    ? "a preview reads the live Twilio objects (what the stack adopts, Flex's native transfer setting) to compare them with the program"
    : 'an update reads and changes the Twilio objects';
  // A headline, then the detail: Pulumi's progress line shows the first line, its Diagnostics all of it.
  throw new pulumi.RunError(
    `No Twilio credentials for stack '${stack}':\n  ${what}, so nothing was read or changed.\n  ${CREDENTIALS_HELP[0].toUpperCase()}${CREDENTIALS_HELP.slice(1)}, then run the command again.`,
  );
}

/** The `local` stack's passphrase is printed in the README: no other stack may encrypt its secrets with it. */
export const LOCAL_STACK_PASSPHRASE = 'flex-transfer-local-only';

export function refuseLocalPassphraseElsewhere(env: NodeJS.ProcessEnv = process.env): void {
  const stack = pulumi.getStack();
  if (stack !== 'local' && env.PULUMI_CONFIG_PASSPHRASE === LOCAL_STACK_PASSPHRASE) {
    throw new pulumi.RunError(
      `Stack '${stack}' is running with the local stack's throwaway passphrase (PULUMI_CONFIG_PASSPHRASE=${LOCAL_STACK_PASSPHRASE}, printed in the README), so its secrets would be readable by anyone. Unset it and give this stack's own passphrase or secrets provider.`,
    );
  }
}

/** The resource kinds `flex-transfer:protect` protects: what transfers run on and what a delete would lose. */
export const PROTECTED_KINDS = ['TaskQueue', 'Workflow', 'Service'] as const;

/** `flex-transfer:protect` (default false): true marks the stack's queues, workflows and Serverless service `protect`ed. */
export function protectSetting(config: pulumi.Config = new pulumi.Config(NS)): boolean {
  const raw = config.get('protect');
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new pulumi.RunError(`Invalid stack configuration:\n  - ${NS}:protect must be true or false, got ${JSON.stringify(raw)}`);
}

const TYPE_OF_KIND = new Set(PROTECTED_KINDS.map(resourceType));

/**
 * With protection on, the engine refuses any operation that would delete (or
 * replace) those resources, including an accidental plain `pulumi up` or
 * `pulumi destroy`. Applied as a stack transformation, so the components stay
 * as they are. (The in-process kind: it costs no engine round trip per
 * resource and also runs under Pulumi's mocks, which have no transforms.)
 */
export function applyProtection(enabled: boolean): void {
  if (!enabled) return;
  pulumi.runtime.registerStackTransformation((args) => (TYPE_OF_KIND.has(args.type) ? { props: args.props, opts: { ...args.opts, protect: true } } : undefined));
}
