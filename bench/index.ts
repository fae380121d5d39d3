// All benchmarks, one after the other: `npm run bench`. Each also runs alone
// (node dist/bench/<name>.js).
import { readArgs } from '../tools/cli-args';
import * as routing from './routing';
import * as stack from './stack';

async function main() {
  const only: string[] = readArgs(process.argv.slice(2), {}, true).positionals;
  const want = (name: string) => only.length === 0 || only.includes(name);
  if (want('routing')) {
    console.log('## routing engine');
    console.log(routing.run());
  }
  if (want('emulator')) {
    console.log('\n## emulator');
    const emulator = await import('./emulator');
    console.log(await emulator.run());
  }
  if (want('stack')) {
    console.log('\n## stack (real engine against the emulator)');
    console.log(stack.report(await stack.run()));
  }
  if (want('adopt')) {
    console.log('\n## taking over a flex-project-template account');
    const adopt = await import('./adopt');
    console.log(adopt.report(await adopt.run()));
  }
  if (want('functions')) {
    console.log('\n## transfer functions');
    const functions = (await import('./functions' as string)) as { run(): Promise<unknown> };
    console.log(await functions.run());
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
