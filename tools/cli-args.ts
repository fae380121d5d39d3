// Command-line arguments for the project's tools and benchmarks: node:util's
// parseArgs, strict, with its errors reworded to name the argument the way
// the tools always have ("--stack needs a value", "unknown argument '--x'").
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export function readArgs<const O extends ParseArgsOptionsConfig>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = (err as Error).message;
    // "Option '-s, --stack <value>' argument missing", "Unknown option '-x'", "Unexpected argument 'y'".
    const argument = /(--[\w-]+)/.exec(message)?.[1] ?? /'(-[^' ,]+)/.exec(message)?.[1] ?? /'([^']+)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new Error(`${argument} needs a value`, { cause: err });
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new Error(`unknown argument '${argument}'`, { cause: err });
    throw err;
  }
}

/** A numeric option's value, or undefined when absent; throws naming the option when it is not a number. */
export function numberArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`${name} must be a number (got '${value}')`);
  return n;
}
