// Serverless Service. `unique_name` is immutable and unique per account: a
// new one replaces the service, deleting the old one first.
import * as pulumi from "@pulumi/pulumi";
import { isNotFound } from "../runtime/errors";
import { createSafely } from "../runtime/create-safely";
import type { ResourceType } from "../runtime/define";
import { TwilioSidResource, type ArgsOf } from "../resource";
import { deleteIfPresent, retryIdempotent } from "../runtime/retry";
import { Checks } from "../runtime/validate";

export interface ServiceInputs {
  uniqueName: string;
  friendlyName: string;
  /** Whether functions get the account credentials in `context`; default true. */
  includeCredentials?: boolean;
  /** Whether the service can be edited in the Console; default false. */
  uiEditable?: boolean;
}

export interface ServiceOutputs extends ServiceInputs {
  sid: string;
  domainBase: string;
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

const UPDATABLE = ["friendlyName", "includeCredentials", "uiEditable"] as const;

export const serviceType: ResourceType<ServiceInputs, ServiceOutputs> = {
  kind: "Service",
  label: (p) => `Serverless Service "${p.uniqueName ?? "?"}"`,
  normalize: (i) => ({ ...i, includeCredentials: i.includeCredentials ?? true, uiEditable: i.uiEditable ?? false }),
  validate: (i, known) =>
    new Checks(i, known)
      .pattern("uniqueName", /^[A-Za-z0-9-]{1,50}$/, "1-50 letters, digits or '-' (it becomes part of the functions' domain)")
      .text("friendlyName", 255)
      .boolean("includeCredentials")
      .boolean("uiEditable").failures,
  diffKeys: ["uniqueName", ...UPDATABLE],
  replaceKeys: ["uniqueName"],
  deleteBeforeReplace: true,
  async create(i, twilio) {
    const services = twilio.client.serverless.v1.services;
    const label = serviceType.label(i);
    const s = await twilio.call(label, "create it", () =>
      createSafely<ServiceApi>({
        describe: label,
        create: () => services.create(i),
        // A unique name works in place of the SID.
        find: async () => {
          try {
            return [await services(i.uniqueName).fetch()];
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
    return toOutputs(await twilio.call(serviceType.label(olds), "read it", () => retryIdempotent(() => twilio.client.serverless.v1.services(id).fetch())));
  },
  async update(id, olds, news, twilio) {
    const changed = Object.fromEntries(UPDATABLE.filter((k) => olds[k] !== news[k]).map((k) => [k, news[k]]));
    const s = await twilio.call(serviceType.label(news), "update it", () =>
      retryIdempotent(() => twilio.client.serverless.v1.services(id).update(changed)),
    );
    return toOutputs(s);
  },
  async delete(id, olds, twilio) {
    await twilio.call(serviceType.label(olds), "delete it", () => deleteIfPresent(() => twilio.client.serverless.v1.services(id).remove()));
  },
};

export type ServiceArgs = ArgsOf<ServiceInputs>;

export class Service extends TwilioSidResource {
  declare readonly uniqueName: pulumi.Output<string>;
  declare readonly domainBase: pulumi.Output<string>;
  constructor(name: string, args: ServiceArgs, opts?: pulumi.CustomResourceOptions) {
    super("Service", name, { domainBase: undefined, ...args }, opts);
  }
}
