// One key inside the Flex Configuration's `ui_attributes` (e.g. the
// conversation-transfer feature flags the Flex plugin reads). The stack owns
// that key only: every write is read-modify-write of the whole document with
// our key set, so nothing else in ui_attributes is ever clobbered, and
// destroy puts back what was there before (or removes the key).
import * as pulumi from '@pulumi/pulumi';
import { sameValue, type ResourceType } from '../runtime/define';
import { TwilioResource } from '../resource';
import { retryIdempotent } from '../runtime/retry';
import type { TwilioSession } from '../runtime/twilio';

export interface UiAttributeInputs {
  /** Dot-separated path inside ui_attributes, e.g. `custom_data.features.conversation_transfer`. */
  keyPath: string;
  /** JSON value to set there. */
  value: unknown;
}

export interface UiAttributeOutputs extends UiAttributeInputs {
  /** The value at keyPath before the stack first set it (`null` if absent). */
  original: unknown;
  hadOriginal: boolean;
}

type Json = Record<string, unknown>;

function getAt(doc: Json, keys: string[]): { found: boolean; value: unknown } {
  let node: unknown = doc;
  for (const k of keys) {
    if (!node || typeof node !== 'object' || !(k in (node as Json))) return { found: false, value: null };
    node = (node as Json)[k];
  }
  return { found: true, value: node };
}

/** A copy of `doc` with `keys` set to `value` (or removed when `remove`). */
export function setAt(doc: Json, keys: string[], value: unknown, remove = false): Json {
  const [head, ...rest] = keys;
  const copy: Json = { ...doc };
  if (rest.length === 0) {
    if (remove) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const child = copy[head] && typeof copy[head] === 'object' && !Array.isArray(copy[head]) ? (copy[head] as Json) : {};
  copy[head] = setAt(child, rest, value, remove);
  return copy;
}

async function readUiAttributes(twilio: TwilioSession, label: string): Promise<Json> {
  const config = await twilio.call(label, 'read the Flex configuration', () => retryIdempotent(() => twilio.client.flexApi.v1.configuration().fetch()));
  const ui = config.uiAttributes as unknown;
  if (typeof ui === 'string') return JSON.parse(ui) as Json;
  return (ui as Json | null) ?? {};
}

async function writeAt(twilio: TwilioSession, label: string, keys: string[], value: unknown, remove = false): Promise<Json> {
  const current = await readUiAttributes(twilio, label);
  const next = setAt(current, keys, value, remove);
  // Already so (e.g. flags another tool wrote, now adopted): nothing to write.
  if (sameValue(next, current)) return current;
  await twilio.call(label, 'update the Flex configuration', () =>
    retryIdempotent(() => twilio.client.flexApi.v1.configuration().update({ account_sid: twilio.settings.credentials.accountSid, ui_attributes: next })),
  );
  return current;
}

const keysOf = (keyPath: string) => keyPath.split('.');

export const uiAttributeType: ResourceType<UiAttributeInputs, UiAttributeOutputs> = {
  kind: 'FlexUiAttribute',
  label: (p) => `Flex ui_attributes.${p.keyPath ?? '?'}`,
  normalize: (i) => i,
  validate(i, known) {
    const failures = [];
    if (known('keyPath') && (typeof i.keyPath !== 'string' || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(i.keyPath))) {
      failures.push({ property: 'keyPath', reason: `keyPath must be dot-separated names (e.g. custom_data.features.x), got '${String(i.keyPath)}'` });
    }
    if (known('value') && i.value === undefined) failures.push({ property: 'value', reason: 'value is required' });
    return failures;
  },
  diffKeys: ['keyPath', 'value'],
  replaceKeys: ['keyPath'],
  async create(i, twilio) {
    const label = uiAttributeType.label(i);
    const before = await writeAt(twilio, label, keysOf(i.keyPath), i.value);
    const prior = getAt(before, keysOf(i.keyPath));
    return { id: `ui_attributes.${i.keyPath}`, outs: { ...i, original: prior.value, hadOriginal: prior.found } };
  },
  async read(_id, olds, twilio) {
    const found = getAt(await readUiAttributes(twilio, uiAttributeType.label(olds)), keysOf(olds.keyPath));
    return { ...olds, value: found.found ? found.value : null };
  },
  async update(_id, olds, news, twilio) {
    await writeAt(twilio, uiAttributeType.label(news), keysOf(news.keyPath), news.value);
    return { ...news, original: olds.original, hadOriginal: olds.hadOriginal };
  },
  async delete(_id, olds, twilio) {
    await writeAt(twilio, uiAttributeType.label(olds), keysOf(olds.keyPath), olds.original, !olds.hadOriginal);
  },
};

export type UiAttributeArgs = { [K in keyof UiAttributeInputs]: pulumi.Input<UiAttributeInputs[K]> };

export class FlexUiAttribute extends TwilioResource {
  declare readonly value: pulumi.Output<unknown>;
  constructor(name: string, args: UiAttributeArgs, opts?: pulumi.CustomResourceOptions) {
    super('FlexUiAttribute', name, { original: undefined, hadOriginal: undefined, ...args }, opts);
  }
}
