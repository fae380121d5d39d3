// What a `pulumi preview` plans, read from its engine events: the JSON lines
// that `PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true pulumi preview --json` prints
// (the CLI documents the variable in `pulumi preview --help`). The same events
// the Automation API hands to `onEvent`; read from a file, so CI can run the
// plain command and check or render what it printed.
import type { EngineEvent } from '@pulumi/pulumi/automation';

/** One resource step of the plan. */
export interface PlannedStep {
  op: string;
  urn: string;
  type: string;
  /** The resource's logical name (the last part of its URN). */
  name: string;
  custom: boolean;
  oldInputs?: Record<string, unknown>;
  oldOutputs?: Record<string, unknown>;
  newInputs?: Record<string, unknown>;
}

export interface PolicyViolation {
  policy: string;
  level: string;
  resource?: string;
  message: string;
}

export interface PlannedPreview {
  steps: PlannedStep[];
  violations: PolicyViolation[];
  /** op → count, as the engine summarizes it. */
  changes: Record<string, number>;
  /** The engine's own verdict, when it printed a summary. */
  result?: string;
  /** Error diagnostics (the program's or the engine's), one message each. */
  errors: string[];
}

export const nameOfUrn = (urn: string) => urn.slice(urn.lastIndexOf('::') + 2);

/** Folds engine events, in order, into the plan they describe. */
export class PreviewEvents {
  private readonly plan: PlannedPreview = { steps: [], violations: [], changes: {}, errors: [] };

  add(event: EngineEvent): void {
    const meta = event.resourcePreEvent?.metadata;
    if (meta) {
      const old = meta.old as { custom?: boolean; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> } | undefined;
      const next = meta.new as { custom?: boolean; inputs?: Record<string, unknown> } | undefined;
      this.plan.steps.push({
        op: meta.op,
        urn: meta.urn,
        type: meta.type,
        name: nameOfUrn(meta.urn),
        custom: Boolean(old?.custom ?? next?.custom ?? !meta.type.includes(':index:')),
        oldInputs: old?.inputs,
        oldOutputs: old?.outputs,
        newInputs: next?.inputs,
      });
    }
    if (event.policyEvent) {
      const p = event.policyEvent;
      this.plan.violations.push({ policy: p.policyName, level: p.enforcementLevel, resource: p.resourceUrn ? nameOfUrn(p.resourceUrn) : undefined, message: p.message.trim() });
    }
    const diagnostic = event.diagnosticEvent;
    if (diagnostic && diagnostic.severity === 'error' && !/^preview failed\s*$/.test(diagnostic.message.trim())) {
      this.plan.errors.push(diagnostic.message.trim());
    }
    if (event.summaryEvent) {
      this.plan.changes = (event.summaryEvent.resourceChanges ?? {}) as Record<string, number>;
      this.plan.result = (event.summaryEvent as { result?: string }).result;
    }
  }

  result(): PlannedPreview {
    return this.plan;
  }
}

/** The plan in a JSON-lines event stream (lines that are not events are skipped). */
export function parsePreviewEvents(text: string): PlannedPreview {
  const events = new PreviewEvents();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      events.add(JSON.parse(trimmed) as EngineEvent);
    } catch {
      // A partial last line (the CLI was killed): the plan is what came before.
    }
  }
  return events.result();
}
