/**
 * POST /chat/taskrouter-events (protected: Twilio signs it): the workspace's event callback.
 * Clears invite records when an invite task is accepted, canceled or times out; takes a
 * voice customer off hold when a warm transfer is not taken. Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('chat/taskrouter-events', (lib) =>
    lib('lib/http').twilioEndpoint('chat/taskrouter-events', {}, (env) => lib('lib/chat').taskRouterEvent(env)),
  )(context, event, callback);
