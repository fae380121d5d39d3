/**
 * POST /voice/cancel-transfer: cancel a warm transfer nobody took yet; the customer comes
 * off hold. Contract: docs/functions.md.
 */
import type { FunctionHandler } from '../types';
import type * as Load from '../lib/load.private';

declare const Runtime: { getFunctions(): Record<string, { path: string } | undefined> } | undefined;

export const handler: FunctionHandler = (context, event, callback) =>
  (require(Runtime?.getFunctions()['lib/load']?.path ?? 'lib/load (not deployed)') as typeof Load).endpoint('voice/cancel-transfer', (lib) =>
    lib('lib/http').flexEndpoint('voice/cancel-transfer', { voice: true }, (env) => lib('lib/voice').cancelTransfer(env)),
  )(context, event, callback);
