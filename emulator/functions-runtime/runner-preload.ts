/**
 * Loaded (`node --require`) into every function process before
 * @twilio/runtime-handler's functionRunner, which then runs unchanged. It adds
 * what Twilio's platform does around the runtime:
 *
 *  - Invocation tags. The process serves one invocation after another (a warm
 *    container, see runner-pool.ts), so every IPC message it sends is tagged
 *    with the invocation it belongs to: each invocation message is handled
 *    inside its own async context, and a late `callback` or `console.log` of
 *    an earlier invocation is recognized as such by the host instead of being
 *    taken for the current one's.
 *  - Console capture: `console.*` output becomes IPC messages the host turns
 *    into Serverless Logs of that invocation (info/warn/error), shaped as the
 *    runtime's own debug messages so its route handler ignores them.
 *  - Warm-up: the build's `twilio` package is loaded before the first
 *    invocation (what a warm container has already done), and the process
 *    says when it is ready, so a cold start does not count against the
 *    execution limit.
 *
 * argv[2] is the build's directory.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as path from 'node:path';
import { format } from 'node:util';
import { CONSOLE_TAG, INVOCATION_TAG, READY_TAG, type LogLevel } from './host-protocol';

const invocation = new AsyncLocalStorage<string>();

type Listener = (...args: unknown[]) => void;

const originalOn = process.on.bind(process) as (event: string, listener: Listener) => NodeJS.Process;
process.on = ((event: string, listener: Listener) => {
  if (event !== 'message') return originalOn(event, listener);
  return originalOn(event, (message: unknown, ...rest: unknown[]) => {
    const tag = message && typeof message === 'object' ? (message as Record<string, unknown>)[INVOCATION_TAG] : undefined;
    invocation.run(typeof tag === 'string' ? tag : '', () => listener(message, ...rest));
  });
}) as typeof process.on;

const originalSend = process.send?.bind(process);
if (originalSend) {
  process.send = ((message: unknown, ...rest: unknown[]) => {
    if (!message || typeof message !== 'object' || Array.isArray(message)) return (originalSend as (...a: unknown[]) => boolean)(message, ...rest);
    const m = message as Record<string, unknown>;
    // The runner's own debug lines (the context, the event, timings) are only printed by the host
    // with DEBUG set, which a build host never has: not sent, as they would cost an IPC message each.
    if (typeof m.debugMessage === 'string' && m[CONSOLE_TAG] === undefined && m[READY_TAG] === undefined) return true;
    return (originalSend as (...a: unknown[]) => boolean)({ ...m, [INVOCATION_TAG]: invocation.getStore() }, ...rest);
  }) as typeof process.send;
}

function capture(level: LogLevel) {
  return (...args: unknown[]): void => {
    process.send?.({ debugMessage: 'function console output', debugArgs: [], [CONSOLE_TAG]: { level, message: format(...args) } });
  };
}
console.log = capture('info');
console.info = capture('info');
console.debug = capture('info');
console.warn = capture('warn');
console.error = capture('error');

// A function process without its build host has nobody to answer (and the runtime's
// error handler would keep failing to send on the closed channel).
process.on('disconnect', () => process.exit(0));

const buildDir = process.argv[2];
if (buildDir) {
  try {
    require(path.join(buildDir, 'node_modules', 'twilio'));
  } catch {
    // The invocation that needs it reports the error.
  }
}
// After the runner's own module has run (it follows this preload synchronously) and listens.
setImmediate(() => process.send?.({ debugMessage: 'function process ready', debugArgs: [], [READY_TAG]: true }));
