// Small builders for routing tests: readable defaults, override what matters.
import type { RoutingQueue, RoutingTask, RoutingWorker } from '../../routing';

export const AVAILABLE = { activitySid: 'WAavailable', activityName: 'Available', available: true } as const;
export const OFFLINE = { activitySid: 'WAoffline', activityName: 'Offline', available: false } as const;
export const BREAK = { activitySid: 'WAbreak', activityName: 'Break', available: false } as const;

export function worker(sid: string, overrides: Partial<RoutingWorker> = {}): RoutingWorker {
  return {
    sid,
    friendlyName: sid.replace(/^WK/, '').toLowerCase(),
    ...AVAILABLE,
    attributes: {},
    channels: {
      chat: { capacity: 2, assignedTasks: 0, available: true },
      voice: { capacity: 1, assignedTasks: 0, available: true },
      default: { capacity: 1, assignedTasks: 0, available: true },
    },
    idleSince: 1000,
    ...overrides,
  };
}

export function queue(sid: string, targetWorkers = '1==1', friendlyName = sid): RoutingQueue {
  return { sid, friendlyName, targetWorkers };
}

export function task(attributes: Record<string, unknown>, overrides: Partial<RoutingTask> = {}): RoutingTask {
  return { sid: 'WTtest', attributes, taskChannel: 'chat', priority: 0, ageSeconds: 0, ...overrides };
}

export const fixedClock = (iso: string) => () => new Date(iso);
