// Typed stack configuration (namespace `flex-transfer`), validated before any
// resource is declared. Every problem names the config key and the reason;
// all problems are reported together.
import * as pulumi from '@pulumi/pulumi';
import { compileExpression, ExpressionSyntaxError } from '../routing';
import { CHAT_TRANSFER_FILTER_NAMES } from '../workflows';
import { defaultTransferFlags, sidPattern, TRANSFER_FLAG_NAMES, TRANSFER_FLAGS, WORKFLOW_NAMES, type TransferFlags } from '../functions/lib/contract.private';

/**
 * How an existing object is adopted instead of created: by SID, or by its
 * unique name (a queue's or workflow's friendly name, a service's unique
 * name). Adopted objects are changed only in the fields the stack declares
 * and are never deleted; destroy puts those fields back.
 */
export type Adoption = { sid: string } | { name: string };

export interface QueueSettings {
  /** TaskQueue friendly name; also what `transferQueueName` matches. */
  name: string;
  /** Adopt this existing queue instead of creating one. */
  adopt?: Adoption;
  /** Which workers are in the queue. Default `1==1` for a created queue; an adopted one keeps its own unless set. */
  targetWorkers?: string;
  /** Extra target expression for transfers into this queue (worker./task. prefixes), ANDed with the
   * rule that never offers a transfer to an agent already in the conversation. */
  transferExpression?: string;
  /** Default FIFO for a created queue. */
  taskOrder?: 'FIFO' | 'LIFO';
  /** 1–50. Default 1 for a created queue. */
  maxReservedWorkers?: number;
}

/** The all-agents queue: known-worker routing and the fallback for unmatched transfers. */
export interface EveryoneQueueSettings {
  /** Default `Everyone` (Flex's own queue's name). */
  name: string;
  /** By default Flex's Everyone queue is adopted (by name) when the workspace is adopted. */
  adopt?: Adoption;
}

export interface WorkflowSettings {
  /** A created workflow's name (`Chat Transfer`, `Voice Transfer`); an adopted one keeps its own unless set. */
  friendlyName?: string;
  adopt?: Adoption;
}

/** What the stack does about Flex's native messaging transfers when its own chat transfer is enabled. */
export type NativeTransfersPolicy = 'fail' | 'turnOff' | 'ignore';

export type WorkspaceSettings =
  /** Adopt an existing workspace (Flex's "Flex Task Assignment"): never deleted. */
  | { mode: 'adopt'; sid: string }
  /** Create a workspace owned by the stack. */
  | { mode: 'create'; friendlyName: string };

export interface StackSettings {
  /** Emulator base URL; unset for the real Twilio API. */
  twilioApiBaseUrl?: string;
  workspace: WorkspaceSettings;
  /** The all-agents queue (known-worker routing and fallbacks). */
  everyoneQueue: EveryoneQueueSettings;
  queues: QueueSettings[];
  chatTransferWorkflow: WorkflowSettings;
  voiceTransferWorkflow: WorkflowSettings;
  /** Task channels of the workspace to adopt by unique name (Flex's own). */
  taskChannels: string[];
  /** The transfer flags (functions/lib/contract), from `features.<setting>`; each defaults to on. */
  features: TransferFlags;
  /** Seconds a named agent has to take a transfer before anyone may. Default 120. */
  workerTransferTimeoutSeconds: number;
  /** Point the workspace's event callback at the functions (clears stale invites). Default true. */
  workspaceEventCallback: boolean;
  serverless: {
    serviceName: string;
    environment: string;
    domainSuffix: string;
    runtime: 'node18' | 'node20' | 'node22';
    /** Adopt an existing service (e.g. flex-project-template's) instead of creating one. */
    adopt?: Adoption;
  };
  /** Where the Flex plugin reads the feature flags, inside ui_attributes; `false` to not write them. */
  flexUiFlagsKey: string | false;
  /** `fail` (default on an adopted Flex workspace), `turnOff`, or `ignore` (default otherwise). */
  nativeTransfers: NativeTransfersPolicy;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const NS = 'flex-transfer';
const SID = sidPattern;

/** Reads the current stack's config through Pulumi. */
export function loadStackSettings(): StackSettings {
  const config = new pulumi.Config(NS);
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) {
    const text = config.get(key);
    if (text === undefined) continue;
    try {
      raw[key] = JSON.parse(text);
    } catch {
      raw[key] = text;
    }
  }
  // The providers take TWILIO_API_BASE_URL over the config; so does the program.
  if (process.env.TWILIO_API_BASE_URL) raw.twilioApiBaseUrl = process.env.TWILIO_API_BASE_URL;
  return parseStackSettings(raw, pulumi.getStack());
}

const KEYS = [
  'twilioApiBaseUrl',
  'workspace',
  'everyoneQueue',
  'queues',
  'chatTransferWorkflow',
  'voiceTransferWorkflow',
  'nativeTransfers',
  'taskChannels',
  'features',
  'voiceTransfer',
  'workerTransferTimeoutSeconds',
  'workspaceEventCallback',
  'serverless',
  'flexUiFlagsKey',
  // Credentials are read by the providers, never by the program.
  'twilioAccountSid',
  'twilioAuthToken',
  'twilioApiKey',
  'twilioApiSecret',
] as const;

/** Pure: raw config values (already JSON-decoded) → settings, or a ConfigError listing every problem. */
export function parseStackSettings(raw: Record<string, unknown>, stack: string): StackSettings {
  const problems: string[] = [];
  const key = (k: string) => `${NS}:${k}`;
  const unknownKeys = Object.keys(raw).filter((k) => !(KEYS as readonly string[]).includes(k));
  for (const k of unknownKeys) problems.push(`${key(k)} is not a setting of this project (known: ${KEYS.join(', ')})`);

  const apiBaseUrl = raw.twilioApiBaseUrl;
  if (apiBaseUrl !== undefined && (typeof apiBaseUrl !== 'string' || !/^https?:\/\/[^\s]+$/.test(apiBaseUrl))) {
    problems.push(`${key('twilioApiBaseUrl')} must be an http(s) URL such as http://127.0.0.1:4010`);
  }

  const workspace = parseWorkspace(raw.workspace, key('workspace'), problems);
  const adoptedWorkspace = workspace?.mode === 'adopt';
  const everyoneQueue = parseEveryoneQueue(raw.everyoneQueue, key('everyoneQueue'), adoptedWorkspace, problems);
  const queues = parseQueues(raw.queues, key('queues'), problems);
  if (queues.some((q) => q.name === everyoneQueue.name)) {
    problems.push(`${key('queues')} must not reuse the name '${everyoneQueue.name}': that is the all-agents queue (see ${key('everyoneQueue')})`);
  }
  const chatTransferWorkflow = parseWorkflow(raw.chatTransferWorkflow, key('chatTransferWorkflow'), WORKFLOW_NAMES.chatTransfer, 'WW', problems);
  const voiceTransferWorkflow = parseWorkflow(raw.voiceTransferWorkflow, key('voiceTransferWorkflow'), WORKFLOW_NAMES.voiceTransfer, 'WW', problems);

  const taskChannels = raw.taskChannels ?? ['voice', 'chat'];
  if (!Array.isArray(taskChannels) || taskChannels.some((c) => typeof c !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(c))) {
    problems.push(`${key('taskChannels')} must be a list of task channel unique names, e.g. ["voice", "chat"]`);
  }

  const features = parseFeatures(raw.features, key('features'), problems);
  if (raw.voiceTransfer !== undefined) problems.push(`${key('voiceTransfer')} is now ${key('features')}.${TRANSFER_FLAGS.voiceTransfer.setting} (every transfer flag is under features)`);
  const workspaceEventCallback = optionalBoolean(raw.workspaceEventCallback, key('workspaceEventCallback'), problems) ?? true;
  const timeout = raw.workerTransferTimeoutSeconds ?? 120;
  if (!Number.isInteger(timeout) || (timeout as number) < 1 || (timeout as number) > 86400) {
    problems.push(`${key('workerTransferTimeoutSeconds')} must be a whole number of seconds from 1 to 86400, got ${JSON.stringify(timeout)}`);
  }

  const serverless = parseServerless(raw.serverless, key('serverless'), stack, problems);
  checkAdoptions({ everyoneQueue, queues, chatTransferWorkflow, voiceTransferWorkflow }, adoptedWorkspace, key, problems);
  const nativeTransfers = raw.nativeTransfers ?? (adoptedWorkspace ? 'fail' : 'ignore');
  if (!['fail', 'turnOff', 'ignore'].includes(nativeTransfers as string)) {
    problems.push(
      `${key('nativeTransfers')} must be fail (stop the preview when Flex's native messaging transfers are on), turnOff (the stack switches them off; destroy switches them back) or ignore, got ${JSON.stringify(nativeTransfers)}`,
    );
  }
  // Only a Flex account has a Flex Configuration: by default the flags are
  // written when the workspace is adopted (Flex's), not when one is created.
  let flexUiFlagsKey: string | false = workspace?.mode === 'adopt' ? 'custom_data.features.conversation_transfer' : false;
  if (raw.flexUiFlagsKey === false) flexUiFlagsKey = false;
  else if (raw.flexUiFlagsKey !== undefined) {
    if (typeof raw.flexUiFlagsKey !== 'string' || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(raw.flexUiFlagsKey)) {
      problems.push(`${key('flexUiFlagsKey')} must be a dot-separated path inside ui_attributes, or false`);
    } else flexUiFlagsKey = raw.flexUiFlagsKey;
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    twilioApiBaseUrl: typeof apiBaseUrl === 'string' ? apiBaseUrl.replace(/\/+$/, '') : undefined,
    workspace: workspace as WorkspaceSettings,
    everyoneQueue,
    queues,
    chatTransferWorkflow,
    voiceTransferWorkflow,
    taskChannels: taskChannels as string[],
    features,
    workerTransferTimeoutSeconds: timeout as number,
    workspaceEventCallback,
    serverless,
    flexUiFlagsKey,
    nativeTransfers: nativeTransfers as NativeTransfersPolicy,
  };
}

function parseWorkspace(value: unknown, where: string, problems: string[]): WorkspaceSettings | undefined {
  if (value === undefined) {
    problems.push(`${where} is required: { "adoptSid": "WS…" } to adopt Flex's workspace, or { "friendlyName": "…" } to create one`);
    return undefined;
  }
  const v = value as { adoptSid?: unknown; friendlyName?: unknown };
  if (typeof value !== 'object' || value === null) {
    problems.push(`${where} must be an object with adoptSid or friendlyName`);
    return undefined;
  }
  if (v.adoptSid !== undefined && v.friendlyName !== undefined) {
    problems.push(`${where} sets both adoptSid and friendlyName; adopt an existing workspace or create one, not both`);
    return undefined;
  }
  if (v.adoptSid !== undefined) {
    if (typeof v.adoptSid !== 'string' || !SID('WS').test(v.adoptSid)) {
      problems.push(`${where}.adoptSid must be a workspace SID ('WS' + 32 hex digits), got ${JSON.stringify(v.adoptSid)}`);
      return undefined;
    }
    if (/^WS0{32}$/.test(v.adoptSid)) {
      problems.push(`${where}.adoptSid is still the placeholder: set your Flex workspace's SID (Flex Console > TaskRouter, or 'twilio api:taskrouter:v1:workspaces:list')`);
      return undefined;
    }
    return { mode: 'adopt', sid: v.adoptSid };
  }
  if (typeof v.friendlyName !== 'string' || v.friendlyName.length === 0 || v.friendlyName.length > 64) {
    problems.push(`${where} needs adoptSid ('WS…') or a friendlyName of 1-64 characters`);
    return undefined;
  }
  return { mode: 'create', friendlyName: v.friendlyName };
}

function parseQueues(value: unknown, where: string, problems: string[]): QueueSettings[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${where} must be a list of queues, e.g. [{ "name": "Sales", "targetWorkers": "routing.skills HAS 'sales'" }]`);
    return [];
  }
  const names = new Set<string>();
  const slugs = new Map<string, string>();
  return value.flatMap((q: Record<string, unknown>, i: number) => {
    const at = `${where}[${i}]`;
    if (!q || typeof q !== 'object') {
      problems.push(`${at} must be an object`);
      return [];
    }
    for (const k of Object.keys(q)) {
      if (!['name', 'adopt', 'targetWorkers', 'transferExpression', 'taskOrder', 'maxReservedWorkers'].includes(k)) {
        problems.push(`${at}.${k} is not a queue setting (known: name, adopt, targetWorkers, transferExpression, taskOrder, maxReservedWorkers)`);
      }
    }
    const name = q.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 64) {
      problems.push(`${at}.name is required: the queue's friendly name, 1-64 characters`);
      return [];
    }
    if (names.has(name)) problems.push(`${at}.name '${name}' is declared twice; queue names are unique in a workspace`);
    names.add(name);
    const resourceName = slugOf(name);
    if (slugs.has(resourceName) && slugs.get(resourceName) !== name) {
      problems.push(`${at}.name '${name}' and '${slugs.get(resourceName)}' differ only in case or punctuation; the stack names resources after queues, so rename one`);
    }
    slugs.set(resourceName, name);
    const adopt = parseAdoption(q.adopt, `${at}.adopt`, name, 'WQ', 'queue', problems);
    // An adopted queue keeps what it has unless the config says otherwise.
    const targetWorkers = q.targetWorkers ?? (adopt ? undefined : '1==1');
    if (targetWorkers !== undefined) checkExpression(targetWorkers, 'queue', `${at}.targetWorkers (TaskQueue '${name}')`, problems);
    if (q.transferExpression !== undefined) {
      checkExpression(q.transferExpression, 'target', `${at}.transferExpression (filter "${CHAT_TRANSFER_FILTER_NAMES.queue(name)}" of the Chat Transfer workflow)`, problems);
    }
    const taskOrder = q.taskOrder ?? (adopt ? undefined : 'FIFO');
    if (taskOrder !== undefined && taskOrder !== 'FIFO' && taskOrder !== 'LIFO') problems.push(`${at}.taskOrder must be FIFO or LIFO, got ${JSON.stringify(taskOrder)}`);
    const maxReserved = q.maxReservedWorkers ?? (adopt ? undefined : 1);
    if (maxReserved !== undefined && (!Number.isInteger(maxReserved) || (maxReserved as number) < 1 || (maxReserved as number) > 50)) {
      problems.push(`${at}.maxReservedWorkers must be a whole number from 1 to 50, got ${JSON.stringify(maxReserved)}`);
    }
    const settings: QueueSettings = {
      name,
      ...(adopt ? { adopt } : {}),
      ...(targetWorkers !== undefined ? { targetWorkers: targetWorkers as string } : {}),
      ...(q.transferExpression !== undefined ? { transferExpression: q.transferExpression as string } : {}),
      ...(taskOrder !== undefined ? { taskOrder: taskOrder as 'FIFO' | 'LIFO' } : {}),
      ...(maxReserved !== undefined ? { maxReservedWorkers: maxReserved as number } : {}),
    };
    return [settings];
  });
}

/** The resource-name form of a queue name (see TransferRouting). */
export function slugOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'queue'
  );
}

function checkExpression(value: unknown, kind: 'queue' | 'target', where: string, problems: string[]) {
  if (typeof value !== 'string') {
    problems.push(`${where} must be a TaskRouter expression string`);
    return;
  }
  try {
    compileExpression(value, { kind });
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) problems.push(`${where}: ${err.message}`);
    else throw err;
  }
}

/** `features: { <setting>: boolean }`, by the flags' setting names (functions/lib/contract). */
function parseFeatures(value: unknown, where: string, problems: string[]): TransferFlags {
  const flags = defaultTransferFlags();
  const settings = TRANSFER_FLAG_NAMES.map((f) => TRANSFER_FLAGS[f].setting);
  if (value === undefined) return flags;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${where} must be an object { ${settings.join(', ')} } of booleans`);
    return flags;
  }
  for (const [k, v] of Object.entries(value)) {
    const flag = TRANSFER_FLAG_NAMES.find((f) => TRANSFER_FLAGS[f].setting === k);
    if (!flag) problems.push(`${where}.${k} is not a feature flag (known: ${settings.join(', ')})`);
    else if (typeof v !== 'boolean') problems.push(`${where}.${k} must be true or false, got ${JSON.stringify(v)}`);
    else flags[flag] = v;
  }
  return flags;
}

function parseServerless(value: unknown, where: string, stack: string, problems: string[]): StackSettings['serverless'] {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v !== 'object') problems.push(`${where} must be an object`);
  for (const k of Object.keys(v)) {
    if (!['serviceName', 'environment', 'domainSuffix', 'runtime', 'adopt'].includes(k))
      problems.push(`${where}.${k} is not a serverless setting (known: serviceName, environment, domainSuffix, runtime, adopt)`);
  }
  const serviceName = v.serviceName ?? 'flex-transfer';
  if (typeof serviceName !== 'string' || !/^[A-Za-z0-9-]{1,50}$/.test(serviceName)) {
    problems.push(`${where}.serviceName must be 1-50 letters, digits or '-' (it is the service's unique name and part of its domain), got ${JSON.stringify(serviceName)}`);
  }
  const environment = v.environment ?? stack;
  if (typeof environment !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(environment)) {
    problems.push(`${where}.environment must be 1-100 letters, digits, '_' or '-', got ${JSON.stringify(environment)}`);
  }
  const domainSuffix =
    v.domainSuffix ??
    stack
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 16);
  if (typeof domainSuffix !== 'string' || !/^[a-z0-9-]{1,16}$/.test(domainSuffix)) {
    problems.push(`${where}.domainSuffix must be 1-16 lowercase letters, digits or '-', got ${JSON.stringify(domainSuffix)}`);
  }
  const runtime = v.runtime ?? 'node22';
  if (!['node18', 'node20', 'node22'].includes(runtime as string)) problems.push(`${where}.runtime must be node18, node20 or node22, got ${JSON.stringify(runtime)}`);
  const adopt = parseAdoption(v.adopt, `${where}.adopt`, serviceName as string, 'ZS', 'service', problems);
  return {
    serviceName: serviceName as string,
    environment: environment as string,
    domainSuffix: domainSuffix as string,
    runtime: runtime as 'node22',
    ...(adopt ? { adopt } : {}),
  };
}

/**
 * `adopt`: true (by the object's own name), false/absent (the stack creates
 * it), `{ sid: "<prefix>…" }` or `{ name: "…" }`.
 */
function parseAdoption(value: unknown, where: string, ownName: string | undefined, prefix: string, noun: string, problems: string[]): Adoption | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) {
    if (!ownName) problems.push(`${where} is true but there is no name to find the ${noun} by; give { sid: "${prefix}…" } or { name: "…" }`);
    return ownName ? { name: ownName } : undefined;
  }
  const shape = `true (adopt the ${noun} named '${ownName ?? '…'}'), { sid: "${prefix}…" } or { name: "…" }`;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${where} must be ${shape}, got ${JSON.stringify(value)}`);
    return undefined;
  }
  const v = value as Record<string, unknown>;
  const extra = Object.keys(v).filter((k) => k !== 'sid' && k !== 'name');
  if (extra.length > 0 || (v.sid === undefined) === (v.name === undefined)) {
    problems.push(`${where} must be ${shape}, got ${JSON.stringify(value)}`);
    return undefined;
  }
  if (v.sid !== undefined) {
    if (typeof v.sid !== 'string' || !SID(prefix).test(v.sid)) {
      problems.push(`${where}.sid must be a ${noun} SID ('${prefix}' + 32 hex digits), got ${JSON.stringify(v.sid)}`);
      return undefined;
    }
    return { sid: v.sid };
  }
  if (typeof v.name !== 'string' || v.name.trim() === '' || v.name.length > 64) {
    problems.push(`${where}.name must be the ${noun}'s name (1-64 characters), got ${JSON.stringify(v.name)}`);
    return undefined;
  }
  return { name: v.name };
}

function parseEveryoneQueue(value: unknown, where: string, adoptedWorkspace: boolean, problems: string[]): EveryoneQueueSettings {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v !== 'object' || Array.isArray(v)) {
    problems.push(`${where} must be an object { name, adopt }`);
    return { name: 'Everyone' };
  }
  for (const k of Object.keys(v)) if (!['name', 'adopt'].includes(k)) problems.push(`${where}.${k} is not a setting of the all-agents queue (known: name, adopt)`);
  const name = optionalString(v.name, `${where}.name`, problems) ?? 'Everyone';
  // Flex's workspace comes with an Everyone queue (target_workers 1==1): use it, do not make a second.
  const adopt = parseAdoption(v.adopt ?? (adoptedWorkspace ? true : undefined), `${where}.adopt`, name, 'WQ', 'queue', problems);
  return { name, ...(adopt ? { adopt } : {}) };
}

function parseWorkflow(value: unknown, where: string, defaultName: string, prefix: string, problems: string[]): WorkflowSettings {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v !== 'object' || Array.isArray(v)) {
    problems.push(`${where} must be an object { friendlyName, adopt }`);
    return { friendlyName: defaultName };
  }
  for (const k of Object.keys(v)) if (!['friendlyName', 'adopt'].includes(k)) problems.push(`${where}.${k} is not a workflow setting (known: friendlyName, adopt)`);
  const friendlyName = optionalString(v.friendlyName, `${where}.friendlyName`, problems);
  if (friendlyName !== undefined && friendlyName.length > 64) problems.push(`${where}.friendlyName must be at most 64 characters`);
  const adopt = parseAdoption(v.adopt, `${where}.adopt`, friendlyName ?? defaultName, prefix, 'workflow', problems);
  // A created workflow needs a name; an adopted one keeps its own unless one is given.
  return { ...(friendlyName !== undefined || !adopt ? { friendlyName: friendlyName ?? defaultName } : {}), ...(adopt ? { adopt } : {}) };
}

/** Adoption needs an adopted (existing) workspace, and one object may be adopted only once. */
function checkAdoptions(
  s: { everyoneQueue: EveryoneQueueSettings; queues: QueueSettings[]; chatTransferWorkflow: WorkflowSettings; voiceTransferWorkflow: WorkflowSettings },
  adoptedWorkspace: boolean,
  key: (k: string) => string,
  problems: string[],
) {
  const adoptions: Array<[string, Adoption | undefined]> = [
    [`${key('everyoneQueue')}.adopt`, s.everyoneQueue.adopt],
    ...s.queues.map((q, i): [string, Adoption | undefined] => [`${key('queues')}[${i}].adopt`, q.adopt]),
    [`${key('chatTransferWorkflow')}.adopt`, s.chatTransferWorkflow.adopt],
    [`${key('voiceTransferWorkflow')}.adopt`, s.voiceTransferWorkflow.adopt],
  ];
  const seen = new Map<string, string>();
  for (const [where, adopt] of adoptions) {
    if (!adopt) continue;
    if (!adoptedWorkspace) {
      problems.push(`${where}: only objects of an existing workspace can be adopted; adopt the workspace too (${key('workspace')}.adoptSid) or remove adopt`);
      continue;
    }
    const id = 'sid' in adopt ? adopt.sid : `${where.includes('Workflow') ? 'workflow' : 'queue'} named '${adopt.name}'`;
    if (seen.has(id)) problems.push(`${where} adopts ${id}, which ${seen.get(id)} already adopts; one object can be managed once`);
    else seen.set(id, where);
  }
}

function optionalString(value: unknown, where: string, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') problems.push(`${where} must be a non-empty string`);
  return value as string;
}

function optionalBoolean(value: unknown, where: string, problems: string[]): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    problems.push(`${where} must be true or false, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return value;
}
