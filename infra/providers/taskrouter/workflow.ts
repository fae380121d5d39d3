// TaskRouter Workflow: created by the stack, or adopted (an existing "Chat
// Transfer" workflow) by SID or friendly name. The configuration is validated
// by the routing engine before any API call (findings name the filter, target,
// field and position) and compared in canonical form (sorted keys, canonical
// expressions), so a plan shows only changes in meaning. An adopted workflow
// is changed only in the declared fields and is never deleted: destroy writes
// back the configuration text (and other fields) exactly as they were.
import * as pulumi from '@pulumi/pulumi';
import { canonicalizeWorkflowConfiguration, validateWorkflowConfiguration, type Finding } from '../../../routing';
import { exactlyOne, isAdopting, pickDeclared, restoreAdopted, syncAdopted, type AdoptionApi, type AdoptionInputs, type Originals } from '../runtime/adoption';
import { createSafely } from '../runtime/create-safely';
import type { ResourceType } from '../runtime/define';
import { TwilioSidResource, type ArgsOf } from '../resource';
import { deleteIfPresent, retryIdempotent } from '../runtime/retry';
import type { TwilioSession } from '../runtime/twilio';
import { Checks } from '../runtime/validate';

export interface WorkflowInputs extends AdoptionInputs {
  workspaceSid: string;
  /** Required when creating; when adopting, a rename the program asks for. */
  friendlyName?: string;
  /** Workflow configuration JSON (string). Required when creating. */
  configuration?: string;
  assignmentCallbackUrl?: string;
  fallbackAssignmentCallbackUrl?: string;
  /** Seconds, 1–86400; default 120 when creating. */
  taskReservationTimeout?: number;
}

export interface WorkflowOutputs extends WorkflowInputs {
  sid: string;
  adopted?: boolean;
  originals?: Originals;
}

interface WorkflowApi {
  sid: string;
  friendlyName: string;
  configuration: string;
  assignmentCallbackUrl: string | null;
  fallbackAssignmentCallbackUrl: string | null;
  taskReservationTimeout: number;
}

export function describeFinding(f: Finding): string {
  return `${f.path}: ${f.message}`;
}

function canonical(configuration: string): string {
  try {
    return canonicalizeWorkflowConfiguration(configuration);
  } catch {
    return configuration; // not JSON: validate() reports it
  }
}

/** Twilio's values as they are; "" where a URL is unset (what clears it again). */
function raw(w: WorkflowApi): Partial<WorkflowInputs> {
  return {
    friendlyName: w.friendlyName,
    configuration: w.configuration,
    assignmentCallbackUrl: w.assignmentCallbackUrl ?? '',
    fallbackAssignmentCallbackUrl: w.fallbackAssignmentCallbackUrl ?? '',
    taskReservationTimeout: w.taskReservationTimeout,
  };
}

function live(w: WorkflowApi): Partial<WorkflowInputs> {
  return {
    ...raw(w),
    configuration: canonical(w.configuration),
    assignmentCallbackUrl: w.assignmentCallbackUrl || undefined,
    fallbackAssignmentCallbackUrl: w.fallbackAssignmentCallbackUrl || undefined,
  };
}

function toOutputs(workspaceSid: string, w: WorkflowApi): WorkflowOutputs {
  return { workspaceSid, sid: w.sid, ...live(w) } as WorkflowOutputs;
}

const UPDATABLE = ['friendlyName', 'configuration', 'assignmentCallbackUrl', 'fallbackAssignmentCallbackUrl', 'taskReservationTimeout'] as const;

const workflows = (i: WorkflowInputs, twilio: TwilioSession) => twilio.client.taskrouter.v1.workspaces(i.workspaceSid).workflows;

/** An update: tasks already routed keep their route unless re-evaluated, so a new configuration applies to waiting transfers too. */
const updateWorkflow = (sid: string, fields: Record<string, unknown>, i: WorkflowInputs, twilio: TwilioSession) =>
  workflows(i, twilio)(sid).update({ ...fields, ...(fields.configuration ? { reEvaluateTasks: 'true' } : {}) });

export const workflowAdoption: AdoptionApi<WorkflowInputs, WorkflowApi> = {
  async find(i, twilio) {
    const label = workflowType.label(i);
    if (i.adoptSid) {
      const sid = i.adoptSid;
      return twilio.call(label, 'find it', () => retryIdempotent(() => workflows(i, twilio)(sid).fetch()));
    }
    const name = i.adoptName as string;
    const found = await twilio.call(label, 'find it', () => retryIdempotent(async () => (await workflows(i, twilio).list({ friendlyName: name })).filter((w) => w.friendlyName === name)));
    return exactlyOne(label, `Workflow named '${name}' in workspace ${i.workspaceSid}`, found);
  },
  fetch: (sid, i, twilio) => workflows(i, twilio)(sid).fetch(),
  update: updateWorkflow,
  live,
  raw,
};

export const workflowType: ResourceType<WorkflowInputs, WorkflowOutputs> = {
  kind: 'Workflow',
  label: (p) => `Workflow "${p.friendlyName ?? p.adoptName ?? p.adoptSid ?? '?'}"${isAdopting(p) ? ' (adopted)' : ''}`,
  normalize: (i) => ({
    ...i,
    ...(i.configuration !== undefined ? { configuration: canonicalizeWorkflowConfiguration(i.configuration) } : {}),
    ...(isAdopting(i) ? {} : { taskReservationTimeout: i.taskReservationTimeout ?? 120 }),
  }),
  validate(i, known) {
    const c = new Checks(i, known)
      .sid('workspaceSid', 'WS')
      .sid('adoptSid', 'WW', false)
      .text('adoptName', 64, false)
      .text('friendlyName', 64, !isAdopting(i))
      .url('assignmentCallbackUrl')
      .url('fallbackAssignmentCallbackUrl')
      .integer('taskReservationTimeout', 1, 86400);
    if (i.adoptSid && i.adoptName) c.failures.push({ property: 'adoptName', reason: 'adoptName and adoptSid name the workflow to adopt twice; give one' });
    if (!isAdopting(i) && known('configuration') && i.configuration === undefined) c.failures.push({ property: 'configuration', reason: 'configuration is required' });
    if (known('configuration') && i.configuration !== undefined) {
      for (const f of validateWorkflowConfiguration(i.configuration)) {
        c.failures.push({ property: 'configuration', reason: `configuration: ${describeFinding(f)}` });
      }
    }
    return c.failures;
  },
  isAdopted: isAdopting,
  diffKeys: ['workspaceSid', 'adoptSid', 'adoptName', ...UPDATABLE],
  replaceKeys: ['workspaceSid', 'adoptSid', 'adoptName'],
  async create(i, twilio) {
    const label = workflowType.label(i);
    if (isAdopting(i)) {
      const adopted = await syncAdopted(label, workflowAdoption, UPDATABLE, i, twilio);
      return { id: adopted.sid, outs: { ...i, ...adopted.live, sid: adopted.sid, adopted: true, originals: adopted.originals } };
    }
    const api = workflows(i, twilio);
    const w = await twilio.call(label, 'create it', () =>
      createSafely<WorkflowApi>({
        describe: label,
        create: () =>
          api.create({
            friendlyName: i.friendlyName as string,
            configuration: i.configuration as string,
            assignmentCallbackUrl: i.assignmentCallbackUrl,
            fallbackAssignmentCallbackUrl: i.fallbackAssignmentCallbackUrl,
            taskReservationTimeout: i.taskReservationTimeout,
          }),
        find: async () => (await api.list({ friendlyName: i.friendlyName })).filter((x) => x.friendlyName === i.friendlyName),
      }),
    );
    return { id: w.sid, outs: toOutputs(i.workspaceSid, w) };
  },
  async read(id, olds, twilio) {
    const w = await twilio.call(workflowType.label(olds), 'read it', () => retryIdempotent(() => workflows(olds, twilio)(id).fetch()));
    if (olds.adopted) return { ...olds, ...pickDeclared(live(w), olds, UPDATABLE) };
    return toOutputs(olds.workspaceSid, w);
  },
  async update(id, olds, news, twilio) {
    const label = workflowType.label(news);
    if (olds.adopted) {
      const adopted = await syncAdopted(label, workflowAdoption, UPDATABLE, news, twilio, { sid: id, originals: olds.originals });
      return { ...news, ...adopted.live, sid: id, adopted: true, originals: adopted.originals };
    }
    const changed = Object.fromEntries(UPDATABLE.filter((k) => olds[k] !== news[k]).map((k) => [k, news[k] ?? '']));
    const w = await twilio.call(label, 'update it', () => retryIdempotent(() => updateWorkflow(id, changed, news, twilio)));
    return toOutputs(news.workspaceSid, w);
  },
  async delete(id, olds, twilio) {
    const label = workflowType.label(olds);
    if (olds.adopted) return restoreAdopted(label, workflowAdoption, id, olds.originals, olds, twilio);
    await twilio.call(label, 'delete it', () => deleteIfPresent(() => workflows(olds, twilio)(id).remove()));
  },
};

export type WorkflowArgs = ArgsOf<WorkflowInputs>;

export class Workflow extends TwilioSidResource {
  declare readonly friendlyName: pulumi.Output<string>;
  declare readonly configuration: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean | undefined>;
  constructor(name: string, args: WorkflowArgs, opts?: pulumi.CustomResourceOptions) {
    super('Workflow', name, { adopted: undefined, originals: undefined, ...args }, opts);
  }
}
