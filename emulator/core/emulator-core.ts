/**
 * The composition root: state, clock, SIDs, accounts, webhooks, router, log,
 * faults, latency, spec checker and the service modules, plus the hooks tests use
 * (reset, snapshot/restore, persistence). HTTP lives in server.ts.
 */
import { Accounts } from './accounts';
import { EmulatorClock } from './clock';
import { Faults } from './faults';
import { Latency } from './latency';
import { loadStateFile, saveStateFile } from './persistence';
import { RequestLog } from './request-log';
import { Router } from './router';
import { Sids } from './sids';
import { SpecChecker } from './spec/checker';
import { assertStateShape, cloneState, emptyState, type EmulatorState } from './state';
import type { EmulatorOptions, RawMount, ResolvedOptions, SeedKind, ServiceEnv, ServiceModule } from './types';
import { Webhooks } from './webhooks';

/** Fixed, documented default credentials of the emulator's first account. */
export const DEFAULT_ACCOUNT_SID = 'AC10ca1e00000000000000000000000001';
export const DEFAULT_AUTH_TOKEN = 'local-emulator-throwaway-token-1';

export function resolveOptions(opts: EmulatorOptions): ResolvedOptions {
  if (opts.host !== undefined && opts.host !== '127.0.0.1') throw new Error('the emulator listens on 127.0.0.1 only');
  return {
    port: opts.port ?? 0,
    host: '127.0.0.1',
    stateFile: opts.stateFile,
    seed: opts.seed ?? 'none',
    accountSid: opts.accountSid ?? DEFAULT_ACCOUNT_SID,
    authToken: opts.authToken ?? DEFAULT_AUTH_TOKEN,
    specCheck: opts.specCheck ?? false,
    deterministicSids: opts.deterministicSids ?? false,
    clock: opts.clock ?? 'real',
    startTime: opts.startTime,
    faultSeed: opts.faultSeed ?? 1,
    functionTimeoutMs: opts.functionTimeoutMs ?? 10_000,
    buildDurationMs: opts.buildDurationMs ?? 1_000,
    verbose: opts.verbose ?? false,
  };
}

export class EmulatorCore {
  readonly options: ResolvedOptions;
  state: EmulatorState = emptyState();
  readonly clock: EmulatorClock;
  readonly sids: Sids;
  readonly accounts: Accounts;
  readonly webhooks: Webhooks;
  readonly log = new RequestLog();
  readonly faults: Faults;
  readonly latency: Latency;
  readonly router = new Router();
  readonly spec: SpecChecker;
  readonly mounts: Array<{ mount: RawMount; service: ServiceModule }> = [];
  private readonly apis = new Map<string, unknown>();
  private readonly envs = new Map<string, ServiceEnv>();
  private base = '';
  private saveScheduled = false;

  constructor(
    opts: EmulatorOptions,
    readonly services: ServiceModule[],
  ) {
    this.options = resolveOptions(opts);
    this.clock = new EmulatorClock(this.options.clock, this.options.startTime ?? Date.now());
    // The counter object is replaced on load, so SIDs read it through the state.
    const getState = () => this.state;
    const counter = {
      get value() {
        return getState().sidCounter.value;
      },
      set value(v: number) {
        getState().sidCounter.value = v;
      },
    };
    this.sids = new Sids(this.options.deterministicSids, counter);
    this.accounts = new Accounts(() => this.state, this.sids, this.clock);
    this.accounts.onCreated = (account, seed) => this.seedAccount(account.sid, seed);
    this.webhooks = new Webhooks(
      this.accounts,
      () => this.base,
      () => this.clock.now(),
    );
    this.faults = new Faults(this.options.faultSeed);
    this.latency = new Latency(this.clock, this.options.faultSeed);
    this.spec = new SpecChecker(this.options.specCheck);
    this.clock.onFired = () => this.markDirty();
    this.clock.onError = (err, label) => this.debug(`timer ${label ?? ''} failed: ${(err as Error)?.stack ?? String(err)}`);

    const names = new Set<string>();
    for (const service of services) {
      if (names.has(service.name)) throw new Error(`service ${service.name} listed twice`);
      names.add(service.name);
      for (const route of service.routes) {
        const compiled = this.router.add(service, route);
        this.spec.registerRoute(compiled);
      }
      for (const mount of service.mounts ?? []) this.mounts.push({ mount, service });
      for (const file of service.specFiles ?? []) this.spec.loadSpec(service.name, file);
    }
  }

  /** A service's in-process API, or undefined when that service is not loaded. */
  apiOf<T>(name: string): T | undefined {
    return this.apis.get(name) as T | undefined;
  }

  /**
   * Resolves once no service has asynchronous work in flight (webhooks,
   * TwiML fetches, callbacks) and none started again meanwhile: every API
   * with `pending()`/`whenIdle()` is drained, then checked again after a
   * short pause, because a finished webhook can cause the next one (a
   * deployed function calling back into the emulator).
   */
  async whenIdle(maxRounds = 100): Promise<void> {
    const busy = [...this.apis.values()].filter(isIdleAware);
    const idle = () => busy.every((api) => api.pending() === 0);
    for (let round = 0; round < maxRounds; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (idle()) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (idle()) return;
      }
      await Promise.all(busy.map((api) => api.whenIdle()));
    }
  }

  get baseUrl(): string {
    return this.base;
  }

  setBaseUrl(url: string): void {
    this.base = url.replace(/\/+$/, '');
  }

  debug(message: string): void {
    if (this.options.verbose) process.stderr.write(`[emulator] ${message}\n`);
  }

  /** The env handed to one service (its `state()` defaults to its own name). */
  env(serviceName: string): ServiceEnv {
    let env = this.envs.get(serviceName);
    if (env) return env;
    const services = this.services;
    env = {
      clock: this.clock,
      sids: this.sids,
      webhooks: this.webhooks,
      accounts: this.accounts,
      options: this.options,
      state: <S>(accountSid: string, name = serviceName): S => {
        const module = services.find((s) => s.name === name);
        if (!module) throw new Error(`unknown service ${name}`);
        const perService = (this.state.services[name] ??= {});
        if (!(accountSid in perService)) perService[accountSid] = module.initialState();
        return perService[accountSid] as S;
      },
      accountsWithState: (name = serviceName) => Object.keys(this.state.services[name] ?? {}),
      service: <T>(name: string): T => {
        if (!this.apis.has(name)) throw new Error(`service ${name} has no in-process API (is it listed in emulator/services/index.ts?)`);
        return this.apis.get(name) as T;
      },
      baseUrl: () => this.base,
      markDirty: () => this.markDirty(),
      debug: (m: string) => this.debug(`${serviceName}: ${m}`),
    };
    this.envs.set(serviceName, env);
    return env;
  }

  /** Load state (file or fresh), build APIs, start services. Called once by the server before listening. */
  init(): void {
    for (const s of this.services) if (s.createApi) this.apis.set(s.name, s.createApi(this.env(s.name)));
    for (const s of this.services) s.start?.(this.env(s.name));
    const loaded = this.options.stateFile ? loadStateFile(this.options.stateFile) : undefined;
    if (loaded) {
      this.state = loaded;
      if (this.options.clock === 'manual' && loaded.savedAt && loaded.savedAt > this.clock.now()) this.clock.setTime(loaded.savedAt);
      this.ensureDefaultAccount();
      this.afterLoad();
    } else {
      this.ensureDefaultAccount();
      this.afterLoad();
    }
  }

  private ensureDefaultAccount(): void {
    const existing = this.accounts.get(this.options.accountSid);
    if (existing) {
      // The configured token wins over a stale one in the state file.
      existing.authToken = this.options.authToken;
      return;
    }
    this.accounts.create({ sid: this.options.accountSid, authToken: this.options.authToken, friendlyName: 'Local emulator account', seed: this.options.seed });
  }

  seedAccount(accountSid: string, seed: SeedKind): void {
    if (seed === 'none') return;
    for (const s of this.services) s.seed?.(this.env(s.name), accountSid, seed);
  }

  private afterLoad(): void {
    for (const s of this.services) s.afterLoad?.(this.env(s.name));
  }

  /** Back to a fresh emulator: state, timers, log, faults, latency, outbound history; the default account is re-created (and re-seeded). */
  reset(): void {
    this.latency.clear();
    this.clock.cancelAll();
    this.state = emptyState();
    this.log.clear();
    this.faults.clear();
    this.webhooks.clearHistory();
    this.spec.clear();
    this.ensureDefaultAccount();
    this.afterLoad();
    this.markDirty();
  }

  snapshot(): EmulatorState {
    return cloneState({ ...this.state, savedAt: this.clock.now() });
  }

  /** Replace all state with a snapshot; timers are re-armed by the services. */
  restore(snapshot: unknown): void {
    assertStateShape(snapshot);
    // Requests stalled for the old state must not run against the restored one.
    this.latency.abandon();
    this.clock.cancelAll();
    this.state = cloneState(snapshot);
    this.afterLoad();
    this.markDirty();
  }

  /** Persist soon (coalesces timer bursts); requests call saveNow() directly. */
  markDirty(): void {
    if (!this.options.stateFile || this.saveScheduled) return;
    this.saveScheduled = true;
    setImmediate(() => {
      this.saveScheduled = false;
      this.saveNow();
    });
  }

  saveNow(): void {
    if (!this.options.stateFile) return;
    saveStateFile(this.options.stateFile, { ...this.state, savedAt: this.clock.now() });
  }

  async stop(): Promise<void> {
    for (const s of this.services) await s.stop?.(this.env(s.name));
    this.saveNow();
    this.clock.dispose();
  }
}

/** A service API that tracks its in-flight asynchronous work. */
interface IdleAware {
  pending(): number;
  whenIdle(): Promise<void>;
}

function isIdleAware(api: unknown): api is IdleAware {
  return typeof api === 'object' && api !== null && typeof (api as IdleAware).pending === 'function' && typeof (api as IdleAware).whenIdle === 'function';
}
