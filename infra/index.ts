// The flex-transfer program: composes the components, nothing else. Stack
// configuration: infra/config.ts; what each component owns: its own file.
//
// This is the entry `pulumi up` runs (Pulumi.yaml `main`, compiled to
// dist/infra/index.js). Pulumi's Node runner calls the module's export only
// when the export itself is a function (it does not unwrap `exports.default`),
// so the program is the module's export: `export =`, never `export default`.
import "./compile-cache";
import * as pulumi from "@pulumi/pulumi";
import { FlexFeatureFlags } from "./components/flex-feature-flags";
import { FunctionsHost } from "./components/functions-host";
import { TransferFunctions } from "./components/transfer-functions";
import { TransferRouting } from "./components/transfer-routing";
import { applyProtection, protectSetting, refuseLocalPassphraseElsewhere, refuseStaleBuild, requireCredentials, stackSettingsOrStop } from "./entry-checks";
import { readFunctionSources } from "./function-sources";

async function main() {
  refuseStaleBuild();
  refuseLocalPassphraseElsewhere();
  const settings = stackSettingsOrStop();
  applyProtection(protectSetting());
  requireCredentials();

  const host = new FunctionsHost("functions-host", {
    serviceName: settings.serverless.serviceName,
    environment: settings.serverless.environment,
    domainSuffix: settings.serverless.domainSuffix,
    apiBaseUrl: settings.twilioApiBaseUrl,
  });
  // Twilio calls these on the functions' public domain, known in this same run.
  const functionUrl = (path: string) => host.domainName.apply((domain) => `https://${domain}${path}`);

  const routing = new TransferRouting("routing", {
    workspace: settings.workspace,
    everyoneQueueName: settings.everyoneQueueName,
    queues: settings.queues,
    taskChannels: settings.taskChannels,
    workerTransferTimeoutSeconds: settings.workerTransferTimeoutSeconds,
    voiceTransfer: settings.voiceTransfer,
    voiceAssignmentCallbackUrl: functionUrl("/voice/assignment"),
    eventCallbackUrl: settings.workspaceEventCallback ? functionUrl("/chat/taskrouter-events") : undefined,
  });

  const functions = new TransferFunctions("functions", {
    serviceSid: host.serviceSid,
    environmentSid: host.environmentSid,
    runtime: settings.serverless.runtime,
    functions: readFunctionSources(),
    dependencies: { twilio: (require("twilio/package.json") as { version: string }).version },
    workspaceSid: routing.workspaceSid,
    chatTransferWorkflowSid: routing.chatTransferWorkflowSid,
    voiceTransferWorkflowSid: routing.voiceTransferWorkflowSid,
    features: settings.features,
    voiceTransfer: settings.voiceTransfer,
  });

  if (settings.flexUiFlagsKey) {
    new FlexFeatureFlags("flex-feature-flags", { keyPath: settings.flexUiFlagsKey, features: settings.features });
  }

  return {
    workspaceSid: routing.workspaceSid,
    everyoneQueueSid: routing.everyoneQueueSid,
    queueSids: routing.queueSids,
    taskChannelSids: routing.taskChannelSids,
    chatTransferWorkflowSid: routing.chatTransferWorkflowSid,
    voiceTransferWorkflowSid: routing.voiceTransferWorkflowSid,
    serviceSid: host.serviceSid,
    environmentSid: host.environmentSid,
    functionsDomain: host.domainName,
    functionsBaseUrl: host.baseUrl,
    functionEnvironment: functions.environmentVariables,
    stack: pulumi.getStack(),
  };
}

export = main;
