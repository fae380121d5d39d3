/**
 * The process that serves one build: Twilio's own runtime,
 * `@twilio/runtime-handler`'s LocalDevelopmentServer (its public `./dev`
 * entry point, the server `twilio-run start` uses), in fork mode, over the
 * build's laid-out project, listening on a loopback port the emulator's
 * gateway forwards requests to. Each build runs in its own host so its globals
 * (`Twilio`, `Runtime`), routes, module cache, node_modules and environment
 * are its own.
 *
 * The one substitution: the route handler's per-request fork of the runtime's
 * functionRunner is served from a pool of warm runner processes
 * (runner-pool.ts). Started by build-hosts.ts with an IPC channel; exits when
 * the channel closes.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FromHost, HostStart, ToHost } from './host-protocol';
import { RunnerPool } from './runner-pool';

// Required, not imported: the fork patch must change the module object the runtime reads.
const childProcess = require('node:child_process') as typeof import('node:child_process');

const RUNTIME_DIR = path.dirname(require.resolve('@twilio/runtime-handler/dev'));
/** What the runtime's route handler forks (it passes the path without extension). */
const FUNCTION_RUNNER = path.join(RUNTIME_DIR, 'internal', 'functionRunner');

/** The part of the runtime's LocalDevelopmentServer used here (its package declares `exports`, which this tsconfig's resolution does not read). */
type DevServerClass = new (port: number, config: Record<string, unknown>) => { getApp(): http.RequestListener };

let pool: RunnerPool | undefined;

function report(message: FromHost): void {
  process.send?.(message);
}

/** The runtime's own log lines (e.g. an invalid ACCOUNT_SID): the runner reports them per invocation already. */
const quietLogger = { debug() {}, info() {}, warn() {}, error() {}, log() {} };

function start(config: HostStart): void {
  const runners = new RunnerPool({
    runnerPath: `${FUNCTION_RUNNER}.js`,
    preloadPath: path.join(__dirname, 'runner-preload.js'),
    buildDir: config.baseDir,
    env: config.env,
    warm: config.warmRunners,
    maxBusy: config.maxRunning,
    timeoutMs: config.timeoutMs,
    onLog: (requestSid, level, message) => report({ type: 'log', requestSid, level, message }),
    onTimeout: (requestSid) => report({ type: 'timeout', requestSid }),
  });
  pool = runners;
  const realFork = childProcess.fork;
  childProcess.fork = ((modulePath: string | URL, ...rest: unknown[]) =>
    path.resolve(String(modulePath)).replace(/\.js$/, '') === FUNCTION_RUNNER ? runners.lease() : (realFork as (...a: unknown[]) => unknown)(modulePath, ...rest)) as typeof childProcess.fork;

  const { LocalDevelopmentServer } = require('@twilio/runtime-handler/dev') as { LocalDevelopmentServer: DevServerClass };
  const server = new LocalDevelopmentServer(0, {
    baseDir: config.baseDir,
    env: config.env,
    port: 0,
    url: config.url,
    routes: config.routes,
    forkProcess: true,
    logs: false,
    live: false,
    legacyMode: false,
    detailedLogs: false,
    enableDebugLogs: false,
    appName: 'twilio-emulator-build-host',
    logger: quietLogger,
  });
  const listener = http.createServer(server.getApp());
  listener.keepAliveTimeout = 60_000;
  listener.listen(0, '127.0.0.1', () => {
    runners.prewarm();
    report({ type: 'ready', port: (listener.address() as AddressInfo).port });
  });
  listener.on('error', (err) => report({ type: 'failed', message: err.message }));
}

process.on('message', (message: ToHost) => {
  try {
    if (message.type === 'start') start(message);
    else if (message.type === 'abort') pool?.abort(message.requestSid);
  } catch (err) {
    report({ type: 'failed', message: (err as Error).stack ?? String(err) });
  }
});

process.on('disconnect', () => {
  pool?.stop();
  process.exit(0);
});
