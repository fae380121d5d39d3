// Retries for calls that are safe to repeat: reads, deletes and updates that
// set absolute values. Creates go through createSafely() instead.
import { describeFailure, isTransient } from './errors';

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export async function retryIdempotent<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= attempts || !isTransient(describeFailure(err))) throw err;
      await sleep(backoffMs(attempt, options));
    }
  }
}

/** Exponential backoff with full jitter. */
export function backoffMs(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? Number(process.env.FLEX_TRANSFER_RETRY_BASE_MS ?? 200);
  const cap = options.maxDelayMs ?? 4000;
  return Math.round(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Deletes, retrying transient failures; an object already gone counts as deleted. */
export async function deleteIfPresent(remove: () => Promise<unknown>): Promise<void> {
  await retryIdempotent(async () => {
    try {
      await remove();
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
    }
  });
}
