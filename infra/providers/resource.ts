// The base of every Twilio resource class: its provider is the thin
// forwarder for its kind (remote.ts), its type token `twilio:<Kind>`, and
// its `sid` the resource id, which stays known while an update is previewed,
// so resources built from this SID do not show as changed when it cannot.
import * as pulumi from '@pulumi/pulumi';
import { providerModule, type ProviderKind } from './remote';
import { resourceType } from '../../functions/lib/contract.private';

/** The inputs of a provider's resource, each accepting a Pulumi input. */
export type ArgsOf<I> = { [K in keyof I]: pulumi.Input<I[K]> };

/**
 * A dynamic resource of type `pulumi-nodejs:dynamic/twilio:<Kind>`: what
 * `pulumi.dynamic.Resource` registers, with the provider given as its module
 * text (remote.ts) instead of a closure serialized on every run.
 */
export abstract class TwilioResource extends pulumi.CustomResource {
  protected constructor(kind: ProviderKind, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(resourceType(kind), name, { ...props, __provider: providerModule(kind) }, opts);
  }
}

export abstract class TwilioSidResource extends TwilioResource {
  declare readonly sid: pulumi.Output<string>;
  protected constructor(kind: ProviderKind, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(kind, name, { sid: undefined, ...props }, opts);
    this.sid = this.id;
  }
}
