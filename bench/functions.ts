/**
 * Transfer functions benchmark (loopback only, bounded): for each operation,
 * the Twilio API calls it makes and its p50/p95 latency over HTTP against the
 * emulator, with the stack deployed as the end-to-end tests deploy it.
 *
 * Per iteration the emulator state is restored to the freshly deployed stack
 * and the scenario (a chat, a call, an invite…) is set up outside the
 * measured window. "API calls" counts the Twilio API requests the function
 * made (the emulator's log, by the caller header the functions send; not the
 * runtime invocation itself, not test hooks); "+callbacks" adds what the
 * TaskRouter/voice callbacks it triggered made until everything settled.
 *
 * Latency: while the measured request runs, the emulator holds every Twilio
 * API call for `latencyMs` (default 150 ms, about what a call to Twilio costs
 * from a Function), so p50/p95 show what an agent waits for, dominated by the
 * number of sequential calls. `--latency-ms 0` measures the bare emulator.
 *
 * `node dist/bench/functions.js [--iterations N] [--latency-ms MS]` (build first: `npm run build`), or `run(opts)`.
 */
import type { Emulator, VoiceNetworkApi } from '../emulator';
import { numberArg, readArgs } from '../tools/cli-args';
import type { TransferStack } from '../support';
import { TWILIO_NUMBER, acceptReservation, callFunction, resetToDeployed, setActivity, signedCall, startChat, startDeployedStack, startVoiceCall, taskOf, type FnResponse } from '../support';

export interface FunctionsBenchOptions {
  iterations?: number;
  /** Injected per Twilio API call while the measured request runs (default 150). */
  latencyMs?: number;
  log?: (line: string) => void;
}

export interface OperationResult {
  operation: string;
  iterations: number;
  /** Mean Twilio API calls made by the function. */
  apiCalls: number;
  /** Mean including callbacks the operation triggered. */
  apiCallsWithCallbacks: number;
  /** Mean calls per Twilio operation (e.g. `flex.CreateInteractionChannelInvite`). */
  byOperation: Record<string, number>;
  p50Ms: number;
  p95Ms: number;
  errors: number;
}

interface Ctx {
  emu: Emulator;
  stack: TransferStack;
  voice: VoiceNetworkApi;
}

interface Op {
  name: string;
  /** Sets up one iteration; returns the measured call. */
  setup(ctx: Ctx): Promise<() => Promise<FnResponse>>;
}

function token(ctx: Ctx, worker: string): string {
  return ctx.emu.mintFlexToken({ workerSid: ctx.stack.workers[worker] });
}

/** Turns the workspace's event callback off for the iteration (to measure a callback by itself). */
async function withoutEventCallback(ctx: Ctx): Promise<void> {
  await ctx.stack.client.taskrouter.v1.workspaces(ctx.stack.workspaceSid).update({ eventCallbackUrl: '' });
}

/** Alice's chat; `available` becomes Available; the measured call is Alice's `path` (transfer or invite) to `targetSid`. */
function chatTo(name: string, path: string, available: string, targetSid: (stack: TransferStack) => string): Op {
  return {
    name,
    async setup(ctx) {
      const chat = await startChat(ctx.emu, ctx.stack, 'alice');
      await setActivity(ctx.stack, [available], 'Available');
      const t = token(ctx, 'alice');
      return () => callFunction(ctx.stack, path, { Token: t, taskSid: chat.taskSid, targetSid: targetSid(ctx.stack) });
    },
  };
}

/** Alice's call; the measured call is her blind or warm transfer to the sales queue. */
function voiceTransfer(mode: 'blind' | 'warm'): Op {
  return {
    name: `voice/transfer (${mode})`,
    async setup(ctx) {
      const { taskSid } = await startVoiceCall(ctx.emu, ctx.stack, 'alice');
      const t = token(ctx, 'alice');
      return () => callFunction(ctx.stack, '/voice/transfer', { Token: t, taskSid, targetSid: ctx.stack.queues.sales, mode });
    },
  };
}

const OPERATIONS: Op[] = [
  chatTo('chat/transfer (cold, to queue)', '/chat/transfer', 'carol', (stack) => stack.queues.sales),
  chatTo('chat/transfer (cold, to worker)', '/chat/transfer', 'dave', (stack) => stack.workers.dave),
  chatTo('chat/invite', '/chat/invite', 'bob', (stack) => stack.workers.bob),
  {
    name: 'chat/cancel-invite',
    async setup(ctx) {
      const chat = await startChat(ctx.emu, ctx.stack, 'alice');
      const t = token(ctx, 'alice');
      const inv = await callFunction(ctx.stack, '/chat/invite', { Token: t, taskSid: chat.taskSid, targetSid: ctx.stack.workers.bob });
      await ctx.emu.whenIdle();
      return () => callFunction(ctx.stack, '/chat/cancel-invite', { Token: t, inviteTaskSid: String(inv.body.inviteTaskSid) });
    },
  },
  {
    name: 'chat/leave (last agent, channel closed)',
    async setup(ctx) {
      const chat = await startChat(ctx.emu, ctx.stack, 'alice');
      const t = token(ctx, 'alice');
      return () => callFunction(ctx.stack, '/chat/leave', { Token: t, taskSid: chat.taskSid });
    },
  },
  {
    name: 'taskrouter/events (invitee joined)',
    async setup(ctx) {
      const chat = await startChat(ctx.emu, ctx.stack, 'alice');
      await setActivity(ctx.stack, ['bob'], 'Available');
      const inv = await callFunction(ctx.stack, '/chat/invite', { Token: token(ctx, 'alice'), taskSid: chat.taskSid, targetSid: ctx.stack.workers.bob });
      const taskSid = String(inv.body.inviteTaskSid);
      await withoutEventCallback(ctx);
      await acceptReservation(ctx.emu, ctx.stack, taskSid, ctx.stack.workers.bob);
      const task = await taskOf(ctx.stack, taskSid);
      return () =>
        signedCall(ctx.emu, ctx.stack, '/taskrouter/events', {
          EventType: 'reservation.accepted',
          TaskSid: taskSid,
          WorkspaceSid: ctx.stack.workspaceSid,
          TaskAttributes: JSON.stringify(task.attributes),
          TaskAssignmentStatus: 'assigned',
        });
    },
  },
  voiceTransfer('blind'),
  voiceTransfer('warm'),
  {
    name: 'voice/assignment (call instruction)',
    async setup(ctx) {
      const { taskSid } = await startVoiceCall(ctx.emu, ctx.stack, 'alice');
      const r = await callFunction(ctx.stack, '/voice/transfer', { Token: token(ctx, 'alice'), taskSid, targetSid: ctx.stack.queues.sales, mode: 'warm' });
      const transfer = await taskOf(ctx.stack, String(r.body.transferTaskSid));
      return () =>
        signedCall(ctx.emu, ctx.stack, '/voice/assignment', {
          WorkspaceSid: ctx.stack.workspaceSid,
          TaskSid: transfer.sid,
          WorkerSid: ctx.stack.workers.carol,
          ReservationSid: 'WR' + '0'.repeat(32),
          TaskAttributes: JSON.stringify(transfer.attributes),
          WorkerAttributes: JSON.stringify({ contact_uri: 'client:carol' }),
        });
    },
  },
  {
    name: 'voice/join-conference (TwiML)',
    async setup(ctx) {
      const { taskSid } = await startVoiceCall(ctx.emu, ctx.stack, 'alice');
      await setActivity(ctx.stack, ['carol'], 'Available');
      const r = await callFunction(ctx.stack, '/voice/transfer', { Token: token(ctx, 'alice'), taskSid, targetSid: ctx.stack.queues.sales, mode: 'warm' });
      await ctx.emu.whenIdle();
      const transfer = await taskOf(ctx.stack, String(r.body.transferTaskSid));
      // Carol's reservation, pending or (when her client answered at once) accepted.
      const [reservation] = await ctx.stack.client.taskrouter.v1.workspaces(ctx.stack.workspaceSid).tasks(transfer.sid).reservations.list();
      if (!reservation) throw new Error(`voice/join-conference setup: the transfer task ${transfer.sid} was offered to nobody`);
      const conf = transfer.attributes.conference as { sid: string; participants: { customer: string } };
      const query = `?${new URLSearchParams({ originalTaskSid: taskSid, transferTaskSid: transfer.sid, conferenceSid: conf.sid, customerCallSid: conf.participants.customer, reservationSid: reservation.sid }).toString()}`;
      return () => signedCall(ctx.emu, ctx.stack, '/voice/join-conference', { CallSid: 'CA' + 'b'.repeat(32), From: TWILIO_NUMBER, To: 'client:carol' }, query);
    },
  },
  {
    name: 'voice/complete-transfer (warm)',
    async setup(ctx) {
      const { taskSid } = await startVoiceCall(ctx.emu, ctx.stack, 'alice');
      await setActivity(ctx.stack, ['bob'], 'Available');
      const t = token(ctx, 'alice');
      await callFunction(ctx.stack, '/voice/transfer', { Token: t, taskSid, targetSid: ctx.stack.workers.bob, mode: 'warm' });
      await ctx.emu.whenIdle();
      ctx.voice.answerRinging(ctx.stack.accountSid, 'client:bob');
      await ctx.emu.whenIdle();
      return () => callFunction(ctx.stack, '/voice/complete-transfer', { Token: t, taskSid });
    },
  },
];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const lastSeq = (emu: Emulator) => emu.log.list().reduce((m, e) => Math.max(m, e.seq), 0);
const apiEntries = (emu: Emulator, from: number) => emu.log.list().filter((e) => e.seq > from && !e.operation.startsWith('runtime.') && !e.operation.startsWith('admin.'));
/** The endpoint an operation measures: its name up to the first space (`chat/transfer (cold, to queue)` → `chat/transfer`). */
const endpointOf = (op: Op) => op.name.split(' ')[0];

export async function run(opts: FunctionsBenchOptions = {}): Promise<OperationResult[]> {
  const iterations = opts.iterations ?? 15;
  const latencyMs = opts.latencyMs ?? 150;
  const log = opts.log ?? ((line: string) => console.log(line));
  const { emu, stack, clean } = await startDeployedStack();
  const results: OperationResult[] = [];
  try {
    const ctx: Ctx = { emu, stack, voice: emu.core.apiOf<VoiceNetworkApi>('api') as VoiceNetworkApi };
    for (const op of OPERATIONS) {
      const latencies: number[] = [];
      let calls = 0;
      let withCallbacks = 0;
      let errors = 0;
      const byOperation: Record<string, number> = {};
      for (let i = 0; i < iterations; i++) {
        await resetToDeployed(emu, clean);
        const measured = await op.setup(ctx);
        await emu.whenIdle();
        const before = lastSeq(emu);
        if (latencyMs > 0) emu.latency.add({ kind: 'delay', ms: latencyMs });
        const t0 = performance.now();
        const res = await measured();
        latencies.push(performance.now() - t0);
        emu.latency.clear();
        await emu.whenIdle();
        if (res.status !== 200) errors += 1;
        // The function's own calls, by the caller header it sends (not a callback's running meanwhile).
        const direct = apiEntries(emu, before).filter((e) => e.caller === endpointOf(op));
        calls += direct.length;
        withCallbacks += apiEntries(emu, before).length;
        for (const e of direct) byOperation[e.operation] = (byOperation[e.operation] ?? 0) + 1;
      }
      latencies.sort((a, b) => a - b);
      const r: OperationResult = {
        operation: op.name,
        iterations,
        apiCalls: calls / iterations,
        apiCallsWithCallbacks: withCallbacks / iterations,
        byOperation: Object.fromEntries(Object.entries(byOperation).map(([k, v]) => [k, v / iterations])),
        p50Ms: percentile(latencies, 50),
        p95Ms: percentile(latencies, 95),
        errors,
      };
      results.push(r);
    }
  } finally {
    await emu.stop();
  }
  log(`Latency injected per Twilio API call: ${latencyMs} ms; ${iterations} iterations per operation.\n`);
  log(formatTable(results));
  return results;
}

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function formatTable(results: OperationResult[]): string {
  const lines = [
    '| operation | API calls | +callbacks | p50 ms | p95 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => `| ${r.operation} | ${num(r.apiCalls)} | ${num(r.apiCallsWithCallbacks)} | ${r.p50Ms.toFixed(1)} | ${r.p95Ms.toFixed(1)} | ${r.errors}/${r.iterations} |`),
    '',
    'Twilio API calls per operation (mean per request):',
    '',
    ...results.map(
      (r) =>
        `- ${r.operation}: ${Object.entries(r.byOperation)
          .map(([k, v]) => `${k} ×${num(v)}`)
          .join(', ')}`,
    ),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const { values } = readArgs(process.argv.slice(2), { iterations: { type: 'string' }, 'latency-ms': { type: 'string' } });
  const iterations = numberArg(values.iterations, '--iterations');
  const latencyMs = numberArg(values['latency-ms'], '--latency-ms');
  run({ iterations: iterations && iterations > 0 ? iterations : undefined, latencyMs: latencyMs !== undefined && latencyMs >= 0 ? latencyMs : undefined }).then(
    (results) => {
      if (results.some((r) => r.errors > 0)) process.exitCode = 1;
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
