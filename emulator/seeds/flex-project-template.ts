/**
 * The `flex-project-template` seed: a Flex account as the deploy of
 * twilio-professional-services/flex-project-template leaves it (on top of the
 * `flex` seed), so a migration can be rehearsed offline:
 *
 * - TaskRouter (Terraform `environments/default/template_examples.tf` and
 *   `modules/conversation-transfer`): queues "Template Example Everyone"
 *   (`1==1`), "Template Example Sales" / "Template Example Support"
 *   (`routing.skills HAS 'template_example_sales'` / `…_support`), all
 *   `max_reserved_workers` 1, FIFO; the workflow "Template Example Chat
 *   Transfer" with the module's configuration (one filter per queue, matched on
 *   `transferQueueName`, `known_worker_sid` through Template Example Everyone,
 *   no default filter); "Template Example Assign to Anyone" (default filter
 *   Template Example Everyone).
 * - Serverless (`serverless-functions`, deployed with `twilio serverless:deploy`):
 *   service `custom-flex-extensions-serverless`, environment `dev-environment`
 *   (domain suffix `dev`) running a build of the conversation-transfer paths
 *   the plugin calls, with `TWILIO_FLEX_WORKSPACE_SID` and
 *   `TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID` as the template's setup script
 *   resolves them. The functions are stand-ins (they answer which template
 *   function they stand for), not the template's code.
 * - Flex (`flex-config/ui_attributes.common.json`): `custom_data.features.
 *   conversation_transfer` `{ enabled, cold_transfer, multi_participant }` all
 *   true, `chat_transfer` off, and `custom_data.serverless_functions_domain`
 *   set to the environment's domain.
 *
 * Queue and workflow SIDs derive from the account SID and the name, as the
 * `flex` seed's do (`templateSeedSids`).
 */
import { seededSid } from '../core/sids';
import { flexSeedSids, FLEX_WORKSPACE_NAME } from '../services/taskrouter/seed';
import { createQueue } from '../services/taskrouter/models/queues';
import { createWorkflow } from '../services/taskrouter/models/workflows';
import type { TaskRouterEngine } from '../services/taskrouter/engine/engine';
import { createBuild, createDeployment } from '../services/serverless/builds';
import { createEnvironment, createResource, createService, createVariable, createVersion, type ServerlessState } from '../services/serverless/models';
import { flexState } from '../services/flex/state';
import type { ServiceEnv } from '../core/types';
import { FUNCTION_ENV, NOT_IN_CONVERSATION } from '../../functions/lib/contract.private';

export const TEMPLATE_QUEUES = [
  { name: 'Template Example Everyone', targetWorkers: '1==1' },
  { name: 'Template Example Sales', targetWorkers: "routing.skills HAS 'template_example_sales'" },
  { name: 'Template Example Support', targetWorkers: "routing.skills HAS 'template_example_support'" },
] as const;

export const TEMPLATE_CHAT_TRANSFER_WORKFLOW = 'Template Example Chat Transfer';
export const TEMPLATE_ASSIGN_TO_ANYONE_WORKFLOW = 'Template Example Assign to Anyone';
export const TEMPLATE_SERVICE = 'custom-flex-extensions-serverless';
export const TEMPLATE_ENVIRONMENT = { uniqueName: 'dev-environment', domainSuffix: 'dev' } as const;

/** The paths the template's conversation-transfer plugin calls (plus its private helpers). */
export const TEMPLATE_FUNCTIONS: ReadonlyArray<{ path: string; visibility: 'public' | 'private' }> = [
  { path: '/features/conversation-transfer/flex/invite-participant', visibility: 'public' },
  { path: '/features/conversation-transfer/flex/remove-participant', visibility: 'public' },
  { path: '/common/flex/conversations/update-attributes', visibility: 'public' },
  { path: '/common/flex/taskrouter/update-task-assignment-status', visibility: 'public' },
  { path: '/common/flex/taskrouter/get-queues', visibility: 'public' },
  { path: '/common/helpers/function-helper', visibility: 'private' },
];

/** The template's feature flags for conversation transfer (`custom_data.features`). */
export const TEMPLATE_FEATURE_FLAGS = {
  conversation_transfer: { enabled: true, cold_transfer: true, multi_participant: true },
  chat_transfer: { enabled: false },
} as const;

export interface TemplateSeedSids {
  queues: Record<string, string>;
  chatTransferWorkflow: string;
  assignToAnyoneWorkflow: string;
}

export function templateSeedSids(accountSid: string): TemplateSeedSids {
  return {
    queues: Object.fromEntries(TEMPLATE_QUEUES.map((q) => [q.name, seededSid('WQ', accountSid, 'taskqueue', q.name)])),
    chatTransferWorkflow: seededSid('WW', accountSid, 'workflow', TEMPLATE_CHAT_TRANSFER_WORKFLOW),
    assignToAnyoneWorkflow: seededSid('WW', accountSid, 'workflow', TEMPLATE_ASSIGN_TO_ANYONE_WORKFLOW),
  };
}

/** The conversation-transfer module's workflow, its queue SIDs filled in as Terraform's templatefile() does. */
export function templateChatTransferConfiguration(queues: Record<string, string>): string {
  const everyone = queues['Template Example Everyone'];
  const toQueue = (filter: string, name: string) => ({
    filter_friendly_name: filter,
    expression: `transferQueueName == '${name}'`,
    targets: [{ queue: queues[name], expression: NOT_IN_CONVERSATION }],
  });
  return JSON.stringify(
    {
      task_routing: {
        filters: [
          { filter_friendly_name: 'Assign to Worker', expression: "transferTargetType == 'worker'", targets: [{ queue: everyone, known_worker_sid: 'task.transferTargetSid' }] },
          toQueue('Assign to Queue - Everyone', 'Template Example Everyone'),
          toQueue('Assign To Queue - Sales', 'Template Example Sales'),
          toQueue('Assign To Queue - Support', 'Template Example Support'),
        ],
      },
    },
    null,
    2,
  );
}

export function seedTemplateTaskRouter(engine: TaskRouterEngine, accountSid: string): void {
  const ws = engine.state(accountSid).workspaces[flexSeedSids(accountSid).workspace];
  if (!ws) throw new Error(`the ${FLEX_WORKSPACE_NAME} workspace must be seeded first`);
  const sids = templateSeedSids(accountSid);
  if (ws.workflows[sids.chatTransferWorkflow]) return;
  for (const q of TEMPLATE_QUEUES) {
    createQueue(engine, accountSid, ws, { friendlyName: q.name, targetWorkers: q.targetWorkers, maxReservedWorkers: 1, taskOrder: 'FIFO', sid: sids.queues[q.name] });
  }
  createWorkflow(engine, accountSid, ws, {
    friendlyName: TEMPLATE_CHAT_TRANSFER_WORKFLOW,
    configuration: templateChatTransferConfiguration(sids.queues),
    sid: sids.chatTransferWorkflow,
  });
  createWorkflow(engine, accountSid, ws, {
    friendlyName: TEMPLATE_ASSIGN_TO_ANYONE_WORKFLOW,
    configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: sids.queues['Template Example Everyone'] } } }, null, 2),
    sid: sids.assignToAnyoneWorkflow,
  });
}

/** A stand-in for one of the template's functions: says which one, does nothing else. */
function standIn(path: string): string {
  return (
    `// Stand-in seeded by the emulator for flex-project-template's ${path}.\n` +
    `exports.handler = (context, event, callback) => callback(null, { template: ${JSON.stringify(path)}, emulated: true });\n`
  );
}

export function seedTemplateServerless(env: ServiceEnv, accountSid: string): void {
  const state = env.state<ServerlessState>(accountSid);
  if (Object.values(state.services).some((s) => s.uniqueName === TEMPLATE_SERVICE)) return;
  const svc = createService(env, accountSid, { uniqueName: TEMPLATE_SERVICE, friendlyName: TEMPLATE_SERVICE, includeCredentials: true, uiEditable: false });
  const environment = createEnvironment(env, svc, TEMPLATE_ENVIRONMENT);
  const versions = TEMPLATE_FUNCTIONS.map((f) => {
    const fn = createResource(env, svc, 'function', f.path);
    return createVersion(env, svc, 'function', fn.sid, { path: f.path, visibility: f.visibility, content: Buffer.from(standIn(f.path)), contentType: 'application/javascript' }).sid;
  });
  const build = createBuild(env, accountSid, svc, { functionVersions: versions, assetVersions: [], runtime: 'node22' });
  // Deployed long ago: the build is complete (its completion timer then does nothing).
  build.status = 'completed';
  createDeployment(env, svc, environment.sid, build.sid);
  createVariable(env, environment, FUNCTION_ENV.workspaceSid, flexSeedSids(accountSid).workspace);
  createVariable(env, environment, FUNCTION_ENV.chatTransferWorkflowSid, templateSeedSids(accountSid).chatTransferWorkflow);
}

/** The template's flags and functions domain in ui_attributes (after the `flex` configuration is seeded). */
export function seedTemplateFlex(env: ServiceEnv, accountSid: string): void {
  const config = flexState(env, accountSid).configuration;
  if (!config) throw new Error('the Flex configuration must be seeded first');
  const ui = (config.ui_attributes ?? {}) as Record<string, unknown>;
  const custom = (ui.custom_data ?? {}) as Record<string, unknown>;
  if ((custom.features as Record<string, unknown> | undefined)?.conversation_transfer) return;
  const svc = Object.values(env.state<ServerlessState>(accountSid, 'serverless').services).find((s) => s.uniqueName === TEMPLATE_SERVICE);
  const domain = svc ? Object.values(svc.environments).find((e) => e.uniqueName === TEMPLATE_ENVIRONMENT.uniqueName)?.domainName : undefined;
  config.ui_attributes = {
    ...ui,
    sdkOptions: { voice: { allowIncomingWhileBusy: true } },
    custom_data: {
      ...custom,
      ...(domain ? { serverless_functions_domain: domain } : {}),
      features: { ...((custom.features as Record<string, unknown>) ?? {}), ...JSON.parse(JSON.stringify(TEMPLATE_FEATURE_FLAGS)) },
    },
  };
}
