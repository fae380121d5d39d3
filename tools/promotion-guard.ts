// The promotion guard: CI runs it on the plan of `pulumi preview` right before
// `pulumi up`, and stops the deploy when the plan would
//   - delete or replace an adopted object (Flex's workspace, its task channels,
//     anything the stack adopted instead of creating): never the stack's to lose;
//   - delete or replace more than a configured number of the stack's own
//     resources (a queue deleted orphans its waiting tasks; a workflow replaced
//     gets a new SID),
// unless the run names each such resource in its allowance, an input a
// reviewer sees with the run (`allow-destructive` of the Deploy workflow).
//   PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true pulumi preview --stack prod --json > plan.jsonl
//   node dist/tools/promotion-guard.js plan.jsonl --max-deletes 0 [--allow routing-queue-billing,...]
import * as fs from 'node:fs';
import { parsePreviewEvents, type PlannedStep } from './engine-events';

/** Ops that remove an object from Twilio (a replacement deletes the old one). */
const DESTRUCTIVE = new Set(['delete', 'replace', 'create-replacement', 'delete-replaced']);

export interface GuardOptions {
  /** How many of the stack's own (not adopted) resources may go without an allowance. */
  maxManagedDeletes: number;
  /** Resource names (or URNs) this run may delete or replace. */
  allow: string[];
}

export interface Destruction {
  name: string;
  urn: string;
  type: string;
  /** "delete" or "replace". */
  op: 'delete' | 'replace';
  adopted: boolean;
  allowed: boolean;
  /** The object's SID, when it has one. */
  sid?: string;
}

export interface GuardVerdict {
  ok: boolean;
  destructions: Destruction[];
  /** One line per reason to stop; empty when ok. */
  reasons: string[];
}

/** Adopted: the provider recorded it so (`adopted: true`), or the stack declared it by `adopt`, `adoptSid`, `adoptName`. */
export function isAdopted(step: Pick<PlannedStep, 'oldInputs' | 'oldOutputs'>): boolean {
  const inputs = step.oldInputs ?? {};
  const outputs = step.oldOutputs ?? {};
  if (outputs.adopted === true) return true;
  return Object.entries(inputs).some(([key, value]) => /^adopt/.test(key) && value !== undefined && value !== null && value !== false && value !== '');
}

/** The resources a plan deletes or replaces, one entry each. */
export function destructionsOf(steps: PlannedStep[], allow: string[]): Destruction[] {
  const byUrn = new Map<string, Destruction>();
  for (const step of steps) {
    if (!DESTRUCTIVE.has(step.op) || !step.custom) continue;
    const existing = byUrn.get(step.urn);
    const op = step.op === 'delete' ? 'delete' : 'replace';
    if (existing) {
      if (op === 'replace') existing.op = 'replace';
      continue;
    }
    const sid = (step.oldOutputs?.sid ?? undefined) as string | undefined;
    byUrn.set(step.urn, {
      name: step.name,
      urn: step.urn,
      type: step.type.slice(step.type.lastIndexOf(':') + 1),
      op,
      adopted: isAdopted(step),
      allowed: allow.includes(step.name) || allow.includes(step.urn),
      sid: typeof sid === 'string' ? sid : undefined,
    });
  }
  return [...byUrn.values()];
}

export function judge(steps: PlannedStep[], options: GuardOptions): GuardVerdict {
  const destructions = destructionsOf(steps, options.allow);
  const describe = (d: Destruction) => `${d.op} ${d.type} ${d.name}${d.sid ? ` (${d.sid})` : ''}`;
  const reasons: string[] = [];
  for (const d of destructions.filter((d) => d.adopted && !d.allowed)) {
    reasons.push(`the plan would ${describe(d)}, an adopted object: the stack must never remove it`);
  }
  const managed = destructions.filter((d) => !d.adopted && !d.allowed);
  if (managed.length > options.maxManagedDeletes) {
    reasons.push(
      `the plan would delete or replace ${managed.length} of the stack's own resources, more than the ${options.maxManagedDeletes} this deploy allows without naming them: ${managed.map(describe).join('; ')}`,
    );
  }
  return { ok: reasons.length === 0, destructions, reasons };
}

export function report(stack: string, verdict: GuardVerdict): string {
  const lines: string[] = [];
  if (verdict.ok) {
    const allowed = verdict.destructions.filter((d) => d.allowed).map((d) => d.name);
    lines.push(`promotion guard: stack ${stack}: ok; ${verdict.destructions.length} resource(s) deleted or replaced${allowed.length ? ` (allowed by name: ${allowed.join(', ')})` : ''}.`);
    return lines.join('\n');
  }
  lines.push(`promotion guard: stack ${stack}: STOPPED before \`pulumi up\`, nothing was changed:`);
  for (const r of verdict.reasons) lines.push(`  - ${r}`);
  const names = verdict.destructions.filter((d) => !d.allowed).map((d) => d.name);
  lines.push(
    `If this is intended, read the preview above, then run the Deploy workflow by hand for this commit with allow-destructive set to: ${names.join(',')}`,
    `(each name is one resource this run may delete or replace; see docs/operations.md, "The promotion guard").`,
  );
  return lines.join('\n');
}

export function parseGuardArgs(argv: string[]): { file: string; stack: string; options: GuardOptions } {
  let file: string | undefined;
  let stack = '';
  const options: GuardOptions = { maxManagedDeletes: 0, allow: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--max-deletes') {
      const raw = value();
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--max-deletes must be a whole number >= 0, got '${raw}'`);
      options.maxManagedDeletes = n;
    } else if (arg === '--allow') {
      options.allow.push(
        ...value()
          .split(/[\s,]+/)
          .filter(Boolean),
      );
    } else if (arg === '--stack') stack = value();
    else if (!arg.startsWith('--') && file === undefined) file = arg;
    else throw new Error(`unknown argument '${arg}'`);
  }
  if (!file) throw new Error('usage: promotion-guard PLAN.jsonl [--stack NAME] [--max-deletes N] [--allow NAME,...]');
  return { file, stack, options };
}

if (require.main === module) {
  let parsed: ReturnType<typeof parseGuardArgs>;
  try {
    parsed = parseGuardArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`promotion guard: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const plan = parsePreviewEvents(fs.readFileSync(parsed.file, 'utf8'));
  if (!plan.result && plan.steps.length === 0) {
    process.stderr.write(`promotion guard: ${parsed.file} holds no preview events (was the preview run with PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true and --json?)\n`);
    process.exit(1);
  }
  if (plan.result === 'failed') {
    process.stderr.write(`promotion guard: the preview failed${plan.errors.length ? `: ${plan.errors.join('; ')}` : ''}; not promoting.\n`);
    process.exit(1);
  }
  const verdict = judge(plan.steps, parsed.options);
  const text = report(parsed.stack || '?', verdict);
  (verdict.ok ? process.stdout : process.stderr).write(`${text}\n`);
  process.exit(verdict.ok ? 0 : 1);
}
