/**
 * TaskRouter v1 HTTP mapping: read PascalCase parameters, call the models
 * and the engine, serialize snake_case. No TaskRouter rule lives here.
 */
import type { RouteDef } from '../../../core/types';
import { activityRoutes } from './activities';
import { eventRoutes } from './events';
import { queueRoutes } from './queues';
import { reservationRoutes } from './reservations';
import { channelRoutes } from './task-channels';
import { taskRoutes } from './tasks';
import { workerRoutes } from './workers';
import { workflowRoutes } from './workflows';
import { statisticsRoutes } from './statistics';
import { workspaceRoutes } from './workspaces';

export const taskrouterRoutes: RouteDef[] = [
  ...workspaceRoutes,
  ...activityRoutes,
  ...channelRoutes,
  ...queueRoutes,
  ...workflowRoutes,
  ...workerRoutes,
  ...taskRoutes,
  ...reservationRoutes,
  ...eventRoutes,
  ...statisticsRoutes,
];
