/**
 * POST /voice/transfer: blind or warm transfer of a call (conference) to a worker or queue.
 * Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';
import type * as Http from '../lib/http.private';
import type * as Voice from '../lib/voice.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('voice/transfer', (lib) =>
    lib<typeof Http>('lib/http').flexEndpoint('voice/transfer', { voice: true }, (env) => lib<typeof Voice>('lib/voice').transfer(env)),
  )(context, event, callback);
