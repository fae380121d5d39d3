/**
 * The Functions runtime: serves deployed builds at
 * `/runtime/<domain_name>/<path>` and for requests whose `Host` is a
 * deployed domain, with Twilio Functions semantics (see emulator/README.md).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import twilio from 'twilio';
import { createTwilioClient } from '../../clients/twilio-client';
import type { RawRequest, RawResponse, ServiceEnv } from '../core/types';
import * as m from '../services/serverless/models';
import { BuildMaterializer, type MaterializedBuild } from './materialize';
import { BuildModuleLoader } from './module-loader';
import { emulatorFlexTokenValidatorModule, emulatorTwilioModule } from './shims';
import { TwilioResponse, functionHeaders, parseCookies, type TwilioResponseLike } from './twilio-runtime-parts';

interface LoadedBuild {
  files: MaterializedBuild;
  loader: BuildModuleLoader;
}

interface InvocationLogTarget {
  env: ServiceEnv;
  environment: m.EnvironmentRecord;
  buildSid: string;
  functionSid: string;
  requestSid: string;
}

type Callback = (err?: unknown, payload?: unknown) => void;

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };

function notFoundResponse(): RawResponse {
  return { status: 404, headers: TEXT, body: 'Not Found' };
}

function isTwiml(obj: unknown): boolean {
  const { VoiceResponse, MessagingResponse, FaxResponse } = twilio.twiml;
  return obj instanceof VoiceResponse || obj instanceof MessagingResponse || obj instanceof FaxResponse;
}

function isTwilioResponse(obj: unknown): obj is TwilioResponseLike {
  return obj instanceof TwilioResponse;
}

/** Maps `callback(null, payload)` to HTTP, as Twilio's runtime does. */
export function successResponse(payload: unknown): RawResponse {
  if (typeof payload === 'string') return { status: 200, headers: TEXT, body: payload };
  if (payload && typeof payload === 'object' && isTwiml(payload)) return { status: 200, headers: { 'Content-Type': 'text/xml' }, body: String(payload) };
  if (isTwilioResponse(payload)) {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(payload.headers ?? {})) {
      if (Array.isArray(v) && v.length === 0) continue;
      headers[k] = Array.isArray(v) ? v.map(String) : String(v);
    }
    let body = payload.body;
    const contentTypeKey = Object.keys(headers).find((k) => k.toLowerCase() === 'content-type');
    if (body !== null && body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body)) {
      body = JSON.stringify(body);
      if (!contentTypeKey) headers['Content-Type'] = 'application/json';
    }
    return { status: payload.statusCode, headers, body: body === null || body === undefined ? '' : Buffer.isBuffer(body) ? body : String(body) };
  }
  if (payload === undefined || payload === null) return { status: 200, body: '' };
  return { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(payload) };
}

/** `callback(err)` or a thrown error -> 500, with the shape Twilio's runtime uses. */
export function errorResponse(err: unknown): RawResponse {
  // Duck-typed: deployed code runs in another realm (its Error is not ours, e.g. under jest).
  if (err && typeof err === 'object' && typeof (err as Error).message === 'string' && typeof (err as Error).stack === 'string') {
    const e = err as Error;
    return { status: 500, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify({ message: e.message, name: e.name, stack: e.stack }) };
  }
  return { status: 500, headers: typeof err === 'string' ? TEXT : { 'Content-Type': 'application/json; charset=utf-8' }, body: typeof err === 'string' ? err : JSON.stringify(err ?? null) };
}

function contentTypeOf(file: { version: m.VersionRecord; filePath: string }): string {
  if (file.version.contentType && file.version.contentType !== 'application/octet-stream') return file.version.contentType;
  const ext = path.extname(file.filePath).toLowerCase();
  const types: Record<string, string> = { '.html': 'text/html', '.css': 'text/css', '.js': 'application/javascript', '.json': 'application/json', '.txt': 'text/plain', '.png': 'image/png', '.svg': 'image/svg+xml', '.mp3': 'audio/mpeg', '.wav': 'audio/wav' };
  return types[ext] ?? 'application/octet-stream';
}

export class FunctionsRuntime {
  private readonly materializer = new BuildMaterializer();
  private readonly builds = new Map<string, LoadedBuild>();
  private readonly logContext = new AsyncLocalStorage<InvocationLogTarget>();
  private readonly captureConsole: Console;

  constructor(private readonly projectRoot: string = m.projectRoot()) {
    this.captureConsole = this.makeConsole();
  }

  /** Forget loaded builds (after reset/restore: SIDs may be reused with other content). */
  invalidate(): void {
    this.builds.clear();
  }

  stop(): void {
    this.builds.clear();
    this.materializer.cleanup();
  }

  /** A console whose output becomes Serverless Logs of the current invocation (and is not printed). */
  private makeConsole(): Console {
    const emit = (level: m.LogRecord['level']) => (...args: unknown[]) => {
      const target = this.logContext.getStore();
      if (!target) return;
      m.appendLog(target.env, target.environment, {
        buildSid: target.buildSid,
        deploymentSid: Object.values(target.environment.deployments).pop()?.sid ?? '',
        functionSid: target.functionSid,
        requestSid: target.requestSid,
        level,
        message: format(...args),
      });
      target.env.markDirty();
    };
    const c = Object.create(console) as Console;
    c.log = emit('info');
    c.info = emit('info');
    c.debug = emit('info');
    c.warn = emit('warn');
    c.error = emit('error');
    return c;
  }

  private loadBuild(env: ServiceEnv, target: m.DeployedTarget): LoadedBuild {
    const key = `${target.accountSid}/${target.build.sid}`;
    const existing = this.builds.get(key);
    if (existing) return existing;
    const fnVersions = target.build.functionVersions.map((sid) => m.findVersion(target.service, 'function', sid)).filter((v): v is m.VersionRecord => !!v);
    const assetVersions = target.build.assetVersions.map((sid) => m.findVersion(target.service, 'asset', sid)).filter((v): v is m.VersionRecord => !!v);
    const files = this.materializer.write(key, fnVersions, assetVersions);
    const baseUrl = env.baseUrl();
    const twilioModule = emulatorTwilioModule(baseUrl);
    const runtimeGlobal = {
      getFunctions: () => Object.fromEntries([...files.functions].map(([p, f]) => [p.replace(/^\//, ''), { path: f.filePath }])),
      getAssets: () => Object.fromEntries([...files.assets].map(([p, f]) => [p, { path: f.filePath, open: () => fs.readFileSync(f.filePath, 'utf8') }])),
      getSync: () => {
        throw new Error('Runtime.getSync() is not supported by the local emulator');
      },
    };
    const twilioGlobal = Object.assign(Object.create(null) as Record<string, unknown>, twilioModule, { Response: TwilioResponse });
    // npm packages used by deployed code may read the global `Twilio` (twilio-flex-token-validator
    // uses Twilio.Response). One process may run several emulators, so the global holds only
    // what does not depend on a base URL; deployed files get their bound `Twilio` injected.
    const g = globalThis as Record<string, unknown>;
    if (g.Twilio === undefined) g.Twilio = Object.assign(Object.create(null) as Record<string, unknown>, { twiml: twilio.twiml, jwt: twilio.jwt, validateRequest: twilio.validateRequest, Response: TwilioResponse });
    const loader = new BuildModuleLoader(files.dir, this.projectRoot, { Twilio: twilioGlobal, Runtime: runtimeGlobal, Functions: runtimeGlobal.getFunctions(), console: this.captureConsole }, {
      twilio: twilioModule,
      'twilio-flex-token-validator': emulatorFlexTokenValidatorModule(baseUrl, TwilioResponse),
    });
    const loaded = { files, loader };
    this.builds.set(key, loaded);
    return loaded;
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

  async handle(req: RawRequest, env: ServiceEnv): Promise<RawResponse> {
    const domain = req.host.toLowerCase();
    const found = m.findByDomain(env, domain);
    if (!found || !found.build || found.build.status !== 'completed') return notFoundResponse();
    const target = found as m.DeployedTarget;
    let loaded: LoadedBuild;
    try {
      loaded = this.loadBuild(env, target);
    } catch (err) {
      env.debug(`cannot materialize build ${target.build.sid}: ${(err as Error).message}`);
      return errorResponse(err);
    }
    const urlPath = decodeURIComponent(req.path) || '/';
    const fn = loaded.files.functions.get(urlPath);
    const asset = fn ? undefined : loaded.files.assets.get(urlPath) ?? (urlPath === '/' ? loaded.files.assets.get('/index.html') : undefined);
    const file = fn ?? asset;
    if (!file || file.version.visibility === 'private') return notFoundResponse();
    if (file.version.visibility === 'protected' && !this.signatureValid(env, target.accountSid, req, domain)) {
      return { status: 403, headers: TEXT, body: 'Forbidden: invalid or missing X-Twilio-Signature' };
    }
    if (asset) {
      return { status: 200, headers: { 'Content-Type': contentTypeOf(asset) }, body: fs.readFileSync(asset.filePath) };
    }
    return this.invoke(env, target, loaded, fn!, req, domain);
  }

  private buildContext(env: ServiceEnv, target: m.DeployedTarget, domain: string, functionPath: string): Record<string, unknown> {
    const account = env.accounts.get(target.accountSid);
    const includeCredentials = target.service.includeCredentials && !!account;
    const context: Record<string, unknown> = {
      ...m.variableMap(target.environment),
      ACCOUNT_SID: target.accountSid,
      DOMAIN_NAME: domain,
      PATH: functionPath,
      SERVICE_SID: target.service.sid,
      ENVIRONMENT_SID: target.environment.sid,
    };
    if (includeCredentials) context.AUTH_TOKEN = account!.authToken;
    context.getTwilioClient = (opts?: { accountSid?: string }) => {
      if (!includeCredentials) {
        throw new Error('context.getTwilioClient() needs the service to include credentials (IncludeCredentials=true)');
      }
      return createTwilioClient({ accountSid: opts?.accountSid ?? target.accountSid, authToken: account!.authToken }, { apiBaseUrl: env.baseUrl() });
    };
    return context;
  }

  private buildEvent(req: RawRequest): Record<string, unknown> {
    const bodyParams = req.json !== undefined && req.json !== null && typeof req.json === 'object' && !Array.isArray(req.json) ? (req.json as Record<string, unknown>) : req.body;
    return {
      ...req.query,
      ...bodyParams,
      request: { headers: functionHeaders(req.rawHeaders), cookies: parseCookies(req.headers.cookie) },
    };
  }

  private invoke(env: ServiceEnv, target: m.DeployedTarget, loaded: LoadedBuild, fn: { version: m.VersionRecord; filePath: string }, req: RawRequest, domain: string): Promise<RawResponse> {
    const logTarget: InvocationLogTarget = {
      env,
      environment: target.environment,
      buildSid: target.build.sid,
      functionSid: fn.version.parentSid,
      requestSid: env.sids.next('RQ'),
    };
    return new Promise<RawResponse>((resolve) => {
      let settled = false;
      const finish = (res: RawResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(res);
      };
      const timer = setTimeout(() => {
        m.appendLog(env, target.environment, { ...logTarget, deploymentSid: '', level: 'error', message: `Function ${fn.version.path} timed out after ${env.options.functionTimeoutMs} ms` });
        finish({ status: 504, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify({ message: 'Runtime Application Timed Out', code: 82002 }) });
      }, env.options.functionTimeoutMs);
      timer.unref();
      const callback: Callback = (err, payload) => {
        try {
          finish(err ? errorResponse(err) : successResponse(payload));
        } catch (mapErr) {
          finish(errorResponse(mapErr));
        }
      };
      this.logContext.run(logTarget, () => {
        try {
          const mod = loaded.loader.load(fn.filePath) as { handler?: unknown };
          if (typeof mod?.handler !== 'function') throw new TypeError(`${fn.version.path}: exports.handler is not a function`);
          const result = (mod.handler as (c: unknown, e: unknown, cb: Callback) => unknown)(this.buildContext(env, target, domain, fn.version.path), this.buildEvent(req), callback);
          if (result && typeof (result as Promise<unknown>).catch === 'function') (result as Promise<unknown>).catch((err: unknown) => callback(err ?? new Error('handler rejected')));
        } catch (err) {
          callback(err);
        }
      });
    });
  }
}
