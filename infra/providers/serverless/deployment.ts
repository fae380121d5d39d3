// What runs in a Serverless Environment: function and asset versions, the
// build made of them, its deployment, and the environment's variables.
//
// Incremental by design: only files whose content or visibility changed are
// uploaded; a build and a deployment happen only when the set of versions,
// the dependencies or the runtime changed (or variables did, which take
// effect on a deployment); variables are written only when they differ, and
// variables the stack no longer declares are removed. A no-op `up` makes no
// API call at all.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import type FormDataType from 'form-data';
import { createSafely } from '../runtime/create-safely';
import type { ResourceType } from '../runtime/define';
import { TwilioResource } from '../resource';
import { deleteIfPresent, retryIdempotent, sleep } from '../runtime/retry';
import { Checks } from '../runtime/validate';
import { openServerlessClient, type TwilioSession } from '../runtime/twilio';

export type Visibility = 'public' | 'protected' | 'private';

/** One function or asset as the program gives it. */
export interface SourceFile {
  /** URL path, e.g. `/chat/transfer`. */
  path: string;
  visibility: Visibility;
  /** File content (UTF-8); not kept in outputs. */
  content?: string;
  /** sha256 of the content; filled in by check. */
  sha256?: string;
}

/** A file as deployed: which Function/Asset and which version carry it. */
export interface DeployedFile extends SourceFile {
  resourceSid: string;
  versionSid: string;
  /**
   * False when the Function/Asset already existed in the service (an adopted
   * service may hold one at the same path): destroy leaves it. Absent in
   * state written before this was recorded: the stack's own.
   */
  ownResource?: boolean;
}

/** Only Functions and Assets the stack created are the stack's to delete. */
const isOwn = (f: DeployedFile) => f.ownResource !== false;

export interface DeploymentInputs {
  serviceSid: string;
  environmentSid: string;
  /** Twilio Functions runtime; default `node22`. */
  runtime?: string;
  functions: SourceFile[];
  assets?: SourceFile[];
  /** npm dependencies of the build, name → version. */
  dependencies?: Record<string, string>;
  /** Environment variables (not secret: they are kept in state). */
  variables?: Record<string, string>;
}

export interface DeploymentOutputs extends DeploymentInputs {
  functions: DeployedFile[];
  assets: DeployedFile[];
  buildSid: string;
  deploymentSid: string;
  /** Variable key → ZV sid. */
  variableSids: Record<string, string>;
}

export const RUNTIMES = ['node18', 'node20', 'node22'] as const;

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

function normalizeFiles(files: SourceFile[] | undefined): SourceFile[] {
  return [...(files ?? [])]
    .map((f) => ({ path: f.path, visibility: f.visibility, content: f.content, sha256: f.content !== undefined ? sha256(f.content) : f.sha256 }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Files compare by path, visibility and content hash, never by content. */
function sameFiles(a: unknown, b: unknown): boolean {
  const key = (files: unknown) => JSON.stringify(((files as SourceFile[] | undefined) ?? []).map((f) => [f.path, f.visibility, f.sha256]).sort());
  return key(a) === key(b);
}

type Kind = 'Functions' | 'Assets';

export const deploymentType: ResourceType<DeploymentInputs, DeploymentOutputs> = {
  kind: 'Deployment',
  label: (p) => `Serverless Deployment of ${p.environmentSid ?? '?'}`,
  normalize: (i) => ({
    ...i,
    runtime: i.runtime ?? 'node22',
    functions: normalizeFiles(i.functions),
    assets: normalizeFiles(i.assets),
    dependencies: i.dependencies ?? {},
    variables: i.variables ?? {},
  }),
  validate(i, known) {
    const c = new Checks(i, known).sid('serviceSid', 'ZS').sid('environmentSid', 'ZE').oneOf('runtime', RUNTIMES);
    const seen = new Set<string>();
    for (const [kind, files] of [
      ['functions', i.functions],
      ['assets', i.assets],
    ] as const) {
      if (!known(kind)) continue;
      if (kind === 'functions' && (!Array.isArray(files) || files.length === 0)) {
        c.failures.push({ property: kind, reason: 'functions must list at least one function (Twilio builds need a version)' });
        continue;
      }
      (files ?? []).forEach((f, n) => {
        const where = `${kind}[${n}]`;
        if (typeof f.path !== 'string' || !/^\/[A-Za-z0-9_\-./]*$/.test(f.path)) {
          c.failures.push({ property: kind, reason: `${where}.path must start with '/' and use letters, digits, '_', '-', '.', '/', got '${f.path}'` });
        } else if (seen.has(f.path)) {
          c.failures.push({ property: kind, reason: `${where}.path '${f.path}' is used twice` });
        }
        seen.add(f.path);
        if (!['public', 'protected', 'private'].includes(f.visibility)) {
          c.failures.push({ property: kind, reason: `${where}.visibility must be public, protected or private, got '${f.visibility}'` });
        }
        if (typeof f.content !== 'string') c.failures.push({ property: kind, reason: `${where}.content must be the file's text` });
      });
    }
    for (const [key, value] of Object.entries(known('variables') ? (i.variables ?? {}) : {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(key)) c.failures.push({ property: 'variables', reason: `variables key '${key}' must be a valid identifier of at most 128 characters` });
      if (typeof value !== 'string') c.failures.push({ property: 'variables', reason: `variables.${key} must be a string` });
      else if (Buffer.byteLength(value) > 450) c.failures.push({ property: 'variables', reason: `variables.${key} is ${Buffer.byteLength(value)} bytes; Twilio allows 450` });
    }
    return c.failures;
  },
  diffKeys: ['serviceSid', 'environmentSid', 'runtime', 'functions', 'assets', 'dependencies', 'variables'],
  equals: { functions: sameFiles, assets: sameFiles },
  replaceKeys: ['serviceSid', 'environmentSid'],
  create: async (i, twilio) => ({ id: i.environmentSid, outs: await sync(undefined, i, twilio) }),
  async read(_id, olds, twilio) {
    const env = await twilio.call(deploymentType.label(olds), 'read its environment', () =>
      retryIdempotent(() => twilio.client.serverless.v1.services(olds.serviceSid).environments(olds.environmentSid).fetch()),
    );
    const variables = await twilio.call(deploymentType.label(olds), 'read its variables', () =>
      retryIdempotent(() => twilio.client.serverless.v1.services(olds.serviceSid).environments(olds.environmentSid).variables.list()),
    );
    // Drift the stack can see: another build deployed, variables edited in the Console.
    // A foreign build marks every file changed, so the next `up` redeploys ours.
    const foreignBuild = (env.buildSid ?? '') !== olds.buildSid;
    const mark = (files: DeployedFile[]) => files.map((f) => (foreignBuild ? { ...f, sha256: `replaced-by-${env.buildSid ?? 'no-build'}` } : f));
    return {
      ...olds,
      functions: mark(olds.functions),
      assets: mark(olds.assets ?? []),
      buildSid: env.buildSid ?? '',
      variables: Object.fromEntries(variables.map((v) => [v.key, v.value])),
      variableSids: Object.fromEntries(variables.map((v) => [v.key, v.sid])),
    };
  },
  update: (_id, olds, news, twilio) => sync(olds, news, twilio),
  async delete(_id, olds, twilio) {
    const service = twilio.client.serverless.v1.services(olds.serviceSid);
    const label = deploymentType.label(olds);
    // Deploying no build frees the versions, so their Functions can be deleted.
    await twilio.call(label, 'undeploy it', () => retryIdempotent(() => service.environments(olds.environmentSid).deployments.create({})));
    for (const sid of Object.values(olds.variableSids ?? {})) {
      await twilio.call(label, 'delete a variable', () => deleteIfPresent(() => service.environments(olds.environmentSid).variables(sid).remove()));
    }
    for (const f of (olds.functions ?? []).filter(isOwn)) {
      await twilio.call(label, `delete function ${f.path}`, () => deleteIfPresent(() => service.functions(f.resourceSid).remove()));
    }
    for (const a of (olds.assets ?? []).filter(isOwn)) {
      await twilio.call(label, `delete asset ${a.path}`, () => deleteIfPresent(() => service.assets(a.resourceSid).remove()));
    }
  },
};

/** Brings the environment from `olds` (undefined: nothing known) to `news`. */
async function sync(olds: DeploymentOutputs | undefined, news: DeploymentInputs, twilio: TwilioSession): Promise<DeploymentOutputs> {
  const label = deploymentType.label(news);
  const service = twilio.client.serverless.v1.services(news.serviceSid);

  const functions = await syncFiles('Functions', olds?.functions ?? [], news.functions, news.serviceSid, twilio);
  const assets = await syncFiles('Assets', olds?.assets ?? [], news.assets ?? [], news.serviceSid, twilio);
  const versionsChanged =
    !sameVersions(olds?.functions, functions.files) ||
    !sameVersions(olds?.assets, assets.files) ||
    olds?.runtime !== news.runtime ||
    JSON.stringify(olds?.dependencies ?? {}) !== JSON.stringify(news.dependencies ?? {});

  const variables = await syncVariables(olds, news, twilio);

  let buildSid = olds?.buildSid ?? '';
  let deploymentSid = olds?.deploymentSid ?? '';
  if (versionsChanged || !buildSid) {
    buildSid = await build(news, functions.files, assets.files, twilio);
  }
  if (versionsChanged || variables.changed || !deploymentSid) {
    deploymentSid = await deploy(news, buildSid, twilio);
  }

  // Only now, with the new build live, may files that left the program go.
  for (const gone of [...functions.removed, ...assets.removed].filter(isOwn)) {
    const api = functions.removed.includes(gone) ? service.functions(gone.resourceSid) : service.assets(gone.resourceSid);
    await twilio.call(label, `delete ${gone.path}`, () => deleteIfPresent(() => api.remove()));
  }

  return {
    ...news,
    functions: functions.files,
    assets: assets.files,
    buildSid,
    deploymentSid,
    variableSids: variables.sids,
  };
}

function sameVersions(a: DeployedFile[] | undefined, b: DeployedFile[]): boolean {
  const key = (files: DeployedFile[]) =>
    files
      .map((f) => f.versionSid)
      .sort()
      .join(',');
  return a !== undefined && key(a) === key(b);
}

/** Uploads new versions of changed files; reuses the versions of unchanged ones. */
async function syncFiles(kind: Kind, previous: DeployedFile[], wanted: SourceFile[], serviceSid: string, twilio: TwilioSession) {
  const before = new Map(previous.map((f) => [f.path, f]));
  const files: DeployedFile[] = [];
  let existing: Map<string, string> | undefined;
  for (const f of wanted) {
    const old = before.get(f.path);
    if (old && old.sha256 === f.sha256 && old.visibility === f.visibility) {
      files.push({ path: f.path, visibility: f.visibility, sha256: f.sha256, resourceSid: old.resourceSid, versionSid: old.versionSid, ownResource: old.ownResource });
      continue;
    }
    let resourceSid = old?.resourceSid;
    let ownResource = old?.ownResource;
    if (!resourceSid) {
      existing ??= await listResources(kind, serviceSid, twilio);
      resourceSid = existing.get(f.path);
      ownResource = resourceSid === undefined;
      resourceSid ??= await createResource(kind, serviceSid, f.path, twilio);
    }
    const versionSid = await uploadVersion(kind, serviceSid, resourceSid, f, twilio);
    files.push({ path: f.path, visibility: f.visibility, sha256: f.sha256, resourceSid, versionSid, ownResource });
  }
  const keep = new Set(wanted.map((f) => f.path));
  return { files, removed: previous.filter((f) => !keep.has(f.path)) };
}

/** What Functions and Assets have in common. */
interface NamedResourceList {
  list(): Promise<Array<{ sid: string; friendlyName: string }>>;
  create(params: { friendlyName: string }): Promise<{ sid: string }>;
}

function resourceApi(kind: Kind, serviceSid: string, twilio: TwilioSession): NamedResourceList {
  const service = twilio.client.serverless.v1.services(serviceSid);
  return (kind === 'Functions' ? service.functions : service.assets) as unknown as NamedResourceList;
}

async function listResources(kind: Kind, serviceSid: string, twilio: TwilioSession): Promise<Map<string, string>> {
  const list = await twilio.call(`Serverless ${kind}`, 'list them', () => retryIdempotent(() => resourceApi(kind, serviceSid, twilio).list()));
  return new Map(list.map((r) => [r.friendlyName, r.sid]));
}

/** Functions and Assets are named by their path, which makes them findable after a lost response. */
async function createResource(kind: Kind, serviceSid: string, filePath: string, twilio: TwilioSession): Promise<string> {
  const api = resourceApi(kind, serviceSid, twilio);
  const label = `Serverless ${kind === 'Functions' ? 'Function' : 'Asset'} ${filePath}`;
  const created = await twilio.call(label, 'create it', () =>
    createSafely<{ sid: string }>({
      describe: label,
      create: () => api.create({ friendlyName: filePath }),
      find: async () => (await api.list()).filter((r) => r.friendlyName === filePath),
    }),
  );
  return created.sid;
}

/**
 * Uploads through serverless-upload (multipart), as `twilio serverless:deploy`
 * does. A version whose response was lost is an unused, harmless extra
 * (Twilio keeps every version); the retry uploads again.
 */
async function uploadVersion(kind: Kind, serviceSid: string, resourceSid: string, f: SourceFile, twilio: TwilioSession): Promise<string> {
  const client = openServerlessClient(twilio.settings);
  const label = `Serverless ${kind === 'Functions' ? 'Function' : 'Asset'} ${f.path}`;
  return twilio.call(label, 'upload a version', () =>
    retryIdempotent(async () => {
      // Loaded here, in the provider process: the program never uploads.
      const FormData = require('form-data') as typeof FormDataType;
      const form = new FormData();
      form.append('Path', f.path);
      form.append('Visibility', f.visibility);
      form.append('Content', Buffer.from(f.content ?? '', 'utf8'), {
        filename: path.posix.basename(f.path) + (kind === 'Functions' ? '.js' : ''),
        contentType: kind === 'Functions' ? 'application/javascript' : 'application/octet-stream',
      });
      const response = (await client.request('post', `Services/${serviceSid}/${kind}/${resourceSid}/Versions`, {
        responseType: 'text',
        prefixUrl: 'https://serverless-upload.twilio.com/v1',
        body: form,
        retry: { limit: 0 },
      })) as { body: string };
      return (JSON.parse(response.body) as { sid: string }).sid;
    }),
  );
}

async function build(news: DeploymentInputs, functions: DeployedFile[], assets: DeployedFile[], twilio: TwilioSession): Promise<string> {
  const builds = twilio.client.serverless.v1.services(news.serviceSid).builds;
  const label = deploymentType.label(news);
  const functionVersions = functions.map((f) => f.versionSid);
  const assetVersions = assets.map((a) => a.versionSid);
  const dependencies = JSON.stringify(Object.entries(news.dependencies ?? {}).map(([name, version]) => ({ name, version })));
  const sameSet = (a: string[] | undefined, b: string[]) => JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...b].sort());
  const created = await twilio.call(label, 'start a build', () =>
    createSafely<{ sid: string }>({
      describe: `${label}: build`,
      create: () => builds.create({ functionVersions, assetVersions, dependencies, runtime: news.runtime }),
      // A build of exactly these versions that has not failed is the one we asked for.
      find: async () =>
        (await builds.list({ limit: 20 }))
          .filter(
            (b) =>
              b.status !== 'failed' &&
              sameSet(
                (b.functionVersions as Array<{ sid: string }> | null)?.map((v) => v.sid),
                functionVersions,
              ) &&
              sameSet(
                (b.assetVersions as Array<{ sid: string }> | null)?.map((v) => v.sid),
                assetVersions,
              ),
          )
          .slice(0, 1),
    }),
  );
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    const status = await twilio.call(label, 'read the build status', () => retryIdempotent(() => builds(created.sid).buildStatus().fetch()));
    if (status.status === 'completed') return created.sid;
    if (status.status === 'failed') {
      throw new Error(`${label}: build ${created.sid} failed; check the functions compile and the dependencies resolve (Twilio Console > Functions > Logs)`);
    }
    if (Date.now() > deadline) throw new Error(`${label}: build ${created.sid} did not finish within 5 minutes`);
    await sleep(250);
  }
}

async function deploy(news: DeploymentInputs, buildSid: string, twilio: TwilioSession): Promise<string> {
  const environment = twilio.client.serverless.v1.services(news.serviceSid).environments(news.environmentSid);
  const label = deploymentType.label(news);
  const created = await twilio.call(label, `deploy build ${buildSid}`, () =>
    createSafely<{ sid: string }>({
      describe: `${label}: deployment`,
      create: () => environment.deployments.create({ buildSid }),
      // The environment already runs this build: the lost deployment happened.
      find: async () => {
        const env = await environment.fetch();
        if (env.buildSid !== buildSid) return [];
        return (await environment.deployments.list({ limit: 20 })).filter((d) => d.buildSid === buildSid).slice(0, 1);
      },
    }),
  );
  return created.sid;
}

/** Writes variables that differ, removes ones no longer declared. */
async function syncVariables(olds: DeploymentOutputs | undefined, news: DeploymentInputs, twilio: TwilioSession) {
  const api = twilio.client.serverless.v1.services(news.serviceSid).environments(news.environmentSid).variables;
  const label = deploymentType.label(news);
  const wanted = news.variables ?? {};
  let current: Record<string, { sid: string; value: string }>;
  if (olds) {
    current = Object.fromEntries(Object.entries(olds.variables ?? {}).map(([k, v]) => [k, { sid: olds.variableSids?.[k] ?? '', value: v }]));
  } else {
    // First deploy into this environment: whatever is there is ours to reconcile.
    const live = await twilio.call(label, 'list variables', () => retryIdempotent(() => api.list()));
    current = Object.fromEntries(live.map((v) => [v.key, { sid: v.sid, value: v.value }]));
  }
  const sids: Record<string, string> = {};
  let changed = false;
  for (const [key, value] of Object.entries(wanted)) {
    const have = current[key];
    if (have?.sid && have.value === value) {
      sids[key] = have.sid;
      continue;
    }
    changed = true;
    if (have?.sid) {
      await twilio.call(label, `update variable ${key}`, () => retryIdempotent(() => api(have.sid).update({ value })));
      sids[key] = have.sid;
    } else {
      const v = await twilio.call(label, `create variable ${key}`, () =>
        createSafely<{ sid: string; value: string }>({
          describe: `${label}: variable ${key}`,
          create: () => api.create({ key, value }),
          find: async () => (await api.list()).filter((x) => x.key === key),
        }),
      );
      // Found after a lost response but holding another value: set ours.
      if (v.value !== value) await twilio.call(label, `update variable ${key}`, () => retryIdempotent(() => api(v.sid).update({ value })));
      sids[key] = v.sid;
    }
  }
  for (const [key, have] of Object.entries(current)) {
    if (key in wanted || !have.sid) continue;
    changed = true;
    await twilio.call(label, `delete stale variable ${key}`, () => deleteIfPresent(() => api(have.sid).remove()));
  }
  return { sids, changed };
}

export type DeploymentArgs = { [K in keyof DeploymentInputs]: pulumi.Input<DeploymentInputs[K]> };

export class Deployment extends TwilioResource {
  declare readonly buildSid: pulumi.Output<string>;
  declare readonly deploymentSid: pulumi.Output<string>;
  declare readonly variables: pulumi.Output<Record<string, string>>;
  constructor(name: string, args: DeploymentArgs, opts?: pulumi.CustomResourceOptions) {
    super('Deployment', name, { buildSid: undefined, deploymentSid: undefined, variableSids: undefined, ...args }, opts);
  }
}
