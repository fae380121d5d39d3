// Every provider implementation, by kind; loaded in the provider process by
// remote.ts (never serialized).
import type * as pulumi from '@pulumi/pulumi';
import { defineProvider } from './runtime/define';
import { nativeTransfersType } from './flex/native-transfers';
import { uiAttributeType } from './flex/ui-attribute';
import { deploymentType } from './serverless/deployment';
import { environmentType } from './serverless/environment';
import { serviceType } from './serverless/service';
import { taskChannelType } from './taskrouter/task-channel';
import { taskQueueType } from './taskrouter/task-queue';
import { workflowType } from './taskrouter/workflow';
import { workspaceType } from './taskrouter/workspace';
import type { ProviderKind } from './remote';

export const providers: Record<ProviderKind, pulumi.dynamic.ResourceProvider> = {
  Workspace: defineProvider(workspaceType),
  TaskChannel: defineProvider(taskChannelType),
  TaskQueue: defineProvider(taskQueueType),
  Workflow: defineProvider(workflowType),
  Service: defineProvider(serviceType),
  Environment: defineProvider(environmentType),
  Deployment: defineProvider(deploymentType),
  FlexUiAttribute: defineProvider(uiAttributeType),
  FlexNativeTransfers: defineProvider(nativeTransfersType),
};
