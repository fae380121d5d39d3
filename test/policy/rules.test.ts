// Each policy of the pack, violated and satisfied, through the same
// CrossGuard callbacks the engine calls (policy/policies.ts), with resource
// properties wrapped in CrossGuard's unknown-checking proxy as in a preview.
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { chatTransferExcludesAgentsInConversation, functionsUseThisStacksWorkflows, noPlaintextSecretsInConfig, policies, productionAdoptsFlexWorkspace } from '../../policy/policies';
import { excludesAgentsInConversation, isAlwaysTrue, TYPES } from '../../policy/rules';
import { setStackContextForTesting } from '../../policy/stack-context';
import { buildChatTransferWorkflow } from '../../workflows';

const proxy = require('@pulumi/policy/proxy') as {
  unknownCheckingProxy<T extends object>(value: T): T;
  unknownStringValue: unknown;
  unknownObjectValue: unknown;
};
const UNKNOWN_STRING = proxy.unknownStringValue;
const UNKNOWN_OBJECT = proxy.unknownObjectValue;

const WS = 'WS' + 'a'.repeat(32);
const EVERYONE = 'WQ' + 'e'.repeat(32);
const SALES = 'WQ' + '5'.repeat(32);
const CHAT_SID = 'WW' + 'c'.repeat(32);
const VOICE_SID = 'WW' + 'd'.repeat(32);
const OTHER_SID = 'WW' + '0'.repeat(32);

function resourceArgs(type: string, name: string, props: Record<string, unknown>, config: object = {}): ResourceValidationArgs {
  return {
    type,
    name,
    urn: `urn:pulumi:test::flex-transfer::${type}::${name}`,
    props: proxy.unknownCheckingProxy(props),
    opts: {} as ResourceValidationArgs['opts'],
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

function runResourcePolicy(policy: ResourceValidationPolicy, args: ResourceValidationArgs): string[] {
  const messages: string[] = [];
  const validate = policy.validateResource;
  if (!validate || Array.isArray(validate)) throw new Error(`${policy.name} has no single validateResource`);
  void validate(args, (message) => messages.push(message));
  return messages;
}

function chatWorkflowArgs(configuration: unknown, friendlyName: unknown = 'Chat Transfer') {
  return resourceArgs(TYPES.workflow, 'routing-chat-transfer', { workspaceSid: WS, friendlyName, configuration });
}

function builtChatConfiguration(): {
  task_routing: { filters: Array<{ filter_friendly_name: string; expression: string; targets: Array<Record<string, unknown>> }>; default_filter: { queue: string } };
} {
  return JSON.parse(JSON.stringify(buildChatTransferWorkflow({ everyoneQueueSid: EVERYONE, queues: [{ name: 'Sales', sid: SALES }] })));
}

describe('policy pack', () => {
  test('has the four rules, all mandatory', () => {
    expect(policies.map((p) => [p.name, p.enforcementLevel])).toEqual([
      ['chat-transfer-excludes-agents-in-conversation', 'mandatory'],
      ['production-adopts-flex-workspace', 'mandatory'],
      ['functions-use-this-stacks-workflows', 'mandatory'],
      ['no-plaintext-secrets-in-stack-config', 'mandatory'],
    ]);
  });
});

describe('chat-transfer-excludes-agents-in-conversation', () => {
  const policy = chatTransferExcludesAgentsInConversation;

  test('the configuration workflows/chat-transfer.ts builds passes', () => {
    expect(runResourcePolicy(policy, chatWorkflowArgs(JSON.stringify(builtChatConfiguration())))).toEqual([]);
  });

  test('a queue target without an expression is reported with the filter, the queue and the fix', () => {
    const config = builtChatConfiguration();
    const salesFilter = config.task_routing.filters.find((f) => f.filter_friendly_name === 'Transfer to queue Sales');
    delete salesFilter!.targets[0].expression;
    const messages = runResourcePolicy(policy, chatWorkflowArgs(JSON.stringify(config)));
    expect(messages).toEqual([
      `Workflow "Chat Transfer" (resource routing-chat-transfer): filter 2 "Transfer to queue Sales", target 1 (queue ${SALES}) has no expression, ` +
        'so TaskRouter can offer the transfer to an agent who is already in the conversation. ' +
        'Fix: give the target the expression "worker.sid NOT IN task.workerSidsInConversation" (AND any other condition with it), as workflows/chat-transfer.ts builds it.',
    ]);
  });

  test('an exclusion under an OR does not count', () => {
    const config = builtChatConfiguration();
    config.task_routing.filters[1].targets[0].expression = 'worker.sid NOT IN task.workerSidsInConversation OR worker.routing.level > 2';
    const messages = runResourcePolicy(policy, chatWorkflowArgs(JSON.stringify(config)));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('does not exclude agents already in the conversation');
    expect(messages[0]).toContain('Fix: make it "worker.sid NOT IN task.workerSidsInConversation AND (worker.sid NOT IN task.workerSidsInConversation OR worker.routing.level > 2)"');
  });

  test('a queue target of the catch-all filter is checked too', () => {
    const config = builtChatConfiguration();
    config.task_routing.filters[2].targets[0].expression = 'worker.available == true';
    const messages = runResourcePolicy(policy, chatWorkflowArgs(JSON.stringify(config)));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('filter 3 "Unmatched transfer", target 1');
  });

  test('without a catch-all filter, the fall-through to default_filter is reported', () => {
    const config = builtChatConfiguration();
    config.task_routing.filters.pop();
    const messages = runResourcePolicy(policy, chatWorkflowArgs(JSON.stringify(config)));
    expect(messages).toEqual([
      `Workflow "Chat Transfer" (resource routing-chat-transfer): no filter matches every task, so a transfer that matches none falls to default_filter (queue ${EVERYONE}), ` +
        'which cannot exclude agents already in the conversation. ' +
        'Fix: end the filters with a catch-all filter (expression "1 == 1") whose target has the expression "worker.sid NOT IN task.workerSidsInConversation", as workflows/chat-transfer.ts builds it.',
    ]);
  });

  test('the known-worker target (a transfer to one named agent) is exempt', () => {
    const config = builtChatConfiguration();
    expect(config.task_routing.filters[0].targets[0]).toHaveProperty('known_worker_sid');
    expect(runResourcePolicy(policy, chatWorkflowArgs(JSON.stringify(config)))).toEqual([]);
  });

  test('other workflows are not checked; an unknown configuration (preview) is left for up', () => {
    const config = builtChatConfiguration();
    config.task_routing.filters[1].targets[0] = { queue: SALES };
    expect(runResourcePolicy(policy, resourceArgs(TYPES.workflow, 'routing-assign-to-anyone', { workspaceSid: WS, friendlyName: 'Assign to Anyone', configuration: JSON.stringify(config) }))).toEqual(
      [],
    );
    // The program's Chat Transfer workflow is checked also when it is an adopted one that keeps another name.
    expect(runResourcePolicy(policy, chatWorkflowArgs(JSON.stringify(config), 'Template Example Chat Transfer'))).toHaveLength(1);
    expect(runResourcePolicy(policy, chatWorkflowArgs(UNKNOWN_STRING))).toEqual([]);
    expect(runResourcePolicy(policy, resourceArgs(TYPES.workspace, 'w', { adoptSid: WS }))).toEqual([]);
  });

  test('the expression check follows the TaskRouter grammar', () => {
    expect(excludesAgentsInConversation('worker.sid not in task.workerSidsInConversation')).toBe(true);
    expect(excludesAgentsInConversation('(worker.x == 1) and worker.sid NOT IN task.workerSidsInConversation')).toBe(true);
    expect(excludesAgentsInConversation('worker.sid IN task.workerSidsInConversation')).toBe(false);
    expect(excludesAgentsInConversation('worker.sid NOT IN task.otherList')).toBe(false);
    expect(excludesAgentsInConversation('worker.sid NOT IN')).toBe(false);
    expect(isAlwaysTrue('1==1')).toBe(true);
    expect(isAlwaysTrue('1 == 2')).toBe(false);
    expect(isAlwaysTrue("transferTargetType == 'queue'")).toBe(false);
  });
});

describe('production-adopts-flex-workspace', () => {
  const policy = productionAdoptsFlexWorkspace;
  afterEach(() => setStackContextForTesting(undefined));
  const onStack = (stack: string) => setStackContextForTesting({ stack, project: 'flex-transfer', config: {}, secretKeys: [] });

  test('prod creating a workspace is reported with the fix', () => {
    onStack('prod');
    const messages = runResourcePolicy(policy, resourceArgs(TYPES.workspace, 'routing-workspace', { friendlyName: 'Transfers' }));
    expect(messages).toEqual([
      `Workspace "Transfers" (resource routing-workspace) would be created by the production stack 'prod'. Production must adopt Flex's own workspace ("Flex Task Assignment"), ` +
        'which Flex routes every conversation through; a created workspace is one Flex never uses, and destroying the stack would delete it. ' +
        'Fix: set flex-transfer:workspace to {"adoptSid": "WS…"} in Pulumi.prod.yaml (the SID is in Twilio Console → TaskRouter → Workspaces; see docs/operations.md, "Adopting an existing Flex account").',
    ]);
  });

  test('prod adopting, and dev creating, pass', () => {
    onStack('prod');
    expect(runResourcePolicy(policy, resourceArgs(TYPES.workspace, 'routing-workspace', { adoptSid: WS }))).toEqual([]);
    onStack('dev');
    expect(runResourcePolicy(policy, resourceArgs(TYPES.workspace, 'routing-workspace', { friendlyName: 'Transfers' }))).toEqual([]);
  });

  test('the production stacks come from the policy config', () => {
    onStack('production-eu');
    const args = resourceArgs(TYPES.workspace, 'routing-workspace', { friendlyName: 'Transfers' }, { productionStacks: ['production-eu'] });
    expect(runResourcePolicy(policy, args)[0]).toContain("production stack 'production-eu'");
  });
});

describe('functions-use-this-stacks-workflows', () => {
  const policy: StackValidationPolicy = functionsUseThisStacksWorkflows;

  function resource(type: string, name: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}): PolicyResource {
    const urn = `urn:pulumi:test::flex-transfer::${type}::${name}`;
    return {
      type,
      name,
      urn,
      props: proxy.unknownCheckingProxy(props),
      opts: {} as PolicyResource['opts'],
      dependencies: [],
      propertyDependencies: Object.fromEntries(Object.entries(deps).map(([k, urns]) => [k, urns.map((u) => ({ urn: u }) as PolicyResource)])),
      isType: () => false,
      asType: () => undefined,
    };
  }
  const urnOf = (type: string, name: string) => `urn:pulumi:test::flex-transfer::${type}::${name}`;
  const workspace = (sid: unknown = WS) => resource(TYPES.workspace, 'routing-workspace', { adoptSid: WS, sid });
  const chat = (sid: unknown = CHAT_SID) => resource(TYPES.workflow, 'routing-chat-transfer', { friendlyName: 'Chat Transfer', sid });
  const voice = (sid: unknown = VOICE_SID) => resource(TYPES.workflow, 'routing-voice-transfer', { friendlyName: 'Voice Transfer', sid });
  const wiredDeps = [urnOf(TYPES.workspace, 'routing-workspace'), urnOf(TYPES.workflow, 'routing-chat-transfer'), urnOf(TYPES.workflow, 'routing-voice-transfer')];
  const deployment = (variables: unknown, deps: string[] = wiredDeps) => resource(TYPES.deployment, 'functions-deployment', { variables }, { variables: deps });
  const variables = (overrides: Record<string, string | undefined> = {}) => {
    const v: Record<string, string | undefined> = {
      TWILIO_FLEX_WORKSPACE_SID: WS,
      TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID: CHAT_SID,
      TWILIO_FLEX_VOICE_TRANSFER_WORKFLOW_SID: VOICE_SID,
      FLEX_TRANSFER_ENABLED: 'true',
      ...overrides,
    };
    return Object.fromEntries(Object.entries(v).filter(([, value]) => value !== undefined));
  };

  function run(resources: PolicyResource[]): Array<{ message: string; urn?: string }> {
    const reported: Array<{ message: string; urn?: string }> = [];
    const args: StackValidationArgs = {
      resources,
      stackTags: new Map(),
      getConfig: <T extends object>() => ({}) as T,
      notApplicable: (reason?: string): never => {
        throw new Error(`not applicable: ${reason}`);
      },
    };
    void policy.validateStack(args, (message, urn) => reported.push({ message, urn }));
    return reported;
  }

  test("variables equal to this stack's SIDs pass", () => {
    expect(run([workspace(), chat(), voice(), deployment(variables())])).toEqual([]);
  });

  test('a pasted chat workflow SID is reported on the deployment, with both SIDs and the fix', () => {
    const reported = run([workspace(), chat(), voice(), deployment(variables({ TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID: OTHER_SID }))]);
    expect(reported).toEqual([
      {
        urn: urnOf(TYPES.deployment, 'functions-deployment'),
        message:
          `Deployment functions-deployment: TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID is "${OTHER_SID}", which is not the SID of this stack's "Chat Transfer" workflow ` +
          `(routing-chat-transfer = ${CHAT_SID}): the functions would route transfers with another stack's or a stale workflow. ` +
          `Fix: wire it from the stack (infra/components/transfer-functions.ts sets it from the "Chat Transfer" workflow's sid output); never paste a SID.`,
      },
    ]);
  });

  test('a wrong workspace SID, a missing chat variable and a voice variable without a voice workflow are each reported', () => {
    expect(run([workspace(), chat(), voice(), deployment(variables({ TWILIO_FLEX_WORKSPACE_SID: 'WS' + 'f'.repeat(32) }))])[0].message).toContain('TWILIO_FLEX_WORKSPACE_SID is');
    expect(run([workspace(), chat(), voice(), deployment(variables({ TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID: undefined }))])[0].message).toBe(
      'Deployment functions-deployment: TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID is not set, so the functions cannot use this stack\'s "Chat Transfer" workflow (resource routing-chat-transfer). ' +
        'Fix: wire it from the stack (infra/components/transfer-functions.ts sets it from the "Chat Transfer" workflow\'s sid output); never paste a SID.',
    );
    expect(run([workspace(), chat(), deployment(variables())])[0].message).toContain(`TWILIO_FLEX_VOICE_TRANSFER_WORKFLOW_SID is "${VOICE_SID}", but this stack declares no "Voice Transfer" workflow`);
  });

  test('in a preview, values not known yet must be computed from the resources they name', () => {
    // Everything being created: the variables are unknown but computed from the workflows.
    expect(run([workspace(UNKNOWN_STRING), chat(UNKNOWN_STRING), voice(UNKNOWN_STRING), deployment(UNKNOWN_OBJECT)])).toEqual([]);
    // Unknown and not computed from the chat workflow.
    const reported = run([workspace(UNKNOWN_STRING), chat(UNKNOWN_STRING), deployment(UNKNOWN_OBJECT, [urnOf(TYPES.workspace, 'routing-workspace')])]);
    expect(reported.map((r) => r.message)).toEqual([
      'Deployment functions-deployment: the functions\' environment variables are not computed from this stack\'s "Chat Transfer" workflow (resource routing-chat-transfer), ' +
        'so TWILIO_FLEX_CHAT_TRANSFER_WORKFLOW_SID cannot be its SID. Fix: wire it from the stack (infra/components/transfer-functions.ts sets it from the "Chat Transfer" workflow\'s sid output); never paste a SID.',
    ]);
    // A known (pasted) SID while the workflow is being created cannot be its SID.
    const pasted = run([workspace(), chat(UNKNOWN_STRING), deployment(variables({ TWILIO_FLEX_VOICE_TRANSFER_WORKFLOW_SID: undefined }), [urnOf(TYPES.workspace, 'routing-workspace')])]);
    expect(pasted.map((r) => r.message)).toEqual([expect.stringContaining('routing-chat-transfer = (not known until it is created)')]);
  });

  test('a deployment without transfer variables is not the transfer functions', () => {
    expect(run([workspace(), chat(), resource(TYPES.deployment, 'other', { variables: { GREETING: 'hi' } })])).toEqual([]);
  });
});

describe('no-plaintext-secrets-in-stack-config', () => {
  const policy = noPlaintextSecretsInConfig;
  afterEach(() => setStackContextForTesting(undefined));
  const stackArgs = () => resourceArgs('pulumi:pulumi:Stack', 'flex-transfer-prod', {});
  const withConfig = (config: Record<string, string>, secretKeys: string[] = []) => setStackContextForTesting({ stack: 'prod', project: 'flex-transfer', config, secretKeys });

  test('a plaintext auth token is reported with the fix, never its value', () => {
    withConfig({ 'flex-transfer:twilioAuthToken': 'not-really-a-token', 'flex-transfer:twilioAccountSid': 'AC' + '1'.repeat(32) });
    const messages = runResourcePolicy(policy, stackArgs());
    expect(messages).toEqual([
      "Stack config flex-transfer:twilioAuthToken holds a credential in plain text (stack 'prod'). " +
        'Fix: store it encrypted (`pulumi config set --secret flex-transfer:twilioAuthToken --stack prod`) or remove it (`pulumi config rm flex-transfer:twilioAuthToken --stack prod`) ' +
        "and give it as TWILIO_AUTH_TOKEN in the environment; then rotate the credential, because its plain value is in the stack file's history.",
    ]);
    expect(messages.join()).not.toContain('not-really-a-token');
  });

  test('secret values pass; other plaintext credentials are found by key name, nested field name and shape', () => {
    withConfig({ 'flex-transfer:twilioAuthToken': 'x', 'flex-transfer:twilioApiSecret': 'y' }, ['flex-transfer:twilioAuthToken', 'flex-transfer:twilioApiSecret']);
    expect(runResourcePolicy(policy, stackArgs())).toEqual([]);

    withConfig({
      'flex-transfer:twilioApiSecret': 's3cr3t',
      'flex-transfer:serverless': JSON.stringify({ serviceName: 'x', webhookPassword: 'hunter2' }),
      'flex-transfer:notes': `token ${'ab'.repeat(16)} pasted here`,
      'flex-transfer:workspace': JSON.stringify({ adoptSid: WS }),
    });
    const messages = runResourcePolicy(policy, stackArgs());
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatch(/^Stack config flex-transfer:notes holds a value shaped like a Twilio auth token \(32 hex digits\) in plain text/);
    expect(messages[1]).toMatch(/^Stack config flex-transfer:serverless holds a credential in plain text in its field 'webhookPassword'/);
    expect(messages[2]).toMatch(/^Stack config flex-transfer:twilioApiSecret holds a credential in plain text .* and give it as TWILIO_API_SECRET in the environment/);
  });

  test('without the stack configuration from the CLI the rule fails closed', () => {
    setStackContextForTesting(undefined);
    expect(runResourcePolicy(policy, stackArgs())).toEqual([expect.stringContaining('The CLI did not pass the stack configuration to the policy pack')]);
  });

  test("only the stack's root resource carries the check", () => {
    withConfig({ 'flex-transfer:twilioAuthToken': 'x' });
    expect(runResourcePolicy(policy, resourceArgs(TYPES.workspace, 'w', {}))).toEqual([]);
  });
});
