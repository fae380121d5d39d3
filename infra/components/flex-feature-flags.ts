// The conversation-transfer feature flags, written where the Flex plugin
// reads them (a key inside the Flex Configuration's ui_attributes), so the UI
// and the functions agree on what is enabled.
import * as pulumi from "@pulumi/pulumi";
import type { FeatureFlags } from "../config";
import { FlexUiAttribute } from "../providers/flex/ui-attribute";

export interface FlexFeatureFlagsArgs {
  keyPath: string;
  features: FeatureFlags;
}

export class FlexFeatureFlags extends pulumi.ComponentResource {
  constructor(name: string, args: FlexFeatureFlagsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flex-transfer:index:FlexFeatureFlags", name, {}, opts);
    new FlexUiAttribute(`${name}-ui-attribute`, { keyPath: args.keyPath, value: { ...args.features } }, { parent: this });
    this.registerOutputs({});
  }
}
