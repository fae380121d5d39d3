/**
 * POST /common/flex/taskrouter/get-queues: the workspace's queues for the template plugin's queue picker.
 * Contract: docs/functions.md, "flex-project-template plugin".
 */
import type { FunctionHandler } from '../../../types';
import type * as Load from '../../../lib/load.private';
import type * as Http from '../../../lib/http.private';
import type * as TemplatePlugin from '../../../lib/template-plugin.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('common/flex/taskrouter/get-queues', (lib) =>
    lib<typeof Http>('lib/http').flexEndpoint('common/flex/taskrouter/get-queues', {}, (env) => lib<typeof TemplatePlugin>('lib/template-plugin').getQueues(env)),
  )(context, event, callback);
