/**
 * `node dist/emulator/cli.js --port 4010 [--state FILE] [--seed flex|none]
 *   [--account-sid AC… --auth-token …] [--spec-check] [--deterministic-sids]
 *   [--clock real|manual] [--verbose]`
 * Starts the emulator on 127.0.0.1, prints the base URL and the (throwaway,
 * local) credentials, runs until SIGINT/SIGTERM/SIGHUP and saves state on exit.
 *
 * `npm run emulator` execs this process (see package.json), so a SIGTERM sent
 * to npm's PID, which npm forwards to its child, reaches the emulator itself
 * instead of a shell that would die and leave the emulator running.
 */
import { startEmulator, type EmulatorOptions } from './index';

const USAGE = `usage: emulator [--port N] [--state FILE] [--seed flex|none] [--account-sid AC… --auth-token TOKEN]
                [--spec-check] [--deterministic-sids] [--clock real|manual] [--verbose]`;

export function parseArgs(argv: string[]): EmulatorOptions {
  const opts: EmulatorOptions = { port: 4010 };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--port': {
        const port = Number(value(i++, arg));
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be an integer 0..65535');
        opts.port = port;
        break;
      }
      case '--state':
        opts.stateFile = value(i++, arg);
        break;
      case '--seed': {
        const seed = value(i++, arg);
        if (seed !== 'flex' && seed !== 'none') throw new Error('--seed must be flex or none');
        opts.seed = seed;
        break;
      }
      case '--account-sid':
        opts.accountSid = value(i++, arg);
        if (!/^AC[0-9a-f]{32}$/.test(opts.accountSid)) throw new Error('--account-sid must be AC followed by 32 lower-case hex digits');
        break;
      case '--auth-token':
        opts.authToken = value(i++, arg);
        break;
      case '--spec-check':
        opts.specCheck = true;
        break;
      case '--deterministic-sids':
        opts.deterministicSids = true;
        break;
      case '--clock': {
        const clock = value(i++, arg);
        if (clock !== 'real' && clock !== 'manual') throw new Error('--clock must be real or manual');
        opts.clock = clock;
        break;
      }
      case '--verbose':
        opts.verbose = true;
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
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
    `  TWILIO_API_BASE_URL=${emu.baseUrl}`,
    `  TWILIO_ACCOUNT_SID=${emu.credentials.accountSid}`,
    `  TWILIO_AUTH_TOKEN=${emu.credentials.authToken}   (throwaway local emulator credential)`,
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
