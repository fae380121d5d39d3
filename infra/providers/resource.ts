// The base of every Twilio resource class: its provider is the thin
// forwarder for its kind (remote.ts), its type token `twilio:<Kind>`, and
// its `sid` the resource id, which stays known while an update is previewed,
// so resources built from this SID do not show as changed when it cannot.
import * as pulumi from "@pulumi/pulumi";
import { remoteProvider, type ProviderKind } from "./remote";

/** The inputs of a provider's resource, each accepting a Pulumi input. */
export type ArgsOf<I> = { [K in keyof I]: pulumi.Input<I[K]> };

export abstract class TwilioSidResource extends pulumi.dynamic.Resource {
  declare readonly sid: pulumi.Output<string>;
  protected constructor(kind: ProviderKind, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(remoteProvider(kind), name, { sid: undefined, ...props }, opts, "twilio", kind);
    this.sid = this.id;
  }
}
