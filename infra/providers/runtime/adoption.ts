// Adopted objects (the Flex workspace, its Everyone queue, an existing Chat
// Transfer workflow, a Serverless service, ...) are not the stack's to delete.
// The stack changes only the fields the program declares, records each field's
// value from before it first touched it, and on destroy puts those values back:
// the object is left as it was found.
import { sameValue } from './define';
import { retryIdempotent } from './retry';
import type { TwilioSession } from './twilio';

/** Values of the declared fields as they were before the stack changed them (Twilio's raw values). */
export type Originals = Record<string, unknown>;

/** Which existing object to adopt: by SID, or by its unique name (a queue's or workflow's friendly name, a service's unique name). */
export interface AdoptionInputs {
  adoptSid?: string;
  adoptName?: string;
}

export const isAdopting = (i: Partial<AdoptionInputs>): boolean => Boolean(i.adoptSid || i.adoptName);

/**
 * Adds, for every field the program declares now and that has no recorded
 * original yet, its current live value.
 */
export function recordOriginals<T extends object>(originals: Originals | undefined, declared: Partial<T>, live: Partial<T>, fields: ReadonlyArray<keyof T>): Originals {
  const out: Originals = { ...(originals ?? {}) };
  for (const field of fields) {
    if (declared[field] !== undefined && !(String(field) in out)) out[String(field)] = live[field] ?? null;
  }
  return out;
}

/** The fields whose declared value differs from the live one. */
export function changedFields<T extends object>(declared: Partial<T>, live: Partial<T>, fields: ReadonlyArray<keyof T>): Partial<T> {
  const out: Partial<T> = {};
  for (const field of fields) {
    if (declared[field] !== undefined && !sameValue(declared[field], live[field])) out[field] = declared[field];
  }
  return out;
}

/** How one Twilio resource type is found, read and written, for adoption. */
export interface AdoptionApi<I, Api extends { sid: string }> {
  /** The object named by adoptSid or adoptName; throws naming what was looked for when there is none or several. */
  find(i: I, twilio: TwilioSession): Promise<Api>;
  fetch(sid: string, i: I, twilio: TwilioSession): Promise<Api>;
  /** Writes fields (input names, Twilio's SDK takes the same names). */
  update(sid: string, fields: Record<string, unknown>, i: I, twilio: TwilioSession): Promise<Api>;
  /** The managed fields as the provider compares them (normalized). */
  live(api: Api): Partial<I>;
  /** The managed fields exactly as Twilio holds them (what destroy writes back). */
  raw(api: Api): Partial<I>;
}

export interface AdoptedState {
  sid: string;
  /** Live normalized values of the declared fields after the change. */
  live: Partial<Record<string, unknown>>;
  originals: Originals;
  api: unknown;
}

/**
 * Adopts (first time, `previous` undefined) or updates an adopted object:
 * records the originals of newly declared fields, puts back fields the program
 * no longer declares, and writes only the declared fields that differ.
 */
export async function syncAdopted<I extends object, Api extends { sid: string }>(
  label: string,
  api: AdoptionApi<I, Api>,
  fields: ReadonlyArray<keyof I & string>,
  declared: I,
  twilio: TwilioSession,
  previous?: { sid: string; originals?: Originals },
): Promise<AdoptedState & { api: Api }> {
  const found = previous ? await twilio.call(label, 'read it', () => retryIdempotent(() => api.fetch(previous.sid, declared, twilio))) : await api.find(declared, twilio);
  let originals = recordOriginals(previous?.originals, declared as Partial<I>, api.raw(found), fields);
  // Fields the program stopped declaring go back to what they were.
  const released = Object.fromEntries(Object.entries(originals).filter(([k]) => (declared as Record<string, unknown>)[k] === undefined && fields.includes(k as keyof I & string)));
  originals = Object.fromEntries(Object.entries(originals).filter(([k]) => !(k in released)));
  const changes = { ...released, ...changedFields(declared as Partial<I>, api.live(found), fields) } as Record<string, unknown>;
  const current = Object.keys(changes).length ? await twilio.call(label, 'update it', () => retryIdempotent(() => api.update(found.sid, changes, declared, twilio))) : found;
  return { sid: current.sid, live: pickDeclared(api.live(current), declared, fields), originals, api: current };
}

/** Puts back every recorded original that differs from the live value; never deletes. */
export async function restoreAdopted<I extends object, Api extends { sid: string }>(
  label: string,
  api: AdoptionApi<I, Api>,
  sid: string,
  originals: Originals | undefined,
  olds: I,
  twilio: TwilioSession,
): Promise<void> {
  if (!originals || Object.keys(originals).length === 0) return;
  const current = await twilio.call(label, 'read it', () => retryIdempotent(() => api.fetch(sid, olds, twilio)));
  const raw = api.raw(current) as Record<string, unknown>;
  const restore = Object.fromEntries(Object.entries(originals).filter(([k, v]) => !sameValue(raw[k] ?? null, v ?? null)));
  if (Object.keys(restore).length) await twilio.call(label, 'restore it', () => retryIdempotent(() => api.update(sid, restore, olds, twilio)));
}

/** Only the fields the program declares (an adopted object's other fields are not the stack's). */
export function pickDeclared<I extends object>(values: Partial<I>, declared: I, fields: ReadonlyArray<keyof I & string>): Partial<I> {
  return Object.fromEntries(fields.filter((k) => declared[k] !== undefined).map((k) => [k, values[k]])) as Partial<I>;
}

/** Exactly one match, or an error that names what was looked for and what was found. */
export function exactlyOne<T extends { sid: string }>(label: string, what: string, found: T[]): T {
  if (found.length === 1) return found[0];
  if (found.length === 0) throw new Error(`${label}: there is no ${what} to adopt`);
  throw new Error(`${label}: ${found.length} objects match ${what} (${found.map((f) => f.sid).join(', ')}); adopt one by SID (adoptSid)`);
}
