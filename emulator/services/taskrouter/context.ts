/** One TaskRouter engine per emulator (keyed by the service env the core hands out). */
import type { ServiceEnv } from '../../core/types';
import { TaskRouterEngine } from './engine';
import { handleDeadline } from './routing';

const engines = new WeakMap<ServiceEnv, TaskRouterEngine>();

export function engineOf(env: ServiceEnv): TaskRouterEngine {
  let engine = engines.get(env);
  if (!engine) {
    const created = new TaskRouterEngine(env);
    created.onDeadline = (d) => handleDeadline(created, d);
    engines.set(env, created);
    engine = created;
  }
  return engine;
}
