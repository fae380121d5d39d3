// The checks behind the flex-transfer policies, as plain functions over plain
// data, so each can be tested without an engine. policies.ts adapts them to
// CrossGuard. Every message names the resource (or config key) and the fix.
import { parseExpression, type ExpressionNode, type OperandNode } from '../routing';
import { FUNCTION_ENV, NOT_IN_CONVERSATION, resourceType, WORKFLOW_NAMES } from '../functions/lib/contract.private';

/** Resource type tokens of the project's dynamic providers (infra/providers). */
export const TYPES = {
  workspace: resourceType('Workspace'),
  workflow: resourceType('Workflow'),
  deployment: resourceType('Deployment'),
} as const;

export const CHAT_TRANSFER = WORKFLOW_NAMES.chatTransfer;
export const VOICE_TRANSFER = WORKFLOW_NAMES.voiceTransfer;
/** The conjunct every Chat Transfer queue target must carry (workflows/chat-transfer.ts). */
export { NOT_IN_CONVERSATION };

/** The function environment variables that carry this stack's SIDs (infra/components/transfer-functions.ts). */
export const WIRED_VARIABLES = {
  [FUNCTION_ENV.workspaceSid]: { kind: 'workspace', label: 'workspace' },
  [FUNCTION_ENV.chatTransferWorkflowSid]: { kind: 'workflow', friendlyName: CHAT_TRANSFER, resourceName: 'routing-chat-transfer', label: `"${CHAT_TRANSFER}" workflow` },
  [FUNCTION_ENV.voiceTransferWorkflowSid]: { kind: 'workflow', friendlyName: VOICE_TRANSFER, resourceName: 'routing-voice-transfer', label: `"${VOICE_TRANSFER}" workflow` },
} as const;

/** A value the engine does not know yet (a preview of something not yet created). */
export const UNKNOWN: unique symbol = Symbol('unknown during preview');
export type Maybe<T> = T | typeof UNKNOWN;

/** Reads through CrossGuard's unknown-checking proxy: an unknown value becomes UNKNOWN instead of an exception. */
export function known<T>(read: () => T): Maybe<T> {
  try {
    return read();
  } catch (err) {
    if (isUnknownValueError(err)) return UNKNOWN;
    throw err;
  }
}

function isUnknownValueError(err: unknown): boolean {
  try {
    const proxy = require('@pulumi/policy/proxy') as { UnknownValueError?: new (...args: never[]) => Error };
    if (proxy.UnknownValueError && err instanceof proxy.UnknownValueError) return true;
  } catch {
    // fall through to the name check
  }
  return err instanceof Error && err.constructor.name === 'UnknownValueError';
}

// ---------------------------------------------------------------------------
// 1. Every queue target of the Chat Transfer workflow excludes the agents
//    already in the conversation.
// ---------------------------------------------------------------------------

interface TargetLike {
  queue?: unknown;
  expression?: unknown;
  known_worker_sid?: unknown;
  known_worker_friendly_name?: unknown;
}

interface FilterLike {
  filter_friendly_name?: unknown;
  expression?: unknown;
  targets?: unknown;
}

/**
 * Problems with a Chat Transfer workflow's configuration (a JSON string).
 * Known-worker targets (a transfer to one named agent) are exempt; every other
 * target must AND `worker.sid NOT IN task.workerSidsInConversation` at the top
 * level, and a catch-all filter must keep transfers away from default_filter,
 * which cannot carry an expression.
 */
export function chatTransferProblems(resourceName: string, configuration: string): string[] {
  const where = `Workflow "${CHAT_TRANSFER}" (resource ${resourceName})`;
  let parsed: { task_routing?: { filters?: unknown; default_filter?: { queue?: unknown } } };
  try {
    parsed = JSON.parse(configuration);
  } catch {
    // The Workflow provider reports unparseable JSON itself, with the position.
    return [];
  }
  const routing = parsed?.task_routing;
  const filters: FilterLike[] = Array.isArray(routing?.filters) ? (routing.filters as FilterLike[]) : [];
  const problems: string[] = [];
  filters.forEach((filter, f) => {
    const filterLabel = `filter ${f + 1}${typeof filter?.filter_friendly_name === 'string' ? ` "${filter.filter_friendly_name}"` : ''}`;
    const targets: TargetLike[] = Array.isArray(filter?.targets) ? (filter.targets as TargetLike[]) : [];
    targets.forEach((target, t) => {
      if (target?.known_worker_sid !== undefined || target?.known_worker_friendly_name !== undefined) return;
      const targetLabel = `${filterLabel}, target ${t + 1}${typeof target?.queue === 'string' ? ` (queue ${target.queue})` : ''}`;
      const expression = target?.expression;
      if (expression === undefined || expression === null || expression === '') {
        problems.push(
          `${where}: ${targetLabel} has no expression, so TaskRouter can offer the transfer to an agent who is already in the conversation. ` +
            `Fix: give the target the expression "${NOT_IN_CONVERSATION}" (AND any other condition with it), as workflows/chat-transfer.ts builds it.`,
        );
        return;
      }
      if (typeof expression !== 'string' || !excludesAgentsInConversation(expression)) {
        problems.push(
          `${where}: ${targetLabel} has the expression ${JSON.stringify(expression)}, which does not exclude agents already in the conversation ` +
            `(it must AND "${NOT_IN_CONVERSATION}" at its top level, not under an OR). ` +
            `Fix: make it "${NOT_IN_CONVERSATION} AND (${String(expression)})", as workflows/chat-transfer.ts builds it.`,
        );
      }
    });
  });
  if (!filters.some((filter) => typeof filter?.expression === 'string' && isAlwaysTrue(filter.expression))) {
    const queue = typeof routing?.default_filter?.queue === 'string' ? ` (queue ${routing.default_filter.queue})` : '';
    problems.push(
      `${where}: no filter matches every task, so a transfer that matches none falls to default_filter${queue}, which cannot exclude agents already in the conversation. ` +
        `Fix: end the filters with a catch-all filter (expression "1 == 1") whose target has the expression "${NOT_IN_CONVERSATION}", as workflows/chat-transfer.ts builds it.`,
    );
  }
  return problems;
}

/** True when the target expression requires `worker.sid NOT IN task.workerSidsInConversation` (a top-level conjunct). */
export function excludesAgentsInConversation(expression: string): boolean {
  let ast: ExpressionNode;
  try {
    ast = parseExpression(expression, 'target');
  } catch {
    return false;
  }
  const conjuncts = ast.type === 'and' ? ast.operands : [ast];
  return conjuncts.some((node) => node.type === 'comparison' && node.operator === 'NOT IN' && isPath(node.left, ['worker', 'sid']) && isPath(node.right, ['task', 'workerSidsInConversation']));
}

function isPath(operand: OperandNode, names: string[]): boolean {
  return operand.type === 'path' && operand.segments.length === names.length && operand.segments.every((segment, i) => segment.kind === 'key' && segment.name === names[i]);
}

/** `1 == 1`, `true == true` and the like: a filter expression every task matches. */
export function isAlwaysTrue(expression: string): boolean {
  let ast: ExpressionNode;
  try {
    ast = parseExpression(expression, 'filter');
  } catch {
    return false;
  }
  const alwaysTrue = (node: ExpressionNode): boolean => {
    if (node.type === 'and') return node.operands.every(alwaysTrue);
    if (node.type === 'or') return node.operands.some(alwaysTrue);
    if (node.type !== 'comparison') return false;
    return node.operator === '==' && node.left.type === 'literal' && node.right.type === 'literal' && node.left.value === node.right.value;
  };
  return alwaysTrue(ast);
}

// ---------------------------------------------------------------------------
// 2. Production adopts Flex's workspace instead of creating one.
// ---------------------------------------------------------------------------

export const DEFAULT_PRODUCTION_STACKS = ['prod'];

/** Problem when a production stack would create (own, and on destroy delete) a workspace instead of adopting Flex's. */
export function workspaceAdoptionProblem(p: { resourceName: string; stack: string | undefined; productionStacks: readonly string[]; adoptSid: unknown; friendlyName: unknown }): string | undefined {
  if (!p.stack || !p.productionStacks.includes(p.stack)) return undefined;
  if (typeof p.adoptSid === 'string' && p.adoptSid !== '') return undefined;
  if (p.adoptSid === UNKNOWN) return undefined;
  const label = typeof p.friendlyName === 'string' ? `Workspace "${p.friendlyName}"` : 'A Workspace';
  return (
    `${label} (resource ${p.resourceName}) would be created by the production stack '${p.stack}'. Production must adopt Flex's own workspace ` +
    `("Flex Task Assignment"), which Flex routes every conversation through; a created workspace is one Flex never uses, and destroying the stack would delete it. ` +
    `Fix: set flex-transfer:workspace to {"adoptSid": "WS…"} in Pulumi.${p.stack}.yaml (the SID is in Twilio Console → TaskRouter → Workspaces; see docs/operations.md, "Adopting an existing Flex account").`
  );
}

// ---------------------------------------------------------------------------
// 3. The functions' environment variables carry this stack's SIDs.
// ---------------------------------------------------------------------------

/** The parts of a stack resource this rule reads (CrossGuard's PolicyResource fits). */
export interface ResourceView {
  urn: string;
  name: string;
  type: string;
  props: Record<string, unknown>;
  propertyDependencies: Record<string, Array<{ urn: string }>>;
}

export interface Violation {
  message: string;
  urn?: string;
}

/**
 * Each Deployment that sets transfer variables must point them at the SIDs of
 * this stack's own workspace and transfer workflows. Known values are compared
 * with the SIDs; a value not known yet (a preview) must at least be computed
 * from the resource it names.
 */
export function functionWiringViolations(resources: readonly ResourceView[]): Violation[] {
  const workflows = resources.filter((r) => r.type === TYPES.workflow);
  const workspaces = resources.filter((r) => r.type === TYPES.workspace);
  const violations: Violation[] = [];

  for (const deployment of resources.filter((r) => r.type === TYPES.deployment)) {
    const where = `Deployment ${deployment.name}`;
    const dependsOn = (resource: ResourceView) => (deployment.propertyDependencies?.variables ?? []).some((d) => d.urn === resource.urn);
    const variables = known(() => deployment.props.variables as Record<string, unknown> | undefined);

    for (const [variable, expected] of Object.entries(WIRED_VARIABLES)) {
      const candidates =
        expected.kind === 'workspace'
          ? workspaces
          : // An adopted workflow keeps its own name: it is known by the program's resource name.
            workflows.filter((w) => w.name === expected.resourceName || known(() => w.props.friendlyName) === expected.friendlyName);
      const fix = `Fix: wire it from the stack (infra/components/transfer-functions.ts sets it from the ${expected.label}'s sid output); never paste a SID.`;

      if (variables === UNKNOWN) {
        // The whole map is computed later; it must at least be computed from the resource.
        if (candidates.length > 0 && !candidates.some(dependsOn)) {
          violations.push({
            urn: deployment.urn,
            message: `${where}: the functions' environment variables are not computed from this stack's ${expected.label} (resource ${candidates.map((c) => c.name).join(', ')}), so ${variable} cannot be its SID. ${fix}`,
          });
        }
        continue;
      }
      if (!variables || typeof variables !== 'object') continue;
      if (!Object.keys(variables).some((k) => k in WIRED_VARIABLES)) continue; // not the transfer functions

      const value = known(() => variables[variable]);
      if (value === undefined || value === '') {
        if (candidates.length > 0) {
          violations.push({
            urn: deployment.urn,
            message: `${where}: ${variable} is not set, so the functions cannot use this stack's ${expected.label} (resource ${candidates[0].name}). ${fix}`,
          });
        }
        continue;
      }
      if (value === UNKNOWN) {
        if (candidates.length > 0 && !candidates.some(dependsOn)) {
          violations.push({
            urn: deployment.urn,
            message: `${where}: ${variable} is not computed from this stack's ${expected.label} (resource ${candidates.map((c) => c.name).join(', ')}). ${fix}`,
          });
        }
        continue;
      }
      if (candidates.length === 0) {
        violations.push({
          urn: deployment.urn,
          message: `${where}: ${variable} is ${JSON.stringify(value)}, but this stack declares no ${expected.label}: the functions would use a SID from somewhere else. ${fix}`,
        });
        continue;
      }
      const sids = candidates.map((c) => ({ resource: c, sid: known(() => c.props.sid) }));
      if (sids.some((s) => s.sid === value)) continue;
      const pending = sids.filter((s) => typeof s.sid !== 'string');
      if (pending.length > 0 && pending.some((s) => dependsOn(s.resource))) continue; // computed from a SID not known yet
      const actual = sids.map((s) => `${s.resource.name} = ${typeof s.sid === 'string' ? s.sid : '(not known until it is created)'}`).join(', ');
      violations.push({
        urn: deployment.urn,
        message: `${where}: ${variable} is ${JSON.stringify(value)}, which is not the SID of this stack's ${expected.label} (${actual}): the functions would route transfers with another stack's or a stale ${expected.kind}. ${fix}`,
      });
    }
  }
  return violations;
}

// ---------------------------------------------------------------------------
// 4. No plaintext secret in stack config.
// ---------------------------------------------------------------------------

/** Config keys that hold credentials (infra/providers/runtime/settings.ts). */
export const SECRET_CONFIG_KEYS = ['flex-transfer:twilioAuthToken', 'flex-transfer:twilioApiSecret'];
const SECRET_NAME = /(token|secret|password|passphrase|privatekey)$/i;
/** A Twilio auth token: 32 hex digits standing alone (SIDs carry a two-letter prefix). */
const AUTH_TOKEN_SHAPE = /(?<![A-Za-z0-9])[0-9a-f]{32}(?![A-Za-z0-9])/;

/**
 * Config entries that hold a credential in plain text: the credential keys,
 * any key or nested JSON field named like a secret, or a value shaped like a
 * Twilio auth token. Values are never quoted in the messages.
 */
export function plaintextSecretProblems(context: { stack: string; config: Record<string, string>; secretKeys: readonly string[] }): string[] {
  const secret = new Set(context.secretKeys);
  const problems: string[] = [];
  const stack = context.stack || '<stack>';
  const fix = (key: string, envHint: string) =>
    `Fix: store it encrypted (\`pulumi config set --secret ${key} --stack ${stack}\`) or remove it (\`pulumi config rm ${key} --stack ${stack}\`)${envHint}; then rotate the credential, because its plain value is in the stack file's history.`;

  for (const key of Object.keys(context.config).sort()) {
    if (secret.has(key)) continue;
    const value = context.config[key];
    if (value === undefined || value === '') continue;
    const shortKey = key.includes(':') ? key.slice(key.indexOf(':') + 1) : key;
    const envHint =
      key === 'flex-transfer:twilioAuthToken'
        ? ' and give it as TWILIO_AUTH_TOKEN in the environment'
        : key === 'flex-transfer:twilioApiSecret'
          ? ' and give it as TWILIO_API_SECRET in the environment'
          : '';
    if (SECRET_CONFIG_KEYS.includes(key) || SECRET_NAME.test(shortKey)) {
      problems.push(`Stack config ${key} holds a credential in plain text (stack '${stack}'). ${fix(key, envHint)}`);
      continue;
    }
    const field = secretNamedField(value);
    if (field) {
      problems.push(`Stack config ${key} holds a credential in plain text in its field '${field}' (stack '${stack}'). ${fix(key, '')}`);
      continue;
    }
    if (AUTH_TOKEN_SHAPE.test(value)) {
      problems.push(`Stack config ${key} holds a value shaped like a Twilio auth token (32 hex digits) in plain text (stack '${stack}'). ${fix(key, '')}`);
    }
  }
  return problems;
}

/** The path of a non-empty string field named like a secret inside a JSON config value, if any. */
function secretNamedField(value: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  const walk = (node: unknown, at: string): string | undefined => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const found = walk(node[i], `${at}[${i}]`);
        if (found) return found;
      }
      return undefined;
    }
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        const path = at ? `${at}.${k}` : k;
        if (SECRET_NAME.test(k) && typeof v === 'string' && v !== '') return path;
        const found = walk(v, path);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(parsed, '');
}
