// Serverless Service: created by the stack, or adopted (a service another tool
// deployed, e.g. flex-project-template's) by SID or unique name. `unique_name`
// is immutable and unique per account: a new one replaces an owned service,
// deleting the old one first. An adopted service is changed only in the
// declared fields and is never deleted: destroy restores them.
import * as pulumi from '@pulumi/pulumi';
import { isNotFound } from '../runtime/errors';
import { isAdopting, pickDeclared, restoreAdopted, syncAdopted, type AdoptionApi, type AdoptionInputs, type Originals } from '../runtime/adoption';
import { createSafely } from '../runtime/create-safely';
import type { ResourceType } from '../runtime/define';
import { TwilioSidResource, type ArgsOf } from '../resource';
import { deleteIfPresent, retryIdempotent } from '../runtime/retry';
import { Checks } from '../runtime/validate';

export interface ServiceInputs extends AdoptionInputs {
  /** Required when creating. */
  uniqueName?: string;
  /** Required when creating. */
  friendlyName?: string;
  /** Whether functions get the account credentials in `context`; default true. */
  includeCredentials?: boolean;
  /** Whether the service can be edited in the Console; default false when creating. */
  uiEditable?: boolean;
}

export interface ServiceOutputs extends ServiceInputs {
  sid: string;
  domainBase: string;
  adopted?: boolean;
  originals?: Originals;
}

interface ServiceApi {
  sid: string;
  uniqueName: string;
  friendlyName: string;
  includeCredentials: boolean;
  uiEditable: boolean;
  domainBase: string;
}

const toOutputs = (s: ServiceApi): ServiceOutputs => ({
  sid: s.sid,
  uniqueName: s.uniqueName,
  friendlyName: s.friendlyName,
  includeCredentials: s.includeCredentials,
  uiEditable: s.uiEditable,
  domainBase: s.domainBase,
});

const UPDATABLE = ['friendlyName', 'includeCredentials', 'uiEditable'] as const;

const fields = (s: ServiceApi): Partial<ServiceInputs> => ({ friendlyName: s.friendlyName, includeCredentials: s.includeCredentials, uiEditable: s.uiEditable });

export const serviceAdoption: AdoptionApi<ServiceInputs, ServiceApi> = {
  // A unique name works in place of the SID.
  find: (i, twilio) => {
    const key = (i.adoptSid ?? i.adoptName) as string;
    return twilio.call(serviceType.label(i), 'find it', () => retryIdempotent(() => twilio.client.serverless.v1.services(key).fetch()));
  },
  fetch: (sid, _i, twilio) => twilio.client.serverless.v1.services(sid).fetch(),
  update: (sid, changes, _i, twilio) => twilio.client.serverless.v1.services(sid).update(changes),
  live: fields,
  raw: fields,
};

/** An adopted service's outputs: the declared fields, plus what the stack reads (its unique name and domain). */
const adoptedOutputs = (i: ServiceInputs, s: ServiceApi, originals: Originals): ServiceOutputs => ({
  ...i,
  ...pickDeclared(fields(s), i, UPDATABLE),
  sid: s.sid,
  uniqueName: s.uniqueName,
  domainBase: s.domainBase,
  adopted: true,
  originals,
});

export const serviceType: ResourceType<ServiceInputs, ServiceOutputs> = {
  kind: 'Service',
  label: (p) => `Serverless Service "${p.uniqueName ?? p.adoptName ?? p.adoptSid ?? '?'}"${isAdopting(p) ? ' (adopted)' : ''}`,
  normalize: (i) => (isAdopting(i) ? i : { ...i, includeCredentials: i.includeCredentials ?? true, uiEditable: i.uiEditable ?? false }),
  validate(i, known) {
    const c = new Checks(i, known)
      .sid('adoptSid', 'ZS', false)
      .pattern('adoptName', /^[A-Za-z0-9_-]{1,50}$/, "a service's unique name (1-50 letters, digits, '_' or '-')", false)
      .pattern('uniqueName', /^[A-Za-z0-9-]{1,50}$/, "1-50 letters, digits or '-' (it becomes part of the functions' domain)", !isAdopting(i))
      .text('friendlyName', 255, !isAdopting(i))
      .boolean('includeCredentials')
      .boolean('uiEditable');
    if (i.adoptSid && i.adoptName) c.failures.push({ property: 'adoptName', reason: 'adoptName and adoptSid name the service to adopt twice; give one' });
    if (isAdopting(i) && i.uniqueName !== undefined) c.failures.push({ property: 'uniqueName', reason: 'uniqueName cannot change on an adopted service; name it with adoptName instead' });
    return c.failures;
  },
  isAdopted: isAdopting,
  diffKeys: ['uniqueName', 'adoptSid', 'adoptName', ...UPDATABLE],
  replaceKeys: ['uniqueName', 'adoptSid', 'adoptName'],
  deleteBeforeReplace: true,
  async create(i, twilio) {
    const services = twilio.client.serverless.v1.services;
    const label = serviceType.label(i);
    if (isAdopting(i)) {
      const adopted = await syncAdopted(label, serviceAdoption, UPDATABLE, i, twilio);
      return { id: adopted.sid, outs: adoptedOutputs(i, adopted.api, adopted.originals) };
    }
    const s = await twilio.call(label, 'create it', () =>
      createSafely<ServiceApi>({
        describe: label,
        create: () => services.create(i as Required<Pick<ServiceInputs, 'uniqueName' | 'friendlyName'>>),
        find: async () => {
          try {
            return [await services(i.uniqueName as string).fetch()];
          } catch (err) {
            if (isNotFound(err)) return [];
            throw err;
          }
        },
      }),
    );
    return { id: s.sid, outs: toOutputs(s) };
  },
  async read(id, olds, twilio) {
    const s = await twilio.call(serviceType.label(olds), 'read it', () => retryIdempotent(() => twilio.client.serverless.v1.services(id).fetch()));
    return olds.adopted ? adoptedOutputs(olds, s, olds.originals ?? {}) : toOutputs(s);
  },
  async update(id, olds, news, twilio) {
    const label = serviceType.label(news);
    if (olds.adopted) {
      const adopted = await syncAdopted(label, serviceAdoption, UPDATABLE, news, twilio, { sid: id, originals: olds.originals });
      return adoptedOutputs(news, adopted.api, adopted.originals);
    }
    const changed = Object.fromEntries(UPDATABLE.filter((k) => olds[k] !== news[k]).map((k) => [k, news[k]]));
    const s = await twilio.call(label, 'update it', () => retryIdempotent(() => twilio.client.serverless.v1.services(id).update(changed)));
    return toOutputs(s);
  },
  async delete(id, olds, twilio) {
    const label = serviceType.label(olds);
    if (olds.adopted) return restoreAdopted(label, serviceAdoption, id, olds.originals, olds, twilio);
    await twilio.call(label, 'delete it', () => deleteIfPresent(() => twilio.client.serverless.v1.services(id).remove()));
  },
};

export type ServiceArgs = ArgsOf<ServiceInputs>;

export class Service extends TwilioSidResource {
  declare readonly uniqueName: pulumi.Output<string>;
  declare readonly domainBase: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean | undefined>;
  constructor(name: string, args: ServiceArgs, opts?: pulumi.CustomResourceOptions) {
    super('Service', name, { domainBase: undefined, adopted: undefined, originals: undefined, ...args }, opts);
  }
}
