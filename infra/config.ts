// Typed stack configuration (namespace `flex-transfer`), validated before any
// resource is declared. Every problem names the config key and the reason;
// all problems are reported together.
import * as pulumi from "@pulumi/pulumi";
import { compileExpression, ExpressionSyntaxError } from "../routing";
import { CHAT_TRANSFER_FILTER_NAMES } from "../workflows";

export interface QueueSettings {
  /** TaskQueue friendly name; also what `transferQueueName` matches. */
  name: string;
  /** Which workers are in the queue. Default `1==1`. */
  targetWorkers: string;
  /** Extra target expression for transfers into this queue (worker./task. prefixes), ANDed with the
   * rule that never offers a transfer to an agent already in the conversation. */
  transferExpression?: string;
  taskOrder: "FIFO" | "LIFO";
  /** 1–50. Default 1. */
  maxReservedWorkers: number;
}

export type WorkspaceSettings =
  /** Adopt an existing workspace (Flex's "Flex Task Assignment"): never deleted. */
  | { mode: "adopt"; sid: string }
  /** Create a workspace owned by the stack. */
  | { mode: "create"; friendlyName: string };

export interface FeatureFlags {
  enabled: boolean;
  cold_transfer: boolean;
  multi_participant: boolean;
}

export interface StackSettings {
  /** Emulator base URL; unset for the real Twilio API. */
  twilioApiBaseUrl?: string;
  workspace: WorkspaceSettings;
  /** Name of the stack-owned all-workers queue used for known-worker routing and fallbacks. */
  everyoneQueueName: string;
  queues: QueueSettings[];
  /** Task channels of the workspace to adopt by unique name (Flex's own). */
  taskChannels: string[];
  features: FeatureFlags;
  voiceTransfer: boolean;
  /** Seconds a named agent has to take a transfer before anyone may. Default 120. */
  workerTransferTimeoutSeconds: number;
  /** Point the workspace's event callback at the functions (clears stale invites). Default true. */
  workspaceEventCallback: boolean;
  serverless: {
    serviceName: string;
    environment: string;
    domainSuffix: string;
    runtime: "node18" | "node20" | "node22";
  };
  /** Where the Flex plugin reads the feature flags, inside ui_attributes; `false` to not write them. */
  flexUiFlagsKey: string | false;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const NS = "flex-transfer";
const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-f]{32}$`);

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
  "twilioApiBaseUrl",
  "workspace",
  "everyoneQueueName",
  "queues",
  "taskChannels",
  "features",
  "voiceTransfer",
  "workerTransferTimeoutSeconds",
  "workspaceEventCallback",
  "serverless",
  "flexUiFlagsKey",
  // Credentials are read by the providers, never by the program.
  "twilioAccountSid",
  "twilioAuthToken",
  "twilioApiKey",
  "twilioApiSecret",
] as const;

/** Pure: raw config values (already JSON-decoded) → settings, or a ConfigError listing every problem. */
export function parseStackSettings(raw: Record<string, unknown>, stack: string): StackSettings {
  const problems: string[] = [];
  const key = (k: string) => `${NS}:${k}`;
  const unknownKeys = Object.keys(raw).filter((k) => !(KEYS as readonly string[]).includes(k));
  for (const k of unknownKeys) problems.push(`${key(k)} is not a setting of this project (known: ${KEYS.join(", ")})`);

  const apiBaseUrl = raw.twilioApiBaseUrl;
  if (apiBaseUrl !== undefined && (typeof apiBaseUrl !== "string" || !/^https?:\/\/[^\s]+$/.test(apiBaseUrl))) {
    problems.push(`${key("twilioApiBaseUrl")} must be an http(s) URL such as http://127.0.0.1:4010`);
  }

  const workspace = parseWorkspace(raw.workspace, key("workspace"), problems);
  const everyoneQueueName = optionalString(raw.everyoneQueueName, key("everyoneQueueName"), problems) ?? "Transfers: Any Agent";
  const queues = parseQueues(raw.queues, key("queues"), problems);
  if (queues.some((q) => q.name === everyoneQueueName)) {
    problems.push(`${key("queues")} must not reuse the name '${everyoneQueueName}': the stack creates that all-workers queue itself (see ${key("everyoneQueueName")})`);
  }

  const taskChannels = raw.taskChannels ?? ["voice", "chat"];
  if (!Array.isArray(taskChannels) || taskChannels.some((c) => typeof c !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(c))) {
    problems.push(`${key("taskChannels")} must be a list of task channel unique names, e.g. ["voice", "chat"]`);
  }

  const features = parseFeatures(raw.features, key("features"), problems);
  const voiceTransfer = optionalBoolean(raw.voiceTransfer, key("voiceTransfer"), problems) ?? true;
  const workspaceEventCallback = optionalBoolean(raw.workspaceEventCallback, key("workspaceEventCallback"), problems) ?? true;
  const timeout = raw.workerTransferTimeoutSeconds ?? 120;
  if (!Number.isInteger(timeout) || (timeout as number) < 1 || (timeout as number) > 86400) {
    problems.push(`${key("workerTransferTimeoutSeconds")} must be a whole number of seconds from 1 to 86400, got ${JSON.stringify(timeout)}`);
  }

  const serverless = parseServerless(raw.serverless, key("serverless"), stack, problems);
  // Only a Flex account has a Flex Configuration: by default the flags are
  // written when the workspace is adopted (Flex's), not when one is created.
  let flexUiFlagsKey: string | false = workspace?.mode === "adopt" ? "custom_data.features.conversation_transfer" : false;
  if (raw.flexUiFlagsKey === false) flexUiFlagsKey = false;
  else if (raw.flexUiFlagsKey !== undefined) {
    if (typeof raw.flexUiFlagsKey !== "string" || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(raw.flexUiFlagsKey)) {
      problems.push(`${key("flexUiFlagsKey")} must be a dot-separated path inside ui_attributes, or false`);
    } else flexUiFlagsKey = raw.flexUiFlagsKey;
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    twilioApiBaseUrl: typeof apiBaseUrl === "string" ? apiBaseUrl.replace(/\/+$/, "") : undefined,
    workspace: workspace as WorkspaceSettings,
    everyoneQueueName,
    queues,
    taskChannels: taskChannels as string[],
    features,
    voiceTransfer,
    workerTransferTimeoutSeconds: timeout as number,
    workspaceEventCallback,
    serverless,
    flexUiFlagsKey,
  };
}

function parseWorkspace(value: unknown, where: string, problems: string[]): WorkspaceSettings | undefined {
  if (value === undefined) {
    problems.push(`${where} is required: { "adoptSid": "WS…" } to adopt Flex's workspace, or { "friendlyName": "…" } to create one`);
    return undefined;
  }
  const v = value as { adoptSid?: unknown; friendlyName?: unknown };
  if (typeof value !== "object" || value === null) {
    problems.push(`${where} must be an object with adoptSid or friendlyName`);
    return undefined;
  }
  if (v.adoptSid !== undefined && v.friendlyName !== undefined) {
    problems.push(`${where} sets both adoptSid and friendlyName; adopt an existing workspace or create one, not both`);
    return undefined;
  }
  if (v.adoptSid !== undefined) {
    if (typeof v.adoptSid !== "string" || !SID("WS").test(v.adoptSid)) {
      problems.push(`${where}.adoptSid must be a workspace SID ('WS' + 32 hex digits), got ${JSON.stringify(v.adoptSid)}`);
      return undefined;
    }
    if (/^WS0{32}$/.test(v.adoptSid)) {
      problems.push(`${where}.adoptSid is still the placeholder: set your Flex workspace's SID (Flex Console > TaskRouter, or 'twilio api:taskrouter:v1:workspaces:list')`);
      return undefined;
    }
    return { mode: "adopt", sid: v.adoptSid };
  }
  if (typeof v.friendlyName !== "string" || v.friendlyName.length === 0 || v.friendlyName.length > 64) {
    problems.push(`${where} needs adoptSid ('WS…') or a friendlyName of 1-64 characters`);
    return undefined;
  }
  return { mode: "create", friendlyName: v.friendlyName };
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
    if (!q || typeof q !== "object") {
      problems.push(`${at} must be an object`);
      return [];
    }
    for (const k of Object.keys(q)) {
      if (!["name", "targetWorkers", "transferExpression", "taskOrder", "maxReservedWorkers"].includes(k)) {
        problems.push(`${at}.${k} is not a queue setting (known: name, targetWorkers, transferExpression, taskOrder, maxReservedWorkers)`);
      }
    }
    const name = q.name;
    if (typeof name !== "string" || name.trim() === "" || name.length > 64) {
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
    const targetWorkers = q.targetWorkers ?? "1==1";
    checkExpression(targetWorkers, "queue", `${at}.targetWorkers (TaskQueue '${name}')`, problems);
    if (q.transferExpression !== undefined) {
      checkExpression(q.transferExpression, "target", `${at}.transferExpression (filter "${CHAT_TRANSFER_FILTER_NAMES.queue(name)}" of the Chat Transfer workflow)`, problems);
    }
    const taskOrder = q.taskOrder ?? "FIFO";
    if (taskOrder !== "FIFO" && taskOrder !== "LIFO") problems.push(`${at}.taskOrder must be FIFO or LIFO, got ${JSON.stringify(taskOrder)}`);
    const maxReserved = q.maxReservedWorkers ?? 1;
    if (!Number.isInteger(maxReserved) || (maxReserved as number) < 1 || (maxReserved as number) > 50) {
      problems.push(`${at}.maxReservedWorkers must be a whole number from 1 to 50, got ${JSON.stringify(maxReserved)}`);
    }
    return [
      {
        name,
        targetWorkers: targetWorkers as string,
        transferExpression: q.transferExpression as string | undefined,
        taskOrder: taskOrder as "FIFO" | "LIFO",
        maxReservedWorkers: maxReserved as number,
      },
    ];
  });
}

/** The resource-name form of a queue name (see TransferRouting). */
export function slugOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "queue";
}

function checkExpression(value: unknown, kind: "queue" | "target", where: string, problems: string[]) {
  if (typeof value !== "string") {
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

function parseFeatures(value: unknown, where: string, problems: string[]): FeatureFlags {
  const defaults: FeatureFlags = { enabled: true, cold_transfer: true, multi_participant: true };
  if (value === undefined) return defaults;
  if (!value || typeof value !== "object") {
    problems.push(`${where} must be an object { enabled, cold_transfer, multi_participant } of booleans`);
    return defaults;
  }
  const out = { ...defaults };
  for (const [k, v] of Object.entries(value)) {
    if (!(k in defaults)) problems.push(`${where}.${k} is not a feature flag (known: enabled, cold_transfer, multi_participant)`);
    else if (typeof v !== "boolean") problems.push(`${where}.${k} must be true or false, got ${JSON.stringify(v)}`);
    else out[k as keyof FeatureFlags] = v;
  }
  return out;
}

function parseServerless(value: unknown, where: string, stack: string, problems: string[]): StackSettings["serverless"] {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v !== "object") problems.push(`${where} must be an object`);
  for (const k of Object.keys(v)) {
    if (!["serviceName", "environment", "domainSuffix", "runtime"].includes(k)) problems.push(`${where}.${k} is not a serverless setting (known: serviceName, environment, domainSuffix, runtime)`);
  }
  const serviceName = v.serviceName ?? "flex-transfer";
  if (typeof serviceName !== "string" || !/^[A-Za-z0-9-]{1,50}$/.test(serviceName)) {
    problems.push(`${where}.serviceName must be 1-50 letters, digits or '-' (it is the service's unique name and part of its domain), got ${JSON.stringify(serviceName)}`);
  }
  const environment = v.environment ?? stack;
  if (typeof environment !== "string" || !/^[A-Za-z0-9_-]{1,100}$/.test(environment)) {
    problems.push(`${where}.environment must be 1-100 letters, digits, '_' or '-', got ${JSON.stringify(environment)}`);
  }
  const domainSuffix = v.domainSuffix ?? stack.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 16);
  if (typeof domainSuffix !== "string" || !/^[a-z0-9-]{1,16}$/.test(domainSuffix)) {
    problems.push(`${where}.domainSuffix must be 1-16 lowercase letters, digits or '-', got ${JSON.stringify(domainSuffix)}`);
  }
  const runtime = v.runtime ?? "node22";
  if (!["node18", "node20", "node22"].includes(runtime as string)) problems.push(`${where}.runtime must be node18, node20 or node22, got ${JSON.stringify(runtime)}`);
  return {
    serviceName: serviceName as string,
    environment: environment as string,
    domainSuffix: domainSuffix as string,
    runtime: runtime as "node22",
  };
}

function optionalString(value: unknown, where: string, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") problems.push(`${where} must be a non-empty string`);
  return value as string;
}

function optionalBoolean(value: unknown, where: string, problems: string[]): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") {
    problems.push(`${where} must be true or false, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return value;
}
