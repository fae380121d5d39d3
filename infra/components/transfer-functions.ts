// The transfer functions deployed into the stack's environment, with their
// environment variables wired from this stack's outputs: workflow and
// workspace SIDs are never looked up by name or pasted by hand.
import * as pulumi from "@pulumi/pulumi";
import type { FeatureFlags } from "../config";
import { Deployment, type SourceFile } from "../providers/serverless/deployment";

export interface TransferFunctionsArgs {
  serviceSid: pulumi.Input<string>;
  environmentSid: pulumi.Input<string>;
  runtime: string;
  functions: SourceFile[];
  /** npm dependencies of the build. */
  dependencies: Record<string, string>;
  workspaceSid: pulumi.Input<string>;
  chatTransferWorkflowSid: pulumi.Input<string>;
  voiceTransferWorkflowSid: pulumi.Input<string>;
  features: FeatureFlags;
  voiceTransfer: boolean;
  /** Origins allowed to call the functions from a browser. Default: Flex. */
  allowedOrigins?: string[];
}

export class TransferFunctions extends pulumi.ComponentResource {
  /** The variables the functions run with (none is secret). */
  readonly environmentVariables: pulumi.Output<Record<string, string>>;
  readonly buildSid: pulumi.Output<string>;

  constructor(name: string, args: TransferFunctionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flex-transfer:index:TransferFunctions", name, {}, opts);
    const variables = pulumi
      .all([args.workspaceSid, args.chatTransferWorkflowSid, args.voiceTransferWorkflowSid])
      .apply(([workspace, chat, voice]) => transferEnvironment({ workspace, chat, voice, features: args.features, voiceTransfer: args.voiceTransfer, allowedOrigins: args.allowedOrigins }));
    const deployment = new Deployment(
      `${name}-deployment`,
      {
        serviceSid: args.serviceSid,
        environmentSid: args.environmentSid,
        runtime: args.runtime,
        functions: args.functions,
        dependencies: args.dependencies,
        variables,
      },
      { parent: this },
    );
    this.environmentVariables = deployment.variables;
    this.buildSid = deployment.buildSid;
    this.registerOutputs({ environmentVariables: this.environmentVariables, buildSid: this.buildSid });
  }
}

/** The functions' environment: the contract in docs/functions.md. */
export function transferEnvironment(p: {
  workspace: string;
  chat: string;
  voice: string;
  features: FeatureFlags;
  voiceTransfer: boolean;
  allowedOrigins?: string[];
}): Record<string, string> {
  return {
    TWILIO_FLEX_WORKSPACE_SID: p.workspace,
    TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID: p.chat,
    ...(p.voice ? { TWILIO_FLEX_VOICE_TRANSFER_WORKFLOW_SID: p.voice } : {}),
    FLEX_TRANSFER_ENABLED: String(p.features.enabled),
    FLEX_TRANSFER_COLD_TRANSFER: String(p.features.cold_transfer),
    FLEX_TRANSFER_MULTI_PARTICIPANT: String(p.features.multi_participant),
    FLEX_TRANSFER_VOICE_ENABLED: String(p.voiceTransfer),
    FLEX_TRANSFER_ALLOWED_ORIGINS: (p.allowedOrigins ?? ["https://flex.twilio.com"]).join(","),
  };
}
