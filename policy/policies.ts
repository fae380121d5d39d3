// The flex-transfer policies as CrossGuard policies. The checks themselves
// live in rules.ts; this file decides when each runs and where it reports.
//
// Resource policies run on each resource's inputs before the engine changes
// it, so a violation stops `up` before the change is made. The wiring rule
// needs every resource of the stack at once, so it is a stack policy, which
// the engine runs at the end of a preview (on the planned state) and of an
// update (on the result).
import type { Policies, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import {
  DEFAULT_PRODUCTION_STACKS,
  TYPES,
  UNKNOWN,
  chatTransferProblems,
  functionWiringViolations,
  known,
  plaintextSecretProblems,
  workspaceAdoptionProblem,
  CHAT_TRANSFER,
  NOT_IN_CONVERSATION,
  WIRED_VARIABLES,
} from './rules';
import { stackContext, stackName } from './stack-context';

export const chatTransferExcludesAgentsInConversation: ResourceValidationPolicy = {
  name: 'chat-transfer-excludes-agents-in-conversation',
  description: `Every queue target of the "${CHAT_TRANSFER}" workflow excludes the agents already in the conversation (${NOT_IN_CONVERSATION}), and no transfer can fall through to default_filter.`,
  enforcementLevel: 'mandatory',
  severity: 'high',
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.workflow) return;
    // The program's Chat Transfer workflow, also when it is an adopted one that keeps its own name.
    if (known(() => args.props.friendlyName) !== CHAT_TRANSFER && args.name !== 'routing-chat-transfer') return;
    const configuration = known(() => args.props.configuration as unknown);
    // Not known in a preview when a queue it names is being created; checked again before `up` changes it.
    if (configuration === UNKNOWN || typeof configuration !== 'string') return;
    for (const problem of chatTransferProblems(args.name, configuration)) reportViolation(problem);
  },
};

export const productionAdoptsFlexWorkspace: ResourceValidationPolicy = {
  name: 'production-adopts-flex-workspace',
  description: "Production stacks adopt Flex's own TaskRouter workspace (adoptSid) instead of creating one.",
  enforcementLevel: 'mandatory',
  severity: 'high',
  configSchema: {
    properties: {
      productionStacks: {
        type: 'array',
        items: { type: 'string' },
        default: DEFAULT_PRODUCTION_STACKS,
        description: 'Stack names that must adopt the Flex workspace.',
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.workspace) return;
    const config = args.getConfig<{ productionStacks?: string[] }>();
    const problem = workspaceAdoptionProblem({
      resourceName: args.name,
      stack: stackName(),
      productionStacks: config.productionStacks ?? DEFAULT_PRODUCTION_STACKS,
      adoptSid: known(() => args.props.adoptSid as unknown),
      friendlyName: known(() => args.props.friendlyName as unknown),
    });
    if (problem) reportViolation(problem);
  },
};

export const functionsUseThisStacksWorkflows: StackValidationPolicy = {
  name: 'functions-use-this-stacks-workflows',
  description: `The transfer functions' environment variables (${Object.keys(WIRED_VARIABLES).join(', ')}) are the SIDs of this stack's own workspace and workflows.`,
  enforcementLevel: 'mandatory',
  severity: 'high',
  validateStack: (args, reportViolation) => {
    const resources = args.resources.filter((r: PolicyResource) => Object.values(TYPES).includes(r.type as never));
    for (const violation of functionWiringViolations(resources)) reportViolation(violation.message, violation.urn);
  },
};

export const noPlaintextSecretsInConfig: ResourceValidationPolicy = {
  name: 'no-plaintext-secrets-in-stack-config',
  description:
    'No credential is stored in plain text in stack config: flex-transfer:twilioAuthToken and flex-transfer:twilioApiSecret, any key or field named like a secret, and any value shaped like an auth token must be secret (or absent, with the credential in the environment).',
  enforcementLevel: 'mandatory',
  severity: 'critical',
  // Checked on the stack's root resource, which the engine analyzes before
  // any other, so a violation stops `up` before anything changes.
  validateResource: (args, reportViolation) => {
    if (args.type !== 'pulumi:pulumi:Stack') return;
    const context = stackContext();
    if (!context) {
      reportViolation(
        'The CLI did not pass the stack configuration to the policy pack (no ConfigureStack call), so plain-text secrets cannot be ruled out. ' +
          'Fix: run a Pulumi CLI of the version pinned in package-lock.json (tools/setup.sh installs it).',
      );
      return;
    }
    for (const problem of plaintextSecretProblems(context)) reportViolation(problem);
  },
};

export const policies: Policies = [chatTransferExcludesAgentsInConversation, productionAdoptsFlexWorkspace, functionsUseThisStacksWorkflows, noPlaintextSecretsInConfig];
