/**
 * All emulator state in one JSON-serializable tree: accounts + API keys, the
 * SID counter, and each service's per-account state. Snapshots, reset and
 * `--state FILE` all work on this tree, so services must keep plain data.
 */
import type { AccountRecord, ApiKeyRecord } from './types';

export const STATE_FORMAT_VERSION = 1;

export interface EmulatorState {
  version: number;
  sidCounter: { value: number };
  accounts: Record<string, AccountRecord>;
  apiKeys: Record<string, ApiKeyRecord>;
  /** services[serviceName][accountSid] = that service's state for the account. */
  services: Record<string, Record<string, unknown>>;
  /** Emulator clock time when saved (manual clocks resume from it). */
  savedAt?: number;
}

export function emptyState(): EmulatorState {
  return { version: STATE_FORMAT_VERSION, sidCounter: { value: 0 }, accounts: {}, apiKeys: {}, services: {} };
}

/** Deep copy through JSON: what a snapshot is, and proof the state is serializable. */
export function cloneState(state: EmulatorState): EmulatorState {
  return JSON.parse(JSON.stringify(state)) as EmulatorState;
}

/** Checks the shape of a state loaded from a file / PUT snapshot; names what is wrong. */
export function assertStateShape(value: unknown): asserts value is EmulatorState {
  const v = value as Partial<EmulatorState> | null;
  if (!v || typeof v !== 'object') throw new Error('state must be a JSON object');
  if (v.version !== STATE_FORMAT_VERSION) throw new Error(`state.version must be ${STATE_FORMAT_VERSION} (got ${String(v.version)})`);
  for (const key of ['sidCounter', 'accounts', 'apiKeys', 'services'] as const) {
    if (!v[key] || typeof v[key] !== 'object') throw new Error(`state.${key} must be an object`);
  }
}
