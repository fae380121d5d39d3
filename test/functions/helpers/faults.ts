/**
 * Fault sweeps: run a flow once cleanly to learn the Twilio API operations it
 * makes, then, from the same starting state, once per (operation, fault kind)
 * with the emulator injecting that fault at exactly that call, checking an
 * invariant after each run.
 */
import type { Emulator, EmulatorState, FaultKind } from '../../../emulator';
import type { FnResponse } from '../../../support';

const lastSeq = (emu: Emulator) => emu.log.list().reduce((m, e) => Math.max(m, e.seq), 0);

/**
 * Twilio API operations logged after `since` (no runtime invocations, no test
 * hooks); with `caller`, only those the named endpoint of ours made (e.g.
 * `chat/transfer`), not an event callback's running meanwhile.
 */
export function apiOps(emu: Emulator, since: number, caller?: string): string[] {
  return emu.log
    .list({ caller })
    .filter((e) => e.seq > since && !e.operation.startsWith('runtime.') && !e.operation.startsWith('admin.'))
    .map((e) => e.operation);
}

/** The endpoint name our functions send as caller for a function path (`/chat/transfer` → `chat/transfer`). */
export const callerOf = (functionPath: string): string => functionPath.replace(/^\//, '');

export interface SweepOptions {
  emu: Emulator;
  /** State to start every run from (the scenario already set up). */
  scenario: EmulatorState;
  /** The request under test (a fresh token is minted inside, after restore). */
  run: () => Promise<FnResponse>;
  /** The function path `run` invokes: only its own Twilio calls are faulted, not an event callback's. */
  functionPath: string;
  /** Checked after every faulted run (and the clean one). */
  check: (r: FnResponse, ctx: string) => Promise<void>;
  kinds?: FaultKind[];
  /** Operations the clean run must at least make (sanity). */
  minOps?: number;
}

export async function sweepFaults(o: SweepOptions): Promise<{ ops: string[]; runs: number }> {
  const kinds = o.kinds ?? ['500', 'lost-response', '429'];
  o.emu.restore(o.scenario);
  o.emu.faults.clear();
  const since = lastSeq(o.emu);
  const clean = await o.run();
  if (clean.status !== 200) throw new Error(`the clean run failed: ${clean.status} ${clean.text.slice(0, 300)}`);
  const caller = callerOf(o.functionPath);
  const ops = apiOps(o.emu, since, caller);
  await o.emu.whenIdle();
  await o.check(clean, 'clean run');
  if (ops.length < (o.minOps ?? 3)) throw new Error(`the clean run made only ${ops.length} API calls: ${ops.join(' ')}`);
  let runs = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const nth = ops.slice(0, i + 1).filter((x) => x === op).length;
    for (const kind of kinds) {
      o.emu.restore(o.scenario);
      o.emu.faults.clear();
      o.emu.faults.add({ operation: op, caller, nth, kind, times: kind === 'lost-response' ? 1 : 3 });
      const r = await o.run();
      o.emu.faults.clear();
      await o.emu.whenIdle();
      const ctx = `${kind} at call #${i + 1} (${op}, occurrence ${nth}) -> ${r.status} ${String(r.body.failedStep ?? r.body.error ?? '')}`;
      if (r.status >= 600 || r.status < 200) throw new Error(`${ctx}: impossible status`);
      if (r.status !== 200 && (typeof r.body.error !== 'string' || typeof r.body.message !== 'string')) throw new Error(`${ctx}: the failure is not named: ${r.text.slice(0, 300)}`);
      await o.check(r, ctx);
      runs++;
    }
  }
  return { ops, runs };
}
