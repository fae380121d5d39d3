// Drift as rows: from the engine events of a refresh preview, every field the
// stack manages whose live value differs from the one in the stack's state.
//
// A refresh step reports, per resource, the state (`old`) and what the
// provider read back (`new`). Our providers (infra/providers/runtime/define.ts)
// return as refreshed inputs the live values of the fields they manage, so
// comparing old and new *inputs* of those fields (managed.ts), with the
// provider's own equality where it has one, finds exactly what `up` would
// change back. A field the stack never set (undefined in the old inputs: a
// field of an adopted object the program does not declare) is not drift.
// JSON documents held as strings (a workflow's configuration) are compared
// parsed, down to the leaf that changed.
import type { EngineEvent } from '@pulumi/pulumi/automation';
import { managedFieldsOf } from './managed';

export type Owner = 'owned' | 'adopted';

export interface DriftRow {
  /** The resource's name in the stack, e.g. `routing-queue-sales`. */
  resource: string;
  /** The Twilio type, e.g. `TaskQueue`. */
  kind: string;
  /** A name a person recognizes: friendly name, unique name or key path. */
  label?: string;
  /** owned: the stack created it (destroy deletes it); adopted: it existed before (destroy restores what the stack changed). */
  owner: Owner;
  /** The top-level field, e.g. `configuration`. */
  field: string;
  /** Where inside it, e.g. `configuration.task_routing.filters[0].targets[0].timeout`; equals `field` for a plain value. */
  path: string;
  /** In the stack's state (what the last deployment wrote). `undefined` = absent. */
  stack: unknown;
  /** In Twilio now. `undefined` = absent. */
  live: unknown;
}

type Props = Record<string, unknown>;

interface StepState {
  type?: string;
  inputs?: Props;
  outputs?: Props;
}

const TWILIO_TYPE = /dynamic\/twilio:(\w+)$/;

/** Whether an object is gone from Twilio: the refresh would drop it from the state. */
const GONE_OPS = new Set(['delete', 'discard', 'read-discard', 'delete-replaced', 'discard-replaced']);

const isObject = (value: unknown): value is Props => typeof value === 'object' && value !== null && !Array.isArray(value);

export function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf('::') + 2);
}

function ownerOf(kind: string, state: StepState): Owner {
  // A Flex UI attribute is one key of Flex's own configuration document; the native transfer switches are Flex's too.
  if (kind === 'FlexUiAttribute' || kind === 'FlexNativeTransfers') return 'adopted';
  const inputs = state.inputs ?? {};
  const adopted = state.outputs?.adopted === true || inputs.adoptSid !== undefined || inputs.adoptName !== undefined || inputs.adopt === true;
  return adopted ? 'adopted' : 'owned';
}

function labelOf(state: StepState): string | undefined {
  const source = { ...(state.inputs ?? {}), ...(state.outputs ?? {}) };
  for (const key of ['friendlyName', 'uniqueName', 'keyPath', 'serviceName']) {
    if (typeof source[key] === 'string' && source[key] !== '') return source[key] as string;
  }
  return undefined;
}

/** A JSON object or array written as a string (not a plain string that happens to parse). */
function parsedDocument(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function childPath(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : `${path}.${key}`;
}

/**
 * Every leaf where `a` and `b` differ, with the values on each side. With
 * `sharedKeysOnly`, object keys present on one side only are skipped (for a
 * field the state keeps in another form than Twilio reports it).
 */
export function leafDifferences(a: unknown, b: unknown, path: string, sharedKeysOnly = false): Array<{ path: string; stack: unknown; live: unknown }> {
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: Array<{ path: string; stack: unknown; live: unknown }> = [];
    for (let index = 0; index < Math.max(a.length, b.length); index++) out.push(...leafDifferences(a[index], b[index], childPath(path, index), sharedKeysOnly));
    return out;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => !sharedKeysOnly || (key in a && key in b)).sort();
    return keys.flatMap((key) => leafDifferences(a[key], b[key], childPath(path, key), sharedKeysOnly));
  }
  const docA = parsedDocument(a);
  const docB = parsedDocument(b);
  if (docA !== undefined && docB !== undefined) return leafDifferences(docA, docB, path, sharedKeysOnly);
  if (sameLeaf(a, b)) return [];
  return [{ path, stack: a, live: b }];
}

function sameLeaf(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The drift one refresh step reports. */
export function rowsOfStep(op: string, urn: string, type: string, old: StepState | undefined, next: StepState | undefined): DriftRow[] {
  const kind = TWILIO_TYPE.exec(type)?.[1];
  if (!kind || !old) return []; // components, providers, the stack itself
  const base = { resource: nameOf(urn), kind, label: labelOf(old), owner: ownerOf(kind, old) };
  if (GONE_OPS.has(op) || !next) {
    return [{ ...base, field: '(the object)', path: '(the object)', stack: 'exists', live: 'deleted outside the stack' }];
  }
  const stackInputs = old.inputs ?? {};
  const liveInputs = next.inputs ?? {};
  const managed = managedFieldsOf(kind);
  const fields = managed ? [...managed.fields] : Object.keys(stackInputs).filter((field) => !field.startsWith('__'));
  const rows: DriftRow[] = [];
  for (const field of fields.sort()) {
    if (stackInputs[field] === undefined) continue;
    const custom = managed?.customEquality(field);
    if (custom && custom(stackInputs[field], liveInputs[field])) continue;
    for (const difference of leafDifferences(stackInputs[field], liveInputs[field], field, custom !== undefined)) {
      rows.push({ ...base, field, ...difference });
    }
  }
  return rows;
}

/**
 * Drift rows from a refresh preview's events: one per drifted leaf, sorted by
 * resource and path. Each resource is judged on its outputs event (the step's
 * outcome); a pre-event counts only when it says the object is gone and no
 * outcome follows.
 */
export function driftRows(events: readonly EngineEvent[]): DriftRow[] {
  type Meta = NonNullable<EngineEvent['resOutputsEvent']>['metadata'];
  const outcome = new Map<string, Meta>();
  const gone = new Map<string, Meta>();
  for (const event of events) {
    const done = event.resOutputsEvent?.metadata;
    if (done) outcome.set(done.urn, done);
    const pre = event.resourcePreEvent?.metadata;
    if (pre && GONE_OPS.has(pre.op)) gone.set(pre.urn, pre);
  }
  for (const [urn, meta] of gone) if (!outcome.has(urn)) outcome.set(urn, meta);
  const rows = [...outcome.values()].flatMap((meta) => rowsOfStep(meta.op, meta.urn, meta.type, meta.old as StepState | undefined, meta.new as StepState | undefined));
  return rows.sort((x, y) => x.resource.localeCompare(y.resource) || x.path.localeCompare(y.path));
}
