// Builds a Pulumi dynamic ResourceProvider from a declarative description of
// one Twilio resource type: how to validate and normalize its inputs, which
// fields force a replacement, and its CRUD calls. Every provider gets the same
// behaviour: validation before any API call, diffs on normalized values,
// unknown-aware previews, and credentials resolved at call time.
import type * as pulumi from '@pulumi/pulumi';
import { configureFromStack } from './settings';
import { openSession, type TwilioSession } from './twilio';
import { isNotFound } from './errors';

/** The value Pulumi passes for an input that is not known during preview. */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN || (typeof value === 'string' && value.includes(UNKNOWN));
}

export interface Failure {
  property: string;
  reason: string;
}

export interface ResourceType<I extends object, O extends I> {
  /** Type name used in messages, e.g. "TaskQueue". */
  kind: string;
  /** e.g. `TaskQueue "Sales"`, from inputs or outputs. */
  label(props: Partial<I>): string;
  /** Fills defaults and canonicalizes values, so equal intent compares equal. */
  normalize(inputs: I): I;
  /** Input problems, each naming the property; run before any API call. */
  validate(inputs: I, isKnown: (key: keyof I) => boolean): Failure[];
  /**
   * A check that needs Twilio (read-only), run by check() after validate()
   * passes and only when every input is known: its failures stop the preview.
   */
  verify?(inputs: I): Promise<Failure[]>;
  /** Inputs whose change is compared in diff (everything the resource manages). */
  diffKeys: Array<keyof I>;
  /**
   * Inputs the stack manages only when the program sets them (e.g. fields of
   * an adopted object): left undefined, the live value is not compared.
   */
  optionalKeys?: Array<keyof I>;
  /**
   * Whether these inputs adopt an existing object: then only the fields the
   * program sets are managed (a field left undefined is not compared).
   */
  isAdopted?(inputs: Partial<I>): boolean;
  /** Custom equality for inputs whose stored form differs from the input form. */
  equals?: Partial<{ [K in keyof I]: (old: unknown, next: unknown) => boolean }>;
  /** Inputs Twilio cannot update in place: a change replaces the object. */
  replaceKeys?: Array<keyof I>;
  /** Replace by deleting first (a unique name would collide otherwise). */
  deleteBeforeReplace?: boolean;
  create(inputs: I, twilio: TwilioSession): Promise<{ id: string; outs: O }>;
  /** Live state; `undefined` when the object is gone. */
  read(id: string, olds: O, twilio: TwilioSession): Promise<O | undefined>;
  update(id: string, olds: O, news: I, twilio: TwilioSession): Promise<O>;
  delete(id: string, olds: O, twilio: TwilioSession): Promise<void>;
}

export function defineProvider<I extends object, O extends I>(type: ResourceType<I, O>): pulumi.dynamic.ResourceProvider<I, O> {
  return {
    async configure(req) {
      await configureFromStack(req);
    },

    async check(_olds, news) {
      const known = (key: keyof I) => !isUnknown((news as Record<keyof I, unknown>)[key]);
      const label = (f: Failure) => ({ property: f.property, reason: `${type.label(news)}: ${f.reason}` });
      const failures = type.validate(news, known).map(label);
      if (failures.length > 0) return { inputs: news, failures };
      const allKnown = Object.values(news as Record<string, unknown>).every((v) => !isUnknown(v));
      const verified = type.verify && allKnown ? (await type.verify(type.normalize(news))).map(label) : [];
      if (verified.length > 0) return { inputs: news, failures: verified };
      return { inputs: type.normalize(news) };
    },

    async diff(_id, olds, news) {
      const changed = type.diffKeys.filter((key) => !(news[key] === undefined && (type.optionalKeys?.includes(key) || type.isAdopted?.(news))) && !equal(type.equals?.[key], olds[key], news[key]));
      const replaces = changed.filter((key) => type.replaceKeys?.includes(key)).map(String);
      return {
        changes: changed.length > 0,
        replaces,
        deleteBeforeReplace: replaces.length > 0 && type.deleteBeforeReplace === true,
      };
    },

    async create(inputs) {
      const { id, outs } = await type.create(inputs, openSession());
      return { id, outs: withoutUndefined(outs) };
    },

    async read(id, olds) {
      if (!olds) throw new Error(`${type.kind} ${id}: nothing is known of it (import is not supported; adopt it by SID instead)`);
      const twilio = openSession();
      let live: O | undefined;
      try {
        live = await type.read(id, olds, twilio);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      // Gone: an empty id tells the engine the object no longer exists.
      if (!live) return { id: '', props: undefined };
      // Refreshed inputs = the live values of what the stack manages, so the
      // next diff compares the program against reality, not the last deploy.
      const inputs = { ...olds, ...Object.fromEntries(type.diffKeys.map((k) => [k, live[k]])) } as O;
      return { id, props: withoutUndefined(live), inputs: withoutUndefined(inputs) };
    },

    async update(id, olds, news) {
      return { outs: withoutUndefined(await type.update(id, olds, news, openSession())) };
    },

    async delete(id, olds) {
      await type.delete(id, olds, openSession());
    },
  };
}

/** Pulumi's wire format (protobuf Struct) has no `undefined`: drop such keys. */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutUndefined(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, withoutUndefined(v)]),
    ) as T;
  }
  return value;
}

function equal(custom: ((a: unknown, b: unknown) => boolean) | undefined, a: unknown, b: unknown): boolean {
  if (!custom) return sameValue(a, b);
  return !isUnknown(b) && custom(a, b);
}

/** Structural equality; unknown values always count as a change. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isUnknown(a) || isUnknown(b)) return false;
  if (a === b) return true;
  if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
