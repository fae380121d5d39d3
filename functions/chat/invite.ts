/**
 * POST /chat/invite: invite a worker or queue into a chat without leaving (multi-participant).
 * The invite is recorded in the conversation's attributes. Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';

/** Twilio's runtime global (a free identifier, not `globalThis.Runtime`: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

/** The typed loader of shared code (functions/lib/load.private.ts), found through Twilio's `Runtime`. */
function loadLib(): typeof Load.loadLib {
  const entry = typeof Runtime === 'undefined' ? undefined : Runtime.getFunctions()['lib/load'];
  if (!entry) throw new Error('shared module lib/load is not deployed (functions/lib/load.private.ts)');
  return (require(entry.path) as typeof Load).loadLib;
}

export const handler: FunctionHandler = (context, event, callback) => {
  let run: FunctionHandler;
  try {
    const lib = loadLib();
    run = lib('lib/http').flexEndpoint('chat/invite', { chat: true }, (env) => lib('lib/chat').invite(env));
  } catch (err) {
    console.error('[chat/invite] cannot load shared code:', err);
    callback(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  return run(context, event, callback);
};
