/**
 * POST /voice/assignment (protected): the voice transfer workflow's assignment callback;
 * answers a `call` instruction to the new agent. Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';
import type * as Http from '../lib/http.private';
import type * as VoiceCalls from '../lib/voice-calls.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('voice/assignment', (lib) =>
    lib<typeof Http>('lib/http').twilioEndpoint('voice/assignment', {}, (env) => lib<typeof VoiceCalls>('lib/voice-calls').assignment(env)),
  )(context, event, callback);
