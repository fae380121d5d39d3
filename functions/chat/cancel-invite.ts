/**
 * POST /chat/cancel-invite: cancel an outstanding invite (its task) and clear its record.
 * Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';
import type * as Http from '../lib/http.private';
import type * as Chat from '../lib/chat.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('chat/cancel-invite', (lib) =>
    lib<typeof Http>('lib/http').flexEndpoint('chat/cancel-invite', { chat: true }, (env) => lib<typeof Chat>('lib/chat').cancelInvite(env)),
  )(context, event, callback);
