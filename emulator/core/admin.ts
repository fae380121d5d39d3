/**
 * Test hooks over HTTP under the reserved prefix `/__emulator/` (JSON in and
 * out, no auth: the emulator listens on loopback only). Each hook calls the
 * same in-process method the `Emulator` object exposes.
 */
import type * as http from 'node:http';
import { readRawBody } from './body-parser';
import type { EmulatorCore } from './emulator-core';
import { errorBody } from './errors';
import type { FaultRuleInput } from './faults';
import type { LatencyRuleInput } from './latency';
import { SEED_KINDS, type SeedKind } from './types';

interface Outcome {
  status: number;
  operation: string;
  mutating: boolean;
}

/** The IAM service's in-process API, used for `/__emulator/flex-tokens`. */
export interface FlexTokenMinter {
  mintFlexToken(opts: { accountSid: string; workerSid: string; roles?: string[]; identity?: string; ttlSeconds?: number }): string;
}

function reply(res: http.ServerResponse, outcome: Outcome, status: number, body: unknown): void {
  outcome.status = status;
  const text = body === undefined ? '' : JSON.stringify(body, null, 2);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function fail(res: http.ServerResponse, outcome: Outcome, status: number, message: string): void {
  reply(res, outcome, status, errorBody(status, status === 404 ? 20404 : 20001, message));
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readRawBody(req);
  if (raw.length === 0) return {};
  const value = JSON.parse(raw.toString('utf8')) as unknown;
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('body must be a JSON object');
  return value as Record<string, unknown>;
}

export async function handleAdmin(core: EmulatorCore, req: http.IncomingMessage, res: http.ServerResponse, url: URL, outcome: Outcome): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const route = url.pathname.replace(/^\/__emulator\/?/, '').replace(/\/+$/, '');
  const q = url.searchParams;
  outcome.operation = `admin.${method} ${route.split('/')[0] || 'root'}`;
  outcome.mutating = method !== 'GET';
  let body: Record<string, unknown>;
  try {
    body = method === 'GET' || method === 'DELETE' ? (req.resume(), {}) : await readJson(req);
  } catch (err) {
    fail(res, outcome, 400, `Malformed JSON body: ${(err as Error).message}`);
    return;
  }

  try {
    switch (`${method} ${route}`) {
      case 'GET ':
      case 'GET health':
        return reply(res, outcome, 200, { ok: true, baseUrl: core.baseUrl, accountSid: core.options.accountSid, services: core.services.map((s) => s.name) });

      case 'GET requests': {
        const filter = {
          operation: q.get('operation') ?? undefined,
          method: q.get('method') ?? undefined,
          path: q.get('path') ?? undefined,
          accountSid: q.get('accountSid') ?? undefined,
          mutating: q.has('mutating') ? q.get('mutating') === 'true' : undefined,
        };
        return reply(res, outcome, 200, { requests: core.log.list(filter), counts: core.log.counts(filter), totals: core.log.totals() });
      }
      case 'DELETE requests':
        core.log.clear();
        return reply(res, outcome, 200, { cleared: true });

      case 'GET faults':
        return reply(res, outcome, 200, { faults: core.faults.list() });
      case 'POST faults':
        return reply(res, outcome, 201, core.faults.add(body as unknown as FaultRuleInput));
      case 'DELETE faults':
        core.faults.clear(typeof body.seed === 'number' ? body.seed : undefined);
        return reply(res, outcome, 200, { cleared: true });

      case 'GET latency':
        return reply(res, outcome, 200, { latency: core.latency.list(), stalled: core.latency.stalledCount() });
      case 'POST latency':
        return reply(res, outcome, 201, core.latency.add(body as unknown as LatencyRuleInput));
      case 'DELETE latency':
        core.latency.clear(typeof body.seed === 'number' ? body.seed : undefined);
        return reply(res, outcome, 200, { cleared: true });
      case 'POST latency/release':
        return reply(res, outcome, 200, { released: core.latency.release() });

      case 'GET clock':
        return reply(res, outcome, 200, { now: core.clock.now(), iso: core.clock.isoNow(), mode: core.clock.mode, pending: core.clock.pending() });
      case 'POST clock/advance': {
        const ms = Number(body.ms);
        if (!Number.isFinite(ms) || ms < 0) return fail(res, outcome, 400, 'ms must be a non-negative number');
        core.clock.advance(ms);
        return reply(res, outcome, 200, { now: core.clock.now(), iso: core.clock.isoNow() });
      }
      case 'POST clock/set': {
        const time = typeof body.time === 'string' ? Date.parse(body.time) : Number(body.time);
        if (!Number.isFinite(time)) return fail(res, outcome, 400, 'time must be epoch ms or an ISO date-time');
        core.clock.setTime(time);
        return reply(res, outcome, 200, { now: core.clock.now(), iso: core.clock.isoNow() });
      }

      case 'POST reset':
        core.reset();
        return reply(res, outcome, 200, { reset: true });

      case 'GET snapshot':
        return reply(res, outcome, 200, core.snapshot());
      case 'PUT snapshot':
      case 'POST snapshot':
        core.restore(body);
        return reply(res, outcome, 200, { restored: true });

      case 'GET spec-violations':
        return reply(res, outcome, 200, { violations: core.spec.violations() });
      case 'DELETE spec-violations':
        core.spec.clear();
        return reply(res, outcome, 200, { cleared: true });
      case 'GET spec-coverage':
        return reply(res, outcome, 200, core.spec.coverage());

      case 'GET webhooks':
        return reply(res, outcome, 200, { webhooks: core.webhooks.history() });
      case 'GET webhook-routes':
        return reply(res, outcome, 200, { routes: core.webhooks.routeList() });
      case 'POST webhook-routes': {
        if (typeof body.host !== 'string' || body.host === '') return fail(res, outcome, 400, 'host is required (a domain or host:port)');
        if (body.baseUrl !== undefined && typeof body.baseUrl !== 'string') return fail(res, outcome, 400, 'baseUrl must be a loopback http:// URL, or absent to remove the route');
        try {
          core.webhooks.route(body.host, body.baseUrl as string | undefined);
        } catch (err) {
          return fail(res, outcome, 400, (err as Error).message);
        }
        return reply(res, outcome, 200, { routes: core.webhooks.routeList() });
      }

      case 'POST accounts': {
        const account = core.accounts.create({
          sid: typeof body.accountSid === 'string' ? body.accountSid : undefined,
          authToken: typeof body.authToken === 'string' ? body.authToken : undefined,
          friendlyName: typeof body.friendlyName === 'string' ? body.friendlyName : undefined,
          seed: SEED_KINDS.includes(body.seed as SeedKind) ? (body.seed as SeedKind) : 'none',
        });
        core.saveNow();
        return reply(res, outcome, 201, { accountSid: account.sid, authToken: account.authToken });
      }
      case 'POST api-keys': {
        const accountSid = typeof body.accountSid === 'string' ? body.accountSid : core.options.accountSid;
        if (!core.accounts.get(accountSid)) return fail(res, outcome, 404, `unknown account ${accountSid}`);
        const key = core.accounts.createApiKey(accountSid, typeof body.friendlyName === 'string' ? body.friendlyName : undefined);
        core.saveNow();
        return reply(res, outcome, 201, { sid: key.sid, secret: key.secret, accountSid });
      }
      case 'POST flex-tokens': {
        const minter = core.apiOf<FlexTokenMinter>('iam');
        if (!minter) return fail(res, outcome, 404, 'the iam service is not loaded');
        if (typeof body.workerSid !== 'string') return fail(res, outcome, 400, 'workerSid (string) is required');
        const token = minter.mintFlexToken({
          accountSid: typeof body.accountSid === 'string' ? body.accountSid : core.options.accountSid,
          workerSid: body.workerSid,
          roles: Array.isArray(body.roles) ? body.roles.map(String) : undefined,
          identity: typeof body.identity === 'string' ? body.identity : undefined,
          ttlSeconds: typeof body.ttlSeconds === 'number' ? body.ttlSeconds : undefined,
        });
        return reply(res, outcome, 201, { token });
      }
      default: {
        const faultId = /^faults\/(\d+)$/.exec(route);
        if (faultId && method === 'DELETE') {
          return core.faults.remove(Number(faultId[1])) ? reply(res, outcome, 200, { removed: true }) : fail(res, outcome, 404, `no fault rule ${faultId[1]}`);
        }
        const latencyId = /^latency\/(\d+)$/.exec(route);
        if (latencyId && method === 'DELETE') {
          return core.latency.remove(Number(latencyId[1])) ? reply(res, outcome, 200, { removed: true }) : fail(res, outcome, 404, `no latency rule ${latencyId[1]}`);
        }
        return fail(res, outcome, 404, `no emulator hook ${method} /__emulator/${route}`);
      }
    }
  } catch (err) {
    return fail(res, outcome, 400, (err as Error).message);
  }
}
