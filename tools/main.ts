// The main job (`npm start`): deploy the `local` stack to the local Twilio
// emulator, offline, and show what it produced. The deployment is the plain
// `pulumi up --stack local --policy-pack policy` in the project directory (the
// CLI starts the Node language host, which runs Pulumi.yaml's program); this
// job adds the emulator's lifetime, the local state folder and passphrase
// (tools/stack.ts), and prints Pulumi's output as it is: the outputs once.
//
// The emulator is embedded: if nothing answers at the stack's
// `twilioApiBaseUrl`, it is started in this process (seeded as a new Flex
// account, state kept in .emulator/local.json so the stack's state and the
// emulator's stay in step across runs) and stopped when the job ends. If an
// emulator already runs there (`npm run emulator`), that one is used.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCAL_STACK, PULUMI_BIN, REPO_ROOT } from './pulumi-cli';
import { exitAfterFlush, parseStackArgs, runStackCommand } from './stack';

const LOCAL_STATE_FILE = path.join(REPO_ROOT, '.emulator', 'local.json');

function localApiBaseUrl(): URL {
  const yaml = fs.readFileSync(path.join(REPO_ROOT, 'Pulumi.local.yaml'), 'utf8');
  const url = /^\s*flex-transfer:twilioApiBaseUrl:\s*(\S+)\s*$/m.exec(yaml)?.[1];
  if (!url) throw new Error('Pulumi.local.yaml has no flex-transfer:twilioApiBaseUrl; the local stack must target the emulator');
  const parsed = new URL(url);
  if (!['127.0.0.1', 'localhost'].includes(parsed.hostname)) {
    throw new Error(`Pulumi.local.yaml's twilioApiBaseUrl (${url}) is not on this machine; the local stack runs against the local emulator only`);
  }
  return parsed;
}

async function emulatorAnswers(base: URL): Promise<boolean> {
  try {
    const response = await fetch(new URL('/__emulator/health', base), { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const base = localApiBaseUrl();
  let stop: (() => Promise<void>) | undefined;
  if (await emulatorAnswers(base)) {
    process.stdout.write(`Using the emulator already running at ${base.origin}\n`);
  } else {
    const { startEmulator } = await import('../emulator');
    fs.mkdirSync(path.dirname(LOCAL_STATE_FILE), { recursive: true });
    const emulator = await startEmulator({ port: Number(base.port), stateFile: LOCAL_STATE_FILE, seed: 'flex' });
    process.stdout.write(`Started the local Twilio emulator at ${emulator.baseUrl} (state: ${path.relative(REPO_ROOT, LOCAL_STATE_FILE)})\n`);
    stop = () => emulator.stop();
  }
  try {
    const host = path.join(path.dirname(fs.realpathSync(PULUMI_BIN)), 'pulumi-language-nodejs');
    process.stdout.write(`Deploying the ${LOCAL_STACK} stack with the Pulumi CLI; its Node language host runs the program (${host}).\n`);
    // --skip-preview: the local job shows the update once, and its outputs once (a
    // preview first would print the plan and its unknown outputs as well).
    const run = await runStackCommand(parseStackArgs(['up', '--skip-preview', '--stack', LOCAL_STACK]), { stdio: 'inherit', log: (line) => process.stdout.write(`${line}\n`) });
    if (run.status !== 0) return run.status ?? 1;
    process.stdout.write(
      [
        '',
        'The local stack is up. Next:',
        '  npm run stack -- preview --stack local   # a second preview shows no changes',
        '  npm run emulator -- --port 4010 --state .emulator/local.json --seed flex   # keep it running to call the functions',
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await stop?.();
  }
}

main().then(
  (code) => exitAfterFlush(code),
  (err: Error) => {
    process.stderr.write(`\nnpm start failed: ${err.message}\n`);
    exitAfterFlush(1);
  },
);
