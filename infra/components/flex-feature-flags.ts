// The conversation-transfer feature flags, written where the Flex plugin
// reads them (a key inside the Flex Configuration's ui_attributes), so the UI
// and the functions agree on what is enabled.
import * as pulumi from "@pulumi/pulumi";
import { COMPONENTS, NAMES } from "../adoption-plan";
import type { FeatureFlags } from "../config";
import { FlexUiAttribute } from "../providers/flex/ui-attribute";

export interface FlexFeatureFlagsArgs {
  keyPath: string;
  features: FeatureFlags;
}

export class FlexFeatureFlags extends pulumi.ComponentResource {
  constructor(name: string, args: FlexFeatureFlagsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENTS.flexFeatureFlags.type, name, {}, opts);
    new FlexUiAttribute(NAMES.uiAttribute, { keyPath: args.keyPath, value: { ...args.features } }, { parent: this });
    this.registerOutputs({});
  }
}
