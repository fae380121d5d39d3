// Reads the loose JSON a reviewer writes (or copies from the Twilio API) into
// the engine's shapes: camelCase or snake_case fields, sensible defaults.
// Used by the CLI; errors name the item and the field.

import { isPlainObject, type WorkflowConfigurationInput } from './workflow/model';
import type { RoutingQueue, RoutingTask, RoutingWorker } from './types';

const UNAVAILABLE_ACTIVITY_NAMES: ReadonlySet<string> = new Set(['offline', 'unavailable', 'break']);

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

function pick(object: Record<string, unknown>, ...keys: string[]): unknown {
  for (const key of keys) if (object[key] !== undefined) return object[key];
  return undefined;
}

function asString(value: unknown, where: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string') throw new InputError(`${where} must be a string`);
  return value;
}

function asNumber(value: unknown, where: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InputError(`${where} must be a number`);
  return value;
}

function asAttributes(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined) return {};
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new InputError(`${where} is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isPlainObject(parsed)) throw new InputError(`${where} must be a JSON object`);
  return parsed;
}

/**
 * A list as written by hand (a bare array), or as the Twilio API lists it: an
 * object holding the array under the list's key (`{"task_queues": […], "meta": …}`,
 * `{"workers": […]}`).
 */
function asList(value: unknown, what: string, listKeys: readonly string[] = [what]): Record<string, unknown>[] {
  const key = isPlainObject(value) ? listKeys.find((candidate) => Array.isArray(value[candidate])) : undefined;
  const list = isPlainObject(value) && key ? value[key] : value;
  if (!Array.isArray(list)) {
    throw new InputError(`expected a JSON array of ${what} (or an object with ${listKeys.map((k) => `a "${k}"`).join(' or ')} array, as the API lists them)`);
  }
  return list.map((item, index) => {
    if (!isPlainObject(item)) throw new InputError(`${what}[${index}] must be an object`);
    return item;
  });
}

/**
 * A workflow file: the configuration itself (`{"task_routing": …}`), or a
 * Workflow resource as the API returns it (`{"configuration": "<json>"}`).
 */
export function readWorkflowConfiguration(json: unknown): WorkflowConfigurationInput {
  if (isPlainObject(json) && json.task_routing === undefined && typeof json.configuration === 'string') return json.configuration;
  if (isPlainObject(json) && json.task_routing === undefined && isPlainObject(json.configuration)) return json.configuration;
  return json as WorkflowConfigurationInput;
}

export function readQueues(json: unknown): RoutingQueue[] {
  return asList(json, 'queues', ['queues', 'task_queues']).map((item, index) => {
    const where = `queues[${index}]`;
    const sid = asString(item.sid, `${where}.sid`);
    return {
      sid,
      friendlyName: asString(pick(item, 'friendlyName', 'friendly_name'), `${where}.friendlyName`, sid),
      targetWorkers: asString(pick(item, 'targetWorkers', 'target_workers'), `${where}.targetWorkers`, '1==1'),
    };
  });
}

/**
 * Workers default to the activity "Available" (available unless the activity
 * is named Offline, Unavailable or Break), idle since epoch 0, and — when `channels` is
 * absent — capacity 1 with nothing assigned on `defaultChannel`.
 */
export function readWorkers(json: unknown, defaultChannel: string): RoutingWorker[] {
  return asList(json, 'workers').map((item, index) => {
    const where = `workers[${index}]`;
    const sid = asString(item.sid, `${where}.sid`);
    const activityName = asString(pick(item, 'activityName', 'activity_name'), `${where}.activityName`, 'Available');
    const channelsInput = item.channels;
    const channels: RoutingWorker['channels'] = {};
    if (channelsInput === undefined) {
      channels[defaultChannel] = { capacity: 1, assignedTasks: 0, available: true };
    } else {
      if (!isPlainObject(channelsInput)) throw new InputError(`${where}.channels must be an object keyed by task channel`);
      for (const [name, channel] of Object.entries(channelsInput)) {
        const channelWhere = `${where}.channels.${name}`;
        if (!isPlainObject(channel)) throw new InputError(`${channelWhere} must be an object`);
        channels[name] = {
          capacity: asNumber(pick(channel, 'capacity', 'configured_capacity'), `${channelWhere}.capacity`, 1),
          assignedTasks: asNumber(pick(channel, 'assignedTasks', 'assigned_tasks'), `${channelWhere}.assignedTasks`, 0),
          available: pick(channel, 'available') !== false,
        };
      }
    }
    const idle = pick(item, 'idleSince', 'idle_since');
    let idleSince: number;
    if (typeof idle === 'string') {
      idleSince = Date.parse(idle);
      if (Number.isNaN(idleSince)) throw new InputError(`${where}.idleSince is not a date`);
    } else idleSince = asNumber(idle, `${where}.idleSince`, 0);
    return {
      sid,
      friendlyName: asString(pick(item, 'friendlyName', 'friendly_name'), `${where}.friendlyName`, sid),
      activitySid: asString(pick(item, 'activitySid', 'activity_sid'), `${where}.activitySid`, ''),
      activityName,
      // Without an explicit `available`, the workspace's stock unavailable activities count as unavailable.
      available: typeof item.available === 'boolean' ? item.available : !UNAVAILABLE_ACTIVITY_NAMES.has(activityName.toLowerCase()),
      attributes: asAttributes(item.attributes, `${where}.attributes`),
      channels,
      idleSince,
    };
  });
}

/**
 * A task: `{ "attributes": {…}, "taskChannel": "chat", "priority": 0,
 * "ageSeconds": 0, "sid": "WT…" }`, or a bare attributes object.
 */
export function readTask(json: unknown): RoutingTask {
  if (!isPlainObject(json)) throw new InputError('the task must be a JSON object');
  if (json.attributes === undefined) {
    return { sid: 'WTsimulated', attributes: json, taskChannel: 'default', priority: 0, ageSeconds: 0 };
  }
  return {
    sid: asString(json.sid, 'task.sid', 'WTsimulated'),
    attributes: asAttributes(json.attributes, 'task.attributes'),
    taskChannel: asString(pick(json, 'taskChannel', 'task_channel', 'task_channel_unique_name'), 'task.taskChannel', 'default'),
    priority: asNumber(json.priority, 'task.priority', 0),
    ageSeconds: asNumber(pick(json, 'ageSeconds', 'age'), 'task.ageSeconds', 0),
  };
}
