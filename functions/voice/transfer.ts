/**
 * POST /voice/transfer: blind or warm transfer of a call (conference) to a worker or queue.
 * Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('voice/transfer', (lib) =>
    lib('lib/http').flexEndpoint('voice/transfer', { voice: true }, (env) => lib('lib/voice').transfer(env)),
  )(context, event, callback);
