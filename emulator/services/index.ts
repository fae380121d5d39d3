/**
 * The emulator's products, in registration order. Each entry is a
 * `ServiceModule` from `emulator/services/<product>/index.ts` (see
 * emulator/README.md, "How to add a service"). Append new products here.
 */
import type { ServiceModule } from '../core/types';
import { iamService } from './iam';
import { serverlessService } from './serverless';
import { taskrouterService } from './taskrouter';
import { flexService } from './flex';
import { conversationsService } from './conversations';
import { apiService } from './api';

export const services: ServiceModule[] = [
  serverlessService as ServiceModule,
  iamService as ServiceModule,
  taskrouterService as ServiceModule,
  flexService as ServiceModule,
  conversationsService as ServiceModule,
  apiService as ServiceModule,
];
