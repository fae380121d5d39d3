/**
 * Serverless Builds and Deployments: a build checks its versions and
 * dependencies at once and moves from `building` to `completed` (or
 * `failed`: a function that does not parse as JavaScript, a dependency not
 * installed in the project's node_modules) after buildDurationMs on the
 * emulator clock; a deployment points an environment at a completed build.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { ServiceEnv } from '../../core/types';
import { badRequest, conflict, invalidParam, notFound, toTwilioIso } from '../../core';
import {
  activeBuildSids,
  DEFAULT_RUNTIME,
  findVersion,
  getEnvironment,
  projectRoot,
  RUNTIMES,
  st,
  type BuildRecord,
  type Dependency,
  type DeploymentRecord,
  type EnvironmentRecord,
  type Runtime,
  type ServiceRecord,
  type VersionRecord,
} from './models';

/** Parses the Dependencies parameter; accepts serverless-api's `"<json>"` wrapping. */
export function parseDependencies(raw: string | undefined): Dependency[] {
  if (raw === undefined || raw.trim() === '') return [];
  let value: unknown;
  const attempts = [raw];
  const trimmed = raw.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) attempts.push(trimmed.slice(1, -1));
  let parsed = false;
  for (const text of attempts) {
    try {
      value = JSON.parse(text);
      if (typeof value === 'string') value = JSON.parse(value); // a JSON string holding the array
      parsed = true;
      break;
    } catch {
      // try the next form
    }
  }
  if (!parsed) throw invalidParam('Dependencies', 'not valid JSON (expected an array of {"name", "version"})');
  if (!Array.isArray(value)) throw invalidParam('Dependencies', 'must be a JSON array of {"name", "version"}');
  return value.map((d, i) => {
    const dep = d as Partial<Dependency>;
    if (!dep || typeof dep.name !== 'string' || dep.name === '' || typeof dep.version !== 'string') {
      throw invalidParam('Dependencies', `item ${i} must be {"name": string, "version": string}`);
    }
    return { name: dep.name, version: dep.version };
  });
}

/** Packages every Twilio Functions runtime provides even when not listed. */
const BUILTIN_PACKAGES = new Set(['twilio', '@twilio/runtime-handler']);

function isInstalled(name: string): boolean {
  if (BUILTIN_PACKAGES.has(name)) return true;
  if (require('node:module').builtinModules.includes(name)) return true;
  return fs.existsSync(path.join(projectRoot(), 'node_modules', name, 'package.json'));
}

/** Why the build would fail, or undefined when it would complete. */
function buildFailure(functionVersions: VersionRecord[], dependencies: Dependency[]): string | undefined {
  for (const v of functionVersions) {
    const code = Buffer.from(v.contentBase64, 'base64').toString('utf8');
    try {
      // Compile only (never run): the CommonJS wrapper Node would use.
      new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${code}\n})`, { filename: v.path });
    } catch (err) {
      return `Function ${v.path} does not parse as JavaScript: ${(err as Error).message}`;
    }
  }
  for (const d of dependencies) {
    if (!isInstalled(d.name)) return `Dependency ${d.name}@${d.version} could not be installed (not found in the project's node_modules)`;
  }
  return undefined;
}

export interface CreateBuildInput {
  functionVersions: string[];
  assetVersions: string[];
  dependencies?: string;
  runtime?: string;
}

export function createBuild(env: ServiceEnv, accountSid: string, svc: ServiceRecord, input: CreateBuildInput): BuildRecord {
  if (input.functionVersions.length + input.assetVersions.length === 0) {
    throw badRequest('At least one function version or asset version is required.');
  }
  const runtime = (input.runtime ?? DEFAULT_RUNTIME) as Runtime;
  if (!RUNTIMES.includes(runtime)) throw invalidParam('Runtime', `must be one of ${RUNTIMES.join(', ')} (got "${input.runtime}")`);
  const fnVersions = input.functionVersions.map((sid) => {
    const v = findVersion(svc, 'function', sid);
    if (!v) throw invalidParam('FunctionVersions', `${sid} is not a Function Version of service ${svc.sid}`);
    return v;
  });
  const assetVersions = input.assetVersions.map((sid) => {
    const v = findVersion(svc, 'asset', sid);
    if (!v) throw invalidParam('AssetVersions', `${sid} is not an Asset Version of service ${svc.sid}`);
    return v;
  });
  const seen = new Set<string>();
  for (const v of [...fnVersions, ...assetVersions]) {
    if (seen.has(v.path)) throw badRequest(`Invalid build: path ${v.path} is used by more than one Function or Asset Version`);
    seen.add(v.path);
  }
  const dependencies = parseDependencies(input.dependencies);
  const failure = buildFailure(fnVersions, dependencies);
  const now = env.clock.now();
  const build: BuildRecord = {
    sid: env.sids.next('ZB'),
    status: 'building',
    functionVersions: fnVersions.map((v) => v.sid),
    assetVersions: assetVersions.map((v) => v.sid),
    dependencies,
    runtime,
    dateCreated: toTwilioIso(now),
    dateUpdated: toTwilioIso(now),
    completesAt: now + env.options.buildDurationMs,
    outcome: failure ? 'failed' : 'completed',
    failureReason: failure,
  };
  svc.builds[build.sid] = build;
  scheduleBuildCompletion(env, accountSid, svc.sid, build);
  return build;
}

/** Arms the clock timer that moves a build out of `building` (also after load/restore). */
export function scheduleBuildCompletion(env: ServiceEnv, accountSid: string, serviceSid: string, build: BuildRecord): void {
  env.clock.at(
    build.completesAt,
    () => {
      // Re-read: the build may have been deleted or state restored meanwhile.
      const svc = st(env, accountSid).services[serviceSid];
      const b = svc?.builds[build.sid];
      if (!b || b.status !== 'building') return;
      b.status = b.outcome;
      b.dateUpdated = env.clock.isoNow();
      if (b.failureReason) env.debug(`build ${b.sid} failed: ${b.failureReason}`);
      env.markDirty();
    },
    `serverless build ${build.sid}`,
  );
}

export function getBuild(svc: ServiceRecord, sid: string): BuildRecord {
  const b = svc.builds[sid];
  if (!b) throw notFound(`/Services/${svc.sid}/Builds/${sid}`);
  return b;
}

export function deleteBuild(svc: ServiceRecord, sid: string): void {
  const b = getBuild(svc, sid);
  if (activeBuildSids(svc).has(sid)) throw conflict(`Cannot delete Build ${sid} because it's part of an active Deployment`);
  delete svc.builds[b.sid];
}

export function createDeployment(env: ServiceEnv, svc: ServiceRecord, environmentSid: string, buildSid: string | undefined): DeploymentRecord {
  const e = getEnvironment(svc, environmentSid);
  if (buildSid !== undefined) {
    const b = svc.builds[buildSid];
    if (!b) throw invalidParam('BuildSid', `${buildSid} is not a Build of service ${svc.sid}`);
    if (b.status !== 'completed') throw badRequest(`Invalid BuildSid: build ${buildSid} is ${b.status}; only completed builds can be deployed`);
  }
  const now = env.clock.isoNow();
  const d: DeploymentRecord = { sid: env.sids.next('ZD'), buildSid: buildSid ?? null, dateCreated: now, dateUpdated: now };
  e.deployments[d.sid] = d;
  e.buildSid = buildSid ?? null;
  e.dateUpdated = now;
  return d;
}

export function getDeployment(svc: ServiceRecord, e: EnvironmentRecord, sid: string): DeploymentRecord {
  const d = e.deployments[sid];
  if (!d) throw notFound(`/Services/${svc.sid}/Environments/${e.sid}/Deployments/${sid}`);
  return d;
}

/** Re-arms build timers after state load/restore; builds already due complete at once. */
export function rearmBuilds(env: ServiceEnv): void {
  for (const accountSid of env.accountsWithState()) {
    for (const svc of Object.values(st(env, accountSid).services)) {
      for (const b of Object.values(svc.builds)) {
        if (b.status !== 'building') continue;
        if (b.completesAt <= env.clock.now()) {
          b.status = b.outcome;
          b.dateUpdated = env.clock.isoNow();
        } else {
          scheduleBuildCompletion(env, accountSid, svc.sid, b);
        }
      }
    }
  }
}
