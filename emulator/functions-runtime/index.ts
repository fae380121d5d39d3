/**
 * The Functions runtime: deployed builds served at
 * `/runtime/<domain_name>/<path>` and for requests whose `Host` is a deployed
 * domain.
 *
 * Functions run on Twilio's own runtime code, `@twilio/runtime-handler`
 * (build-host.ts): it parses the request and builds `event` (query, body,
 * `request.headers`/`cookies`) and `context`, provides `Twilio`, `Runtime`
 * and `Twilio.Response`, answers `OPTIONS`, and serializes what the function
 * hands its callback. This module is what Twilio's platform adds around it
 * (the gateway): routing a domain to the deployed build, laying each build
 * out with only its own files, dependencies and environment, refusing
 * private paths and unsigned requests to protected ones, the execution limit,
 * and Serverless Logs. See emulator/README.md.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import twilio from 'twilio';
import type { RawRequest, RawResponse, ServiceEnv } from '../core/types';
import * as m from '../services/serverless/models';
import { BuildHosts } from './build-hosts';
import { forward } from './forward';
import type { HostStart, LogLevel } from './host-protocol';
import { layOutProject } from './project-layout';

interface InvocationLogTarget {
  env: ServiceEnv;
  environment: m.EnvironmentRecord;
  buildSid: string;
  functionSid: string;
}

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };
/** Invocations remembered for logs that arrive after their answer. */
const MAX_TRACKED_INVOCATIONS = 2000;
/** Warm function processes per build. */
const WARM_RUNNERS = 2;
/** Invocations of one build running at once (this machine is not Twilio's fleet); more wait their turn. */
const MAX_RUNNING = 4;
/** How long an invocation may wait for a free process before the gateway gives up (504). */
const MAX_QUEUE_MS = 60_000;

function notFoundResponse(): RawResponse {
  return { status: 404, headers: TEXT, body: 'Not Found' };
}

function jsonResponse(status: number, body: unknown): RawResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

export class FunctionsRuntime {
  private workDir: string | undefined;
  private readonly invocations = new Map<string, InvocationLogTarget>();
  /** Invocations in flight, aborted when their host reports they ran past the limit. */
  private readonly running = new Map<string, AbortController>();
  private readonly hosts: BuildHosts;

  constructor(debug: (message: string) => void = () => undefined) {
    this.hosts = new BuildHosts({
      maxHosts: 6,
      debug,
      onLog: (requestSid, level, message) => this.appendLog(requestSid, level, message),
      onTimeout: (requestSid) => this.running.get(requestSid)?.abort(),
    });
  }

  /** Nothing to drop after reset/restore: hosts are keyed by what they run, not by SIDs. */
  invalidate(): void {
    this.invocations.clear();
  }

  stop(): void {
    this.hosts.stopAll();
    this.invocations.clear();
    if (this.workDir) fs.rmSync(this.workDir, { recursive: true, force: true });
    this.workDir = undefined;
  }

  private baseDir(): string {
    if (!this.workDir) this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twilio-emulator-builds-'));
    return this.workDir;
  }

  private appendLog(requestSid: string | undefined, level: LogLevel, message: string): void {
    const target = requestSid ? this.invocations.get(requestSid) : undefined;
    if (!target || !requestSid) return;
    m.appendLog(target.env, target.environment, {
      buildSid: target.buildSid,
      deploymentSid: Object.values(target.environment.deployments).pop()?.sid ?? '',
      functionSid: target.functionSid,
      requestSid,
      level,
      message,
    });
    target.env.markDirty();
  }

  private signatureValid(env: ServiceEnv, accountSid: string, req: RawRequest, domain: string): boolean {
    const signature = req.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature === '') return false;
    const account = env.accounts.get(accountSid);
    if (!account) return false;
    const url = `https://${domain}${req.path}${req.search}`;
    const params = req.json === undefined ? req.body : {};
    return twilio.validateRequest(account.authToken, signature, url, params);
  }

  /** The functions' environment (also their process environment): no variable of the emulator's own. */
  private functionEnv(env: ServiceEnv, target: m.DeployedTarget): Record<string, string> {
    const account = env.accounts.get(target.accountSid);
    const vars: Record<string, string> = {
      ...m.variableMap(target.environment),
      ACCOUNT_SID: target.accountSid,
      SERVICE_SID: target.service.sid,
      ENVIRONMENT_SID: target.environment.sid,
    };
    if (target.service.includeCredentials && account) vars.AUTH_TOKEN = account.authToken;
    return vars;
  }

  private versions(target: m.DeployedTarget): { functions: m.VersionRecord[]; assets: m.VersionRecord[] } {
    const find = (kind: 'function' | 'asset', sids: string[]) => sids.map((sid) => m.findVersion(target.service, kind, sid)).filter((v): v is m.VersionRecord => !!v);
    return { functions: find('function', target.build.functionVersions), assets: find('asset', target.build.assetVersions) };
  }

  /** A started (or starting) host for what this target runs: the same content, environment and API share one. */
  private hostFor(env: ServiceEnv, target: m.DeployedTarget, domain: string) {
    const vars = this.functionEnv(env, target);
    const { functions, assets } = this.versions(target);
    const dependencies = Object.fromEntries(target.build.dependencies.map((d) => [d.name, d.version]));
    const hash = createHash('sha256');
    hash.update(JSON.stringify({ domain, vars, dependencies, api: env.baseUrl(), runtime: target.build.runtime }));
    for (const v of [...functions, ...assets]) hash.update(`\n${v.kind} ${v.path} ${v.visibility} ${v.contentBase64}`);
    hash.update(`\nlimit ${env.options.functionTimeoutMs}`);
    const key = hash.digest('hex');
    return this.hosts.get(key, (): HostStart => {
      const dir = path.join(this.baseDir(), key.slice(0, 24));
      fs.rmSync(dir, { recursive: true, force: true });
      const toFile = (v: m.VersionRecord) => ({ path: v.path, visibility: v.visibility, content: Buffer.from(v.contentBase64, 'base64') });
      const routes = layOutProject(dir, { functions: functions.map(toFile), assets: assets.map(toFile), dependencies, twilioApiBaseUrl: env.baseUrl() });
      return { type: 'start', baseDir: dir, routes, env: vars, url: `https://${domain}`, warmRunners: WARM_RUNNERS, maxRunning: MAX_RUNNING, timeoutMs: env.options.functionTimeoutMs };
    });
  }

  private track(requestSid: string, target: InvocationLogTarget): void {
    this.invocations.set(requestSid, target);
    if (this.invocations.size > MAX_TRACKED_INVOCATIONS) this.invocations.delete(this.invocations.keys().next().value as string);
  }

  async handle(req: RawRequest, env: ServiceEnv): Promise<RawResponse> {
    const domain = req.host.toLowerCase();
    const found = m.findByDomain(env, domain);
    if (!found || !found.build || found.build.status !== 'completed') return notFoundResponse();
    const target = found as m.DeployedTarget;
    let urlPath: string;
    try {
      urlPath = decodeURIComponent(req.path) || '/';
    } catch {
      return notFoundResponse();
    }
    const { functions, assets } = this.versions(target);
    let file = functions.find((v) => v.path === urlPath) ?? assets.find((v) => v.path === urlPath);
    // Twilio serves an `/index.html` asset at the domain's root.
    const forwarded = !file && urlPath === '/' && assets.some((v) => v.path === '/index.html') ? { ...req, path: '/index.html' } : req;
    if (forwarded !== req) file = assets.find((v) => v.path === '/index.html');
    if (file?.visibility === 'private') return notFoundResponse();
    if (file?.visibility === 'protected' && req.method !== 'OPTIONS' && !this.signatureValid(env, target.accountSid, req, domain)) {
      return { status: 403, headers: TEXT, body: 'Forbidden: invalid or missing X-Twilio-Signature' };
    }
    const requestSid = env.sids.next('RQ');
    const logTarget = { env, environment: target.environment, buildSid: target.build.sid, functionSid: file?.kind === 'function' ? file.parentSid : '' };
    this.track(requestSid, logTarget);
    let host;
    let port: number;
    try {
      host = this.hostFor(env, target, domain);
      port = await host.ready;
    } catch (err) {
      env.debug(`cannot start the runtime of build ${target.build.sid}: ${(err as Error).message}`);
      this.appendLog(requestSid, 'error', `The runtime could not start: ${(err as Error).message}`);
      return jsonResponse(500, { message: 'The runtime of this build could not start; see the Serverless Logs', code: 82005 });
    }
    host.inFlight++;
    const timedOut = new AbortController();
    this.running.set(requestSid, timedOut);
    try {
      const outcome = await forward(port, forwarded, domain, requestSid, timedOut.signal, env.options.functionTimeoutMs + MAX_QUEUE_MS);
      if (outcome.kind === 'response') return outcome.response;
      if (outcome.kind === 'timeout') {
        host.abort(requestSid);
        this.appendLog(requestSid, 'error', `Function ${urlPath} timed out after ${env.options.functionTimeoutMs} ms`);
        return jsonResponse(504, { message: 'Runtime Application Timed Out', code: 82002 });
      }
      this.appendLog(requestSid, 'error', `The runtime did not answer: ${outcome.error.message}`);
      return jsonResponse(502, { message: `The runtime did not answer: ${outcome.error.message}`, code: 82005 });
    } finally {
      this.running.delete(requestSid);
      host.inFlight--;
      host.lastUsed = Date.now();
    }
  }
}
