// `npm run drift -- --stack NAME [--project DIR] [--markdown FILE] [--json FILE]`
//
// Has anyone changed in Twilio (Console, the Flex Admin UI, the API) what the
// stack manages? A refresh *preview* of the stack, run the standard way: the
// Automation API's LocalWorkspace on the project directory, which drives the
// pinned Pulumi CLI with the project's Pulumi.yaml (no inline program). The
// providers only read; nothing is written to Twilio or to the stack's state.
//
// Prints one line per drifted field (`resource · field: stack value → live
// value`, naming the owner), and with --markdown/--json writes the same for a
// job summary or an issue. Exit codes: 0 no drift, 2 drift, 1 error.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { EngineEvent } from '@pulumi/pulumi/automation';
import { REPO_ROOT, selectStack } from '../pulumi-cli';
import { formatMarkdown, formatText } from './report';
import { driftRows, type DriftRow } from './rows';

export const EXIT = { noDrift: 0, error: 1, drift: 2 } as const;

const USAGE = 'usage: npm run drift -- --stack NAME [--project DIR] [--markdown FILE] [--json FILE]';

export interface DriftCheck {
  stackName: string;
  /** Directory holding Pulumi.yaml and Pulumi.<stack>.yaml. */
  projectDir: string;
  /** Extra environment for the CLI and the providers (credentials, an emulator's address). */
  env?: Record<string, string>;
}

/** Runs the refresh preview and returns the drifted fields. Throws on any failure. */
export async function checkDrift(check: DriftCheck): Promise<DriftRow[]> {
  let stack;
  try {
    // The project's scripts' environment (the local stack's backend and passphrase for `local` only);
    // tools/run.sh sets PULUMI_SKIP_CONFIRMATIONS for `up`, and the CLI refuses it with --preview-only.
    stack = await selectStack(check.projectDir, check.stackName, { PULUMI_SKIP_CONFIRMATIONS: 'false', ...check.env });
  } catch (err) {
    throw new Error(`cannot select stack ${check.stackName} (is it deployed, and are you logged in to its backend?): ${lastLine(err)}`, { cause: err });
  }
  const events: EngineEvent[] = [];
  await stack.previewRefresh({ onEvent: (event) => events.push(event), color: 'never' });
  return driftRows(events);
}

function lastLine(err: unknown): string {
  const text = String((err as { stderr?: string }).stderr || (err as Error).message || err).trim();
  return text.split('\n').filter(Boolean).slice(-3).join(' ');
}

interface Options {
  stackName: string;
  projectDir: string;
  markdown?: string;
  json?: string;
}

export function parseDriftArgs(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { stack: { type: 'string', short: 's' }, project: { type: 'string' }, markdown: { type: 'string' }, json: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}; ${USAGE}`);
  if (!values.stack) throw new Error(`--stack is required; ${USAGE}`);
  return { stackName: values.stack, projectDir: path.resolve(values.project ?? REPO_ROOT), markdown: values.markdown, json: values.json };
}

export async function runDrift(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  let options: Options;
  try {
    options = parseDriftArgs(argv);
  } catch (err) {
    process.stderr.write(`drift: ${(err as Error).message}\n`);
    return EXIT.error;
  }
  let rows: DriftRow[];
  try {
    rows = await checkDrift({ stackName: options.stackName, projectDir: options.projectDir });
  } catch (err) {
    process.stderr.write(`drift: the refresh preview of stack ${options.stackName} failed: ${lastLine(err)}\n`);
    return EXIT.error;
  }
  out(formatText(options.stackName, rows));
  const checkedAt = new Date().toISOString();
  const runUrl = process.env.GITHUB_RUN_ID ? `${process.env.GITHUB_SERVER_URL}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}` : undefined;
  if (options.markdown) fs.writeFileSync(options.markdown, formatMarkdown(options.stackName, rows, { checkedAt, runUrl }));
  if (options.json) fs.writeFileSync(options.json, `${JSON.stringify({ stack: options.stackName, checkedAt, drift: rows }, null, 2)}\n`);
  return rows.length === 0 ? EXIT.noDrift : EXIT.drift;
}

if (require.main === module) {
  runDrift(process.argv.slice(2)).then(
    (code) => process.stdout.write('', () => process.exit(code)),
    (err: Error) => {
      process.stderr.write(`drift: ${err.message}\n`);
      process.exit(EXIT.error);
    },
  );
}
