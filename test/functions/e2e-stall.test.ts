/**
 * A 12 s stall on any single Twilio call of a transfer (the emulator holds
 * that one request until its clock moves 12 s, then applies it: the late
 * commit a slow Twilio request can make after its caller gave up). For every
 * call of each transfer flow, in turn:
 *  - the endpoint answers before Twilio's 10 s limit, by its own budget
 *    report (Server-Timing), while the stalled call is still held (it did not
 *    wait it out);
 *  - once the stalled call has been applied and everything settled, the
 *    customer is connected to an agent or back in line, never alone (on hold).
 */
import type { Emulator, EmulatorState } from '../../emulator';
import type { VoiceNetworkApi } from '../../emulator';
import type { TransferStack } from '../../support';
import { callFunction, resetToDeployed, setActivity, startChat, startDeployedStack, startVoiceCall, type FnResponse } from '../../support';
import { apiOps, callerOf } from './helpers/faults';
import { budgetReport, callNotAlone, customerNotAlone } from './helpers/invariants';

let emu: Emulator;
let stack: TransferStack;
let clean: EmulatorState;
let voice: VoiceNetworkApi;

beforeAll(async () => {
  ({ emu, stack, clean } = await startDeployedStack());
  voice = emu.core.apiOf<VoiceNetworkApi>('api') as VoiceNetworkApi;
});
afterAll(async () => emu?.stop());
beforeEach(async () => {
  // A stall left by a failed test would hold what the reset waits for.
  emu.latency.clear();
  await resetToDeployed(emu, clean);
});

const STALL_MS = 12_000;
const token = (worker: string) => emu.mintFlexToken({ workerSid: stack.workers[worker] });
const lastSeq = () => emu.log.list().reduce((m, e) => Math.max(m, e.seq), 0);

/**
 * Runs `request` (to `functionPath`) once cleanly to learn its own Twilio
 * calls, then once per call with that call stalled; `check` sees the settled
 * state after the stalled call was applied.
 */
async function stallEveryCall(
  scenario: EmulatorState,
  functionPath: string,
  request: () => Promise<FnResponse>,
  check: (ctx: string) => Promise<{ ok: true } | { ok: false; reason: string }>,
): Promise<number> {
  emu.restore(scenario);
  await emu.whenIdle();
  const since = lastSeq();
  const first = await request();
  expect(first.status).toBe(200);
  const caller = callerOf(functionPath);
  const ops = apiOps(emu, since, caller);
  expect(ops.length).toBeGreaterThanOrEqual(5);
  let runs = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const nth = ops.slice(0, i + 1).filter((x) => x === op).length;
    emu.restore(scenario);
    emu.latency.clear();
    await emu.whenIdle();
    emu.latency.add({ operation: op, caller, nth, kind: 'stall', ms: STALL_MS });
    const res = await request();
    const ctx = `stall at call #${i + 1} (${op}, occurrence ${nth}) -> ${res.status} ${String(res.body.error ?? '')}`;
    const report = budgetReport(res.headers);
    if (process.env.SHOW_STALLS) console.log(`${ctx} in ${report.totalMs} ms, timed out: ${report.timedOut.join(' ')}`);
    // Answered before Twilio's limit by its own account, without waiting for the stalled call.
    expect({ ctx, answeredInBudget: report.totalMs < 10_000 && report.totalMs <= report.budgetMs, stallHeld: emu.latency.stalledCount() === 1 }).toEqual({
      ctx,
      answeredInBudget: true,
      stallHeld: true,
    });
    if (res.status !== 200) expect({ ctx, named: typeof res.body.error === 'string' && typeof res.body.message === 'string' }).toEqual({ ctx, named: true });
    // Twilio applies the stalled call late; then everything settles.
    await emu.whenIdle();
    emu.clock.advance(STALL_MS);
    await emu.whenIdle();
    expect({ ctx, result: await check(ctx) }).toEqual({ ctx, result: { ok: true } });
    runs++;
  }
  emu.latency.clear();
  return runs;
}

describe('a 12 s stall on any single Twilio call of a transfer', () => {
  for (const mode of ['blind', 'warm'] as const) {
    test(`voice ${mode} transfer`, async () => {
      const call = await startVoiceCall(emu, stack, 'alice');
      await setActivity(stack, ['bob', 'carol'], 'Available');
      const customerLive = () => voice.call(stack.accountSid, call.customerCallSid)?.status === 'in-progress';
      const runs = await stallEveryCall(
        emu.snapshot(),
        '/voice/transfer',
        () => callFunction(stack, '/voice/transfer', { Token: token('alice'), taskSid: call.taskSid, targetSid: stack.queues.sales, mode }),
        async () => callNotAlone(stack, customerLive(), call),
      );
      expect(runs).toBeGreaterThanOrEqual(5);
    });
  }

  for (const path of ['/chat/transfer', '/chat/invite']) {
    test(`chat ${path}`, async () => {
      const chat = await startChat(emu, stack, 'alice');
      await setActivity(stack, ['bob', 'carol'], 'Available');
      const runs = await stallEveryCall(
        emu.snapshot(),
        path,
        () => callFunction(stack, path, { Token: token('alice'), taskSid: chat.taskSid, targetSid: stack.queues.sales }),
        async () => customerNotAlone(stack, chat),
      );
      expect(runs).toBeGreaterThanOrEqual(5);
    });
  }
});
