/**
 * Flex v1 (flex-api.twilio.com): the Flex Configuration and the Interactions
 * API (Interactions, Channels, Invites, Participants, Transfers). See README.md.
 */
import { isFlexSeed, type ServiceEnv, type ServiceModule } from '../../core/types';
import { seedTemplateFlex } from '../../seeds/flex-project-template';
import { seedTransferSettings } from './transfer-settings';
import type { TaskRouterApi } from '../taskrouter';
import { seedConfiguration } from './configuration';
import { onTaskRouterEvent, workerIdentity } from './interactions';
import { flexState, type FlexState, type InteractionRec } from './state';
import { flexRoutes } from './routes';

export type { FlexState, InteractionRec };
export { workerIdentity };

/** In-process API: `env.service<FlexApi>('flex')` / `emulator.core.apiOf('flex')`. */
export interface FlexApi {
  interaction(accountSid: string, sid: string): InteractionRec | undefined;
  configuration(accountSid: string): Record<string, unknown> | null;
  pending(): number;
  whenIdle(): Promise<void>;
}

function createApi(env: ServiceEnv): FlexApi {
  return {
    interaction: (accountSid, sid) => flexState(env, accountSid).interactions[sid],
    configuration: (accountSid) => flexState(env, accountSid).configuration,
    pending: () => 0,
    whenIdle: async () => undefined,
  };
}

export const flexService: ServiceModule<FlexState> = {
  name: 'flex',
  host: 'flex-api',
  specFiles: ['twilio_flex_v1.json'],
  initialState: () => ({ configuration: null, interactions: {} }),
  routes: flexRoutes,
  createApi,
  start(env) {
    let tr: TaskRouterApi | undefined;
    try {
      tr = env.service<TaskRouterApi>('taskrouter');
    } catch {
      env.debug('flex: taskrouter is not loaded; interactions will not route');
      return;
    }
    tr.subscribe((accountSid, ws, event) => onTaskRouterEvent(env, accountSid, ws.sid, event.eventType, event.data));
  },
  seed(env, accountSid, kind) {
    if (isFlexSeed(kind)) {
      seedConfiguration(env, accountSid);
      seedTransferSettings(env, accountSid);
    }
    if (kind === 'flex-project-template') seedTemplateFlex(env, accountSid);
  },
};
