/**
 * Emulator benchmark (loopback only, bounded):
 *  1. requests/second for a mixed read/write load: `requests` requests from
 *     `concurrency` keep-alive clients against an in-process emulator;
 *  2. heap used after creating `tasks` TaskRouter tasks (skipped, with a
 *     note, when the TaskRouter service is not registered).
 *
 * `node dist/bench/emulator.js [--requests N] [--concurrency C] [--tasks N]`, or `run(opts)`.
 */
import * as http from 'node:http';
import { startEmulator, type Emulator } from '../emulator';
import { numberArg, readArgs } from '../tools/cli-args';

export interface BenchOptions {
  requests?: number;
  concurrency?: number;
  tasks?: number;
  /** Fraction of mutating requests in the mix. */
  writeRatio?: number;
  log?: (line: string) => void;
}

export interface BenchResult {
  requests: number;
  concurrency: number;
  seconds: number;
  requestsPerSecond: number;
  errors: number;
  mix: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number };
  tasks?: { created: number; seconds: number; heapUsedMb: number; heapBeforeMb: number } | { skipped: string };
}

interface Call {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  form?: Record<string, string>;
}

function requester(emu: Emulator) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const auth = 'Basic ' + Buffer.from(`${emu.credentials.accountSid}:${emu.credentials.authToken}`).toString('base64');
  const url = new URL(emu.baseUrl);
  return (call: Call): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const body = call.form ? new URLSearchParams(call.form).toString() : '';
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: call.method,
          path: call.path,
          agent,
          headers: { Authorization: auth, ...(call.form ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(2));
}

async function setupServerless(send: ReturnType<typeof requester>) {
  const svc = JSON.parse((await send({ name: 'setup', method: 'POST', path: '/serverless/v1/Services', form: { UniqueName: 'bench', FriendlyName: 'bench' } })).body);
  const env = JSON.parse((await send({ name: 'setup', method: 'POST', path: `/serverless/v1/Services/${svc.sid}/Environments`, form: { UniqueName: 'bench', DomainSuffix: 'bench' } })).body);
  const fn = JSON.parse((await send({ name: 'setup', method: 'POST', path: `/serverless/v1/Services/${svc.sid}/Functions`, form: { FriendlyName: 'fn' } })).body);
  const variable = JSON.parse((await send({ name: 'setup', method: 'POST', path: `/serverless/v1/Services/${svc.sid}/Environments/${env.sid}/Variables`, form: { Key: 'K0', Value: 'v' } })).body);
  return { svc: svc.sid as string, env: env.sid as string, fn: fn.sid as string, variable: variable.sid as string };
}

/** TaskRouter fixtures over the public API, or undefined when the routes are not there. */
async function setupTaskRouter(send: ReturnType<typeof requester>): Promise<{ ws: string; wf: string } | undefined> {
  const ws = await send({ name: 'setup', method: 'POST', path: '/taskrouter/v1/Workspaces', form: { FriendlyName: 'bench' } });
  if (ws.status !== 201) return undefined;
  const wsSid = JSON.parse(ws.body).sid as string;
  const queue = await send({ name: 'setup', method: 'POST', path: `/taskrouter/v1/Workspaces/${wsSid}/TaskQueues`, form: { FriendlyName: 'bench-queue', TargetWorkers: '1==1' } });
  if (queue.status !== 201) return undefined;
  const config = JSON.stringify({ task_routing: { default_filter: { queue: JSON.parse(queue.body).sid } } });
  const wf = await send({ name: 'setup', method: 'POST', path: `/taskrouter/v1/Workspaces/${wsSid}/Workflows`, form: { FriendlyName: 'bench-flow', Configuration: config } });
  if (wf.status !== 201) return undefined;
  return { ws: wsSid, wf: JSON.parse(wf.body).sid as string };
}

export async function run(opts: BenchOptions = {}): Promise<BenchResult> {
  const requests = opts.requests ?? 20_000;
  const concurrency = opts.concurrency ?? 8;
  const taskCount = opts.tasks ?? 100_000;
  const writeRatio = opts.writeRatio ?? 0.3;
  const log = opts.log ?? ((line: string) => process.stdout.write(line + '\n'));

  const emu = await startEmulator({ port: 0 });
  try {
    const send = requester(emu);
    const s = await setupServerless(send);
    const tr = await setupTaskRouter(send);
    if (!tr) log('note: this emulator serves no TaskRouter; the mix uses Serverless only');

    let counter = 0;
    const reads: Array<() => Call> = [
      () => ({ name: 'serverless.ListService', method: 'GET', path: '/serverless/v1/Services' }),
      () => ({ name: 'serverless.FetchService', method: 'GET', path: `/serverless/v1/Services/${s.svc}` }),
      () => ({ name: 'serverless.FetchVariable', method: 'GET', path: `/serverless/v1/Services/${s.svc}/Environments/${s.env}/Variables/${s.variable}` }),
      () => ({ name: 'serverless.ListFunction', method: 'GET', path: `/serverless/v1/Services/${s.svc}/Functions?PageSize=20` }),
    ];
    const writes: Array<() => Call> = [
      () => ({ name: 'serverless.UpdateVariable', method: 'POST', path: `/serverless/v1/Services/${s.svc}/Environments/${s.env}/Variables/${s.variable}`, form: { Value: `v${counter}` } }),
      () => ({ name: 'serverless.UpdateFunction', method: 'POST', path: `/serverless/v1/Services/${s.svc}/Functions/${s.fn}`, form: { FriendlyName: `fn-${counter}` } }),
    ];
    if (tr) {
      reads.push(() => ({ name: 'taskrouter.ListTask', method: 'GET', path: `/taskrouter/v1/Workspaces/${tr.ws}/Tasks?PageSize=20` }));
      writes.push(() => ({
        name: 'taskrouter.CreateTask',
        method: 'POST',
        path: `/taskrouter/v1/Workspaces/${tr.ws}/Tasks`,
        form: { WorkflowSid: tr.wf, Attributes: JSON.stringify({ n: counter }) },
      }));
    }

    // Deterministic mix: every request index maps to the same call each run.
    const pick = (i: number): Call => {
      const isWrite = (i * 7919) % 1000 < writeRatio * 1000;
      const list = isWrite ? writes : reads;
      return list[i % list.length]();
    };

    const latencies: number[] = [];
    const mix: Record<string, number> = {};
    let errors = 0;
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (;;) {
          const i = next++;
          if (i >= requests) return;
          counter = i;
          const call = pick(i);
          mix[call.name] = (mix[call.name] ?? 0) + 1;
          const t0 = process.hrtime.bigint();
          const res = await send(call);
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (res.status >= 400) errors++;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((a, b) => a - b);
    const result: BenchResult = {
      requests,
      concurrency,
      seconds: Number(seconds.toFixed(3)),
      requestsPerSecond: Math.round(requests / seconds),
      errors,
      mix,
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
    };
    log(
      `mixed load: ${requests} requests, ${concurrency} clients, ${Math.round(writeRatio * 100)}% writes -> ${result.requestsPerSecond} req/s (p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ${errors} errors)`,
    );

    if (!tr) {
      result.tasks = { skipped: 'this emulator serves no TaskRouter: memory after 100,000 tasks not measured' };
      log(`memory: skipped (${result.tasks.skipped})`);
    } else {
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const t0 = process.hrtime.bigint();
      let created = 0;
      let idx = 0;
      // Prefer TaskRouter's in-process bulk helper (same rules as POST /Tasks, no HTTP cost).
      const bulk = emu.core.apiOf<{ createTasksBulk?: (accountSid: string, workspaceSid: string, count: number, input?: { workflowSid?: string }) => number }>('taskrouter');
      if (bulk?.createTasksBulk) {
        created = bulk.createTasksBulk(emu.credentials.accountSid, tr.ws, taskCount, { workflowSid: tr.wf });
        idx = taskCount;
      }
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (;;) {
            const i = idx++;
            if (i >= taskCount) return;
            const res = await send({
              name: 'taskrouter.CreateTask',
              method: 'POST',
              path: `/taskrouter/v1/Workspaces/${tr.ws}/Tasks`,
              form: { WorkflowSid: tr.wf, Attributes: JSON.stringify({ n: i, type: 'chat' }) },
            });
            if (res.status === 201) created++;
          }
        }),
      );
      global.gc?.();
      const heapUsed = process.memoryUsage().heapUsed;
      result.tasks = {
        created,
        seconds: Number((Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2)),
        heapUsedMb: Number((heapUsed / 1048576).toFixed(1)),
        heapBeforeMb: Number((heapBefore / 1048576).toFixed(1)),
      };
      log(`memory: heap ${result.tasks.heapUsedMb} MB after ${created} tasks (was ${result.tasks.heapBeforeMb} MB; ${result.tasks.seconds} s to create)`);
    }
    return result;
  } finally {
    await emu.stop();
  }
}

if (require.main === module) {
  const { values } = readArgs(process.argv.slice(2), { requests: { type: 'string' }, concurrency: { type: 'string' }, tasks: { type: 'string' } });
  run({ requests: numberArg(values.requests, '--requests'), concurrency: numberArg(values.concurrency, '--concurrency'), tasks: numberArg(values.tasks, '--tasks') })
    .then((r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'))
    .catch((err: unknown) => {
      process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    });
}
