// Which resources of the program adopt existing objects, under which names,
// and which of their fields the program declares. One source for the
// components (which build these resources) and for `npm run adopt` (which
// records the adopted objects in the stack's state before the first preview).
//
// Why record them: a Pulumi dynamic provider cannot `import` (the engine's
// import Read carries no state, so the provider cannot be found), so an object
// the program adopts would show as a create on the first preview, with every
// field. `npm run adopt` instead runs one targeted `up` of only the adopted
// resources, each declared with the values the object has now: the providers
// find the objects and change nothing, and the state then holds them as they
// are. The next preview shows no create for them, only the fields the stack
// will change.
import * as pulumi from '@pulumi/pulumi';
import type { Adoption, StackSettings } from './config';
import { slugOf } from './config';
import type { ProviderKind } from './providers/remote';
import { resourceType } from '../functions/lib/contract.private';

/** The components that parent adoptable resources (type token, resource name). */
export const COMPONENTS = {
  routing: { type: 'flex-transfer:index:TransferRouting', name: 'routing' },
  functionsHost: { type: 'flex-transfer:index:FunctionsHost', name: 'functions-host' },
  flexFeatureFlags: { type: 'flex-transfer:index:FlexFeatureFlags', name: 'flex-feature-flags' },
} as const;

export type ComponentKey = keyof typeof COMPONENTS;

/** Resource names, as the components build them. */
export const NAMES = {
  workspace: `${COMPONENTS.routing.name}-workspace`,
  channel: (uniqueName: string) => `${COMPONENTS.routing.name}-channel-${uniqueName}`,
  everyoneQueue: `${COMPONENTS.routing.name}-queue-everyone`,
  queue: (name: string) => `${COMPONENTS.routing.name}-queue-${slugOf(name)}`,
  chatTransfer: `${COMPONENTS.routing.name}-chat-transfer`,
  voiceTransfer: `${COMPONENTS.routing.name}-voice-transfer`,
  service: `${COMPONENTS.functionsHost.name}-service`,
  environment: `${COMPONENTS.functionsHost.name}-environment`,
  uiAttribute: `${COMPONENTS.flexFeatureFlags.name}-ui-attribute`,
  nativeTransfers: 'flex-native-transfers',
} as const;

/** Provider inputs that say which object to adopt. */
export function adoptionInputs(adopt: Adoption): { adoptSid: string } | { adoptName: string } {
  return 'sid' in adopt ? { adoptSid: adopt.sid } : { adoptName: adopt.name };
}

/** One resource of the program that stands for an existing object. */
export interface PlannedAdoption {
  kind: ProviderKind;
  /** Parent component; undefined: the stack itself. */
  component?: ComponentKey;
  name: string;
  /** The inputs that locate the object (never changed by the stack). */
  identity: Record<string, unknown>;
  /** The other inputs the program declares: their values are taken from the object as it is. */
  declared: string[];
  /** For people: e.g. `TaskQueue "Everyone"`. */
  describe: string;
}

/** Every adopted object of a stack, from its settings (no API call). */
export function plannedAdoptions(s: StackSettings): PlannedAdoption[] {
  const out: PlannedAdoption[] = [];
  if (s.workspace.mode !== 'adopt') return out;
  const workspaceSid = s.workspace.sid;
  out.push({
    kind: 'Workspace',
    component: 'routing',
    name: NAMES.workspace,
    identity: { adoptSid: workspaceSid },
    declared: s.workspaceEventCallback ? ['eventCallbackUrl'] : [],
    describe: `Workspace ${workspaceSid}`,
  });
  for (const uniqueName of s.taskChannels) {
    out.push({
      kind: 'TaskChannel',
      component: 'routing',
      name: NAMES.channel(uniqueName),
      identity: { workspaceSid, uniqueName, adopt: true },
      declared: [],
      describe: `TaskChannel "${uniqueName}"`,
    });
  }
  if (s.everyoneQueue.adopt) {
    out.push({
      kind: 'TaskQueue',
      component: 'routing',
      name: NAMES.everyoneQueue,
      identity: { workspaceSid, ...adoptionInputs(s.everyoneQueue.adopt) },
      declared: ['friendlyName'],
      describe: `TaskQueue "${s.everyoneQueue.name}" (all agents)`,
    });
  }
  for (const q of s.queues) {
    if (!q.adopt) continue;
    out.push({
      kind: 'TaskQueue',
      component: 'routing',
      name: NAMES.queue(q.name),
      identity: { workspaceSid, ...adoptionInputs(q.adopt) },
      declared: ['friendlyName', ...(['targetWorkers', 'taskOrder', 'maxReservedWorkers'] as const).filter((k) => q[k] !== undefined)],
      describe: `TaskQueue "${q.name}"`,
    });
  }
  if (s.chatTransferWorkflow.adopt) {
    out.push({
      kind: 'Workflow',
      component: 'routing',
      name: NAMES.chatTransfer,
      identity: { workspaceSid, ...adoptionInputs(s.chatTransferWorkflow.adopt) },
      declared: ['configuration', ...(s.chatTransferWorkflow.friendlyName !== undefined ? ['friendlyName'] : [])],
      describe: `Workflow "${s.chatTransferWorkflow.friendlyName ?? describeAdoption(s.chatTransferWorkflow.adopt)}" (Chat Transfer)`,
    });
  }
  if (s.features.voiceTransfer && s.voiceTransferWorkflow.adopt) {
    out.push({
      kind: 'Workflow',
      component: 'routing',
      name: NAMES.voiceTransfer,
      identity: { workspaceSid, ...adoptionInputs(s.voiceTransferWorkflow.adopt) },
      declared: ['configuration', 'assignmentCallbackUrl', ...(s.voiceTransferWorkflow.friendlyName !== undefined ? ['friendlyName'] : [])],
      describe: `Workflow "${s.voiceTransferWorkflow.friendlyName ?? describeAdoption(s.voiceTransferWorkflow.adopt)}" (Voice Transfer)`,
    });
  }
  if (s.serverless.adopt) {
    out.push({
      kind: 'Service',
      component: 'functionsHost',
      name: NAMES.service,
      identity: adoptionInputs(s.serverless.adopt),
      declared: ['includeCredentials'],
      describe: `Serverless Service ${describeAdoption(s.serverless.adopt)}`,
    });
  }
  if (s.flexUiFlagsKey) {
    out.push({
      kind: 'FlexUiAttribute',
      component: 'flexFeatureFlags',
      name: NAMES.uiAttribute,
      identity: { keyPath: s.flexUiFlagsKey },
      declared: ['value'],
      describe: `Flex ui_attributes.${s.flexUiFlagsKey}`,
    });
  }
  if (s.nativeTransfers !== 'ignore') {
    const native = nativeTransfersInputs(s);
    out.push({
      kind: 'FlexNativeTransfers',
      name: NAMES.nativeTransfers,
      identity: { chatTransferEnabled: native.chatTransferEnabled, mode: native.mode },
      declared: native.enabled !== undefined ? ['enabled'] : [],
      describe: 'Flex native messaging transfers setting',
    });
  }
  return out;
}

export function describeAdoption(adopt: Adoption): string {
  return 'sid' in adopt ? adopt.sid : `"${adopt.name}"`;
}

/** The native-transfers guard's inputs (see providers/flex/native-transfers.ts). */
export function nativeTransfersInputs(s: StackSettings): { chatTransferEnabled: boolean; mode: 'fail' | 'turnOff'; enabled?: boolean } {
  const mode = s.nativeTransfers === 'turnOff' ? 'turnOff' : 'fail';
  const chatTransferEnabled = s.features.enabled;
  return { chatTransferEnabled, mode, ...(mode === 'turnOff' && chatTransferEnabled ? { enabled: false } : {}) };
}

/** A recorded adoption: the resource, declared with the values the object has now. */
export interface AdoptionRecord {
  kind: ProviderKind;
  component?: ComponentKey;
  name: string;
  inputs: Record<string, unknown>;
}

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` of a planned resource (for `up --target`). */
export function urnOf(stack: string, project: string, r: { kind: ProviderKind; component?: ComponentKey; name: string }): string {
  const type = resourceType(r.kind);
  const chain = r.component ? `${COMPONENTS[r.component].type}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${chain}::${r.name}`;
}

/** What else a targeted `up` of the records must create: the stack, the components and the default provider. */
export function supportingUrns(stack: string, project: string, records: Array<{ component?: ComponentKey }>): string[] {
  const components = [...new Set(records.flatMap((r) => (r.component ? [r.component] : [])))];
  return [
    `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`,
    `urn:pulumi:${stack}::${project}::pulumi:providers:pulumi-nodejs::default`,
    ...components.map((c) => `urn:pulumi:${stack}::${project}::${COMPONENTS[c].type}::${COMPONENTS[c].name}`),
  ];
}

/**
 * The program `npm run adopt` runs (FLEX_TRANSFER_ADOPTION_PLAN): the adopted
 * resources only, under the same components and names as the real program.
 */
export async function recordAdoptions(records: AdoptionRecord[]): Promise<Record<string, unknown>> {
  // Loaded here: the resource classes pull in the provider forwarders.
  const classes = await import('./adoption-resources');
  const parents = new Map<ComponentKey, pulumi.ComponentResource>();
  const parentOf = (key: ComponentKey) => {
    let parent = parents.get(key);
    if (!parent) {
      parent = new pulumi.ComponentResource(COMPONENTS[key].type, COMPONENTS[key].name, {});
      parents.set(key, parent);
    }
    return parent;
  };
  for (const r of records) {
    const Class = classes.resourceClass(r.kind);
    new Class(r.name, r.inputs, r.component ? { parent: parentOf(r.component) } : undefined);
  }
  return { adopted: records.map((r) => r.name) };
}
