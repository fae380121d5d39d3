/** Serverless v1 (+ serverless-upload) and the Functions runtime that serves deployed builds. */
import type { RawMount, ServiceEnv, ServiceModule } from '../../core/types';
import { FunctionsRuntime } from '../../functions-runtime';
import { seedTemplateServerless } from '../../seeds/flex-project-template';
import { rearmBuilds } from './builds';
import { initialServerlessState, type ServerlessState } from './models';
import { serverlessRoutes } from './routes';

/** One runtime per emulator instance (several may run in one test process). */
const runtimes = new WeakMap<ServiceEnv, FunctionsRuntime>();

function runtimeFor(env: ServiceEnv): FunctionsRuntime {
  let rt = runtimes.get(env);
  if (!rt) {
    rt = new FunctionsRuntime((message) => env.debug(message));
    runtimes.set(env, rt);
  }
  return rt;
}

const runtimeMount: RawMount = {
  operation: 'runtime.Invoke',
  prefix: 'runtime',
  matchHost: (host) => host.endsWith('.twil.io'),
  handle: (req, env) => runtimeFor(env).handle(req, env),
};

export const serverlessService: ServiceModule<ServerlessState> = {
  name: 'serverless',
  host: 'serverless',
  specFiles: ['twilio_serverless_v1.json'],
  initialState: initialServerlessState,
  routes: serverlessRoutes,
  mounts: [runtimeMount],
  afterLoad: (env) => {
    runtimeFor(env).invalidate();
    rearmBuilds(env);
  },
  seed(env, accountSid, kind) {
    if (kind === 'flex-project-template') seedTemplateServerless(env, accountSid);
  },
  stop: (env) => runtimeFor(env).stop(),
};
