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
 * unchanged. At most `maxBusy` processes run at once (the machine running the
 * emulator is not Twilio's fleet); further invocations wait for one, and the
 * execution limit counts from when an invocation starts running. A process
 * that reported an error, crashed, or ran past the limit is not reused.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { CONSOLE_TAG, INVOCATION_TAG, READY_TAG, REQUEST_SID_HEADER, type LogLevel } from './host-protocol';

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
  /** Invocations running at once; more wait. */
  maxBusy: number;
  /** Execution limit of one invocation (ms). */
  timeoutMs: number;
  onLog(requestSid: string | undefined, level: LogLevel, message: string): void;
  /** An invocation ran past the limit; its process is being stopped. */
  onTimeout(requestSid: string | undefined): void;
}

type Message = Record<string, unknown>;

/** The real fork, taken before the build host replaces `child_process.fork` for the runtime. */
const realFork = (require('node:child_process') as typeof import('node:child_process')).fork;

interface Runner {
  child: ChildProcess;
  /** The lease it serves, if any. */
  lease?: Lease;
  /** Its modules are loaded and it listens (runner-preload.ts says so). */
  ready: boolean;
  retired: boolean;
}

/** Request SIDs of recent invocations, for output that arrives after their answer. */
const MAX_REMEMBERED_INVOCATIONS = 500;

let invocationCounter = 0;

/** What the runtime's route handler takes for a forked child process. */
export class Lease extends EventEmitter {
  readonly invocation = `inv-${process.pid}-${++invocationCounter}`;
  requestSid?: string;
  runner?: Runner;
  released = false;
  private pending?: Message;
  private deadline?: NodeJS.Timeout;

  constructor(private readonly pool: RunnerPool) {
    super();
  }

  send(message: Message): boolean {
    const headers = ((message?.event as Message | undefined)?.request as Message | undefined)?.headers as Record<string, unknown> | undefined;
    const sid = headers?.[REQUEST_SID_HEADER];
    this.requestSid = typeof sid === 'string' ? sid : undefined;
    this.pending = { ...message, [INVOCATION_TAG]: this.invocation };
    this.dispatch();
    return true;
  }

  /** Starts the invocation once it has its message and a ready process; the limit counts from here. */
  dispatch(): void {
    if (!this.runner?.ready || !this.pending || this.released) return;
    const message = this.pending;
    this.pending = undefined;
    this.pool.remember(this.invocation, this.requestSid);
    this.deadline = setTimeout(() => this.pool.timeOut(this), this.pool.timeoutMs);
    this.runner.child.send(message);
  }

  /** The route handler is done with the process: back to the pool. */
  kill(): boolean {
    if (this.released) return true;
    this.released = true;
    clearTimeout(this.deadline);
    this.removeAllListeners();
    this.pool.release(this);
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
  private readonly waiting: Lease[] = [];
  private readonly requestSids = new Map<string, string | undefined>();
  private stopped = false;

  constructor(private readonly opts: RunnerPoolOptions) {}

  get timeoutMs(): number {
    return this.opts.timeoutMs;
  }

  remember(invocation: string, requestSid: string | undefined): void {
    this.requestSids.set(invocation, requestSid);
    if (this.requestSids.size > MAX_REMEMBERED_INVOCATIONS) this.requestSids.delete(this.requestSids.keys().next().value as string);
  }

  /** Starts processes until `warm` are idle. */
  prewarm(): void {
    while (!this.stopped && this.idle.length < this.opts.warm && this.idle.length + this.busy.size < this.opts.maxBusy + this.opts.warm) this.idle.push(this.spawn());
  }

  private spawn(): Runner {
    const child = realFork(this.opts.runnerPath, [this.opts.buildDir], {
      env: this.opts.env,
      execArgv: ['--require', this.opts.preloadPath],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const runner: Runner = { child, ready: false, retired: false };
    child.on('message', (m: unknown) => this.onMessage(runner, m as Message));
    child.on('exit', (code, signal) => {
      runner.retired = true;
      const at = this.idle.indexOf(runner);
      if (at >= 0) this.idle.splice(at, 1);
      runner.lease?.fail(signal ? `the function's process was stopped (${signal})` : `the function's process exited (code ${code})`);
    });
    child.on('error', () => {
      // 'exit' follows; nothing else to do.
    });
    return runner;
  }

  private onMessage(runner: Runner, message: Message): void {
    if (message[READY_TAG]) {
      runner.ready = true;
      runner.lease?.dispatch();
      return;
    }
    const lease = runner.lease;
    const tag = message[INVOCATION_TAG];
    const current = lease !== undefined && (tag === undefined || tag === lease.invocation);
    const requestSid = typeof tag === 'string' ? this.requestSids.get(tag) : lease?.requestSid;
    const output = message[CONSOLE_TAG] as { level: LogLevel; message: string } | undefined;
    if (output) {
      this.opts.onLog(requestSid, output.level, output.message);
      return;
    }
    const forked = message.crossForkLogMessage as { level?: string; args?: unknown[] } | undefined;
    if (forked) {
      const level: LogLevel = forked.level === 'error' ? 'error' : forked.level === 'warn' ? 'warn' : 'info';
      this.opts.onLog(requestSid, level, (forked.args ?? []).map(String).join(' '));
      return;
    }
    // An error leaves the process in an unknown state (it may be an uncaught exception).
    if (message.err !== undefined) runner.retired = true;
    // Answers of an earlier invocation (a second callback) go nowhere, as on Twilio.
    if (current) lease.emit('message', message);
  }

  /** What `child_process.fork(functionRunner)` returns in the build host. */
  lease(): Lease {
    const lease = new Lease(this);
    this.waiting.push(lease);
    this.assign();
    return lease;
  }

  /** Gives waiting leases processes, as far as `maxBusy` allows. */
  private assign(): void {
    while (!this.stopped && this.waiting.length > 0 && this.busy.size < this.opts.maxBusy) {
      const lease = this.waiting.shift()!;
      if (lease.released) continue;
      const runner = this.idle.pop() ?? this.spawn();
      runner.lease = lease;
      lease.runner = runner;
      this.busy.add(runner);
      lease.dispatch();
    }
    setImmediate(() => this.prewarm());
  }

  release(lease: Lease): void {
    const runner = lease.runner;
    const queued = this.waiting.indexOf(lease);
    if (queued >= 0) this.waiting.splice(queued, 1);
    if (runner) {
      runner.lease = undefined;
      this.busy.delete(runner);
      if (runner.retired || this.stopped || this.idle.length >= this.opts.warm * 2) {
        runner.retired = true;
        runner.child.kill('SIGKILL');
      } else {
        this.idle.push(runner);
      }
    }
    this.assign();
  }

  /**
   * An invocation ran past the limit: reported (the emulator answers 504),
   * its process stopped, and the lease taken back from the route handler,
   * which then never answers for it.
   */
  timeOut(lease: Lease): void {
    this.opts.onTimeout(lease.requestSid);
    if (lease.runner) lease.runner.retired = true;
    lease.kill();
  }

  /** Stops the process serving this request, or drops it from the queue (its client is gone). */
  abort(requestSid: string): void {
    for (const lease of this.waiting) if (lease.requestSid === requestSid) lease.fail('the request was abandoned');
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
