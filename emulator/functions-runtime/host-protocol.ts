/**
 * Messages between the emulator and a build host (build-host.ts), and the
 * tags the runner processes put on theirs. Types and constants only: both
 * sides import this, and it imports nothing.
 */
import type { RuntimeRoutes } from './project-layout';

/**
 * The request header carrying the invocation's request SID (RQ…) from the
 * emulator's gateway to the runtime, modeled on the request id header Twilio's
 * gateway adds. The runtime hands it to the function with the other headers.
 */
export const REQUEST_SID_HEADER = 't-request-id';

export type LogLevel = 'info' | 'warn' | 'error';

/** How a build host is started: one LocalDevelopmentServer for one build. */
export interface HostStart {
  type: 'start';
  /** The laid-out project (project-layout.ts). */
  baseDir: string;
  routes: RuntimeRoutes;
  /** The functions' environment: variables, ACCOUNT_SID, AUTH_TOKEN (with credentials), SIDs. */
  env: Record<string, string>;
  /** `https://<domain_name>`: the runtime derives `context.DOMAIN_NAME` from it. */
  url: string;
  /** Warm function processes kept ready. */
  warmRunners: number;
  /** Invocations running at once; more wait (without their wait counting against the limit). */
  maxRunning: number;
  /** Execution limit of one invocation (ms): Twilio's is 10 s. */
  timeoutMs: number;
}

export type ToHost = HostStart | { type: 'abort'; requestSid: string };

export type FromHost =
  { type: 'ready'; port: number } | { type: 'log'; requestSid?: string; level: LogLevel; message: string } | { type: 'timeout'; requestSid?: string } | { type: 'failed'; message: string };

/** Field the runner adds to every IPC message it sends, naming the invocation it belongs to. */
export const INVOCATION_TAG = '__emulatorInvocation';

/** Field of the runner's IPC messages carrying console output (runner-preload.ts). */
export const CONSOLE_TAG = '__emulatorConsole';

/** Field of the message a runner sends once it can take invocations (its modules are loaded). */
export const READY_TAG = '__emulatorReady';
