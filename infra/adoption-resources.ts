// The resource class of each provider kind, for replaying adoption records
// (adoption-plan.ts): the same classes the components use, so type tokens and
// serialized providers are the real program's.
import type * as pulumi from '@pulumi/pulumi';
import { FlexNativeTransfers } from './providers/flex/native-transfers';
import { FlexUiAttribute } from './providers/flex/ui-attribute';
import type { ProviderKind } from './providers/remote';
import { Service } from './providers/serverless/service';
import { TaskChannel } from './providers/taskrouter/task-channel';
import { TaskQueue } from './providers/taskrouter/task-queue';
import { Workflow } from './providers/taskrouter/workflow';
import { Workspace } from './providers/taskrouter/workspace';

type AnyResourceClass = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

const CLASSES: Partial<Record<ProviderKind, AnyResourceClass>> = {
  Workspace,
  TaskChannel,
  TaskQueue,
  Workflow,
  Service,
  FlexUiAttribute,
  FlexNativeTransfers,
};

export function resourceClass(kind: ProviderKind): new (name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource {
  const Class = CLASSES[kind];
  if (!Class) throw new Error(`flex-transfer: a ${kind} cannot be adopted`);
  return Class as unknown as new (name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;
}
