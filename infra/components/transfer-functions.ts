// The transfer functions deployed into the stack's environment, with their
// environment variables wired from this stack's outputs: workflow and
// workspace SIDs are never looked up by name or pasted by hand.
import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_ALLOWED_ORIGINS, FUNCTION_ENV, TRANSFER_FLAG_NAMES, TRANSFER_FLAGS, type TransferFlags } from '../../functions/lib/contract.private';
import { Deployment, type SourceFile } from '../providers/serverless/deployment';

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
  features: TransferFlags;
  /** Origins allowed to call the functions from a browser. Default: Flex. */
  allowedOrigins?: string[];
}

export class TransferFunctions extends pulumi.ComponentResource {
  /** The variables the functions run with (none is secret). */
  readonly environmentVariables: pulumi.Output<Record<string, string>>;
  readonly buildSid: pulumi.Output<string>;

  constructor(name: string, args: TransferFunctionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('flex-transfer:index:TransferFunctions', name, {}, opts);
    const variables = pulumi
      .all([args.workspaceSid, args.chatTransferWorkflowSid, args.voiceTransferWorkflowSid])
      .apply(([workspace, chat, voice]) => transferEnvironment({ workspace, chat, voice, features: args.features, allowedOrigins: args.allowedOrigins }));
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

/** The functions' environment (names from functions/lib/contract; documented in docs/functions.md). */
export function transferEnvironment(p: { workspace: string; chat: string; voice: string; features: TransferFlags; allowedOrigins?: string[] }): Record<string, string> {
  return {
    [FUNCTION_ENV.workspaceSid]: p.workspace,
    [FUNCTION_ENV.chatTransferWorkflowSid]: p.chat,
    ...(p.voice ? { [FUNCTION_ENV.voiceTransferWorkflowSid]: p.voice } : {}),
    ...Object.fromEntries(TRANSFER_FLAG_NAMES.map((f) => [TRANSFER_FLAGS[f].env, String(p.features[f])])),
    [FUNCTION_ENV.allowedOrigins]: (p.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS).join(','),
  };
}
