// Runs a project's program offline, under Pulumi's mocks, loaded the way
// `pulumi up` loads it: by the stock Node runner (@pulumi/pulumi's cmd/run,
// the code the language host starts), given Pulumi.yaml's `main`. So what it
// sees is what a real run would declare: if the runner would not call the
// program (an `export default` it does not unwrap), nothing is registered
// here either.
//
// Each call runs in a child process (the runner changes the process: its
// directory, argv, exit handlers):
//   node dist/tools/program-under-mocks.js < {"main", "project", "stack", "config", "state"?, "preview"?}
// prints {"resources": [{type, name, inputs}], "outputs": {...}} on stdout.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as crypto from 'node:crypto';
import Module from 'node:module';
import * as path from 'node:path';

export interface MockRunInput {
  /** The program as Pulumi.yaml's `main` names it, absolute. */
  main: string;
  project: string;
  stack: string;
  /** Full config keys (`namespace:key`) → value, as the engine passes them. */
  config: Record<string, string>;
  /** Outputs of existing resources, by `<type>::<name>`: they keep their SIDs. */
  state?: Record<string, Record<string, unknown>>;
  /** Run as a preview (default true: what CI's previews do). */
  preview?: boolean;
}

export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** The id the mocks gave it (existing SID, or a placeholder). */
  id: string;
}

export interface MockRunResult {
  resources: RegisteredResource[];
  outputs: Record<string, unknown>;
}

const SID_PREFIX: Record<string, string> = {
  Workspace: 'WS',
  TaskQueue: 'WQ',
  Workflow: 'WW',
  TaskChannel: 'TC',
  Activity: 'WA',
  Service: 'ZS',
  Environment: 'ZE',
};

/** Placeholder SID of an object a change creates: recognizable, stable, well-formed. */
export function placeholderSid(prefix: string, name: string): string {
  return prefix + crypto.createHash('sha256').update(`new:${name}`).digest('hex').slice(0, 32);
}

/** Runs the program in a child process; throws with its error output when it fails. */
export function runProgramUnderMocks(input: MockRunInput, env: NodeJS.ProcessEnv = process.env): MockRunResult {
  // Mocks never reach Twilio: placeholders satisfy the program's credential check.
  if (!env.TWILIO_ACCOUNT_SID) env = { ...env, TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'mocks-reach-no-twilio', TWILIO_API_KEY: undefined, TWILIO_API_SECRET: undefined };
  // The compiled module (tests load this one from source).
  const script = __filename.endsWith('.ts') ? path.join(__dirname, '..', 'dist', 'tools', 'program-under-mocks.js') : __filename;
  const child = spawnSync(process.execPath, [script], { input: JSON.stringify(input), encoding: 'utf8', env, timeout: 60_000 });
  const out = child.stdout ?? '';
  const marker = out.lastIndexOf('\n{"resources"');
  const json = out.startsWith('{"resources"') ? out : marker >= 0 ? out.slice(marker + 1) : '';
  if (!json) {
    const stderr = (child.stderr ?? '').trim();
    throw new Error(`running the program under mocks failed: ${stderr.split('\n').slice(0, 6).join(' ') || `exit ${child.status}`}`);
  }
  return JSON.parse(json) as MockRunResult;
}

/** The child's side: set up the mocks, then hand the program to the stock runner. */
async function childMain(): Promise<void> {
  const input = JSON.parse(fs.readFileSync(0, 'utf8')) as MockRunInput;
  const pulumi = await import('@pulumi/pulumi');
  const resources: RegisteredResource[] = [];
  pulumi.runtime.setAllConfig(input.config);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const kind = args.type.slice(args.type.lastIndexOf(':') + 1);
        const known = input.state?.[`${args.type}::${args.name}`] ?? {};
        const inputs = args.inputs as Record<string, unknown>;
        const sid = (known.sid as string | undefined) ?? (inputs.adoptSid as string | undefined) ?? (SID_PREFIX[kind] ? placeholderSid(SID_PREFIX[kind], args.name) : undefined);
        const domainName = known.domainName ?? (kind === 'Environment' ? `${String(inputs.uniqueName ?? 'env')}.example.invalid` : undefined);
        const id = sid ?? `${args.name}-id`;
        resources.push({ type: args.type, name: args.name, inputs, id });
        return { id, state: { ...inputs, ...(sid ? { sid } : {}), ...(domainName ? { domainName } : {}) } };
      },
      call: (args) => args.inputs,
    },
    input.project,
    input.stack,
    input.preview ?? true,
  );
  // @pulumi/pulumi/cmd/run/run.js holds run(), what the language host's Node
  // process calls to load and call the program. Its index.js (which run.js
  // imports for one constant) parses the process's argv for the engine's
  // address at load: give run.js that constant without it.
  const index = require.resolve('@pulumi/pulumi/cmd/run/index.js');
  const stub = new Module(index);
  stub.filename = index;
  stub.loaded = true;
  stub.exports = { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 };
  require.cache[index] = stub;
  const runner = require('@pulumi/pulumi/cmd/run/run') as {
    run(argv: { _: string[] }, programStarted: () => void, reportLoggedError: (err: Error) => void, isErrorReported: (err: Error) => boolean): Promise<Record<string, unknown>>;
  };
  const reported = new Set<Error>();
  const outputs = await runner.run(
    { _: [input.main] },
    () => undefined,
    (err) => reported.add(err),
    (err) => reported.has(err),
  );
  if (reported.size > 0) throw [...reported][0];
  // Let every output (and so every resource it depends on) resolve.
  const resolved = await new Promise<Record<string, unknown>>((resolve) => pulumi.output(outputs).apply((v) => resolve(v as Record<string, unknown>)));
  // process.exit() would cut off what a pipe has not taken yet: wait until it is written.
  await new Promise<void>((resolve) => process.stdout.write(`\n${JSON.stringify({ resources, outputs: resolved })}`, () => resolve()));
}

if (require.main === module) {
  // The runtime reports promises still pending at exit (outputs nothing awaits
  // under mocks) with a non-zero status: the parent judges by what was printed.
  childMain().then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
