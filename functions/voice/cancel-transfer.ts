/**
 * POST /voice/cancel-transfer: cancel a warm transfer nobody took yet; the customer comes
 * off hold. Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';
import type * as Http from '../lib/http.private';
import type * as Voice from '../lib/voice.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('voice/cancel-transfer', (lib) =>
    lib<typeof Http>('lib/http').flexEndpoint('voice/cancel-transfer', { voice: true }, (env) => lib<typeof Voice>('lib/voice').cancelTransfer(env)),
  )(context, event, callback);
