/**
 * POST /voice/complete-transfer: second step of a warm transfer: the first agent leaves and
 * the original task is wrapped or completed. Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';
import type * as Http from '../lib/http.private';
import type * as Voice from '../lib/voice.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('voice/complete-transfer', (lib) =>
    lib<typeof Http>('lib/http').flexEndpoint('voice/complete-transfer', { voice: true }, (env) => lib<typeof Voice>('lib/voice').completeTransfer(env)),
  )(context, event, callback);
