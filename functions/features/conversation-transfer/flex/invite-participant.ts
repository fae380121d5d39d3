/**
 * POST /features/conversation-transfer/flex/invite-participant: the template plugin's invite (warm) or, with removeFlexInteractionParticipantSid, cold transfer; served by the chat state machine (/chat/invite, /chat/transfer).
 * Contract: docs/functions.md, "flex-project-template plugin".
 */
import type { FunctionHandler } from '../../../types';
import type * as Load from '../../../lib/load.private';
import type * as Http from '../../../lib/http.private';
import type * as TemplatePlugin from '../../../lib/template-plugin.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('features/conversation-transfer/flex/invite-participant', (lib) =>
    lib<typeof Http>('lib/http').flexEndpoint('features/conversation-transfer/flex/invite-participant', { chat: true }, (env) =>
      lib<typeof TemplatePlugin>('lib/template-plugin').inviteParticipant(env),
    ),
  )(context, event, callback);
