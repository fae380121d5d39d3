// Flex's native messaging transfers (Flex UI 2.13+, Console: Flex > Channel
// management > Transfers) and this project's chat transfer must not both be
// on: agents would get two Transfer buttons with different routing, and the
// flex-project-template plugin switches itself off when native transfers are on.
//
// Where the setting lives: not in the Flex Configuration resource (its OpenAPI
// schema has no transfer field). The Flex UI reads it from the Flex instance's
// TransferSettings, `GET https://flex-api.twilio.com/v3/Instances/{GO…}/TransferSettings`
// → `{ transfer_settings: [{ enabled, transfer_notes_enabled, ai_summary_enabled, … }] }`
// (@twilio/flex-ui TransferService.fetchTransfersConfig; TransfersConfig in
// FeatureFlagsModel.d.ts), the instance being the Configuration's `flex_instance_sid`.
//
// Modes: `fail` (check() fails the preview when both are on, naming what to
// turn off), `turnOff` (the stack sets `enabled: false` and destroy puts the
// recorded value back).
import * as pulumi from '@pulumi/pulumi';
import { sameValue, type Failure, type ResourceType } from '../runtime/define';
import { TwilioResource } from '../resource';
import { retryIdempotent } from '../runtime/retry';
import { openSession, type TwilioSession } from '../runtime/twilio';

export type NativeTransfersMode = 'fail' | 'turnOff';

export interface NativeTransfersInputs {
  /** Whether this stack's chat transfer is on (flex-transfer:features.enabled). */
  chatTransferEnabled: boolean;
  mode: NativeTransfersMode;
  /** The native setting the stack declares: `false` in turnOff mode with chat transfer on; otherwise not managed. */
  enabled?: boolean;
}

export interface NativeTransfersOutputs extends NativeTransfersInputs {
  instanceSid: string;
  /** The native setting before the stack changed it; absent when it changed nothing. */
  originalEnabled?: boolean;
}

interface TransferSettings {
  enabled?: boolean;
  [key: string]: unknown;
}

const LABEL = 'Flex native messaging transfers';

export const NATIVE_TRANSFERS_CONFLICT =
  "Flex's native messaging transfers are on (Twilio Console: Flex > Channel management > Transfers) and this stack's chat transfer is enabled (flex-transfer:features.enabled). " +
  'Agents would see two transfer features with different routing. Turn one off: switch native messaging transfers off in the Console, ' +
  'or set flex-transfer:features.enabled to false, or set flex-transfer:nativeTransfers to turnOff to let the stack switch native transfers off (destroy switches them back on).';

async function instanceSid(twilio: TwilioSession): Promise<string> {
  const config = await twilio.call(LABEL, 'read the Flex configuration', () => retryIdempotent(() => twilio.client.flexApi.v1.configuration().fetch()));
  const sid = config.flexInstanceSid;
  if (!sid) throw new Error(`${LABEL}: the Flex configuration names no flex_instance_sid; is this a Flex account?`);
  return sid;
}

const settingsUrl = (instance: string) => `https://flex-api.twilio.com/v3/Instances/${instance}/TransferSettings`;

export async function readTransferSettings(twilio: TwilioSession, instance: string): Promise<TransferSettings> {
  const response = await twilio.call(LABEL, 'read them', () =>
    retryIdempotent(async () => {
      const r = await twilio.client.request({ method: 'get', uri: settingsUrl(instance) });
      if (r.statusCode >= 400) throw Object.assign(new Error(bodyMessage(r.body)), { status: r.statusCode });
      return r;
    }),
  );
  const body = (typeof response.body === 'string' ? JSON.parse(response.body) : response.body) as { transfer_settings?: TransferSettings[] };
  // The Flex UI takes the first entry; none means never configured (off).
  return body.transfer_settings?.[0] ?? { enabled: false };
}

async function writeEnabled(twilio: TwilioSession, instance: string, enabled: boolean): Promise<void> {
  await twilio.call(LABEL, `switch them ${enabled ? 'on' : 'off'}`, () =>
    retryIdempotent(async () => {
      const r = await twilio.client.request({
        method: 'post',
        uri: settingsUrl(instance),
        data: { enabled },
        headers: { 'Content-Type': 'application/json' },
      });
      if (r.statusCode >= 400) throw Object.assign(new Error(bodyMessage(r.body)), { status: r.statusCode });
    }),
  );
}

function bodyMessage(body: unknown): string {
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: string };
    return parsed?.message ?? String(body);
  } catch {
    return String(body);
  }
}

/** Reads the native setting and applies the declared one; returns the outputs. */
async function sync(i: NativeTransfersInputs, twilio: TwilioSession, previous?: NativeTransfersOutputs): Promise<NativeTransfersOutputs> {
  const instance = previous?.instanceSid ?? (await instanceSid(twilio));
  if (i.enabled === undefined) {
    // Not managed (any more): put back what the stack changed.
    if (previous?.originalEnabled !== undefined) await writeEnabled(twilio, instance, previous.originalEnabled);
    return { ...i, instanceSid: instance };
  }
  const live = await readTransferSettings(twilio, instance);
  const before = live.enabled === true;
  if (before !== i.enabled) await writeEnabled(twilio, instance, i.enabled);
  const originalEnabled = previous?.originalEnabled ?? (before !== i.enabled ? before : undefined);
  return { ...i, instanceSid: instance, ...(originalEnabled !== undefined ? { originalEnabled } : {}) };
}

export const nativeTransfersType: ResourceType<NativeTransfersInputs, NativeTransfersOutputs> = {
  kind: 'FlexNativeTransfers',
  label: () => LABEL,
  normalize: (i) => i,
  validate(i, known) {
    const failures: Failure[] = [];
    if (known('mode') && i.mode !== 'fail' && i.mode !== 'turnOff') failures.push({ property: 'mode', reason: `mode must be fail or turnOff, got '${String(i.mode)}'` });
    if (known('chatTransferEnabled') && typeof i.chatTransferEnabled !== 'boolean') failures.push({ property: 'chatTransferEnabled', reason: 'chatTransferEnabled must be true or false' });
    if (known('enabled') && i.enabled !== undefined && typeof i.enabled !== 'boolean') failures.push({ property: 'enabled', reason: 'enabled must be true or false' });
    return failures;
  },
  /** In `fail` mode with chat transfer on, the preview stops here when native transfers are on. */
  async verify(i) {
    if (i.mode !== 'fail' || !i.chatTransferEnabled) return [];
    const twilio = openSession();
    try {
      const settings = await readTransferSettings(twilio, await instanceSid(twilio));
      return settings.enabled === true ? [{ property: 'enabled', reason: NATIVE_TRANSFERS_CONFLICT }] : [];
    } catch (err) {
      return [
        {
          property: 'enabled',
          reason: `could not read whether Flex's native messaging transfers are on (${(err as Error).message}); set flex-transfer:nativeTransfers to ignore to skip this check`,
        },
      ];
    }
  },
  isAdopted: () => true,
  diffKeys: ['chatTransferEnabled', 'mode', 'enabled'],
  async create(i, twilio) {
    return { id: 'flex-native-transfers', outs: await sync(i, twilio) };
  },
  async read(_id, olds, twilio) {
    if (olds.enabled === undefined) return olds;
    const live = await readTransferSettings(twilio, olds.instanceSid);
    return { ...olds, enabled: live.enabled === true };
  },
  update: (_id, olds, news, twilio) => sync(news, twilio, olds),
  async delete(_id, olds, twilio) {
    if (olds.originalEnabled === undefined) return;
    const live = await readTransferSettings(twilio, olds.instanceSid);
    if (!sameValue(live.enabled === true, olds.originalEnabled)) await writeEnabled(twilio, olds.instanceSid, olds.originalEnabled);
  },
};

export type NativeTransfersArgs = { [K in keyof NativeTransfersInputs]: pulumi.Input<NativeTransfersInputs[K]> };

export class FlexNativeTransfers extends TwilioResource {
  declare readonly enabled: pulumi.Output<boolean | undefined>;
  constructor(name: string, args: NativeTransfersArgs, opts?: pulumi.CustomResourceOptions) {
    super('FlexNativeTransfers', name, { instanceSid: undefined, originalEnabled: undefined, ...args }, opts);
  }
}
