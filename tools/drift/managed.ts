// Which fields of each Twilio resource the stack manages, and when two values
// of one are the same: the providers' own definitions (infra/providers), so
// the drift check and `up` agree on what a change is. A field kept in another
// form in the state than Twilio reports (a Deployment's files: content in the
// program, version SIDs once deployed) has the provider's custom equality.
import type { ResourceType } from '../../infra/providers/runtime/define';
import { nativeTransfersType } from '../../infra/providers/flex/native-transfers';
import { uiAttributeType } from '../../infra/providers/flex/ui-attribute';
import { deploymentType } from '../../infra/providers/serverless/deployment';
import { environmentType } from '../../infra/providers/serverless/environment';
import { serviceType } from '../../infra/providers/serverless/service';
import { taskChannelType } from '../../infra/providers/taskrouter/task-channel';
import { taskQueueType } from '../../infra/providers/taskrouter/task-queue';
import { workflowType } from '../../infra/providers/taskrouter/workflow';
import { workspaceType } from '../../infra/providers/taskrouter/workspace';

type AnyType = Pick<ResourceType<object, object>, 'diffKeys' | 'equals'>;

const TYPES: Record<string, AnyType> = {
  Workspace: workspaceType,
  TaskChannel: taskChannelType,
  TaskQueue: taskQueueType,
  Workflow: workflowType,
  Service: serviceType,
  Environment: environmentType,
  Deployment: deploymentType,
  FlexUiAttribute: uiAttributeType,
  FlexNativeTransfers: nativeTransfersType,
} as unknown as Record<string, AnyType>;

export interface ManagedFields {
  fields: readonly string[];
  /** The provider's equality for a field stored in another form than Twilio reports; undefined = compare values. */
  customEquality(field: string): ((stack: unknown, live: unknown) => boolean) | undefined;
}

/** The managed fields of a resource kind (`TaskQueue`, …); undefined for a kind this project does not define. */
export function managedFieldsOf(kind: string): ManagedFields | undefined {
  const type = Object.prototype.hasOwnProperty.call(TYPES, kind) ? TYPES[kind] : undefined;
  if (!type) return undefined;
  const equals = (type.equals ?? {}) as Record<string, ((a: unknown, b: unknown) => boolean) | undefined>;
  return { fields: type.diffKeys.map(String), customEquality: (field) => equals[field] };
}
