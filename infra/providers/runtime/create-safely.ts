// The create rule, shared by every provider (docs/infra.md, "Safe creates"):
//
// A create is not idempotent, and a lost response (the object was committed,
// the client saw an error) must leave neither a duplicate nor an orphan. So:
//   1. Send the create.
//   2. If it fails in a way that may have committed (transport error, 5xx,
//      429), look the object up by its unique key (a queue's friendly name,
//      a service's unique name, ...) before anything else.
//   3. Found exactly one: that is the object our request created; use it.
//      Found none: the create did not commit; back off and send it again.
//      Found several: stop, naming them (never guess).
//   4. A 4xx other than 429 is the caller's mistake: fail at once.
import { describeFailure, isTransient } from './errors';
import { backoffMs, retryIdempotent, sleep } from './retry';

export interface SafeCreate<T> {
  /** Sends the create request once. */
  create: () => Promise<T>;
  /** Finds objects carrying the unique key the create used. */
  find: () => Promise<T[]>;
  /** For messages: e.g. `TaskQueue "Sales"`. */
  describe: string;
  attempts?: number;
}

export async function createSafely<T>({ create, find, describe, attempts = 6 }: SafeCreate<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (err) {
      if (!isTransient(describeFailure(err))) throw err;
      const existing = await retryIdempotent(find);
      if (existing.length === 1) return existing[0];
      if (existing.length > 1) {
        throw new Error(`${describe}: a create failed in transit and ${existing.length} objects now carry its unique key; resolve the duplicates by hand`, { cause: err });
      }
      if (attempt >= attempts) throw err;
      await sleep(backoffMs(attempt));
    }
  }
}
