// Serverless Environment. Twilio has no update for environments: every input
// change replaces it, deleting first (unique name and domain suffix collide).
import * as pulumi from '@pulumi/pulumi';
import { createSafely } from '../runtime/create-safely';
import type { ResourceType } from '../runtime/define';
import { TwilioSidResource, type ArgsOf } from '../resource';
import { deleteIfPresent, retryIdempotent } from '../runtime/retry';
import { Checks } from '../runtime/validate';

export interface EnvironmentInputs {
  serviceSid: string;
  uniqueName: string;
  /** Appended to the domain (`<service>-1234-<suffix>.twil.io`); at most 16 characters. */
  domainSuffix?: string;
}

export interface EnvironmentOutputs extends EnvironmentInputs {
  sid: string;
  /** Where the functions answer, e.g. `flex-transfer-1234-dev.twil.io`. */
  domainName: string;
}

interface EnvironmentApi {
  sid: string;
  uniqueName: string;
  domainSuffix: string | null;
  domainName: string;
}

const toOutputs = (serviceSid: string, e: EnvironmentApi): EnvironmentOutputs => ({
  serviceSid,
  sid: e.sid,
  uniqueName: e.uniqueName,
  domainSuffix: e.domainSuffix ?? undefined,
  domainName: e.domainName,
});

export const environmentType: ResourceType<EnvironmentInputs, EnvironmentOutputs> = {
  kind: 'Environment',
  label: (p) => `Serverless Environment "${p.uniqueName ?? '?'}"`,
  normalize: (i) => ({ ...i, domainSuffix: i.domainSuffix || undefined }),
  validate: (i, known) =>
    new Checks(i, known)
      .sid('serviceSid', 'ZS')
      .pattern('uniqueName', /^[A-Za-z0-9_-]{1,100}$/, "1-100 letters, digits, '_' or '-'")
      .pattern('domainSuffix', /^[a-z0-9-]{1,16}$/, "1-16 lowercase letters, digits or '-'", false).failures,
  diffKeys: ['serviceSid', 'uniqueName', 'domainSuffix'],
  replaceKeys: ['serviceSid', 'uniqueName', 'domainSuffix'],
  deleteBeforeReplace: true,
  async create(i, twilio) {
    const environments = twilio.client.serverless.v1.services(i.serviceSid).environments;
    const label = environmentType.label(i);
    const e = await twilio.call(label, 'create it', () =>
      createSafely<EnvironmentApi>({
        describe: label,
        create: () => environments.create({ uniqueName: i.uniqueName, domainSuffix: i.domainSuffix }),
        find: async () => (await environments.list()).filter((x) => x.uniqueName === i.uniqueName),
      }),
    );
    return { id: e.sid, outs: toOutputs(i.serviceSid, e) };
  },
  async read(id, olds, twilio) {
    const e = await twilio.call(environmentType.label(olds), 'read it', () => retryIdempotent(() => twilio.client.serverless.v1.services(olds.serviceSid).environments(id).fetch()));
    return toOutputs(olds.serviceSid, e);
  },
  async update(_id, olds) {
    // Unreachable: every input replaces. Keep state as it is.
    return olds;
  },
  async delete(id, olds, twilio) {
    await twilio.call(environmentType.label(olds), 'delete it', () => deleteIfPresent(() => twilio.client.serverless.v1.services(olds.serviceSid).environments(id).remove()));
  },
};

export type EnvironmentArgs = ArgsOf<EnvironmentInputs>;

export class Environment extends TwilioSidResource {
  declare readonly domainName: pulumi.Output<string>;
  constructor(name: string, args: EnvironmentArgs, opts?: pulumi.CustomResourceOptions) {
    super('Environment', name, { domainName: undefined, ...args }, opts);
  }
}
