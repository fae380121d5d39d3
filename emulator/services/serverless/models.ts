/**
 * Serverless v1 state and rules (no HTTP): Services, Environments,
 * Functions/Assets and their Versions, Variables, Logs; Builds and
 * Deployments are in builds.ts.
 *
 * Rules implemented (see emulator/README.md for sources and decisions):
 *  - Service UniqueName: required, <= 50 chars, letters/digits/-/_, unique per
 *    account (409), immutable; usable in URLs instead of the SID; <= 50 services.
 *  - domain_base = `<unique name>-<4 digits>`; environment domain_name =
 *    `<domain_base>[-<suffix>].twil.io`, unique across the emulator.
 *  - Environment: UniqueName (<= 100) and DomainSuffix (<= 16) unique per
 *    service (409 "Environment with this UniqueName or DomainSuffix already
 *    exists."), no update.
 *  - Versions are immutable; Path gets a leading '/'; Visibility public|protected|private.
 *  - Build: >= 1 version, versions of this service, one path once, Dependencies
 *    a JSON array of {name, version} (serverless-api's extra quotes accepted),
 *    Runtime enum. `building` -> `completed` after buildDurationMs on the
 *    emulator clock, or `failed` when a function does not parse as JavaScript
 *    or a dependency is not installed in the project's node_modules.
 *  - Deployment: BuildSid must be a completed build of the service (or absent
 *    to clear the environment); sets environment.build_sid.
 *  - Deletes: a Build deployed to an environment, or a Function/Asset with a
 *    version in such a build, cannot be deleted (409 / 20409).
 *  - Variable: Key (<= 128) unique per environment (409), Value <= 450 bytes.
 */
import * as path from 'node:path';
import type { ServiceEnv } from '../../core/types';
import { TwilioError, badRequest, conflict, invalidParam, notFound, toTwilioIso } from '../../core';

export type Visibility = 'public' | 'protected' | 'private';
export const VISIBILITIES: Visibility[] = ['public', 'protected', 'private'];
export const RUNTIMES = ['node8', 'node10', 'node12', 'node14', 'node16', 'node18', 'node20', 'node22', 'node24'] as const;
export type Runtime = (typeof RUNTIMES)[number];
export const DEFAULT_RUNTIME: Runtime = 'node22';
export const MAX_SERVICES_PER_ACCOUNT = 50;
export const MAX_VARIABLE_VALUE_BYTES = 450;

export interface VersionRecord {
  sid: string;
  /** ZH of the function or asset. */
  parentSid: string;
  kind: 'function' | 'asset';
  path: string;
  visibility: Visibility;
  contentBase64: string;
  contentType: string;
  dateCreated: string;
}

export interface ResourceRecord {
  sid: string;
  kind: 'function' | 'asset';
  friendlyName: string;
  dateCreated: string;
  dateUpdated: string;
  versions: Record<string, VersionRecord>;
}

export interface Dependency {
  name: string;
  version: string;
}

export interface BuildRecord {
  sid: string;
  status: 'building' | 'completed' | 'failed';
  functionVersions: string[];
  assetVersions: string[];
  dependencies: Dependency[];
  runtime: Runtime;
  dateCreated: string;
  dateUpdated: string;
  /** Emulator time (ms) the build leaves `building`. */
  completesAt: number;
  /** Decided at creation, applied at completesAt. */
  outcome: 'completed' | 'failed';
  failureReason?: string;
}

export interface VariableRecord {
  sid: string;
  key: string;
  value: string;
  dateCreated: string;
  dateUpdated: string;
}

export interface DeploymentRecord {
  sid: string;
  buildSid: string | null;
  dateCreated: string;
  dateUpdated: string;
}

export interface LogRecord {
  sid: string;
  buildSid: string;
  deploymentSid: string;
  functionSid: string;
  requestSid: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  dateCreated: string;
  /** For date filters. */
  timeMs: number;
}

export interface EnvironmentRecord {
  sid: string;
  uniqueName: string;
  domainSuffix: string | null;
  domainName: string;
  buildSid: string | null;
  dateCreated: string;
  dateUpdated: string;
  variables: Record<string, VariableRecord>;
  deployments: Record<string, DeploymentRecord>;
  logs: LogRecord[];
}

export interface ServiceRecord {
  sid: string;
  uniqueName: string;
  friendlyName: string;
  includeCredentials: boolean;
  uiEditable: boolean;
  domainBase: string;
  dateCreated: string;
  dateUpdated: string;
  environments: Record<string, EnvironmentRecord>;
  functions: Record<string, ResourceRecord>;
  assets: Record<string, ResourceRecord>;
  builds: Record<string, BuildRecord>;
}

export interface ServerlessState {
  services: Record<string, ServiceRecord>;
}

export function initialServerlessState(): ServerlessState {
  return { services: {} };
}

/** Logs kept per environment (oldest dropped first). */
const MAX_LOGS_PER_ENVIRONMENT = 1000;

export function st(env: ServiceEnv, accountSid: string): ServerlessState {
  return env.state<ServerlessState>(accountSid);
}

export function getService(env: ServiceEnv, accountSid: string, sidOrName: string): ServiceRecord {
  const services = st(env, accountSid).services;
  const svc = services[sidOrName] ?? Object.values(services).find((s) => s.uniqueName === sidOrName);
  if (!svc) throw notFound(`/Services/${sidOrName}`);
  return svc;
}

export function listServices(env: ServiceEnv, accountSid: string): ServiceRecord[] {
  return Object.values(st(env, accountSid).services);
}

/** Every domain_name in use on the emulator (all accounts). */
function domainsInUse(env: ServiceEnv): Set<string> {
  const used = new Set<string>();
  for (const account of env.accountsWithState()) {
    for (const svc of Object.values(st(env, account).services)) {
      used.add(svc.domainBase);
      for (const e of Object.values(svc.environments)) used.add(e.domainName);
    }
  }
  return used;
}

function domainBaseFor(env: ServiceEnv, uniqueName: string, sid: string): string {
  const used = domainsInUse(env);
  // Four digits derived from the SID, so deterministic SIDs give deterministic domains.
  let n = (parseInt(sid.slice(-8), 16) % 9000) + 1000;
  const label = uniqueName.toLowerCase().replace(/_/g, '-');
  for (let i = 0; i < 9000; i++) {
    const candidate = `${label}-${n}`;
    if (![...used].some((d) => d === candidate || d.startsWith(`${candidate}-`) || d === `${candidate}.twil.io`)) return candidate;
    n = n === 9999 ? 1000 : n + 1;
  }
  throw new TwilioError(500, 20500, 'No free domain for this service name');
}

export interface CreateServiceInput {
  uniqueName: string;
  friendlyName: string;
  includeCredentials?: boolean;
  uiEditable?: boolean;
}

export function createService(env: ServiceEnv, accountSid: string, input: CreateServiceInput): ServiceRecord {
  if (!/^[A-Za-z0-9_-]+$/.test(input.uniqueName)) {
    throw invalidParam('UniqueName', `may contain only letters, digits, '-' and '_' (got "${input.uniqueName}")`);
  }
  const state = st(env, accountSid);
  if (Object.values(state.services).some((s) => s.uniqueName === input.uniqueName)) {
    throw conflict(`Service with UniqueName ${input.uniqueName} already exists`);
  }
  if (Object.keys(state.services).length >= MAX_SERVICES_PER_ACCOUNT) {
    throw badRequest(`Services are limited to less than or equal to ${MAX_SERVICES_PER_ACCOUNT}`);
  }
  const now = env.clock.isoNow();
  const sid = env.sids.next('ZS');
  const svc: ServiceRecord = {
    sid,
    uniqueName: input.uniqueName,
    friendlyName: input.friendlyName,
    includeCredentials: input.includeCredentials ?? true,
    uiEditable: input.uiEditable ?? false,
    domainBase: domainBaseFor(env, input.uniqueName, sid),
    dateCreated: now,
    dateUpdated: now,
    environments: {},
    functions: {},
    assets: {},
    builds: {},
  };
  state.services[sid] = svc;
  return svc;
}

export function updateService(env: ServiceEnv, accountSid: string, sidOrName: string, patch: { friendlyName?: string; includeCredentials?: boolean; uiEditable?: boolean }): ServiceRecord {
  const svc = getService(env, accountSid, sidOrName);
  if (patch.friendlyName !== undefined) svc.friendlyName = patch.friendlyName;
  if (patch.includeCredentials !== undefined) svc.includeCredentials = patch.includeCredentials;
  if (patch.uiEditable !== undefined) svc.uiEditable = patch.uiEditable;
  svc.dateUpdated = env.clock.isoNow();
  return svc;
}

export function deleteService(env: ServiceEnv, accountSid: string, sidOrName: string): void {
  const svc = getService(env, accountSid, sidOrName);
  delete st(env, accountSid).services[svc.sid];
}

export function getEnvironment(svc: ServiceRecord, sid: string): EnvironmentRecord {
  const e = svc.environments[sid] ?? Object.values(svc.environments).find((x) => x.uniqueName === sid);
  if (!e) throw notFound(`/Services/${svc.sid}/Environments/${sid}`);
  return e;
}

export function createEnvironment(env: ServiceEnv, svc: ServiceRecord, input: { uniqueName: string; domainSuffix?: string }): EnvironmentRecord {
  const suffix = input.domainSuffix === undefined || input.domainSuffix === '' ? null : input.domainSuffix;
  if (suffix !== null && !/^[a-z0-9-]+$/i.test(suffix)) throw invalidParam('DomainSuffix', `may contain only letters, digits and '-' (got "${suffix}")`);
  const clash = Object.values(svc.environments).some((e) => e.uniqueName === input.uniqueName || (e.domainSuffix ?? null) === suffix);
  if (clash) throw conflict('Environment with this UniqueName or DomainSuffix already exists.');
  const now = env.clock.isoNow();
  const record: EnvironmentRecord = {
    sid: env.sids.next('ZE'),
    uniqueName: input.uniqueName,
    domainSuffix: suffix,
    domainName: `${svc.domainBase}${suffix ? `-${suffix.toLowerCase()}` : ''}.twil.io`,
    buildSid: null,
    dateCreated: now,
    dateUpdated: now,
    variables: {},
    deployments: {},
    logs: [],
  };
  svc.environments[record.sid] = record;
  svc.dateUpdated = now;
  return record;
}

export function deleteEnvironment(svc: ServiceRecord, sid: string): void {
  const e = getEnvironment(svc, sid);
  delete svc.environments[e.sid];
}

function collection(svc: ServiceRecord, kind: 'function' | 'asset'): Record<string, ResourceRecord> {
  return kind === 'function' ? svc.functions : svc.assets;
}

function label(kind: 'function' | 'asset'): string {
  return kind === 'function' ? 'Functions' : 'Assets';
}

export function getResource(svc: ServiceRecord, kind: 'function' | 'asset', sid: string): ResourceRecord {
  const r = collection(svc, kind)[sid];
  if (!r) throw notFound(`/Services/${svc.sid}/${label(kind)}/${sid}`);
  return r;
}

export function createResource(env: ServiceEnv, svc: ServiceRecord, kind: 'function' | 'asset', friendlyName: string): ResourceRecord {
  const now = env.clock.isoNow();
  const r: ResourceRecord = { sid: env.sids.next('ZH'), kind, friendlyName, dateCreated: now, dateUpdated: now, versions: {} };
  collection(svc, kind)[r.sid] = r;
  return r;
}

export function updateResource(env: ServiceEnv, svc: ServiceRecord, kind: 'function' | 'asset', sid: string, friendlyName: string): ResourceRecord {
  const r = getResource(svc, kind, sid);
  r.friendlyName = friendlyName;
  r.dateUpdated = env.clock.isoNow();
  return r;
}

/** Builds currently deployed to some environment of the service. */
export function activeBuildSids(svc: ServiceRecord): Set<string> {
  return new Set(
    Object.values(svc.environments)
      .map((e) => e.buildSid)
      .filter((s): s is string => !!s),
  );
}

export function deleteResource(svc: ServiceRecord, kind: 'function' | 'asset', sid: string): void {
  const r = getResource(svc, kind, sid);
  const versionSids = new Set(Object.keys(r.versions));
  for (const buildSid of activeBuildSids(svc)) {
    const b = svc.builds[buildSid];
    if (b && [...b.functionVersions, ...b.assetVersions].some((v) => versionSids.has(v))) {
      throw conflict(`Cannot delete ${kind === 'function' ? 'Function' : 'Asset'} ${sid} because it is part of an active Build (${buildSid})`);
    }
  }
  delete collection(svc, kind)[r.sid];
}

export function createVersion(
  env: ServiceEnv,
  svc: ServiceRecord,
  kind: 'function' | 'asset',
  parentSid: string,
  input: { path: string; visibility: Visibility; content: Buffer; contentType: string },
): VersionRecord {
  const parent = getResource(svc, kind, parentSid);
  const normalizedPath = input.path.startsWith('/') ? input.path : `/${input.path}`;
  if (/\s/.test(normalizedPath) || normalizedPath.length > 255) throw invalidParam('Path', `must be a URL path of at most 255 characters without spaces (got "${input.path}")`);
  const v: VersionRecord = {
    sid: env.sids.next('ZN'),
    parentSid: parent.sid,
    kind,
    path: normalizedPath,
    visibility: input.visibility,
    contentBase64: input.content.toString('base64'),
    contentType: input.contentType || (kind === 'function' ? 'application/javascript' : 'application/octet-stream'),
    dateCreated: env.clock.isoNow(),
  };
  parent.versions[v.sid] = v;
  return v;
}

export function getVersion(svc: ServiceRecord, kind: 'function' | 'asset', parentSid: string, sid: string): VersionRecord {
  const parent = getResource(svc, kind, parentSid);
  const v = parent.versions[sid];
  if (!v) throw notFound(`/Services/${svc.sid}/${label(kind)}/${parentSid}/Versions/${sid}`);
  return v;
}

/** A version anywhere in the service (for builds). */
export function findVersion(svc: ServiceRecord, kind: 'function' | 'asset', sid: string): VersionRecord | undefined {
  for (const r of Object.values(collection(svc, kind))) if (r.versions[sid]) return r.versions[sid];
  return undefined;
}

/** The project's root (where node_modules lives): deployed code resolves packages from there. */
export function projectRoot(): string {
  const twilioPkg = require.resolve('twilio/package.json');
  return path.resolve(path.dirname(twilioPkg), '..', '..');
}

function checkValue(value: string): void {
  if (Buffer.byteLength(value, 'utf8') > MAX_VARIABLE_VALUE_BYTES) {
    throw invalidParam('Value', `must be at most ${MAX_VARIABLE_VALUE_BYTES} bytes (got ${Buffer.byteLength(value, 'utf8')})`);
  }
}

function checkKey(e: EnvironmentRecord, key: string, exceptSid?: string): void {
  if (key.length > 128) throw invalidParam('Key', `must be at most 128 characters (got ${key.length})`);
  if (Object.values(e.variables).some((v) => v.key === key && v.sid !== exceptSid)) {
    throw conflict(`Variable with Key ${key} already exists in environment ${e.sid}`);
  }
}

export function createVariable(env: ServiceEnv, e: EnvironmentRecord, key: string, value: string): VariableRecord {
  checkKey(e, key);
  checkValue(value);
  const now = env.clock.isoNow();
  const v: VariableRecord = { sid: env.sids.next('ZV'), key, value, dateCreated: now, dateUpdated: now };
  e.variables[v.sid] = v;
  return v;
}

export function getVariable(svc: ServiceRecord, e: EnvironmentRecord, sid: string): VariableRecord {
  const v = e.variables[sid];
  if (!v) throw notFound(`/Services/${svc.sid}/Environments/${e.sid}/Variables/${sid}`);
  return v;
}

export function updateVariable(env: ServiceEnv, svc: ServiceRecord, e: EnvironmentRecord, sid: string, patch: { key?: string; value?: string }): VariableRecord {
  const v = getVariable(svc, e, sid);
  if (patch.key !== undefined) checkKey(e, patch.key, sid);
  if (patch.value !== undefined) checkValue(patch.value);
  if (patch.key !== undefined) v.key = patch.key;
  if (patch.value !== undefined) v.value = patch.value;
  v.dateUpdated = env.clock.isoNow();
  return v;
}

export function deleteVariable(svc: ServiceRecord, e: EnvironmentRecord, sid: string): void {
  const v = getVariable(svc, e, sid);
  delete e.variables[v.sid];
}

/** Environment variables as the runtime exposes them in `context`. */
export function variableMap(e: EnvironmentRecord): Record<string, string> {
  return Object.fromEntries(Object.values(e.variables).map((v) => [v.key, v.value]));
}

export function appendLog(env: ServiceEnv, e: EnvironmentRecord, entry: Omit<LogRecord, 'sid' | 'dateCreated' | 'timeMs'>): LogRecord {
  const now = env.clock.now();
  const log: LogRecord = { ...entry, sid: env.sids.next('NO'), dateCreated: toTwilioIso(now), timeMs: now };
  e.logs.push(log);
  if (e.logs.length > MAX_LOGS_PER_ENVIRONMENT) e.logs.splice(0, e.logs.length - MAX_LOGS_PER_ENVIRONMENT);
  return log;
}

export function listLogs(e: EnvironmentRecord, filter: { functionSid?: string; start?: number; end?: number }): LogRecord[] {
  // Newest first, like Twilio's log listing.
  return e.logs
    .filter(
      (l) =>
        (filter.functionSid === undefined || l.functionSid === filter.functionSid) && (filter.start === undefined || l.timeMs >= filter.start) && (filter.end === undefined || l.timeMs <= filter.end),
    )
    .reverse();
}

export function getLog(svc: ServiceRecord, e: EnvironmentRecord, sid: string): LogRecord {
  const l = e.logs.find((x) => x.sid === sid);
  if (!l) throw notFound(`/Services/${svc.sid}/Environments/${e.sid}/Logs/${sid}`);
  return l;
}

export interface DeployedTarget {
  accountSid: string;
  service: ServiceRecord;
  environment: EnvironmentRecord;
  build: BuildRecord;
}

/** The live build behind a deployed domain, across all accounts. */
export function findByDomain(env: ServiceEnv, domain: string): DeployedTarget | { accountSid: string; service: ServiceRecord; environment: EnvironmentRecord; build?: undefined } | undefined {
  const wanted = domain.toLowerCase();
  for (const accountSid of env.accountsWithState('serverless')) {
    for (const service of Object.values(st(env, accountSid).services)) {
      for (const environment of Object.values(service.environments)) {
        if (environment.domainName !== wanted) continue;
        const build = environment.buildSid ? service.builds[environment.buildSid] : undefined;
        return { accountSid, service, environment, build };
      }
    }
  }
  return undefined;
}
