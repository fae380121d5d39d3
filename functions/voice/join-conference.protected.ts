/**
 * /voice/join-conference (protected): TwiML for the new agent's answered call:
 * `<Dial><Conference>` on the original task SID; takes the customer off hold. Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';
import type * as Http from '../lib/http.private';
import type * as VoiceCalls from '../lib/voice-calls.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('voice/join-conference', (lib) =>
    lib<typeof Http>('lib/http').twilioEndpoint('voice/join-conference', {}, (env) => lib<typeof VoiceCalls>('lib/voice-calls').joinConference(env)),
  )(context, event, callback);
