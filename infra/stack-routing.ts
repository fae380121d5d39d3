// A stack's TaskRouter routing built offline from its stack file
// (Pulumi.<stack>.yaml): the same settings validation as `pulumi up`
// (parseStackSettings) and the same builders (routing-plan.ts), with
// placeholder SIDs for the queues, since nothing needs to be deployed.
// No Pulumi engine, no backend, no Twilio: what `workflow --stack` runs on.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { ConfigError, parseStackSettings, type StackSettings } from './config';
import { plannedQueues, plannedWorkflows, type PlannedWorkflow, type QueueSids } from './routing-plan';

const NS = 'flex-transfer';
/** Read by the providers at call time, never by the program; never decoded here. */
const CREDENTIAL_KEYS = new Set(['twilioAccountSid', 'twilioAuthToken', 'twilioApiKey', 'twilioApiSecret']);

export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackFileError';
  }
}

export interface StackQueue {
  /** A placeholder SID (`WQ` + 32 hex digits derived from the stack and the queue name). */
  sid: string;
  friendlyName: string;
  targetWorkers: string;
}

export interface StackRouting {
  stack: string;
  /** The stack file, relative to the project directory. */
  file: string;
  settings: StackSettings;
  queues: StackQueue[];
  workflows: PlannedWorkflow[];
  /** Problems `pulumi up` would refuse that do not change the routing, and what is not read offline. */
  notes: string[];
  /** What a simulation assumes that the stack file does not say (who is in an adopted queue). */
  assumptions: string[];
}

export interface StackRoutingSource {
  /** Directory holding Pulumi.yaml and Pulumi.<stack>.yaml. */
  projectDir: string;
  stack: string;
  readFile(file: string): string;
}

/** Stable placeholder SID of a queue the stack declares: recognizable, well-formed, the same on every run. */
export function placeholderQueueSid(stack: string, friendlyName: string): string {
  return 'WQ' + crypto.createHash('sha256').update(`${NS}:${stack}:queue:${friendlyName}`).digest('hex').slice(0, 32);
}

export function loadStackRouting(source: StackRoutingSource): StackRouting {
  const file = `Pulumi.${source.stack}.yaml`;
  if (!/^[A-Za-z0-9_.-]+$/.test(source.stack)) throw new StackFileError(`--stack ${JSON.stringify(source.stack)} is not a stack name (letters, digits, '-', '_', '.')`);
  let text: string;
  try {
    text = source.readFile(path.join(source.projectDir, file));
  } catch {
    throw new StackFileError(`there is no stack file ${file} in ${source.projectDir} (stacks of this project: local, dev, prod)`);
  }
  const { raw, notes } = rawStackConfig(text, file);
  const settings = parseForRouting(raw, source.stack, file, notes);
  const planned = plannedQueues(settings);
  const queues = planned.map((q) => ({ sid: placeholderQueueSid(source.stack, q.friendlyName), friendlyName: q.friendlyName, targetWorkers: q.targetWorkers ?? '1==1' }));
  const assumptions: string[] = [];
  const kept = planned.filter((q) => q.targetWorkers === undefined).map((q) => `'${q.friendlyName}'`);
  if (kept.length > 0) {
    assumptions.push(
      `${kept.join(', ')}: adopted, keeping ${kept.length === 1 ? 'its' : 'their'} own target_workers in Twilio (not in ${file}); taken here as 1==1 (every worker), as Flex's Everyone queue has by default`,
    );
  }
  const sids: QueueSids = {
    everyone: queues[planned.findIndex((q) => q.everyone)].sid,
    byName: Object.fromEntries(queues.filter((_, i) => !planned[i].everyone).map((q) => [q.friendlyName, q.sid])),
  };
  return { stack: source.stack, file, settings, queues, workflows: plannedWorkflows(settings, sids), notes, assumptions };
}

/**
 * The stack file's `flex-transfer:` config as the program reads it: each
 * value as Pulumi hands it over (`config.get` gives scalars as text and
 * structured values as JSON), decoded the way loadStackSettings decodes it.
 */
export function rawStackConfig(text: string, file: string): { raw: Record<string, unknown>; notes: string[] } {
  const yaml = require('js-yaml') as { load(text: string): unknown };
  let document: unknown;
  try {
    document = yaml.load(text);
  } catch (err) {
    throw new StackFileError(`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const notes: string[] = [];
  const top = (document ?? {}) as Record<string, unknown>;
  if (typeof top !== 'object' || Array.isArray(top)) throw new StackFileError(`${file} must be a YAML mapping with a 'config:' section`);
  if (top.environment !== undefined) {
    notes.push(`${file} imports Pulumi ESC environments (environment:); their values are not read offline, so routing settings must be in the stack file itself`);
  }
  const config = (top.config ?? {}) as Record<string, unknown>;
  if (typeof config !== 'object' || Array.isArray(config)) throw new StackFileError(`${file}: 'config:' must be a mapping of settings`);
  const raw: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(config)) {
    // A key without a namespace belongs to the project.
    const [namespace, key] = fullKey.includes(':') ? [fullKey.slice(0, fullKey.indexOf(':')), fullKey.slice(fullKey.indexOf(':') + 1)] : [NS, fullKey];
    if (namespace !== NS || CREDENTIAL_KEYS.has(key)) continue;
    if (isSecure(value)) throw new StackFileError(`${file}: ${NS}:${key} is a secret; the offline workflow tools read no secrets, and only credentials should be secret`);
    raw[key] = decode(value);
  }
  return { raw, notes };
}

function isSecure(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && 'secure' in value;
}

/** What loadStackSettings sees: JSON.parse of the text Pulumi gives, or the text itself. */
function decode(value: unknown): unknown {
  if (value !== null && typeof value === 'object') return JSON.parse(JSON.stringify(value));
  const text = String(value);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * parseStackSettings, as `pulumi up` runs it. A problem with the workspace
 * alone (dev and prod ship a placeholder SID) does not change the routing: it
 * becomes a note, and the routing is built anyway.
 */
function parseForRouting(raw: Record<string, unknown>, stack: string, file: string, notes: string[]): StackSettings {
  try {
    return parseStackSettings(raw, stack);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const workspaceKey = `${NS}:workspace`;
    const aboutWorkspace = err.problems.filter((p) => p.startsWith(workspaceKey));
    const others = err.problems.filter((p) => !p.startsWith(workspaceKey));
    if (others.length > 0) throw new StackFileError(`${file}: ${err.message}`);
    notes.push(...aboutWorkspace.map((p) => `${file}: ${p} (pulumi up refuses the stack until then; the routing does not depend on it)`));
    // Any well-formed adopted workspace: what adopting one implies (Flex's Everyone queue) stays as configured.
    return parseStackSettings({ ...raw, workspace: { adoptSid: `WS${'f'.repeat(32)}` } }, stack);
  }
}
