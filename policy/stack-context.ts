// What the policies know about the stack being checked: its name, project,
// configuration and which configuration keys are secret.
//
// The engine sends all of this in the analyzer's ConfigureStack call (the
// configuration decrypted, plus the list of keys that are stored encrypted),
// but @pulumi/policy 1.21 keeps only the stack tags from that call, and its
// policy API has no way to ask whether a config value is secret
// (pulumi/pulumi-policy#241). So this module wraps the ConfigureStack handler
// that @pulumi/policy registers with gRPC and records the request before
// passing it on unchanged. It must be imported before `new PolicyPack(...)`.
//
// Config values are held only in this process and never printed: the rules
// report key names, not values.
import * as path from 'node:path';

export interface StackContext {
  stack: string;
  project: string;
  /** Full config keys (`namespace:key`) → value as the engine passed it (secrets decrypted). */
  config: Record<string, string>;
  /** Keys whose values are stored encrypted (`pulumi config set --secret`). */
  secretKeys: string[];
}

let captured: StackContext | undefined;

/** What ConfigureStack told the pack, or undefined if the CLI never called it. */
export function stackContext(): StackContext | undefined {
  return captured;
}

/** The stack name from ConfigureStack, else from the environment the CLI gives policy plugins. */
export function stackName(): string | undefined {
  return captured?.stack || process.env.PULUMI_STACK || process.env.PULUMI_NODEJS_STACK || undefined;
}

/** For tests: pretend the engine configured this stack. */
export function setStackContextForTesting(context: StackContext | undefined): void {
  captured = context;
}

interface ConfigureStackRequest {
  getStack(): string;
  getProject(): string;
  getConfigMap(): { forEach(fn: (value: string, key: string) => void): void };
  getConfigSecretKeysList(): string[];
}

type Handler = (call: { request: ConfigureStackRequest }, callback: (...args: unknown[]) => void) => unknown;

function capture(request: ConfigureStackRequest): void {
  const config: Record<string, string> = {};
  request.getConfigMap().forEach((value, key) => {
    config[key] = value;
  });
  captured = {
    stack: request.getStack(),
    project: request.getProject(),
    config,
    secretKeys: [...request.getConfigSecretKeysList()],
  };
}

let installed = false;

/** Wraps the ConfigureStack handler of the analyzer service @pulumi/policy is about to serve. */
export function installStackContextCapture(): void {
  if (installed) return;
  installed = true;
  // The same @grpc/grpc-js instance that @pulumi/policy's server uses.
  const policyDir = path.dirname(require.resolve('@pulumi/policy'));
  const grpc = require(require.resolve('@grpc/grpc-js', { paths: [policyDir] })) as {
    Server: { prototype: { addService(service: unknown, implementation: Record<string, unknown>): void } };
  };
  const addService = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (service: unknown, implementation: Record<string, unknown>) {
    const inner = implementation?.configureStack as Handler | undefined;
    if (typeof inner === 'function') {
      implementation = {
        ...implementation,
        configureStack: (call: { request: ConfigureStackRequest }, callback: (...args: unknown[]) => void) => {
          try {
            capture(call.request);
          } catch {
            // An unexpected request shape leaves the context unknown; the
            // secrets rule then says it cannot check instead of passing.
            captured = undefined;
          }
          return inner(call, callback);
        },
      };
    }
    return addService.call(this, service, implementation);
  };
}
