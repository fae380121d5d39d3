// Routing benchmark: decisions per second through the Chat Transfer workflow
// with 1,000 workers and 20 queues, and expression evaluations per second.
//
//   tsc -p tsconfig.json && node dist/bench/routing.js [--ms 1000]
//
// Inputs are generated from a fixed seed so runs are comparable.

import { compileExpression, compileWorkflow, computeQueueMembership, routeTask, type RoutingQueue, type RoutingTask, type RoutingWorker } from '../routing';
import { numberArg, readArgs } from '../tools/cli-args';
import { buildChatTransferWorkflow } from '../workflows';
import { NOT_IN_CONVERSATION } from '../functions/lib/contract.private';

export interface RoutingBenchResult {
  workers: number;
  queues: number;
  /** routeTask calls per second (the emulator's step walk + eligibility) with queue membership cached, as the emulator keeps it per pass. */
  decisionsPerSecond: number;
  /** routeTask calls per second recomputing every queue's target_workers each time. */
  decisionsPerSecondUncached: number;
  /** Compiled expression evaluations per second (target and filter expressions, mixed). */
  evaluationsPerSecond: number;
  /** Share of decisions that produced an offer (sanity: the workload really routes). */
  offerRate: number;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sid = (prefix: string, n: number) => `${prefix}${n.toString(16).padStart(32, '0')}`;

export function buildWorkload(workerCount = 1000, queueCount = 20, seed = 42) {
  const random = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const skills = Array.from({ length: queueCount - 1 }, (_, index) => `skill_${index}`);
  const everyone: RoutingQueue = { sid: sid('WQ', 0), friendlyName: 'Everyone', targetWorkers: '1==1' };
  const queues: RoutingQueue[] = [everyone, ...skills.map((skill, index) => ({ sid: sid('WQ', index + 1), friendlyName: `Queue ${skill}`, targetWorkers: `routing.skills HAS '${skill}'` }))];
  const workers: RoutingWorker[] = Array.from({ length: workerCount }, (_, index) => {
    const available = random() < 0.8;
    return {
      sid: sid('WK', index),
      friendlyName: `agent_${index}`,
      activitySid: available ? 'WAavailable' : 'WAoffline',
      activityName: available ? 'Available' : 'Offline',
      available,
      attributes: { routing: { skills: Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(skills)) }, level: Math.floor(random() * 10) },
      channels: { chat: { capacity: 2, assignedTasks: Math.floor(random() * 3), available: true } },
      idleSince: Math.floor(random() * 1_000_000),
    };
  });
  const workflow = compileWorkflow(buildChatTransferWorkflow({ everyoneQueueSid: everyone.sid, queues: queues.map((queue) => ({ name: queue.friendlyName, sid: queue.sid })) }), {
    queueSids: queues.map((queue) => queue.sid),
  });
  const tasks: RoutingTask[] = Array.from({ length: 512 }, (_, index) => {
    const inConversation = [pick(workers).sid, pick(workers).sid];
    const roll = random();
    const target = pick(queues);
    const attributes =
      roll < 0.35
        ? { transferTargetType: 'worker', transferTargetSid: pick(workers).sid }
        : roll < 0.6
          ? { transferTargetType: 'queue', transferTargetSid: target.sid, transferQueueName: target.friendlyName }
          : roll < 0.9
            ? { transferTargetType: 'queue', transferQueueName: target.friendlyName }
            : { transferTargetType: 'queue', transferTargetSid: sid('WQ', 999), transferQueueName: 'Undeclared' };
    return { sid: sid('WT', index), attributes: { ...attributes, workerSidsInConversation: inConversation }, taskChannel: 'chat', priority: 0, ageSeconds: Math.floor(random() * 200) };
  });
  return { workflow, queues, workers, tasks };
}

/** Calls `body(i)` repeatedly for about `ms` milliseconds; returns calls per second. */
function measure(ms: number, body: (iteration: number) => void): number {
  for (let warmup = 0; warmup < 200; warmup++) body(warmup);
  let iterations = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.max(1, Math.round(ms * 1_000_000)));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let batch = 0; batch < 50; batch++) body(iterations++);
    elapsed = process.hrtime.bigint() - start;
  }
  return Math.round(iterations / (Number(elapsed) / 1e9));
}

export function run(options: { ms?: number; workers?: number; queues?: number } = {}): RoutingBenchResult {
  const ms = options.ms ?? 1000;
  const { workflow, queues, workers, tasks } = buildWorkload(options.workers ?? 1000, options.queues ?? 20);
  const now = new Date('2026-11-23T10:00:00Z');
  const membership = computeQueueMembership(queues, workers, { now });
  const queueBySid = new Map(queues.map((queue) => [queue.sid, queue]));

  let offers = 0;
  let decisions = 0;
  const decisionsPerSecond = measure(ms, (i) => {
    const decision = routeTask({ workflow, task: tasks[i % tasks.length], queues: queueBySid, workers, now, membership });
    decisions++;
    if (decision.kind === 'offer') offers++;
  });
  const decisionsPerSecondUncached = measure(ms / 2, (i) => {
    routeTask({ workflow, task: tasks[i % tasks.length], queues: queueBySid, workers, now });
  });

  const notInConversation = compileExpression(NOT_IN_CONVERSATION, { kind: 'target' });
  const queueFilter = compileExpression(`transferTargetType == 'queue' AND (transferTargetSid == '${queues[3].sid}' OR transferQueueName == 'Queue skill_2')`, { kind: 'filter' });
  const skills = compileExpression("routing.skills HAS 'skill_7' AND level >= 3", { kind: 'queue' });
  const evaluationsPerSecond =
    measure(ms, (i) => {
      const task = tasks[i & 511];
      const worker = workers[i % workers.length];
      notInConversation.evaluate({ task: task.attributes, worker, now });
      queueFilter.evaluate({ task: task.attributes, now });
      skills.evaluate({ worker, now });
    }) * 3;

  return { workers: workers.length, queues: queues.length, decisionsPerSecond, decisionsPerSecondUncached, evaluationsPerSecond, offerRate: decisions ? offers / decisions : 0 };
}

if (require.main === module) {
  const { values } = readArgs(process.argv.slice(2), { ms: { type: 'string' } });
  const result = run({ ms: numberArg(values.ms, '--ms') });
  const format = (n: number) => n.toLocaleString('en-US');
  console.log(`routing benchmark: Chat Transfer workflow, ${result.workers} workers, ${result.queues} queues (Node ${process.version})`);
  console.log(`  routing decisions/s:      ${format(result.decisionsPerSecond)}  (queue membership cached; ${(result.offerRate * 100).toFixed(0)}% offered)`);
  console.log(`  routing decisions/s:      ${format(result.decisionsPerSecondUncached)}  (target_workers re-evaluated per decision)`);
  console.log(`  expression evaluations/s: ${format(result.evaluationsPerSecond)}`);
}
