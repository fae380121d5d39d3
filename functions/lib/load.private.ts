/**
 * The one loader for shared code. Twilio deploys every function file on its
 * own (under a generated file name), so a function cannot `require('./x')`
 * relatively: shared code lives in `functions/lib/*.private.ts` (deployed as
 * private functions `lib/<name>`) and is loaded at run time through
 * `Runtime.getFunctions()['lib/<name>'].path`.
 *
 * An endpoint file finds this loader itself, with the same mechanism, and
 * hands the building of its handler to `endpoint()`:
 *
 *   export const handler = (context, event, callback) =>
 *     (require(Runtime?.getFunctions()['lib/load']?.path …) as typeof Load)
 *       .endpoint('chat/transfer', (lib) => lib<typeof Http>('lib/http').flexEndpoint(…))(context, event, callback);
 *
 * This module imports no other shared module (not even as a type), and each
 * module names the type of what it loads (`lib<typeof Chat>('lib/chat')`), so
 * the shared modules' imports form a tree: no module reaches itself.
 */
import type { FunctionHandler, RuntimeGlobal, TwilioGlobal } from '../types';

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

/** Loads the shared module deployed as the private function `name` (e.g. `lib/chat`). */
export function loadLib<T>(name: string): T {
  const hit = cache.get(name);
  if (hit) return hit as T;
  const entry = runtimeGlobals().Runtime.getFunctions()[name];
  if (!entry || typeof entry.path !== 'string') {
    throw new Error(`shared module "${name}" is not deployed (expected the private function /${name}, from functions/${name}.private.ts)`);
  }
  const mod = require(entry.path) as T;
  cache.set(name, mod);
  return mod;
}

/** Forget loaded modules (after pointing `Runtime` elsewhere, e.g. in a test). */
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
