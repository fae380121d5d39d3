/**
 * POST /chat/transfer: cold transfer of a chat to a worker (WK…) or a queue (WQ…).
 * Invites the target, then closes the transferring agent's participant. Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';
import type * as Http from '../lib/http.private';
import type * as Chat from '../lib/chat.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('chat/transfer', (lib) =>
    lib<typeof Http>('lib/http').flexEndpoint('chat/transfer', { chat: true }, (env) => lib<typeof Chat>('lib/chat').coldTransfer(env)),
  )(context, event, callback);
