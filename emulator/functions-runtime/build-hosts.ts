/**
 * The emulator's side of the build hosts (build-host.ts): one Node process per
 * deployed build content, started on first use, reused while that content is
 * deployed (hosts are keyed by content, not SID, so restoring a snapshot does
 * not restart them), the least recently used stopped beyond `maxHosts`, all
 * stopped with the emulator. A host's environment is exactly the functions'
 * environment: nothing of the emulator's own process environment reaches it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { compiledModule } from './compiled';
import type { FromHost, HostStart, LogLevel, ToHost } from './host-protocol';

export interface BuildHostsOptions {
  maxHosts: number;
  onLog(requestSid: string | undefined, level: LogLevel, message: string): void;
  /** The host stopped an invocation that ran past the limit. */
  onTimeout(requestSid: string): void;
  debug(message: string): void;
}

export class BuildHost {
  /** Resolves with the loopback port the runtime listens on. */
  readonly ready: Promise<number>;
  lastUsed = Date.now();
  inFlight = 0;
  private readonly child: ChildProcess;
  private exited = false;
  private stderrTail = '';

  constructor(
    readonly key: string,
    start: HostStart,
    opts: BuildHostsOptions,
  ) {
    this.child = fork(compiledModule('build-host'), [], { env: start.env, execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
      opts.debug(`build host ${key.slice(0, 12)}: ${chunk.toString('utf8').trimEnd()}`);
    });
    this.ready = new Promise<number>((resolve, reject) => {
      this.child.on('message', (m: FromHost) => {
        if (m.type === 'ready') resolve(m.port);
        else if (m.type === 'failed') reject(new Error(`the build's runtime did not start: ${m.message}`));
        else if (m.type === 'log') opts.onLog(m.requestSid, m.level, m.message);
        else if (m.type === 'timeout' && m.requestSid) opts.onTimeout(m.requestSid);
      });
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        reject(new Error(`the build's runtime exited (${signal ?? `code ${code}`})${this.stderrTail ? `: ${this.stderrTail.trim().split('\n').slice(-5).join(' | ')}` : ''}`));
      });
      this.child.on('error', (err) => reject(err));
    });
    this.ready.catch(() => undefined); // observed by whoever awaits it
    // A forgotten emulator must not keep its process alive; hosts exit when the channel closes.
    this.child.unref();
    this.child.channel?.unref();
    (this.child.stderr as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.unref?.();
    this.send(start);
  }

  get alive(): boolean {
    return !this.exited;
  }

  private send(message: ToHost): void {
    if (!this.exited && this.child.connected) this.child.send(message);
  }

  /** Stops the function process serving this request. */
  abort(requestSid: string): void {
    this.send({ type: 'abort', requestSid });
  }

  stop(): void {
    this.exited = true;
    this.child.kill('SIGKILL');
  }
}

export class BuildHosts {
  private readonly hosts = new Map<string, BuildHost>();

  constructor(private readonly opts: BuildHostsOptions) {}

  /** The host for `key`, started from `prepare()` when there is none (or it died). */
  get(key: string, prepare: () => HostStart): BuildHost {
    const existing = this.hosts.get(key);
    if (existing?.alive) {
      existing.lastUsed = Date.now();
      return existing;
    }
    const host = new BuildHost(key, prepare(), this.opts);
    this.hosts.set(key, host);
    this.evict();
    return host;
  }

  private evict(): void {
    const idle = [...this.hosts.values()].filter((h) => h.inFlight === 0).sort((a, b) => a.lastUsed - b.lastUsed);
    while (this.hosts.size > this.opts.maxHosts && idle.length > 0) {
      const oldest = idle.shift()!;
      oldest.stop();
      this.hosts.delete(oldest.key);
    }
  }

  stopAll(): void {
    for (const host of this.hosts.values()) host.stop();
    this.hosts.clear();
  }
}
