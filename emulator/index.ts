/**
 * The local Twilio API emulator, in-process: `startEmulator(opts)` listens on
 * 127.0.0.1 (port 0 = random) and returns the handle tests and tools use.
 * See emulator/README.md for the URL scheme and the test hooks.
 */
import type * as http from 'node:http';
import { EmulatorCore, DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN } from './core/emulator-core';
import { createHttpServer, listen } from './core/server';
import type { FlexTokenMinter } from './core/admin';
import type { EmulatorState } from './core/state';
import type { EmulatorOptions, SeedKind } from './core/types';
import type { SpecChecker } from './core/spec/checker';
import type { RequestLog } from './core/request-log';
import type { Faults } from './core/faults';
import type { Latency } from './core/latency';
import type { EmulatorClock } from './core/clock';
import type { OutboundRecord } from './core/webhooks';
import { services as defaultServices } from './services';

export { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN };
export type { EmulatorOptions, EmulatorState, SeedKind };
// What tools, benchmarks and tests use besides the handle: the Flex seed's
// SIDs, the services' in-process APIs, fault kinds.
export { flexSeedSids, type FlexSeedSids, type TaskRouterApi } from './services/taskrouter';
export { TEMPLATE_CHAT_TRANSFER_WORKFLOW, TEMPLATE_FUNCTIONS, TEMPLATE_SERVICE, templateSeedSids } from './seeds/flex-project-template';
export type { VoiceNetworkApi } from './services/api';
export type { ConversationsApi } from './services/conversations';
export { Faults, type FaultKind } from './core/faults';
export { Latency, type LatencyDistribution, type LatencyRuleInput } from './core/latency';
export { EmulatorClock } from './core/clock';
// How the Functions runtime lays a build out (a Serverless Toolkit project), so another runtime
// (the Serverless Toolkit's twilio-run, in the tests) can serve the same files the same way.
export { layOutProject, type ProjectFile, type ProjectSpec } from './functions-runtime/project-layout';
// For tests of the emulator's own machinery: its service list, service modules, the spec checker.
export { defaultServices };
export type { ServiceEnv, ServiceModule } from './core/types';
export { SpecChecker, strictify } from './core/spec/checker';

export interface MintFlexTokenOptions {
  workerSid: string;
  roles?: string[];
  identity?: string;
  ttlSeconds?: number;
  /** Default: the emulator's default account. */
  accountSid?: string;
}

export interface Emulator {
  /** e.g. `http://127.0.0.1:4010` (no trailing slash). */
  readonly baseUrl: string;
  readonly port: number;
  /** The default account's credentials (throwaway, local only). */
  readonly credentials: { accountSid: string; authToken: string };
  readonly log: RequestLog;
  readonly faults: Faults;
  /** Injected latency and stalls per operation (see core/latency.ts). */
  readonly latency: Latency;
  readonly clock: EmulatorClock;
  readonly spec: SpecChecker;
  /** Outbound webhook calls made so far. */
  webhooks(): OutboundRecord[];
  /** Sends webhooks for `host` (domain or host:port) to the loopback `baseUrl` instead (`undefined` removes the route). */
  routeWebhooks(host: string, baseUrl: string | undefined): void;
  /** Resolves once no service has webhooks, TwiML fetches or callbacks in flight. */
  whenIdle(): Promise<void>;
  /**
   * The environment variables that point the project's Twilio clients (the
   * providers, the functions, tools) at this emulator, as an account
   * (default: the emulator's default account).
   */
  twilioEnv(account?: { accountSid: string; authToken: string }): Record<'TWILIO_API_BASE_URL' | 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN', string>;
  reset(): void;
  snapshot(): EmulatorState;
  restore(snapshot: EmulatorState): void;
  /** A new API key (SK + secret) for an account (default account when omitted). */
  createApiKey(accountSid?: string): { sid: string; secret: string };
  /** A new, isolated account. */
  createAccount(opts?: { accountSid?: string; authToken?: string; seed?: SeedKind }): { accountSid: string; authToken: string };
  /** An opaque Flex token for a worker, valid until `ttlSeconds` on the emulator clock (default 3600). */
  mintFlexToken(opts: MintFlexTokenOptions): string;
  /** The core, for advanced tests (services' state, env). */
  readonly core: EmulatorCore;
  stop(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const core = new EmulatorCore(opts, opts.services ?? defaultServices);
  const server: http.Server = createHttpServer(core);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server, core.options.port);
  core.setBaseUrl(`http://127.0.0.1:${port}`);
  try {
    core.init();
  } catch (err) {
    server.close();
    throw err;
  }
  let stopped = false;

  const emulator: Emulator = {
    baseUrl: core.baseUrl,
    port,
    credentials: { accountSid: core.options.accountSid, authToken: core.options.authToken },
    log: core.log,
    faults: core.faults,
    latency: core.latency,
    clock: core.clock,
    spec: core.spec,
    core,
    webhooks: () => core.webhooks.history(),
    routeWebhooks: (host, baseUrl) => core.webhooks.route(host, baseUrl),
    whenIdle: () => core.whenIdle(),
    twilioEnv: (account = { accountSid: core.options.accountSid, authToken: core.options.authToken }) => ({
      TWILIO_API_BASE_URL: core.baseUrl,
      TWILIO_ACCOUNT_SID: account.accountSid,
      TWILIO_AUTH_TOKEN: account.authToken,
    }),
    reset: () => core.reset(),
    snapshot: () => core.snapshot(),
    restore: (s) => core.restore(s),
    createApiKey(accountSid = core.options.accountSid) {
      const key = core.accounts.createApiKey(accountSid);
      core.saveNow();
      return { sid: key.sid, secret: key.secret };
    },
    createAccount(o = {}) {
      const account = core.accounts.create({ sid: o.accountSid, authToken: o.authToken, seed: o.seed });
      core.saveNow();
      return { accountSid: account.sid, authToken: account.authToken };
    },
    mintFlexToken(o) {
      const minter = core.apiOf<FlexTokenMinter>('iam');
      if (!minter) throw new Error('the iam service is not loaded');
      return minter.mintFlexToken({ ...o, accountSid: o.accountSid ?? core.options.accountSid });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await core.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
  return emulator;
}
