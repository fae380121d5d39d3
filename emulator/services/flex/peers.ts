/**
 * The services Flex works through (TaskRouter, Conversations), kept apart
 * from the state so that modules needing only Flex's records (the seeds) do
 * not import the TaskRouter service that seeds them.
 */
import type { ServiceEnv } from '../../core/types';
import type { ConversationsApi } from '../conversations';
import type { TaskRouterApi } from '../taskrouter';

export function taskrouter(env: ServiceEnv): TaskRouterApi {
  return env.service<TaskRouterApi>('taskrouter');
}

export function conversations(env: ServiceEnv): ConversationsApi | undefined {
  try {
    return env.service<ConversationsApi>('conversations');
  } catch {
    return undefined;
  }
}
