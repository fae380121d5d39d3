/**
 * The one typed loader for shared code. Twilio deploys every function file on
 * its own (under a generated file name), so a function cannot `require('./x')`
 * relatively: shared code lives in `functions/lib/*.private.ts` (deployed as
 * private functions `lib/<name>`) and is loaded at run time through
 * `Runtime.getFunctions()['lib/<name>'].path`.
 *
 * An endpoint file finds this loader itself, with the same mechanism, and
 * hands the building of its handler to `endpoint()`:
 *
 *   export const handler = (context, event, callback) =>
 *     (require(Runtime?.getFunctions()['lib/load']?.path …) as typeof Load)
 *       .endpoint('chat/transfer', (lib) => lib('lib/http').flexEndpoint(…))(context, event, callback);
 *
 * where `lib('lib/chat')` is typed as `typeof import('./chat.private')`.
 */
import type { FunctionHandler, RuntimeGlobal, TwilioGlobal } from '../types';
import type * as Http from './http.private';
import type * as Params from './params.private';
import type * as Config from './config.private';
import type * as TwilioApi from './twilio.private';
import type * as Auth from './auth.private';
import type * as Ledger from './ledger.private';
import type * as Chat from './chat.private';
import type * as Voice from './voice.private';

export interface Libs {
  'lib/load': typeof import('./load.private');
  'lib/http': typeof Http;
  'lib/params': typeof Params;
  'lib/config': typeof Config;
  'lib/twilio': typeof TwilioApi;
  'lib/auth': typeof Auth;
  'lib/ledger': typeof Ledger;
  'lib/chat': typeof Chat;
  'lib/voice': typeof Voice;
}

// Twilio's runtime (@twilio/runtime-handler, which the local emulator and
// twilio-run also run) provides these as globals. They are read as free
// identifiers (not `globalThis.X`), which also works for a runtime that would
// inject them as module-wrapper variables.
declare const Twilio: TwilioGlobal | undefined;
declare const Runtime: RuntimeGlobal | undefined;

/** Twilio's runtime globals (`Twilio`, `Runtime`), typed. */
export function runtimeGlobals(): { Twilio: TwilioGlobal; Runtime: RuntimeGlobal } {
  const rt = typeof Runtime === 'undefined' ? undefined : Runtime;
  const tw = typeof Twilio === 'undefined' ? undefined : Twilio;
  if (!rt || typeof rt.getFunctions !== 'function') throw new Error('Twilio Functions runtime global `Runtime` is not available');
  if (!tw || typeof tw.Response !== 'function') throw new Error('Twilio Functions runtime global `Twilio.Response` is not available');
  return { Twilio: tw, Runtime: rt };
}

const cache = new Map<string, unknown>();

/** Loads a shared module deployed as the private function `name`. */
export function loadLib<K extends keyof Libs>(name: K): Libs[K] {
  const hit = cache.get(name);
  if (hit) return hit as Libs[K];
  const entry = runtimeGlobals().Runtime.getFunctions()[name];
  if (!entry || typeof entry.path !== 'string') {
    throw new Error(`shared module "${name}" is not deployed (expected the private function /${name}, from functions/${name}.private.ts)`);
  }
  const mod = require(entry.path) as Libs[K];
  cache.set(name, mod);
  return mod;
}

/** For tests: forget loaded modules (e.g. after pointing `Runtime` elsewhere). */
export function clearLibCache(): void {
  cache.clear();
}

/**
 * An endpoint's handler, built from shared code on each call: a shared module
 * that fails to load answers that request with an error (Twilio logs it)
 * instead of breaking the function for good.
 */
export function endpoint(name: string, build: (lib: typeof loadLib) => FunctionHandler): FunctionHandler {
  return (context, event, callback) => {
    let run: FunctionHandler;
    try {
      run = build(loadLib);
    } catch (err) {
      console.error(`[${name}] cannot load shared code:`, err);
      callback(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    return run(context, event, callback);
  };
}
