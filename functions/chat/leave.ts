/**
 * POST /chat/leave: an agent leaves a chat (its participant is closed); the interaction
 * channel is closed when no agent remains and no invite is pending. Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';
import type * as Http from '../lib/http.private';
import type * as Chat from '../lib/chat.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('chat/leave', (lib) =>
    lib<typeof Http>('lib/http').flexEndpoint('chat/leave', { chat: true }, (env) => lib<typeof Chat>('lib/chat').leave(env)),
  )(context, event, callback);
