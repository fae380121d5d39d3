/**
 * The emulator's core contract: everything a product service (TaskRouter,
 * Serverless, Flex, ...) needs to plug into the one HTTP server and router.
 *
 * A service is a folder `emulator/services/<product>/` with
 *   - `models.ts`: state + Twilio's rules, no HTTP (pure functions over the
 *     service's per-account state, throwing `TwilioError`s);
 *   - `routes.ts`: HTTP mapping only (read params -> call model -> serialize);
 *   - `index.ts`: exports a `ServiceModule` (below), listed in
 *     `emulator/services/index.ts`.
 *
 * Keep this file backward compatible: other engineers code against it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ParamBag } from './params';

/** One product's HTTP host label, e.g. `taskrouter` for taskrouter.twilio.com. */
export type HostLabel = string;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A file part of a multipart/form-data body. */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  content: Buffer;
}

/** How the request authenticated (never holds the secret itself). */
export interface AuthInfo {
  accountSid: string;
  /** `account` = AC sid + auth token; `apiKey` = SK sid + secret. */
  kind: 'account' | 'apiKey';
  apiKeySid?: string;
}

/** A parsed, authenticated API request, as a route handler sees it. */
export interface EmulatorRequest {
  method: HttpMethod;
  /** Path below the host prefix, e.g. `/v1/Workspaces/WS.../Tasks`. */
  path: string;
  /** Host label the request came in under, e.g. `taskrouter`. */
  host: HostLabel;
  /** Operation name, `<service>.<operationId>`, e.g. `taskrouter.CreateWorkflow`. */
  operation: string;
  /** Values of the `{Name}` placeholders of the route's path template. */
  pathParams: Record<string, string>;
  /** Query-string parameters. */
  query: ParamBag;
  /**
   * Body parameters (form-urlencoded or multipart fields; repeated keys ->
   * arrays). For a JSON body, its top-level keys. Empty for GET/DELETE.
   */
  body: ParamBag;
  /** The parsed JSON body when Content-Type was application/json, else undefined. */
  json: unknown;
  /** Multipart file parts. */
  files: UploadedFile[];
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  auth: AuthInfo;
  /** Shortcut for `auth.accountSid`: the account whose state the request sees. */
  accountSid: string;
  /** Emulator base URL, e.g. `http://127.0.0.1:4010` (no trailing slash). */
  baseUrl: string;
  /** Absolute emulator URL of this request including the query string. */
  url: string;
  /** Absolute base URL of this host on the emulator, e.g. `http://127.0.0.1:4010/taskrouter`. */
  hostBaseUrl: string;
}

/** What a handler returns; the core serializes it. */
export interface HandlerResult {
  status: number;
  /** JSON body (serialized by the core). Omit for 204. */
  body?: unknown;
  /** A non-JSON body (e.g. file content); sent as-is with `contentType`. */
  raw?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: EmulatorRequest, env: ServiceEnv) => HandlerResult | Promise<HandlerResult>;

/**
 * One HTTP operation. `path` uses the OpenAPI spec's template syntax exactly
 * (e.g. `/v1/Services/{ServiceSid}/Functions/{Sid}`, or
 * `/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json`), so the spec checker
 * maps the route to its spec operation by host label + method + path.
 */
export interface RouteDef {
  method: HttpMethod;
  path: string;
  /**
   * The spec's operationId (e.g. `CreateWorkflow`); the operation name becomes
   * `<service name>.<operationId>`. For operations absent from the specs, pick
   * a descriptive name (e.g. `CreateFunctionVersion`).
   */
  operationId: string;
  handler: RouteHandler;
  /**
   * Whether the request changes state (drives the request log's mutating
   * flag and persistence). Default: true for POST/PUT/DELETE, false for GET.
   */
  mutating?: boolean;
  /** Host label override for this route (default: the module's `host`). */
  host?: HostLabel;
  /** Skip HTTP Basic auth (only for endpoints Twilio serves unauthenticated). */
  public?: boolean;
  /**
   * Parameters real clients send that the spec does not list and Twilio
   * accepts (e.g. serverless-api's FriendlyName on CreateEnvironment): the
   * spec checker does not report them as unknown.
   */
  extraParams?: string[];
}

/** Seeds the `--seed` option can ask for. */
export type SeedKind = 'flex' | 'flex-project-template' | 'none';

export const SEED_KINDS: readonly SeedKind[] = ['flex', 'flex-project-template', 'none'];

/** Seeds that make a Flex account (the template's builds on `flex`). */
export const isFlexSeed = (kind: SeedKind): boolean => kind === 'flex' || kind === 'flex-project-template';

/**
 * A product service. `S` is its per-account state: plain JSON data only (no
 * Map/Set/Date/class instances; store times as ISO strings or epoch ms),
 * because snapshots and `--state FILE` serialize it with JSON.stringify.
 */
export interface ServiceModule<S = unknown> {
  /** Service name, used in operation names and state keys, e.g. `taskrouter`. */
  name: string;
  /** Default host label of its routes, e.g. `taskrouter`, `flex-api`, `api`. */
  host: HostLabel;
  /** Spec files (basename in @twilio/cli-core's twilio-api dir) that describe it. */
  specFiles?: string[];
  /** Fresh state for one account. */
  initialState(): S;
  routes: RouteDef[];
  /**
   * In-process API other services may call (e.g. Flex creating TaskRouter
   * tasks): `env.service<T>('taskrouter')`. Built once at startup.
   */
  createApi?(env: ServiceEnv): unknown;
  /** Called once at startup after every module's `createApi`. */
  start?(env: ServiceEnv): void;
  /**
   * Called after state was loaded from a file, restored from a snapshot or
   * reset: timers are not part of state, so re-arm them here from state
   * (e.g. builds still `building`, task timeouts).
   */
  afterLoad?(env: ServiceEnv): void;
  /** Called when an account is created with a seed (e.g. `flex`). */
  seed?(env: ServiceEnv, accountSid: string, kind: SeedKind): void;
  /** Called just before `stop()`; release resources (temp dirs, sockets). */
  stop?(env: ServiceEnv): void | Promise<void>;
  /**
   * Non-API HTTP endpoints this service serves outside the router (e.g. the
   * functions runtime under `/runtime/<domain>/...` and by `Host` header).
   * No Twilio Basic auth, no spec checking; logged and fault-injectable.
   */
  mounts?: RawMount[];
}

/** A raw HTTP request for a mount (already body-parsed). */
export interface RawRequest {
  method: string;
  /** Path below the mount prefix (or the full path for host-matched requests). */
  path: string;
  /** Host the request addressed (Host header, or the domain segment after `/runtime/`). */
  host: string;
  /** Raw query string including the leading `?` (or ''), e.g. for signature checks. */
  search: string;
  query: ParamBag;
  body: ParamBag;
  json: unknown;
  files: UploadedFile[];
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  rawBody: Buffer;
  baseUrl: string;
}

export interface RawResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
}

export interface RawMount {
  /** Operation name for the request log, e.g. `runtime.Invoke`. */
  operation: string;
  /**
   * First path segment this mount serves, e.g. `runtime` for `/runtime/...`.
   * The next segment is taken as the host (`/runtime/<domain>/<path>`).
   */
  prefix?: string;
  /** Requests whose Host header (without port) satisfies this are served by the mount. */
  matchHost?(host: string): boolean;
  handle(req: RawRequest, env: ServiceEnv): Promise<RawResponse>;
  /** Whether requests change state (default false). */
  mutating?: boolean;
}

/** A scheduled callback on the emulator clock. */
export type TimerId = number;

/**
 * The emulator clock. Every time-dependent rule (build completion,
 * reservation timeouts, task TTL, token expiry) must use it, never
 * Date.now()/setTimeout, so tests can drive time with `advance(ms)`.
 */
export interface Clock {
  /** Current emulator time, epoch ms. */
  now(): number;
  /** Current emulator time as an ISO string (no milliseconds, like Twilio's `date_*` fields). */
  isoNow(): string;
  /** Run `fn` when the clock reaches `timeMs` (epoch ms). */
  at(timeMs: number, fn: () => void, label?: string): TimerId;
  /** Run `fn` `ms` from now. */
  after(ms: number, fn: () => void, label?: string): TimerId;
  cancel(id: TimerId): void;
  /** Move time forward, firing due timers in time order (each sees `now()` = its due time). */
  advance(ms: number): void;
  /** Set the absolute time (only forward; fires due timers). */
  setTime(timeMs: number): void;
  /** 'manual': time moves only by advance/setTime. 'real': wall clock + offset. */
  readonly mode: 'real' | 'manual';
  /** Pending timers (label + due time), for diagnostics. */
  pending(): Array<{ id: TimerId; at: number; label?: string }>;
}

export interface SidGenerator {
  /** New SID: 2-letter prefix + 32 hex digits (counter-based when deterministic). */
  next(prefix: string): string;
}

/** Result of an outbound webhook. `error` is set when no HTTP response was received. */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  error?: string;
}

export interface WebhookRequest {
  /** The public URL (e.g. https://my-svc-1234-dev.twil.io/callback); deployed-function domains are served locally. */
  url: string;
  method?: 'GET' | 'POST';
  /** Form parameters (POST body or, for GET, query string). */
  params?: Record<string, string | string[] | undefined>;
  /** Account whose auth token signs X-Twilio-Signature. */
  accountSid: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Outbound HTTP for webhooks (assignment/event callbacks, TwiML fetch). */
export interface WebhookClient {
  /**
   * Sends the request signed with `X-Twilio-Signature` (Twilio's algorithm:
   * HMAC-SHA1 over URL + sorted POST params, keyed by the account's auth
   * token). URLs on a deployed function domain (`*.twil.io` known to the
   * emulator) go to this emulator's functions runtime; only loopback URLs
   * are otherwise reachable — anything else yields `{status: 0, error}`.
   */
  send(req: WebhookRequest): Promise<WebhookResponse>;
  /** Twilio's signature for a URL + POST params with the given auth token. */
  sign(authToken: string, url: string, params?: Record<string, string | string[] | undefined>): string;
}

/** What the core hands every service (routes, models, hooks). */
export interface ServiceEnv {
  clock: Clock;
  sids: SidGenerator;
  webhooks: WebhookClient;
  accounts: AccountDirectory;
  /** This service's state for one account (created with `initialState()` on first use). */
  state<S>(accountSid: string, serviceName?: string): S;
  /** Accounts that have state for this (or the given) service. */
  accountsWithState(serviceName?: string): string[];
  /** Another service's in-process API (`createApi` result). Throws if unknown. */
  service<T>(name: string): T;
  /** Emulator base URL, e.g. `http://127.0.0.1:4010`. Available from `start` on. */
  baseUrl(): string;
  /**
   * Mark state changed outside an HTTP request (e.g. a timer completing a
   * build) so `--state FILE` is saved. Requests that mutate are saved
   * automatically.
   */
  markDirty(): void;
  /** Emulator options (read-only). */
  options: Readonly<ResolvedOptions>;
  /** Write a diagnostic line to stderr when `verbose` (never secrets). */
  debug(message: string): void;
}

export interface AccountRecord {
  sid: string;
  /** Secret; never log or echo it. */
  authToken: string;
  friendlyName: string;
  dateCreated: string;
  /** Parent account for subaccounts (API 2010), else undefined. */
  ownerAccountSid?: string;
  status: 'active' | 'suspended' | 'closed';
}

export interface ApiKeyRecord {
  sid: string;
  accountSid: string;
  /** Secret; never log or echo it except once at creation. */
  secret: string;
  friendlyName: string;
  dateCreated: string;
  dateUpdated: string;
}

/** Accounts and API keys (part of the persisted state). */
export interface AccountDirectory {
  get(accountSid: string): AccountRecord | undefined;
  list(): AccountRecord[];
  create(opts?: { sid?: string; authToken?: string; friendlyName?: string; ownerAccountSid?: string; seed?: SeedKind }): AccountRecord;
  update(accountSid: string, patch: Partial<Pick<AccountRecord, 'friendlyName' | 'status'>>): AccountRecord;
  createApiKey(accountSid: string, friendlyName?: string): ApiKeyRecord;
  getApiKey(sid: string): ApiKeyRecord | undefined;
  listApiKeys(accountSid: string): ApiKeyRecord[];
  updateApiKey(sid: string, patch: { friendlyName?: string }): ApiKeyRecord;
  deleteApiKey(sid: string): boolean;
  /** Resolve Basic credentials (AC+token or SK+secret) to an identity, or undefined. */
  authenticate(username: string, password: string): AuthInfo | undefined;
}

export interface EmulatorOptions {
  /** 0 = random free port. Default 0. */
  port?: number;
  /** Loopback only. */
  host?: '127.0.0.1';
  /** Load state from this file on start; save after each mutating request and on stop. */
  stateFile?: string;
  seed?: SeedKind;
  accountSid?: string;
  authToken?: string;
  /** Validate requests/responses against the OpenAPI specs and record violations. */
  specCheck?: boolean;
  /** Counter-based SIDs (`WT00000000000000000000000000000001`). */
  deterministicSids?: boolean;
  clock?: 'real' | 'manual';
  /** Start time for a manual clock (epoch ms). Default: wall clock at start. */
  startTime?: number;
  /** Seed of the fault-injection PRNG. Default 1. */
  faultSeed?: number;
  /** Functions runtime execution limit (Twilio: 10 s). */
  functionTimeoutMs?: number;
  /** Delay (emulator clock) before a build leaves `building`. Default 1000 ms. */
  buildDurationMs?: number;
  /** Services to load (default: the list in emulator/services/index.ts). */
  services?: ServiceModule[];
  /** Log requests to stderr. */
  verbose?: boolean;
}

export type ResolvedOptions = Required<Omit<EmulatorOptions, 'stateFile' | 'services' | 'startTime'>> & {
  stateFile?: string;
  startTime?: number;
};
