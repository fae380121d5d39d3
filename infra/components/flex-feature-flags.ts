// The conversation-transfer feature flags, written where the Flex plugin
// reads them (a key inside the Flex Configuration's ui_attributes), so the UI
// and the functions agree on what is enabled.
import * as pulumi from '@pulumi/pulumi';
import { COMPONENTS, NAMES } from '../adoption-plan';
import { flexUiFlags, type TransferFlags } from '../../functions/lib/contract.private';
import { FlexUiAttribute } from '../providers/flex/ui-attribute';

export interface FlexFeatureFlagsArgs {
  keyPath: string;
  /** All transfer flags; only those the plugin reads are written (by their setting names). */
  features: TransferFlags;
}

export class FlexFeatureFlags extends pulumi.ComponentResource {
  constructor(name: string, args: FlexFeatureFlagsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENTS.flexFeatureFlags.type, name, {}, opts);
    new FlexUiAttribute(NAMES.uiAttribute, { keyPath: args.keyPath, value: flexUiFlags(args.features) }, { parent: this });
    this.registerOutputs({});
  }
}
