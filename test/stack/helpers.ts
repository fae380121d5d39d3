// Stack tests drive the plain Pulumi CLI (its Node language host runs the program) against an
// in-process emulator over real HTTP, in scratch projects (tools/scratch-project.ts).
import { startEmulator, type Emulator } from '../../emulator';

export { scratchProject, runNode, expectSuccess, type ScratchProject, type StackRun } from '../../tools/scratch-project';

export async function startStackEmulator(): Promise<Emulator> {
  return startEmulator({ port: 0, seed: 'flex', buildDurationMs: 100 });
}

/** Mutating API calls in the emulator's request log, by operation. */
export function mutatingCalls(emulator: Emulator): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of emulator.log.list({ mutating: true })) {
    if (!entry.operation.startsWith('admin.')) counts[entry.operation] = (counts[entry.operation] ?? 0) + 1;
  }
  return counts;
}
