/**
 * POST /features/conversation-transfer/flex/remove-participant: the template plugin's leave / remove participant; served by /chat/leave's transition.
 * Contract: docs/functions.md, "flex-project-template plugin".
 */
import type { FunctionHandler } from '../../../types';
import type * as Load from '../../../lib/load.private';
import type * as Http from '../../../lib/http.private';
import type * as TemplatePlugin from '../../../lib/template-plugin.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('features/conversation-transfer/flex/remove-participant', (lib) =>
    lib<typeof Http>('lib/http').flexEndpoint('features/conversation-transfer/flex/remove-participant', { chat: true }, (env) =>
      lib<typeof TemplatePlugin>('lib/template-plugin').removeParticipant(env),
    ),
  )(context, event, callback);
