// The flex-transfer program: composes the components, nothing else. Stack
// configuration: infra/config.ts; what each component owns: its own file.
//
// This is the entry `pulumi up` runs (Pulumi.yaml `main`, compiled to
// dist/infra/index.js). Pulumi's Node runner calls the module's export only
// when the export itself is a function (it does not unwrap `exports.default`),
// so the program is the module's export: `export =`, never `export default`.
import './compile-cache';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { COMPONENTS, NAMES, nativeTransfersInputs, recordAdoptions, type AdoptionRecord } from './adoption-plan';
import { FlexFeatureFlags } from './components/flex-feature-flags';
import { FunctionsHost } from './components/functions-host';
import { TransferFunctions } from './components/transfer-functions';
import { TransferRouting } from './components/transfer-routing';
import { applyProtection, protectSetting, refuseLocalPassphraseElsewhere, refuseStaleBuild, requireCredentials, stackSettingsOrStop } from './entry-checks';
import { readFunctionSources } from './function-sources';
import { FlexNativeTransfers } from './providers/flex/native-transfers';

async function main() {
  refuseStaleBuild();
  refuseLocalPassphraseElsewhere();
  applyProtection(protectSetting());

  // `npm run adopt` records adopted objects with a targeted run of only them (adoption-plan.ts).
  const plan = process.env.FLEX_TRANSFER_ADOPTION_PLAN;
  if (plan) {
    requireCredentials();
    return recordAdoptions(JSON.parse(fs.readFileSync(plan, 'utf8')) as AdoptionRecord[]);
  }

  const settings = stackSettingsOrStop();
  requireCredentials();

  const host = new FunctionsHost(COMPONENTS.functionsHost.name, {
    serviceName: settings.serverless.serviceName,
    environment: settings.serverless.environment,
    domainSuffix: settings.serverless.domainSuffix,
    apiBaseUrl: settings.twilioApiBaseUrl,
    adopt: settings.serverless.adopt,
  });
  // Twilio calls these on the functions' public domain, known in this same run.
  const functionUrl = (path: string) => host.domainName.apply((domain) => `https://${domain}${path}`);

  const routing = new TransferRouting(COMPONENTS.routing.name, {
    workspace: settings.workspace,
    everyoneQueue: settings.everyoneQueue,
    queues: settings.queues,
    chatTransferWorkflow: settings.chatTransferWorkflow,
    voiceTransferWorkflow: settings.voiceTransferWorkflow,
    taskChannels: settings.taskChannels,
    workerTransferTimeoutSeconds: settings.workerTransferTimeoutSeconds,
    voiceTransfer: settings.features.voiceTransfer,
    voiceAssignmentCallbackUrl: functionUrl('/voice/assignment'),
    eventCallbackUrl: settings.workspaceEventCallback ? functionUrl('/taskrouter/events') : undefined,
  });

  const functions = new TransferFunctions('functions', {
    serviceSid: host.serviceSid,
    environmentSid: host.environmentSid,
    runtime: settings.serverless.runtime,
    functions: readFunctionSources(),
    // The service's package.json. @twilio/runtime-handler pins Twilio's Functions runtime (the version the
    // project is tested on, for node22); `event.request` headers and cookies need it (>= 1.2.0) listed here.
    // Its package exports no package.json, so it is read by path from its `./dev` entry point.
    dependencies: {
      twilio: (require('twilio/package.json') as { version: string }).version,
      '@twilio/runtime-handler': (require(path.join(require.resolve('@twilio/runtime-handler/dev'), '../../../package.json')) as { version: string }).version,
    },
    workspaceSid: routing.workspaceSid,
    chatTransferWorkflowSid: routing.chatTransferWorkflowSid,
    voiceTransferWorkflowSid: routing.voiceTransferWorkflowSid,
    features: settings.features,
  });

  if (settings.flexUiFlagsKey) {
    new FlexFeatureFlags(COMPONENTS.flexFeatureFlags.name, { keyPath: settings.flexUiFlagsKey, features: settings.features });
  }

  // Flex's native messaging transfers and this chat transfer must not both be on: checked (or switched off) once
  // the Chat Transfer workflow is known good, so an invalid configuration still fails before any API call.
  if (settings.nativeTransfers !== 'ignore') {
    new FlexNativeTransfers(NAMES.nativeTransfers, nativeTransfersInputs(settings), { dependsOn: [routing] });
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
