// Input checks and expression quoting shared by the transfer workflow builders.
// Builders run inside the stack's `apply`, so they must fail loudly and
// clearly on data that would produce a broken or ambiguous workflow.

import { tryQuoteStringLiteral } from '../routing';

export interface DeclaredQueue {
  /** TaskQueue friendly name, as plugins send it (`transferQueueName`, `desired_queue`). */
  name: string;
  /** TaskQueue SID (WQ…). */
  sid: string;
}

export const DEFAULT_WORKER_TRANSFER_TIMEOUT_SECONDS = 120;

const QUEUE_SID = /^WQ[A-Za-z0-9]+$/;

export function requireQueueSid(sid: unknown, what: string): string {
  if (typeof sid !== 'string' || !QUEUE_SID.test(sid)) {
    throw new Error(`${what} must be a TaskQueue SID (WQ followed by letters and digits), got ${JSON.stringify(sid)}`);
  }
  return sid;
}

export function requireTimeout(timeout: unknown, what: string): number {
  if (timeout === undefined) return DEFAULT_WORKER_TRANSFER_TIMEOUT_SECONDS;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0) {
    throw new Error(`${what} must be a positive integer number of seconds, got ${JSON.stringify(timeout)}`);
  }
  return timeout;
}

/** Checks the declared queues (SID format, names representable and unique) and returns each with its quoted name. */
export function checkDeclaredQueues(queues: readonly DeclaredQueue[]): (DeclaredQueue & { quotedName: string })[] {
  if (!Array.isArray(queues)) throw new Error('queues must be an array of { name, sid }');
  const names = new Map<string, string>();
  const sids = new Set<string>();
  return queues.map((queue, index) => {
    const label = typeof queue?.name === 'string' ? `queue '${queue.name}'` : `queues[${index}]`;
    if (typeof queue?.name !== 'string' || queue.name.trim() === '') throw new Error(`${label}: name must be a non-empty string`);
    requireQueueSid(queue.sid, `${label}: sid`);
    const quoted = tryQuoteStringLiteral(queue.name);
    if (!quoted.ok) throw new Error(`${label} cannot be used in a TaskRouter expression: ${quoted.reason}; rename the queue`);
    // Flex resolves names case-sensitively but humans do not; two names differing only in case are a trap.
    const key = queue.name.toLowerCase();
    if (names.has(key)) throw new Error(`${label} is declared twice (also as '${names.get(key)}')`);
    if (sids.has(queue.sid)) throw new Error(`${label}: sid ${queue.sid} is used by another declared queue`);
    names.set(key, queue.name);
    sids.add(queue.sid);
    return { ...queue, quotedName: quoted.literal };
  });
}
