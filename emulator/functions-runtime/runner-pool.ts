/**
 * Warm function processes for @twilio/runtime-handler's fork mode.
 *
 * In fork mode the runtime's route handler forks its `functionRunner` for
 * each request, sends it `{functionPath, event, config, path}`, answers the
 * HTTP request from the reply (`Twilio.Response#serialize()`, as Twilio's
 * platform does) and kills the process. A fresh Node process per request costs
 * about half a second, and Twilio does not work that way either: it keeps warm
 * containers that serve one invocation at a time and keep their module state.
 *
 * So the build host hands the route handler a *lease* instead of a new
 * process: an object with the three members the handler uses (`on`, `send`,
 * `kill`) over a warm functionRunner process of the pool, and `kill()` returns
 * the process to the pool. The runner code and the route handler run
 * unchanged. A process that reported an error, crashed, or ran past the
 * emulator's time limit is not reused.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { CONSOLE_TAG, INVOCATION_TAG, REQUEST_SID_HEADER, type LogLevel } from './host-protocol';

export interface RunnerPoolOptions {
  /** The runtime's functionRunner module. */
  runnerPath: string;
  /** runner-preload.js */
  preloadPath: string;
  buildDir: string;
  /** The functions' process environment. */
  env: Record<string, string>;
  /** Idle processes kept warm. */
  warm: number;
  onLog(requestSid: string | undefined, level: LogLevel, message: string): void;
}

type Message = Record<string, unknown>;

/** The real fork, taken before the build host replaces `child_process.fork` for the runtime. */
const realFork = (require('node:child_process') as typeof import('node:child_process')).fork;

interface Runner {
  child: ChildProcess;
  /** The lease it serves, if any. */
  lease?: Lease;
  /** Request SID of the last invocation (for output arriving after its answer). */
  lastRequestSid?: string;
  retired: boolean;
}

let invocationCounter = 0;

/** What the runtime's route handler takes for a forked child process. */
export class Lease extends EventEmitter {
  readonly invocation = `inv-${process.pid}-${++invocationCounter}`;
  requestSid?: string;
  private released = false;

  constructor(
    private readonly runner: Runner,
    private readonly pool: RunnerPool,
  ) {
    super();
  }

  send(message: Message): boolean {
    const headers = ((message?.event as Message | undefined)?.request as Message | undefined)?.headers as Record<string, unknown> | undefined;
    const sid = headers?.[REQUEST_SID_HEADER];
    this.requestSid = typeof sid === 'string' ? sid : undefined;
    this.runner.lastRequestSid = this.requestSid;
    return this.runner.child.send({ ...message, [INVOCATION_TAG]: this.invocation });
  }

  /** The route handler is done with the process: back to the pool. */
  kill(): boolean {
    if (this.released) return true;
    this.released = true;
    this.removeAllListeners();
    this.pool.release(this.runner);
    return true;
  }

  /** The process died or was stopped while serving this lease: answer with an error. */
  fail(message: string): void {
    if (this.released) return;
    // The shape serialize-error gives, which the route handler deserializes.
    this.emit('message', { err: { name: 'Error', message, stack: `Error: ${message}` } });
  }
}

export class RunnerPool {
  private readonly idle: Runner[] = [];
  private readonly busy = new Set<Runner>();
  private stopped = false;

  constructor(private readonly opts: RunnerPoolOptions) {}

  /** Starts processes until `warm` are idle. */
  prewarm(): void {
    while (!this.stopped && this.idle.length < this.opts.warm) this.idle.push(this.spawn());
  }

  private spawn(): Runner {
    const child = realFork(this.opts.runnerPath, [this.opts.buildDir], {
      env: this.opts.env,
      execArgv: ['--require', this.opts.preloadPath],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const runner: Runner = { child, retired: false };
    child.on('message', (m: unknown) => this.onMessage(runner, m as Message));
    child.on('exit', (code, signal) => {
      runner.retired = true;
      const at = this.idle.indexOf(runner);
      if (at >= 0) this.idle.splice(at, 1);
      this.busy.delete(runner);
      runner.lease?.fail(signal ? `the function's process was stopped (${signal})` : `the function's process exited (code ${code})`);
    });
    child.on('error', () => {
      // 'exit' follows; nothing else to do.
    });
    return runner;
  }

  private onMessage(runner: Runner, message: Message): void {
    const lease = runner.lease;
    const tag = message[INVOCATION_TAG];
    const current = lease !== undefined && (tag === undefined || tag === lease.invocation);
    const output = message[CONSOLE_TAG] as { level: LogLevel; message: string } | undefined;
    if (output) {
      this.opts.onLog(current ? lease.requestSid : runner.lastRequestSid, output.level, output.message);
      return;
    }
    const forked = message.crossForkLogMessage as { level?: string; args?: unknown[] } | undefined;
    if (forked) {
      const level: LogLevel = forked.level === 'error' ? 'error' : forked.level === 'warn' ? 'warn' : 'info';
      this.opts.onLog(current ? lease.requestSid : runner.lastRequestSid, level, (forked.args ?? []).map(String).join(' '));
      return;
    }
    // An error leaves the process in an unknown state (it may be an uncaught exception).
    if (message.err !== undefined) runner.retired = true;
    // Answers of an earlier invocation (a second callback) go nowhere, as on Twilio.
    if (current) lease.emit('message', message);
  }

  /** What `child_process.fork(functionRunner)` returns in the build host. */
  lease(): Lease {
    const runner = this.idle.pop() ?? this.spawn();
    const lease = new Lease(runner, this);
    runner.lease = lease;
    this.busy.add(runner);
    setImmediate(() => this.prewarm());
    return lease;
  }

  release(runner: Runner): void {
    runner.lease = undefined;
    this.busy.delete(runner);
    if (runner.retired || this.stopped || this.idle.length >= this.opts.warm * 2) {
      runner.retired = true;
      runner.child.kill('SIGKILL');
      return;
    }
    this.idle.push(runner);
  }

  /** Stops the process serving this request (the emulator answered 504 for it). */
  abort(requestSid: string): void {
    for (const runner of this.busy) {
      if (runner.lease?.requestSid !== requestSid) continue;
      runner.retired = true;
      runner.child.kill('SIGKILL');
    }
  }

  stop(): void {
    this.stopped = true;
    for (const r of [...this.idle, ...this.busy]) r.child.kill('SIGKILL');
    this.idle.length = 0;
  }
}
