/** Serverless v1 JSON shapes (snake_case, the spec's fields, Twilio-host URLs). */
import { resourceUrl } from '../../core';
import type { BuildRecord, DeploymentRecord, EnvironmentRecord, LogRecord, ResourceRecord, ServiceRecord, VariableRecord, VersionRecord } from './models';

const url = (p: string) => resourceUrl('serverless', `/v1${p}`);

export function serializeService(accountSid: string, s: ServiceRecord): Record<string, unknown> {
  const base = `/Services/${s.sid}`;
  return {
    sid: s.sid,
    account_sid: accountSid,
    friendly_name: s.friendlyName,
    unique_name: s.uniqueName,
    include_credentials: s.includeCredentials,
    ui_editable: s.uiEditable,
    domain_base: s.domainBase,
    date_created: s.dateCreated,
    date_updated: s.dateUpdated,
    url: url(base),
    links: {
      environments: url(`${base}/Environments`),
      functions: url(`${base}/Functions`),
      assets: url(`${base}/Assets`),
      builds: url(`${base}/Builds`),
    },
  };
}

export function serializeEnvironment(accountSid: string, s: ServiceRecord, e: EnvironmentRecord): Record<string, unknown> {
  const base = `/Services/${s.sid}/Environments/${e.sid}`;
  return {
    sid: e.sid,
    account_sid: accountSid,
    service_sid: s.sid,
    build_sid: e.buildSid,
    unique_name: e.uniqueName,
    domain_suffix: e.domainSuffix,
    domain_name: e.domainName,
    date_created: e.dateCreated,
    date_updated: e.dateUpdated,
    url: url(base),
    links: { variables: url(`${base}/Variables`), deployments: url(`${base}/Deployments`), logs: url(`${base}/Logs`) },
  };
}

export function serializeResource(accountSid: string, s: ServiceRecord, r: ResourceRecord): Record<string, unknown> {
  const base = `/Services/${s.sid}/${r.kind === 'function' ? 'Functions' : 'Assets'}/${r.sid}`;
  return {
    sid: r.sid,
    account_sid: accountSid,
    service_sid: s.sid,
    friendly_name: r.friendlyName,
    date_created: r.dateCreated,
    date_updated: r.dateUpdated,
    url: url(base),
    links: r.kind === 'function' ? { function_versions: url(`${base}/Versions`) } : { asset_versions: url(`${base}/Versions`) },
  };
}

export function serializeVersion(accountSid: string, s: ServiceRecord, v: VersionRecord): Record<string, unknown> {
  const base = `/Services/${s.sid}/${v.kind === 'function' ? 'Functions' : 'Assets'}/${v.parentSid}/Versions/${v.sid}`;
  const out: Record<string, unknown> = {
    sid: v.sid,
    account_sid: accountSid,
    service_sid: s.sid,
    [v.kind === 'function' ? 'function_sid' : 'asset_sid']: v.parentSid,
    path: v.path,
    visibility: v.visibility,
    date_created: v.dateCreated,
    url: url(base),
  };
  if (v.kind === 'function') out.links = { function_version_content: url(`${base}/Content`) };
  return out;
}

export function serializeVersionContent(accountSid: string, s: ServiceRecord, v: VersionRecord): Record<string, unknown> {
  return {
    sid: v.sid,
    account_sid: accountSid,
    service_sid: s.sid,
    function_sid: v.parentSid,
    content: Buffer.from(v.contentBase64, 'base64').toString('utf8'),
    url: url(`/Services/${s.sid}/Functions/${v.parentSid}/Versions/${v.sid}/Content`),
  };
}

/** Versions embedded in a build (Twilio's example shows upper-case visibility there). */
function embeddedVersion(accountSid: string, s: ServiceRecord, v: VersionRecord | undefined, sid: string): Record<string, unknown> {
  if (!v) return { sid };
  return {
    sid: v.sid,
    account_sid: accountSid,
    service_sid: s.sid,
    [v.kind === 'function' ? 'function_sid' : 'asset_sid']: v.parentSid,
    date_created: v.dateCreated,
    path: v.path,
    visibility: v.visibility.toUpperCase(),
  };
}

export function serializeBuild(accountSid: string, s: ServiceRecord, b: BuildRecord, lookup: (kind: 'function' | 'asset', sid: string) => VersionRecord | undefined): Record<string, unknown> {
  const base = `/Services/${s.sid}/Builds/${b.sid}`;
  return {
    sid: b.sid,
    account_sid: accountSid,
    service_sid: s.sid,
    status: b.status,
    asset_versions: b.assetVersions.map((sid) => embeddedVersion(accountSid, s, lookup('asset', sid), sid)),
    function_versions: b.functionVersions.map((sid) => embeddedVersion(accountSid, s, lookup('function', sid), sid)),
    dependencies: b.dependencies.map((d) => ({ name: d.name, version: d.version })),
    runtime: b.runtime,
    date_created: b.dateCreated,
    date_updated: b.dateUpdated,
    url: url(base),
    links: { build_status: url(`${base}/Status`) },
  };
}

export function serializeBuildStatus(accountSid: string, s: ServiceRecord, b: BuildRecord): Record<string, unknown> {
  return { sid: b.sid, account_sid: accountSid, service_sid: s.sid, status: b.status, url: url(`/Services/${s.sid}/Builds/${b.sid}/Status`) };
}

/** The fields every resource of an environment carries: its SID, its parents and its URL. */
function environmentChild(accountSid: string, s: ServiceRecord, e: EnvironmentRecord, collection: string, sid: string) {
  return { sid, account_sid: accountSid, service_sid: s.sid, environment_sid: e.sid, url: url(`/Services/${s.sid}/Environments/${e.sid}/${collection}/${sid}`) };
}

export function serializeDeployment(accountSid: string, s: ServiceRecord, e: EnvironmentRecord, d: DeploymentRecord): Record<string, unknown> {
  return { ...environmentChild(accountSid, s, e, 'Deployments', d.sid), build_sid: d.buildSid, date_created: d.dateCreated, date_updated: d.dateUpdated };
}

export function serializeVariable(accountSid: string, s: ServiceRecord, e: EnvironmentRecord, v: VariableRecord): Record<string, unknown> {
  return { ...environmentChild(accountSid, s, e, 'Variables', v.sid), key: v.key, value: v.value, date_created: v.dateCreated, date_updated: v.dateUpdated };
}

export function serializeLog(accountSid: string, s: ServiceRecord, e: EnvironmentRecord, l: LogRecord): Record<string, unknown> {
  return {
    ...environmentChild(accountSid, s, e, 'Logs', l.sid),
    build_sid: l.buildSid,
    deployment_sid: l.deploymentSid,
    function_sid: l.functionSid,
    request_sid: l.requestSid,
    level: l.level,
    message: l.message,
    date_created: l.dateCreated,
  };
}
