/**
 * The Serverless Toolkit's local runtime, `twilio-run start` (a pinned
 * devDependency), as a second Functions runtime for the tests: it serves a
 * project laid out the way a deployment uploads it (project-layout.ts: the
 * same files, visibility suffixes and dependencies), with the functions'
 * Twilio clients bound to the emulator, and the emulator's webhooks for the
 * functions' domains routed to it.
 *
 * twilio-run runs in its default mode (each request in a forked process)
 * unless told otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { layOutProject, type Emulator, type ProjectFile } from '../emulator';
import { readFunctionSources } from '../infra/function-sources';
import { REPO_ROOT } from '../tools/pulumi-cli';
import { COMPILED_FUNCTIONS, type TransferStack } from './deploy';

export interface TwilioRunServer {
  /** `http://127.0.0.1:PORT` */
  baseUrl: string;
  /** What twilio-run makes `context.DOMAIN_NAME`: `localhost:PORT`. */
  localDomain: string;
  dir: string;
  /** twilio-run's output so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface TwilioRunProject {
  functions: ProjectFile[];
  assets?: ProjectFile[];
  dependencies: Record<string, string>;
  /** The functions' environment (`.env`): variables plus ACCOUNT_SID / AUTH_TOKEN. */
  env: Record<string, string>;
  /** The emulator the functions' Twilio clients talk to. */
  apiBaseUrl: string;
  /**
   * twilio-run's `--fork-process` (its default, true): each request in a
   * fresh process, the response serialized by `Twilio.Response#serialize()`
   * as on Twilio. `false`: all requests in twilio-run's own process.
   */
  forkProcess?: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function dotenvLine(key: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`twilio-run .env: ${key} holds a line break, which dotenv cannot carry`);
  return `${key}="${value.replace(/"/g, '\\"')}"`;
}

async function waitUntilServing(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`twilio-run exited (${child.exitCode ?? child.signalCode}): ${output()}`);
    try {
      await fetch(`${baseUrl}/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`twilio-run did not start within 60 s: ${output()}`);
}

/** Starts `twilio-run start` on a free port over a laid-out project. */
export async function startTwilioRun(project: TwilioRunProject): Promise<TwilioRunServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twilio-run-project-'));
  layOutProject(dir, { functions: project.functions, assets: project.assets ?? [], dependencies: project.dependencies, twilioApiBaseUrl: project.apiBaseUrl });
  // twilio-run loads the runtime from the project, as it does for a real project.
  require.resolve('@twilio/runtime-handler/dev', { paths: [path.join(dir, 'node_modules')] });
  fs.writeFileSync(
    path.join(dir, '.env'),
    `${Object.entries(project.env)
      .map(([k, v]) => dotenvLine(k, v))
      .join('\n')}\n`,
  );
  const port = await freePort();
  const bin = path.join(REPO_ROOT, 'node_modules', 'twilio-run', 'bin', 'twilio-run.js');
  let log = '';
  const args = [bin, 'start', '--cwd', dir, '--port', String(port), '--env', '.env', '--no-logs', ...(project.forkProcess === false ? ['--no-fork-process'] : [])];
  const child = spawn(process.execPath, args, {
    // Nothing of this process's environment: twilio-run hands its functions only the .env.
    env: { HOME: dir, CI: 'true', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(baseUrl, child, () => log);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    baseUrl,
    localDomain: `localhost:${port}`,
    dir,
    output: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The deployed transfer stack, also served by twilio-run: the files as
 * `readFunctionSources()` uploads them (dist/functions), the dependencies of
 * the deployed build, the deployed environment variables, the emulator's
 * account. The emulator's webhooks for the stack's domain (TaskRouter
 * callbacks) and for twilio-run's own `DOMAIN_NAME` (URLs the functions
 * build, e.g. join-conference) are routed to it until `stop()`.
 */
export async function serveStackOnTwilioRun(emu: Emulator, stack: TransferStack): Promise<{ server: TwilioRunServer; stack: TransferStack }> {
  const service = stack.client.serverless.v1.services(stack.serviceSid);
  const environment = await service.environments(stack.environmentSid).fetch();
  if (!environment.buildSid) throw new Error(`environment ${stack.environmentSid} has no deployed build`);
  const build = await service.builds(environment.buildSid).fetch();
  const dependencies = Object.fromEntries((build.dependencies as Array<{ name: string; version: string }>).map((d) => [d.name, d.version]));
  const functions = readFunctionSources(COMPILED_FUNCTIONS).map((f) => ({ path: f.path, visibility: f.visibility, content: f.content ?? '' }));
  const server = await startTwilioRun({
    functions,
    dependencies,
    env: { ...stack.env, ACCOUNT_SID: stack.accountSid, AUTH_TOKEN: emu.credentials.authToken },
    apiBaseUrl: emu.baseUrl,
    // In-process: a transfer makes TaskRouter call the functions about ten
    // times at once, and a fresh process per call (about half a second of CPU
    // each) pushes the assignment callback past TaskRouter's 5 s on a busy
    // machine. Fork mode (and its response serialization) is compared with
    // the emulator's runtime in test/emulator/functions-runtime-parity.test.ts.
    forkProcess: false,
  });
  emu.routeWebhooks(stack.domain, server.baseUrl);
  emu.routeWebhooks(server.localDomain, server.baseUrl);
  const stop = server.stop;
  server.stop = async () => {
    emu.routeWebhooks(stack.domain, undefined);
    emu.routeWebhooks(server.localDomain, undefined);
    await stop();
  };
  return { server, stack: { ...stack, baseUrl: server.baseUrl } };
}

/** The Functions runtimes the end-to-end scenarios run on. */
export const RUNTIMES = ['emulator', 'twilio-run'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/**
 * For the tests of the enclosing describe block: the deployed stack served
 * by `runtime` (`use` receives the stack whose `baseUrl` to call), and the
 * emulator's own again afterwards. Since the block started:
 * `emulatorInvocations()` lists the functions the emulator's runtime executed
 * (none, when twilio-run serves them), `webhooks()` the emulator's outbound
 * calls.
 */
export function serveOn(
  runtime: RuntimeName,
  deployed: () => { emu: Emulator; stack: TransferStack },
  use: (stack: TransferStack) => void,
): { emulatorInvocations(): string[]; webhooks(): ReturnType<Emulator['webhooks']> } {
  let server: TwilioRunServer | undefined;
  let since = 0;
  let lastWebhook: ReturnType<Emulator['webhooks']>[number] | undefined;
  beforeAll(async () => {
    const { emu, stack } = deployed();
    // Nothing of the previous block still in flight.
    await emu.whenIdle();
    since = emu.log.list().reduce((max, e) => Math.max(max, e.seq), 0);
    lastWebhook = emu.webhooks().at(-1);
    if (runtime === 'emulator') {
      use(stack);
      return;
    }
    const served = await serveStackOnTwilioRun(emu, stack);
    server = served.server;
    use(served.stack);
  });
  afterAll(async () => {
    await deployed().emu.whenIdle();
    await server?.stop();
    use(deployed().stack);
  });
  return {
    emulatorInvocations: () =>
      deployed()
        .emu.log.list({ operation: 'runtime.Invoke' })
        .filter((e) => e.seq > since)
        .map((e) => `${e.method} ${e.path}`),
    webhooks: () => {
      const all = deployed().emu.webhooks();
      return all.slice(lastWebhook ? all.indexOf(lastWebhook) + 1 : 0);
    },
  };
}
