/**
 * POST /taskrouter/events (protected: Twilio signs it): the workspace's event
 * callback. Drives the chat and voice transfer state machines on TaskRouter
 * events (a transfer's task exists, an agent joined or declined, a transfer
 * ended, an agent left). Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';
import type * as Http from '../lib/http.private';
import type * as Events from '../lib/events.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('taskrouter/events', (lib) =>
    lib<typeof Http>('lib/http').twilioEndpoint('taskrouter/events', {}, (env) => lib<typeof Events>('lib/events').taskRouterEvent(env)),
  )(context, event, callback);
