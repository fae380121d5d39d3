// Renders a RoutingTrace as text a reviewer can read in a terminal or a PR.

import type { ExclusionReason } from './eligibility';
import type { RoutingTrace, StepTransition, TraceStep, TraceWorker } from './simulate';

const REASON_TEXT: Record<ExclusionReason, string> = {
  'not-known-worker': 'not the known worker',
  'unavailable-activity': 'activity not available',
  'no-channel-capacity': "no free capacity on the task's channel",
  'target-expression': 'target expression is false',
};

const KNOWN_WORKER_TEXT = {
  missing: 'the attribute is missing or null, so nobody is eligible in this step',
  'not-in-workspace': 'no worker has it (TaskRouter debugger error 40155)',
  'not-in-queue': 'that worker is not in this queue (TaskRouter debugger error 40152 Invalid Queue for Known Worker)',
  'in-queue': 'in the queue',
} as const;

/** How many workers to name per list before summarizing. */
const LIST_LIMIT = 10;

function workerName(worker: TraceWorker): string {
  return worker.friendlyName && worker.friendlyName !== worker.sid ? `${worker.sid} (${worker.friendlyName})` : worker.sid;
}

function listWorkers(workers: readonly TraceWorker[]): string {
  const shown = workers.slice(0, LIST_LIMIT).map(workerName).join(', ');
  return workers.length > LIST_LIMIT ? `${shown}, … and ${workers.length - LIST_LIMIT} more` : shown;
}

function stepTitle(step: TraceStep): string {
  if (step.isDefault) return 'default_filter';
  return `target ${step.targetIndex}`;
}

function transitionText(next: StepTransition, step: TraceStep): string {
  switch (next.kind) {
    case 'timeout-to-next-target':
      return `at age ${next.atAgeSeconds}s the target times out → next target`;
    case 'timeout-to-next-filter':
      return `at age ${next.atAgeSeconds}s the last target times out → the next matching filter (never default_filter)`;
    case 'workflow-timeout':
      return `at age ${next.atAgeSeconds}s the last target times out and no later filter matches → Task canceled on Workflow timeout`;
    case 'skip-to-next-target':
      return 'skip_if is true with nobody eligible → skips to the next target now';
    case 'skip-to-next-filter':
      return 'skip_if is true with nobody eligible on the last target → evaluated against the next filters, then default_filter';
    case 'wait':
      return step.isDefault
        ? "waits in the default queue until someone accepts or the task's TTL expires (default_filter has no timeout)"
        : "no timeout: waits in this target until someone accepts or the task's TTL expires";
  }
}

export function formatTrace(trace: RoutingTrace): string {
  const lines: string[] = [];
  const { task } = trace;
  lines.push(`Task ${task.sid} · channel ${task.taskChannel} · priority ${task.priority} · age ${task.ageSeconds}s · at ${trace.evaluatedAt}`);
  lines.push('');
  lines.push('Filters:');
  if (trace.filterChecks.length === 0) lines.push('  (no filters)');
  for (const check of trace.filterChecks) {
    lines.push(`  ${check.matched ? '✔' : '✘'} [${check.filterIndex}] ${check.filterName}: ${check.expression}`);
  }

  let currentFilter: number | null | undefined;
  trace.steps.forEach((step, index) => {
    if (step.filterIndex !== currentFilter || index === 0) {
      currentFilter = step.filterIndex;
      lines.push('');
      lines.push(step.isDefault ? 'default_filter (no filter matched)' : `Filter [${step.filterIndex}] ${step.filterName}`);
    }
    const queue = step.queueFound ? `${step.queueName} (${step.queueSid})` : `${step.queueSid} — NOT FOUND among the given queues`;
    lines.push(`  ${index + 1}. ${stepTitle(step)} → queue ${queue}${step.queueInherited ? ' (inherited)' : ''}`);
    const facts = [`priority ${step.priority}`];
    if (step.timeoutSeconds !== undefined) facts.push(`timeout ${step.timeoutSeconds}s (leaves at age ${step.cumulativeTimeoutSeconds}s)`);
    if (step.entersAtAgeSeconds > 0) facts.push(`entered at age ${step.entersAtAgeSeconds}s`);
    lines.push(`     ${facts.join(' · ')}`);
    if (step.alreadyTimedOut) lines.push(`     (the task, aged ${task.ageSeconds}s, has already passed this target)`);
    if (step.targetExpression) lines.push(`     expression: ${step.targetExpression}`);
    if (step.orderBy) lines.push(`     order_by: ${step.orderBy}`);
    if (step.knownWorker) {
      const kw = step.knownWorker;
      lines.push(`     ${kw.field}: ${kw.attribute} = ${JSON.stringify(kw.value)} — ${KNOWN_WORKER_TEXT[kw.status]}`);
    }
    lines.push(`     queue members: ${step.memberCount}`);
    lines.push(step.eligible.length > 0 ? `     eligible, in offer order (${step.eligible.length}): ${listWorkers(step.eligible)}` : '     eligible: nobody');
    const byReason = new Map<ExclusionReason, TraceWorker[]>();
    for (const excluded of step.excluded) {
      const list = byReason.get(excluded.reason) ?? [];
      list.push(excluded);
      byReason.set(excluded.reason, list);
    }
    for (const [reason, workers] of byReason) {
      lines.push(`     excluded — ${REASON_TEXT[reason]} (${workers.length}): ${listWorkers(workers)}`);
    }
    if (step.skipIf) {
      const skipIf = step.skipIf;
      lines.push(
        skipIf.evaluated
          ? `     skip_if ${skipIf.expression} → ${skipIf.result} (workers.available=${skipIf.available}, workers.unavailable=${skipIf.unavailable})`
          : `     skip_if ${skipIf.expression} → not evaluated (someone is eligible)`,
      );
    }
    lines.push(`     if nobody accepts: ${transitionText(step.next, step)}`);
  });

  lines.push('');
  if (trace.firstOffer) {
    const step = trace.steps[trace.firstOffer.stepIndex];
    lines.push(`First offer: ${workerName(trace.firstOffer.worker)} via ${step.filterName} ${stepTitle(step)}`);
  } else {
    lines.push('First offer: nobody is eligible right now');
  }
  switch (trace.end.kind) {
    case 'waits': {
      const step = trace.steps[trace.end.stepIndex];
      lines.push(`If nobody accepts: waits in ${step.queueName ?? step.queueSid} (${step.filterName} ${stepTitle(step)}) until its TTL`);
      break;
    }
    case 'canceled':
      lines.push(`If nobody accepts: ${trace.end.reason} at age ${trace.end.atAgeSeconds}s`);
      break;
    case 'unmatched':
      lines.push(
        trace.end.afterSkip
          ? 'Outcome: every matching filter was skipped and there is no default_filter — the task is not routed'
          : 'Outcome: no filter matched and there is no default_filter — the task is not routed',
      );
      break;
  }
  return lines.join('\n') + '\n';
}
