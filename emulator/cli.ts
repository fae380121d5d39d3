/**
 * `node dist/emulator/cli.js --port 4010 [--state FILE] [--seed flex|flex-project-template|none]
 *   [--account-sid AC… --auth-token …] [--spec-check] [--deterministic-sids]
 *   [--clock real|manual] [--verbose]`
 * Starts the emulator on 127.0.0.1, prints the base URL and the (throwaway,
 * local) credentials, runs until SIGINT/SIGTERM/SIGHUP and saves state on exit.
 *
 * `npm run emulator` execs this process (see package.json), so a SIGTERM sent
 * to npm's PID, which npm forwards to its child, reaches the emulator itself
 * instead of a shell that would die and leave the emulator running.
 */
import { parseArgs as parseArgv } from 'node:util';
import { startEmulator, type EmulatorOptions } from './index';
import { SEED_KINDS, type SeedKind } from './core/types';

const USAGE = `usage: emulator [--port N] [--state FILE] [--seed flex|flex-project-template|none] [--account-sid AC… --auth-token TOKEN]
                [--spec-check] [--deterministic-sids] [--clock real|manual] [--verbose]`;

const OPTIONS = {
  port: { type: 'string' },
  state: { type: 'string' },
  seed: { type: 'string' },
  'account-sid': { type: 'string' },
  'auth-token': { type: 'string' },
  'spec-check': { type: 'boolean' },
  'deterministic-sids': { type: 'boolean' },
  clock: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The flags as node:util's parseArgs reads them, with its errors reworded to name the flag. */
function readFlags(argv: string[]) {
  try {
    return parseArgv({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = (err as Error).message;
    const flag = /'(-[^' ]+)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new Error(`unknown option ${flag}\n${USAGE}`, { cause: err });
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new Error(`${flag} needs a value`, { cause: err });
    throw new Error(`${message}\n${USAGE}`, { cause: err });
  }
}

/** The emulator's options from its command line; throws with a message naming the flag. */
export function parseArgs(argv: string[]): EmulatorOptions {
  const values = readFlags(argv);
  if (values.help) throw new Error(USAGE);
  const opts: EmulatorOptions = { port: 4010 };
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (values.port.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be an integer 0..65535');
    opts.port = port;
  }
  if (values.state !== undefined) opts.stateFile = values.state;
  if (values.seed !== undefined) {
    if (!(SEED_KINDS as readonly string[]).includes(values.seed)) throw new Error(`--seed must be one of ${SEED_KINDS.join(', ')}`);
    opts.seed = values.seed as SeedKind;
  }
  if (values['account-sid'] !== undefined) {
    if (!/^AC[0-9a-f]{32}$/.test(values['account-sid'])) throw new Error('--account-sid must be AC followed by 32 lower-case hex digits');
    opts.accountSid = values['account-sid'];
  }
  if (values['auth-token'] !== undefined) opts.authToken = values['auth-token'];
  if (values['spec-check']) opts.specCheck = true;
  if (values['deterministic-sids']) opts.deterministicSids = true;
  if (values.clock !== undefined) {
    if (values.clock !== 'real' && values.clock !== 'manual') throw new Error('--clock must be real or manual');
    opts.clock = values.clock;
  }
  if (values.verbose) opts.verbose = true;
  if ((opts.accountSid === undefined) !== (opts.authToken === undefined)) throw new Error('--account-sid and --auth-token go together');
  return opts;
}

async function main(): Promise<void> {
  let opts: EmulatorOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const emu = await startEmulator(opts);
  const lines = [
    `Twilio API emulator listening on ${emu.baseUrl}`,
    ...Object.entries(emu.twilioEnv()).map(([name, value]) => `  ${name}=${value}${name === 'TWILIO_AUTH_TOKEN' ? '   (throwaway local emulator credential)' : ''}`),
    `  test hooks: ${emu.baseUrl}/__emulator/   deployed functions: ${emu.baseUrl}/runtime/<domain_name>/<path>`,
    opts.stateFile ? `  state file: ${opts.stateFile}` : '  state: in memory (use --state FILE to persist)',
    `  process ${process.pid}: stop with Ctrl-C or kill -TERM (this PID or its launcher's)${opts.stateFile ? '; the state is saved on the way out' : ''}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping emulator${opts.stateFile ? ' and saving state' : ''}\n`);
    emu.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // A closed terminal: save like any other stop.
  process.on('SIGHUP', () => stop('SIGHUP'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`emulator failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
