/**
 * The emulator as tests and benchmarks start it: a random port, a manual
 * clock that only moves when told, and the Flex seed.
 */
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator';

/** Where the manual clock starts: a Monday, 12:00 UTC (inside business hours for time-of-day routing). */
export const START = Date.UTC(2025, 0, 6, 12, 0, 0);

export function startManualEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ port: 0, clock: 'manual', startTime: START, seed: 'flex', ...opts });
}
