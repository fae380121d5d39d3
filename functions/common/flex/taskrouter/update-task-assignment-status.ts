/**
 * POST /common/flex/taskrouter/update-task-assignment-status: the template plugin's cancel of an invite task (only `canceled`, only an invite of a conversation the caller is in); served by /chat/cancel-invite's transition.
 * Contract: docs/functions.md, "flex-project-template plugin".
 */
import type { FunctionHandler } from '../../../types';
import type * as Load from '../../../lib/load.private';
import type * as Http from '../../../lib/http.private';
import type * as TemplatePlugin from '../../../lib/template-plugin.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('common/flex/taskrouter/update-task-assignment-status', (lib) =>
    lib<typeof Http>('lib/http').flexEndpoint('common/flex/taskrouter/update-task-assignment-status', { chat: true }, (env) =>
      lib<typeof TemplatePlugin>('lib/template-plugin').updateTaskAssignmentStatus(env),
    ),
  )(context, event, callback);
