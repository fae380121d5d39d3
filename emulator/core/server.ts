/**
 * The HTTP front: one node:http server that routes
 *   /__emulator/...          -> test hooks (admin.ts)
 *   Host: <deployed domain>  -> a mount (functions runtime)
 *   /<mount prefix>/...      -> a mount
 *   /<host label>/...        -> the router -> a service route handler
 * and wraps every request with auth, fault and latency injection, spec
 * checking, the request log and persistence.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin';
import { parseBasicAuth } from './accounts';
import { parseBody, parseUrlEncoded, type ParsedBody } from './body-parser';
import type { EmulatorCore } from './emulator-core';
import { errorBody, internalError, isTwilioError, methodNotAllowed, notFound, tooManyRequests, TwilioError, unauthenticated } from './errors';
import type { FaultDecision } from './faults';
import { CALLER_HEADER } from '../../functions/lib/contract.private';
import type { EmulatorRequest, HandlerResult, HttpMethod, RawMount, RawResponse } from './types';

const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];

interface Outcome {
  status: number;
  operation: string;
  mutating: boolean;
  accountSid?: string;
  fault?: string;
  latency?: { kind: string; ms: number };
  caller?: string;
}

/** The endpoint of ours that made this call, as its `Flex-Transfer-Caller` header names it. */
function callerOf(req: http.IncomingMessage): string | undefined {
  const v = req.headers[CALLER_HEADER.toLowerCase()];
  const name = Array.isArray(v) ? v[0] : v;
  return name ? name : undefined;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function sendError(res: http.ServerResponse, err: TwilioError): void {
  sendJson(res, err.status, err.toBody(), err.headers);
}

function sendResult(res: http.ServerResponse, result: HandlerResult): void {
  if (result.raw !== undefined) {
    const buf = typeof result.raw === 'string' ? Buffer.from(result.raw) : result.raw;
    res.writeHead(result.status, { 'Content-Type': result.contentType ?? 'application/octet-stream', 'Content-Length': String(buf.length), ...result.headers });
    res.end(buf);
    return;
  }
  sendJson(res, result.status, result.status === 204 ? undefined : result.body, result.headers);
}

function sendRaw(res: http.ServerResponse, r: RawResponse): void {
  const body = r.body === undefined ? Buffer.alloc(0) : typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
  const headers: Record<string, string | string[]> = { ...r.headers };
  headers['Content-Length'] = String(body.length);
  res.writeHead(r.status, headers);
  res.end(body);
}

/** Destroys the connection without a response (client sees ECONNRESET / socket hang up). */
function dropConnection(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.socket?.destroy();
  req.socket.destroy();
}

/** Applies a pre-handler fault; returns true when the request was answered (or dropped). */
function applyEarlyFault(decision: FaultDecision | undefined, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (!decision) return false;
  switch (decision.kind) {
    case '429':
      sendError(res, tooManyRequests());
      return true;
    case '500':
      sendError(res, internalError());
      return true;
    case 'reset':
      dropConnection(req, res);
      return true;
    default:
      return false;
  }
}

function applyLostResponse(decision: FaultDecision, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (decision.rule.lostResponseAs === '500') {
    res.writeHead(500, { 'Content-Length': '0' });
    res.end();
  } else {
    dropConnection(req, res);
  }
}

export function createHttpServer(core: EmulatorCore): http.Server {
  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const urlObj = new URL(req.url ?? '/', 'http://emulator.local');
    const path = urlObj.pathname;
    const outcome: Outcome = { status: 0, operation: 'unrouted', mutating: false, caller: callerOf(req) };
    res.on('close', () => {
      if (outcome.operation === 'admin.skip') return;
      core.log.record({
        time: core.clock.isoNow(),
        method: req.method ?? 'GET',
        path,
        operation: outcome.operation,
        status: res.headersSent ? res.statusCode : outcome.status,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        mutating: outcome.mutating,
        accountSid: outcome.accountSid,
        fault: outcome.fault,
        ...(outcome.latency ? { latency: outcome.latency } : {}),
        ...(outcome.caller ? { caller: outcome.caller } : {}),
      });
    });
    dispatch(core, req, res, urlObj, outcome).catch((err: unknown) => {
      core.debug(`unhandled error on ${req.method} ${path}: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent) sendError(res, isTwilioError(err) ? err : internalError());
      else res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

function findMount(core: EmulatorCore, hostHeader: string | undefined, firstSegment: string): { mount: RawMount; byHost: boolean } | undefined {
  const hostname = (hostHeader ?? '').replace(/:\d+$/, '').toLowerCase();
  for (const { mount } of core.mounts) {
    if (hostname && mount.matchHost?.(hostname)) return { mount, byHost: true };
  }
  for (const { mount } of core.mounts) {
    if (mount.prefix && mount.prefix === firstSegment) return { mount, byHost: false };
  }
  return undefined;
}

async function dispatch(core: EmulatorCore, req: http.IncomingMessage, res: http.ServerResponse, urlObj: URL, outcome: Outcome): Promise<void> {
  const path = urlObj.pathname;
  const method = (req.method ?? 'GET').toUpperCase();

  if (path.startsWith('/__emulator/') || path === '/__emulator') {
    outcome.operation = 'admin';
    await handleAdmin(core, req, res, urlObj, outcome);
    return;
  }

  const segments = path.split('/');
  const first = segments[1] ?? '';
  const mountHit = findMount(core, req.headers.host, first);
  if (mountHit) {
    await dispatchMount(core, req, res, urlObj, outcome, mountHit.mount, mountHit.byHost);
    return;
  }

  const host = first;
  const rest = '/' + segments.slice(2).join('/');
  if (!METHODS.includes(method as HttpMethod)) {
    outcome.status = 405;
    sendError(res, methodNotAllowed(method));
    return;
  }
  const lookup = core.router.lookup(host, method as HttpMethod, rest);
  if (lookup.kind !== 'match') {
    const err = lookup.kind === 'method-not-allowed' ? methodNotAllowed(method) : notFound(path);
    outcome.status = err.status;
    sendError(res, err);
    return;
  }
  const { compiled, pathParams } = lookup.match;
  outcome.operation = compiled.operation;
  outcome.mutating = compiled.route.mutating ?? method !== 'GET';

  let parsed: ParsedBody;
  try {
    parsed = method === 'GET' || method === 'DELETE' ? { params: {}, json: undefined, files: [], raw: Buffer.alloc(0) } : await parseBody(req);
    if (method === 'GET' || method === 'DELETE') req.resume();
  } catch (err) {
    const e = isTwilioError(err) ? err : internalError();
    outcome.status = e.status;
    sendError(res, e);
    return;
  }

  // Authentication: AC+token or SK+secret; 401/20003 otherwise.
  let auth = undefined as EmulatorRequest['auth'] | undefined;
  if (!compiled.route.public) {
    const creds = parseBasicAuth(req.headers.authorization);
    auth = creds ? core.accounts.authenticate(creds.username, creds.password) : undefined;
    if (!auth) {
      outcome.status = 401;
      sendError(res, unauthenticated());
      return;
    }
  }
  let accountSid = auth?.accountSid ?? '';
  // A path naming another account: only its owner (parent) may see it; anyone else gets 404.
  const pathAccount = pathParams.AccountSid;
  if (pathAccount && auth && pathAccount !== auth.accountSid) {
    const target = core.accounts.get(pathAccount);
    if (!target || target.ownerAccountSid !== auth.accountSid) {
      outcome.status = 404;
      outcome.accountSid = auth.accountSid;
      sendError(res, notFound(path));
      return;
    }
    accountSid = pathAccount;
  }
  outcome.accountSid = accountSid || undefined;

  const query = parseUrlEncoded(urlObj.search.slice(1));
  const hostBaseUrl = `${core.baseUrl}/${host}`;
  const emuReq: EmulatorRequest = {
    method: method as HttpMethod,
    path: rest,
    host,
    operation: compiled.operation,
    pathParams,
    query,
    body: parsed.params,
    json: parsed.json,
    files: parsed.files,
    headers: req.headers,
    rawBody: parsed.raw,
    auth: auth ?? { accountSid: '', kind: 'account' },
    accountSid,
    baseUrl: core.baseUrl,
    url: `${core.baseUrl}${path}${urlObj.search}`,
    hostBaseUrl,
  };

  const caller = callerOf(req);
  const decision = core.faults.decide({ method, path, operation: compiled.operation, caller });
  if (decision) outcome.fault = decision.kind;
  if (applyEarlyFault(decision, req, res)) {
    outcome.status = decision?.kind === 'reset' ? 0 : Number(decision?.kind);
    return;
  }

  // Injected latency: the handler runs after the hold (a stalled change commits even if the client left).
  const hold = core.latency.decide({ method, path, operation: compiled.operation, caller });
  if (hold) {
    outcome.latency = { kind: hold.kind, ms: Math.round(hold.ms) };
    if (!(await core.latency.hold(hold))) {
      // Abandoned by a reset or restore: the state it was meant for is gone.
      outcome.status = 0;
      dropConnection(req, res);
      return;
    }
  }

  core.spec.checkRequest(compiled, emuReq);
  let result: HandlerResult;
  try {
    result = await compiled.route.handler(emuReq, core.env(compiled.service.name));
  } catch (err) {
    if (!isTwilioError(err)) core.debug(`handler ${compiled.operation} threw: ${(err as Error)?.stack ?? String(err)}`);
    const e = isTwilioError(err) ? err : internalError();
    result = { status: e.status, body: e.toBody(), headers: e.headers };
  }
  outcome.status = result.status;
  core.spec.checkResponse(compiled, emuReq, result);
  if (outcome.mutating && result.status < 400) core.saveNow();

  if (decision?.kind === 'lost-response') {
    applyLostResponse(decision, req, res);
    return;
  }
  sendResult(res, result);
}

async function dispatchMount(core: EmulatorCore, req: http.IncomingMessage, res: http.ServerResponse, urlObj: URL, outcome: Outcome, mount: RawMount, byHost: boolean): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  outcome.operation = mount.operation;
  outcome.mutating = mount.mutating ?? false;
  let host: string;
  let path: string;
  if (byHost) {
    host = String(req.headers.host ?? '').replace(/:\d+$/, '');
    path = urlObj.pathname;
  } else {
    const segs = urlObj.pathname.split('/');
    host = decodeURIComponent(segs[2] ?? '');
    path = '/' + segs.slice(3).join('/');
  }
  let parsed: ParsedBody;
  try {
    parsed = await parseBody(req);
  } catch (err) {
    const e = isTwilioError(err) ? err : internalError();
    outcome.status = e.status;
    sendError(res, e);
    return;
  }
  const decision = core.faults.decide({ method, path: urlObj.pathname, operation: mount.operation });
  if (decision) outcome.fault = decision.kind;
  if (applyEarlyFault(decision, req, res)) return;
  const rawRes = await mount.handle(
    {
      method,
      path,
      host,
      search: urlObj.search,
      query: parseUrlEncoded(urlObj.search.slice(1)),
      body: parsed.params,
      json: parsed.json,
      files: parsed.files,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      rawBody: parsed.raw,
      baseUrl: core.baseUrl,
    },
    core.env(core.mounts.find((m) => m.mount === mount)?.service.name ?? ''),
  );
  outcome.status = rawRes.status;
  if (decision?.kind === 'lost-response') {
    applyLostResponse(decision, req, res);
    return;
  }
  sendRaw(res, rawRes);
}

/** Starts listening on 127.0.0.1; resolves with the bound port. */
export function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** For errors outside any route (admin hooks). */
export { errorBody, sendJson };
