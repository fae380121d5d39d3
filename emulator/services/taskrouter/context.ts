/**
 * One TaskRouter engine per emulator (keyed by the service env the core
 * hands out), wired to the parts of the engine it calls back: deadlines and
 * assignment callbacks.
 */
import type { ServiceEnv } from '../../core/types';
import { sendAssignmentCallback } from './engine/assignment';
import { handleDeadline } from './engine/deadlines';
import { TaskRouterEngine } from './engine/engine';

const engines = new WeakMap<ServiceEnv, TaskRouterEngine>();

export function engineOf(env: ServiceEnv): TaskRouterEngine {
  let engine = engines.get(env);
  if (!engine) {
    const created = new TaskRouterEngine(env);
    created.onDeadline = (d) => handleDeadline(created, d);
    created.onReservationCreated = (accountSid, ws, task, res) => sendAssignmentCallback(created, accountSid, ws, task, res);
    engines.set(env, created);
    engine = created;
  }
  return engine;
}
