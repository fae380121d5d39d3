/**
 * Model-based concurrency test (fast-check): random programs of transfer,
 * invite, cancel, accept, reject, leave, wrap-up and timeout, from several
 * agents and a supervisor, run against the deployed stack over HTTP. A
 * program is a list of batches; the commands of a batch are in flight at the
 * same time (real races between function invocations that share nothing but
 * Twilio), batches follow each other. After every run, every invariant of
 * docs/functions.md is checked on the emulator's state; a failing run is
 * shrunk and its program printed.
 *
 * The stack is deployed once; each run starts from a snapshot of the
 * emulator (a chat, or a call, already with Alice). MODEL_RUNS sets the runs
 * per model (default 250 each: 500 in all); MODEL_SEED replays a seed.
 */
import fc from 'fast-check';
import type { Emulator, EmulatorState } from '../../emulator';
import type { VoiceNetworkApi } from '../../emulator';
import type { TransferStack } from '../../support';
import { callFunction, resetToDeployed, setActivity, startChat, startDeployedStack, startVoiceCall, type Call, type Chat, type FnResponse } from '../../support';
import { allTasks, callNotAlone, customerNotAlone, liveChatTransferTasks, type TaskView } from './helpers/invariants';

let emu: Emulator;
let stack: TransferStack;
let clean: EmulatorState;
let voice: VoiceNetworkApi;

const RUNS = Number(process.env.MODEL_RUNS ?? 250);
// Hundreds of HTTP programs: about a minute on a quiet machine, several on a busy one.
// A jest timeout would leave fast-check running against the emulator the next test uses.
const MODEL_TIMEOUT_MS = 15 * 60 * 1000;
const SEED = process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : undefined;

beforeAll(async () => {
  ({ emu, stack, clean } = await startDeployedStack());
  voice = emu.core.apiOf<VoiceNetworkApi>('api') as VoiceNetworkApi;
});
afterAll(async () => emu?.stop());

const AGENTS = ['alice', 'bob', 'carol'] as const;
type Agent = (typeof AGENTS)[number];
type Actor = Agent | 'sup';
type Target = 'sales' | 'support' | Agent;

/** Dave acts as the supervisor (not routed to: Offline). */
const tokenOf = (actor: Actor) => (actor === 'sup' ? emu.mintFlexToken({ workerSid: stack.workers.dave, roles: ['supervisor'] }) : emu.mintFlexToken({ workerSid: stack.workers[actor] }));
const targetSid = (t: Target) => (t === 'sales' ? stack.queues.sales : t === 'support' ? stack.queues.support : stack.workers[t]);
const ws = () => stack.client.taskrouter.v1.workspaces(stack.workspaceSid);

interface Outcome {
  cmd: string;
  res?: FnResponse;
}

/** The pending reservations on the given tasks (what agents are being offered now). */
async function offers(tasks: TaskView[]): Promise<Array<{ taskSid: string; sid: string; workerSid: string }>> {
  const out: Array<{ taskSid: string; sid: string; workerSid: string }> = [];
  for (const t of tasks.filter((x) => x.status === 'reserved')) {
    for (const r of await ws().tasks(t.sid).reservations.list()) if (r.reservationStatus === 'pending') out.push({ taskSid: t.sid, sid: r.sid, workerSid: r.workerSid });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Chat model

type ChatCmd =
  | { kind: 'transfer' | 'invite'; actor: Actor; target: Target }
  | { kind: 'cancel'; actor: Actor; k: number }
  | { kind: 'accept' | 'reject'; k: number }
  | { kind: 'wrapup'; worker: Agent }
  | { kind: 'leave'; actor: Actor; k: number }
  | { kind: 'timeout' };

const actorArb = fc.constantFrom<Actor>('alice', 'bob', 'carol', 'sup');
const agentArb = fc.constantFrom<Agent>(...AGENTS);
const targetArb = fc.constantFrom<Target>('sales', 'support', 'alice', 'bob', 'carol');

/** Accept/reject act on the k-th reservation offered (whoever it is for): what an offered agent does. */
const offerArb = fc.record({ kind: fc.constantFrom<'accept' | 'reject'>('accept', 'accept', 'reject'), k: fc.nat(2) });

const chatCmdArb: fc.Arbitrary<ChatCmd> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constantFrom<'transfer' | 'invite'>('transfer', 'invite'), actor: actorArb, target: targetArb }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant<'cancel'>('cancel'), actor: actorArb, k: fc.nat(3) }), weight: 2 },
  { arbitrary: offerArb, weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant<'wrapup'>('wrapup'), worker: agentArb }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant<'leave'>('leave'), actor: actorArb, k: fc.nat(3) }), weight: 2 },
  { arbitrary: fc.constant<ChatCmd>({ kind: 'timeout' }), weight: 1 },
);

const show = (c: ChatCmd | VoiceCmd): string => JSON.stringify(c).replace(/"/g, '');
/**
 * A program: batches of 1-3 commands; a double click (the same transfer or
 * invite sent twice at once) is a batch of its own kind.
 */
const programArb = <C extends { kind: string }>(cmd: fc.Arbitrary<C>) =>
  fc.array(
    fc.oneof({ arbitrary: fc.array(cmd, { minLength: 1, maxLength: 3 }), weight: 4 }, { arbitrary: cmd.filter((c) => c.kind === 'transfer' || c.kind === 'invite').map((c) => [c, c]), weight: 1 }),
    { minLength: 1, maxLength: 4 },
  );

interface ChatWorld {
  chat: Chat;
  invites: string[];
}

async function chatView(chat: Chat) {
  const tasks = (await allTasks(stack)).filter((t) => t.attributes.conversationSid === chat.conversationSid);
  const participants = await stack.client.flexApi.v1.interaction(chat.interactionSid).channels(chat.channelSid).participants.list();
  const agentOf = (taskSid: string) => participants.find((p) => (p.routingProperties as { task_sid?: string } | null)?.task_sid === taskSid);
  const assigned = tasks.filter((t) => t.status === 'assigned');
  const taskOfWorker = (w: Agent) => assigned.find((t) => (agentOf(t.sid)?.routingProperties as { worker_sid?: string } | null)?.worker_sid === stack.workers[w]);
  return { tasks, participants, assigned, taskOfWorker, agentOf };
}

/** Turns a batch into requests started together (targets resolved first, so the requests race). */
async function chatBatch(world: ChatWorld, batch: ChatCmd[]): Promise<Outcome[]> {
  const v = await chatView(world.chat);
  const thunks: Array<() => Promise<Outcome>> = batch.map((c) => {
    const cmd = show(c);
    switch (c.kind) {
      case 'transfer':
      case 'invite': {
        const task = c.actor === 'sup' ? v.assigned[0] : v.taskOfWorker(c.actor);
        if (!task) return async () => ({ cmd: `${cmd} (skipped: no task)` });
        return async () => ({
          cmd,
          res: await callFunction(stack, c.kind === 'transfer' ? '/chat/transfer' : '/chat/invite', { Token: tokenOf(c.actor), taskSid: task.sid, targetSid: targetSid(c.target) }),
        });
      }
      case 'cancel': {
        if (world.invites.length === 0) return async () => ({ cmd: `${cmd} (skipped: no invite)` });
        const inviteTaskSid = world.invites[c.k % world.invites.length];
        return async () => ({ cmd, res: await callFunction(stack, '/chat/cancel-invite', { Token: tokenOf(c.actor), inviteTaskSid }) });
      }
      case 'leave': {
        if (c.actor === 'sup') {
          const task = v.assigned[c.k % Math.max(1, v.assigned.length)];
          if (!task) return async () => ({ cmd: `${cmd} (skipped: nobody)` });
          return async () => ({ cmd, res: await callFunction(stack, '/chat/leave', { Token: tokenOf('sup'), taskSid: task.sid, remove: 'taskAgent' }) });
        }
        const task = v.taskOfWorker(c.actor) ?? v.tasks[0];
        return async () => ({ cmd, res: await callFunction(stack, '/chat/leave', { Token: tokenOf(c.actor), taskSid: task.sid }) });
      }
      case 'accept':
      case 'reject':
        return async () => {
          const all = await offers(v.tasks);
          const r = all[c.k % Math.max(1, all.length)];
          if (!r) return { cmd: `${cmd} (skipped: nothing offered)` };
          await ws()
            .tasks(r.taskSid)
            .reservations(r.sid)
            .update({ reservationStatus: c.kind === 'accept' ? 'accepted' : 'rejected' })
            .catch(() => undefined);
          return { cmd };
        };
      case 'wrapup': {
        // The agent wraps up in Flex: the Interactions participant goes to wrapup (not through the functions).
        const task = v.taskOfWorker(c.worker);
        const part = task ? v.agentOf(task.sid) : undefined;
        if (!part) return async () => ({ cmd: `${cmd} (skipped: not in the chat)` });
        return async () => {
          await stack.client.flexApi.v1
            .interaction(world.chat.interactionSid)
            .channels(world.chat.channelSid)
            .participants(part.sid)
            .update({ status: 'wrapup' })
            .catch(() => undefined);
          return { cmd };
        };
      }
      case 'timeout':
        return async () => {
          emu.clock.advance(125_000);
          return { cmd };
        };
    }
  });
  const out = await Promise.all(thunks.map((t) => t()));
  await emu.whenIdle();
  for (const o of out) {
    const id = o.res?.body.inviteTaskSid;
    if (typeof id === 'string' && !world.invites.includes(id)) world.invites.push(id);
  }
  return out;
}

/** Identical requests of one batch (sent at once) that both succeeded name the same transfer; a later batch may start a new one. */
function sameAnswers(outcomes: Outcome[]): string[] {
  const bad: string[] = [];
  const byCmd = new Map<string, Set<unknown>>();
  for (const o of outcomes) {
    if (!o.res || o.res.status !== 200) continue;
    const id = o.res.body.inviteTaskSid ?? o.res.body.transferTaskSid;
    if (id === undefined) continue;
    const set = byCmd.get(o.cmd) ?? new Set();
    set.add(id);
    byCmd.set(o.cmd, set);
  }
  for (const [cmd, ids] of byCmd) if (ids.size > 1) bad.push(`${cmd} answered ${[...ids].join(' and ')}`);
  return bad;
}

async function chatInvariants(world: ChatWorld, batches: Outcome[][]): Promise<string[]> {
  const outcomes = batches.flat();
  const problems: string[] = [];
  for (const o of outcomes) if (o.res && o.res.status >= 500) problems.push(`${o.cmd} answered ${o.res.status}: ${o.res.text.slice(0, 200)}`);
  problems.push(...batches.flatMap(sameAnswers));
  const tasks = await allTasks(stack);
  const live = await liveChatTransferTasks(stack, world.chat, tasks);
  const colds = live.filter((t) => t.attributes.transferType === 'cold');
  const invites = live.filter((t) => t.attributes.transferType === 'invite');
  if (colds.length > 1) problems.push(`${colds.length} cold transfers outstanding: ${colds.map((t) => t.sid).join(', ')}`);
  if (colds.length > 0 && invites.length > 0) problems.push(`a cold transfer (${colds[0].sid}) and an invite (${invites[0].sid}) outstanding at once`);
  const keys = live.map((t) => `${String(t.attributes.transferType)}/${String(t.attributes.transferRetargetedFrom ?? t.attributes.transferTargetSid)}`);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) problems.push(`two outstanding transfers of the same kind to the same target: ${dup}`);
  const alone = await customerNotAlone(stack, world.chat, tasks);
  if (!alone.ok) problems.push(alone.reason);
  const channel = await stack.client.flexApi.v1.interaction(world.chat.interactionSid).channels(world.chat.channelSid).fetch();
  if (channel.status === 'active') {
    const c = await stack.client.conversations.v1.conversations(world.chat.conversationSid).fetch();
    const recorded = Object.keys(((JSON.parse(c.attributes || '{}') as Record<string, unknown>).invites ?? {}) as Record<string, unknown>).sort();
    const expected = live.map((t) => t.sid).sort();
    if (recorded.join() !== expected.join()) problems.push(`invite records ${recorded.join(',') || '(none)'} differ from the outstanding transfers ${expected.join(',') || '(none)'}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Voice model

type VoiceCmd =
  { kind: 'transfer'; actor: Actor; target: Target; mode: 'blind' | 'warm' } | { kind: 'complete' | 'cancel'; actor: Actor } | { kind: 'accept' | 'reject'; k: number } | { kind: 'timeout' };

const voiceCmdArb: fc.Arbitrary<VoiceCmd> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant<'transfer'>('transfer'), actor: actorArb, target: targetArb, mode: fc.constantFrom<'blind' | 'warm'>('blind', 'warm') }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constantFrom<'complete' | 'cancel'>('complete', 'cancel'), actor: actorArb }), weight: 3 },
  { arbitrary: offerArb, weight: 4 },
  { arbitrary: fc.constant<VoiceCmd>({ kind: 'timeout' }), weight: 1 },
);

async function voiceBatch(call: Call, batch: VoiceCmd[]): Promise<Outcome[]> {
  const tasks = (await allTasks(stack)).filter((t) => t.sid === call.taskSid || (t.attributes.conference as { sid?: string } | undefined)?.sid === call.conferenceSid);
  // The task of the agent on the call now: the newest assigned task of the conference.
  const current = tasks.filter((t) => t.status === 'assigned').pop();
  const reservationsOf = async (t: TaskView) =>
    (await ws().tasks(t.sid).reservations.list()).filter((r) => r.reservationStatus === 'accepted' || r.reservationStatus === 'completed' || r.reservationStatus === 'wrapping');
  const holders = new Map<string, string>();
  for (const t of tasks.filter((x) => x.status === 'assigned')) for (const r of await reservationsOf(t)) holders.set(r.workerSid, t.sid);
  const taskFor = (actor: Actor) => (actor === 'sup' ? current?.sid : holders.get(stack.workers[actor])) ?? current?.sid ?? call.taskSid;
  const thunks = batch.map((c): (() => Promise<Outcome>) => {
    const cmd = show(c);
    switch (c.kind) {
      case 'transfer':
        return async () => ({ cmd, res: await callFunction(stack, '/voice/transfer', { Token: tokenOf(c.actor), taskSid: taskFor(c.actor), targetSid: targetSid(c.target), mode: c.mode }) });
      case 'complete':
      case 'cancel':
        return async () => ({
          cmd,
          res: await callFunction(stack, c.kind === 'complete' ? '/voice/complete-transfer' : '/voice/cancel-transfer', { Token: tokenOf(c.actor), taskSid: taskFor(c.actor) }),
        });
      case 'accept':
        // The offered agent answers the call the transfer's `call` instruction placed (join-conference accepts).
        return async () => {
          const ringing = voice.calls(stack.accountSid).filter((x) => (x.status === 'ringing' || x.status === 'queued') && String(x.to).startsWith('client:'));
          const r = ringing[c.k % Math.max(1, ringing.length)];
          if (!r) return { cmd: `${cmd} (skipped: not ringing)` };
          try {
            voice.answer(stack.accountSid, r.sid);
            return { cmd: `${cmd} (${String(r.to)})` };
          } catch {
            return { cmd: `${cmd} (skipped: not ringing)` };
          }
        };
      case 'reject':
        return async () => {
          const all = await offers(tasks);
          const r = all[c.k % Math.max(1, all.length)];
          if (!r) return { cmd: `${cmd} (skipped: nothing offered)` };
          await ws()
            .tasks(r.taskSid)
            .reservations(r.sid)
            .update({ reservationStatus: 'rejected' })
            .catch(() => undefined);
          return { cmd };
        };
      case 'timeout':
        return async () => {
          emu.clock.advance(125_000);
          return { cmd };
        };
    }
  });
  const out = await Promise.all(thunks.map((t) => t()));
  await emu.whenIdle();
  return out;
}

async function voiceInvariants(call: Call, batches: Outcome[][]): Promise<string[]> {
  const outcomes = batches.flat();
  const problems: string[] = [];
  for (const o of outcomes) if (o.res && o.res.status >= 500) problems.push(`${o.cmd} answered ${o.res.status}: ${o.res.text.slice(0, 200)}`);
  problems.push(...batches.flatMap(sameAnswers));
  const tasks = await allTasks(stack);
  const transfers = tasks.filter((t) => (t.attributes.conference as { sid?: string } | undefined)?.sid === call.conferenceSid && typeof t.attributes.transferMode === 'string');
  const outstanding = transfers.filter((t) => t.status === 'pending' || t.status === 'reserved');
  if (outstanding.length > 1) problems.push(`${outstanding.length} transfers of the call outstanding: ${outstanding.map((t) => `${t.sid} (from ${String(t.attributes.originalTaskSid)})`).join(', ')}`);
  const customerLive = voice.call(stack.accountSid, call.customerCallSid)?.status === 'in-progress';
  const alone = await callNotAlone(stack, customerLive, call, tasks);
  if (!alone.ok) problems.push(alone.reason);
  return problems;
}

// ---------------------------------------------------------------------------

/** What the runs did, by command and answer (printed at the end, to show the model exercises the endpoints). */
const tally = new Map<string, number>();
function count(outcomes: Outcome[]): void {
  for (const o of outcomes) {
    const kind = /kind:(\w+)/.exec(o.cmd)?.[1] ?? '?';
    const key = `${kind} ${o.res ? `${o.res.status}${o.res.body.error ? ` ${String(o.res.body.error)}` : ''}` : o.cmd.includes('(skipped') ? 'skipped' : 'done'}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
}
function printTally(model: string): void {
  console.log(
    `${model} outcomes: ${[...tally.entries()]
      .sort()
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')}`,
  );
  tally.clear();
}

function report(program: unknown[][], outcomes: Outcome[][], problems: string[]): string {
  const lines = program.map(
    (batch, i) =>
      `  batch ${i + 1}: ${(outcomes[i] ?? []).map((o) => `${o.cmd}${o.res ? ` -> ${o.res.status} ${String(o.res.body.error ?? '')}` : ''}`).join(' | ') || batch.map((c) => show(c as ChatCmd)).join(' | ')}`,
  );
  return `invariants broken:\n  - ${problems.join('\n  - ')}\nprogram (batches run one after the other; the commands of a batch at once):\n${lines.join('\n')}`;
}

describe('model-based concurrency', () => {
  test(
    `chat: ${RUNS} random programs hold every invariant`,
    async () => {
      await resetToDeployed(emu, clean);
      const chat = await startChat(emu, stack, 'alice');
      await setActivity(stack, ['alice', 'bob', 'carol'], 'Available');
      await emu.whenIdle();
      const scenario = emu.snapshot();
      let runs = 0;
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(programArb(chatCmdArb), async (program) => {
          await resetToDeployed(emu, scenario);
          const world: ChatWorld = { chat, invites: [] };
          const outcomes: Outcome[][] = [];
          for (const batch of program) outcomes.push(await chatBatch(world, batch));
          const problems = await chatInvariants(world, outcomes);
          count(outcomes.flat());
          runs++;
          if (problems.length > 0) throw new Error(report(program, outcomes, problems));
        }),
        { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: false },
      );
      console.log(`chat model: ${runs} runs (shrinking included) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      printTally('chat');
    },
    MODEL_TIMEOUT_MS,
  );

  test(
    `voice: ${RUNS} random programs hold every invariant`,
    async () => {
      await resetToDeployed(emu, clean);
      const call = await startVoiceCall(emu, stack, 'alice');
      await setActivity(stack, ['bob', 'carol'], 'Available');
      await emu.whenIdle();
      const scenario = emu.snapshot();
      let runs = 0;
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(programArb(voiceCmdArb), async (program) => {
          await resetToDeployed(emu, scenario);
          const outcomes: Outcome[][] = [];
          for (const batch of program) outcomes.push(await voiceBatch(call, batch));
          const problems = await voiceInvariants(call, outcomes);
          count(outcomes.flat());
          runs++;
          if (problems.length > 0) throw new Error(report(program, outcomes, problems));
        }),
        { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: false },
      );
      console.log(`voice model: ${runs} runs (shrinking included) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      printTally('voice');
    },
    MODEL_TIMEOUT_MS,
  );
});
