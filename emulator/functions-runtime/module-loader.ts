/**
 * Loads a build's function files as CommonJS modules with Twilio Functions'
 * globals (`Twilio`, `Runtime`, legacy `Functions`) and a `console` whose
 * output becomes Serverless Logs. Files of the build are compiled here (so
 * each build sees its own `Runtime`); npm packages resolve from the project's
 * node_modules, except `twilio` and `twilio-flex-token-validator`, which are
 * replaced by emulator-bound shims.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

export interface BuildGlobals {
  Twilio: unknown;
  Runtime: unknown;
  Functions: unknown;
  console: Console;
}

interface LoadedModule {
  exports: unknown;
}

const WRAPPER_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname', 'Twilio', 'Runtime', 'Functions', 'console'];

export class BuildModuleLoader {
  private readonly cache = new Map<string, LoadedModule>();
  private readonly projectRequire: NodeJS.Require;

  constructor(
    private readonly buildDir: string,
    projectRoot: string,
    private readonly globals: BuildGlobals,
    private readonly shims: Record<string, unknown>,
  ) {
    this.projectRequire = createRequire(path.join(projectRoot, 'package.json'));
  }

  private inBuild(file: string): boolean {
    return file.startsWith(this.buildDir + path.sep);
  }

  private resolveLocal(base: string): string | undefined {
    for (const candidate of [base, `${base}.js`, `${base}.json`, path.join(base, 'index.js')]) {
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
    }
    return undefined;
  }

  private requireFrom(file: string): NodeJS.Require {
    const fallback = createRequire(file);
    const req = ((id: string) => {
      if (Object.prototype.hasOwnProperty.call(this.shims, id)) return this.shims[id];
      if (id.startsWith('.') || path.isAbsolute(id)) {
        const resolved = this.resolveLocal(path.resolve(path.dirname(file), id));
        if (resolved && this.inBuild(resolved)) return this.load(resolved);
        if (resolved) return fallback(resolved);
      }
      return this.projectRequire(id);
    }) as NodeJS.Require;
    req.resolve = ((id: string) => this.projectRequire.resolve(id)) as NodeJS.RequireResolve;
    req.cache = this.projectRequire.cache;
    return req;
  }

  /** Loads (once) a file of the build; JSON files are parsed. */
  load(file: string): unknown {
    const cached = this.cache.get(file);
    if (cached) return cached.exports;
    if (file.endsWith('.json')) {
      const mod = { exports: JSON.parse(fs.readFileSync(file, 'utf8')) as unknown };
      this.cache.set(file, mod);
      return mod.exports;
    }
    const mod: LoadedModule = { exports: {} };
    this.cache.set(file, mod); // before running: cycles see the partial exports, like Node
    try {
      const fn = vm.compileFunction(fs.readFileSync(file, 'utf8'), WRAPPER_PARAMS, { filename: file });
      fn.call(mod.exports, mod.exports, this.requireFrom(file), mod, file, path.dirname(file), this.globals.Twilio, this.globals.Runtime, this.globals.Functions, this.globals.console);
    } catch (err) {
      this.cache.delete(file);
      throw err;
    }
    return mod.exports;
  }
}
