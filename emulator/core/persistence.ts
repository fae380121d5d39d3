/**
 * `--state FILE`: load on start, save atomically (write temp + rename, so a
 * crash never leaves a half-written file) after mutating requests and on stop.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertStateShape, type EmulatorState } from './state';

export function loadStateFile(file: string): EmulatorState | undefined {
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`state file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  try {
    assertStateShape(parsed);
  } catch (err) {
    throw new Error(`state file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parsed;
}

export function saveStateFile(file: string, state: EmulatorState): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  // The file holds the local accounts' throwaway tokens: keep it private to the user.
  fs.writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
