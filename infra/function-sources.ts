// The transfer functions as the Deployment uploads them: every compiled file
// under dist/functions, its URL path and visibility taken from its name as
// Twilio's tooling does (`x.protected.js` → protected, `x.private.js` →
// private, anything else public).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceFile, Visibility } from './providers/serverless/deployment';

/**
 * dist/functions, next to this compiled module's dist/infra, unless
 * FLEX_TRANSFER_FUNCTIONS_DIR names another build (e.g. one CI promotes).
 */
export const COMPILED_FUNCTIONS_DIR = process.env.FLEX_TRANSFER_FUNCTIONS_DIR ? path.resolve(process.env.FLEX_TRANSFER_FUNCTIONS_DIR) : path.resolve(__dirname, '..', 'functions');

export function readFunctionSources(dir: string = COMPILED_FUNCTIONS_DIR): SourceFile[] {
  if (!fs.existsSync(dir)) {
    throw new Error(`No compiled functions in ${dir}: run \`npm run build\` (tsc compiles functions/ there) before deploying.`);
  }
  const files: SourceFile[] = [];
  for (const file of walk(dir)) {
    if (!file.endsWith('.js')) continue;
    const relative = path.relative(dir, file).split(path.sep).join('/');
    const { urlPath, visibility } = routeOf(relative);
    // Source-map comments point at files that are not deployed.
    const content = fs.readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
    files.push({ path: urlPath, visibility, content });
  }
  if (files.length === 0) throw new Error(`${dir} holds no .js files: nothing to deploy`);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

export function routeOf(relative: string): { urlPath: string; visibility: Visibility } {
  const base = relative.replace(/\.js$/, '');
  if (base.endsWith('.protected')) return { urlPath: `/${base.slice(0, -'.protected'.length)}`, visibility: 'protected' };
  if (base.endsWith('.private')) return { urlPath: `/${base.slice(0, -'.private'.length)}`, visibility: 'private' };
  return { urlPath: `/${base}`, visibility: 'public' };
}

function* walk(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}
