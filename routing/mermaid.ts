// Draws a workflow as a Mermaid flowchart (filters → targets → queues) for
// pull requests; GitHub renders ```mermaid blocks.

import { asCompiledWorkflow, type CompiledWorkflow, type RoutingStep } from './workflow/compile';
import type { WorkflowConfigurationInput } from './workflow/model';

export interface MermaidOptions {
  /** Queue SID → friendly name, to label queue nodes. */
  queueNames?: Readonly<Record<string, string>>;
}

/**
 * Makes text safe inside a double-quoted Mermaid label. `#` goes first
 * because the other replacements introduce it.
 */
export function mermaidLabel(text: string): string {
  return text.replace(/#/g, '#35;').replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function lines(...parts: (string | undefined)[]): string {
  return parts
    .filter((part): part is string => part !== undefined && part !== '')
    .map(mermaidLabel)
    .join('<br/>');
}

function stepLabel(step: RoutingStep): string {
  return lines(
    step.isDefault ? 'default_filter' : `target ${step.targetIndex}`,
    step.knownWorker ? `${step.knownWorker.field}: ${step.knownWorker.attribute}` : undefined,
    step.expression ? step.expression.source : step.isDefault || step.knownWorker ? undefined : 'any worker in queue',
    step.orderBy.length > 0 && step.orderBySource ? `order_by ${step.orderBySource}` : undefined,
    step.priority !== undefined ? `priority ${step.priority}` : undefined,
    step.timeoutSeconds !== undefined ? `timeout ${step.timeoutSeconds}s (at age ${step.cumulativeTimeoutSeconds}s)` : undefined,
    step.skipIf ? `skip_if ${step.skipIf.source}` : undefined,
  );
}

export function workflowToMermaid(config: WorkflowConfigurationInput | CompiledWorkflow, options: MermaidOptions = {}): string {
  const workflow = asCompiledWorkflow(config);
  const out: string[] = ['flowchart TD'];
  const queueIds = new Map<string, string>();
  const queueId = (sid: string): string => {
    let id = queueIds.get(sid);
    if (!id) {
      id = `q${queueIds.size}`;
      queueIds.set(sid, id);
    }
    return id;
  };
  let needsCanceled = false;
  let needsUnrouted = false;

  out.push('  start(["Task enters workflow"])');
  const filterId = (index: number): string => `f${index}`;
  const afterFilters = workflow.defaultStep ? 'dflt' : 'unrouted';
  const filterOrAfter = (index: number): string => (index < workflow.filters.length ? filterId(index) : afterFilters);
  if (!workflow.defaultStep && workflow.filters.length === 0) needsUnrouted = true;
  out.push(`  start --> ${filterOrAfter(0)}`);

  workflow.filters.forEach((filter, index) => {
    const id = filterId(index);
    out.push(`  ${id}{"${lines(`[${index}] ${filter.name}`, filter.expression.source)}"}`);
    filter.steps.forEach((step, stepIndex) => {
      const stepId = `${id}t${stepIndex}`;
      out.push(`  ${stepId}["${stepLabel(step)}"]`);
      out.push(stepIndex === 0 ? `  ${id} -->|match| ${stepId}` : '');
      out.push(`  ${stepId} -.-> ${queueId(step.queueSid)}`);
      const nextId = step.isLast ? undefined : `${id}t${stepIndex + 1}`;
      if (step.timeoutSeconds !== undefined) {
        if (nextId) out.push(`  ${stepId} -->|timeout| ${nextId}`);
        else {
          // The last target's timeout goes on to the later filters (never default_filter), else cancels.
          if (index + 1 < workflow.filters.length) out.push(`  ${stepId} -->|timeout, later filters only| ${filterId(index + 1)}`);
          out.push(`  ${stepId} -->|timeout| canceled`);
          needsCanceled = true;
        }
      }
      if (step.skipIf) {
        const target = nextId ?? filterOrAfter(index + 1);
        if (target === 'unrouted') needsUnrouted = true;
        out.push(`  ${stepId} -->|skip| ${target}`);
      }
    });
    const next = filterOrAfter(index + 1);
    if (next === 'unrouted') needsUnrouted = true;
    out.push(`  ${id} -->|no match| ${next}`);
  });

  if (workflow.defaultStep) {
    out.push(`  dflt["${stepLabel(workflow.defaultStep)}"]`);
    out.push(`  dflt -.-> ${queueId(workflow.defaultStep.queueSid)}`);
  }
  if (needsCanceled) out.push('  canceled(["Task canceled on Workflow timeout"])');
  if (needsUnrouted) out.push('  unrouted(["not routed: no default_filter"])');
  for (const [sid, id] of queueIds) {
    const name = options.queueNames?.[sid];
    out.push(`  ${id}[("${name ? lines(name, sid) : lines(sid)}")]`);
  }
  return out.filter((line) => line !== '').join('\n') + '\n';
}
