/**
 * POST /chat/invite: invite a worker or queue into a chat without leaving (multi-participant).
 * The invite is recorded in the conversation's attributes. Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('chat/invite', (lib) =>
    lib('lib/http').flexEndpoint('chat/invite', { chat: true }, (env) => lib('lib/chat').invite(env)),
  )(context, event, callback);
