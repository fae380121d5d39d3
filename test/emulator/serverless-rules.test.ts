/**
 * Serverless v1 rules: uniqueness, validation, builds that fail, deployments,
 * variables, delete rules, domain names — all with spec checking on.
 */
import { startEmulator, type Emulator } from '../../emulator';
import { createTwilioClient } from '../../clients';

// Response bodies are checked by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

type Client = ReturnType<typeof createTwilioClient>;

function auth(emu: Emulator): string {
  return 'Basic ' + Buffer.from(`${emu.credentials.accountSid}:${emu.credentials.authToken}`).toString('base64');
}

async function post(emu: Emulator, path: string, form: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  const res = await fetch(`${emu.baseUrl}${path}`, { method: 'POST', headers: { Authorization: auth(emu), 'Content-Type': 'application/x-www-form-urlencoded' }, body: body.toString() });
  return { status: res.status, body: (await res.json()) as Json };
}

async function upload(emu: Emulator, serviceSid: string, kind: 'Functions' | 'Assets', parentSid: string, fields: { Path?: string; Visibility?: string; content?: string }) {
  const form = new FormData();
  if (fields.Path !== undefined) form.append('Path', fields.Path);
  if (fields.Visibility !== undefined) form.append('Visibility', fields.Visibility);
  if (fields.content !== undefined) form.append('Content', new Blob([fields.content], { type: 'application/javascript' }), 'file.js');
  const res = await fetch(`${emu.baseUrl}/serverless-upload/v1/Services/${serviceSid}/${kind}/${parentSid}/Versions`, { method: 'POST', headers: { Authorization: auth(emu) }, body: form });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('serverless rules', () => {
  let emu: Emulator;
  let client: Client;

  beforeAll(async () => {
    emu = await startEmulator({ clock: 'manual', specCheck: true, deterministicSids: true, buildDurationMs: 1000 });
    client = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
  });
  afterAll(async () => emu.stop());
  beforeEach(() => emu.reset());

  async function serviceWithFunction(code = 'exports.handler = (c, e, cb) => cb(null, "ok");', name = 'svc') {
    const svc = await client.serverless.v1.services.create({ uniqueName: name, friendlyName: name });
    const fn = await client.serverless.v1.services(svc.sid).functions.create({ friendlyName: 'fn' });
    const version = await upload(emu, svc.sid, 'Functions', fn.sid, { Path: 'fn', Visibility: 'public', content: code });
    expect(version.status).toBe(201);
    return { svc, fn, versionSid: version.body.sid as string, version: version.body };
  }

  async function completedBuild(svcSid: string, versionSid: string) {
    const build = await client.serverless.v1.services(svcSid).builds.create({ functionVersions: [versionSid] });
    emu.clock.advance(1000);
    return build;
  }

  test('service unique names are unique per account (409) and usable in URLs', async () => {
    const svc = await client.serverless.v1.services.create({ uniqueName: 'dup', friendlyName: 'x' });
    expect(svc.domainBase).toMatch(/^dup-\d{4}$/);
    expect(svc.includeCredentials).toBe(true);
    await expect(client.serverless.v1.services.create({ uniqueName: 'dup', friendlyName: 'y' })).rejects.toMatchObject({ status: 409, code: 20409 });
    expect((await client.serverless.v1.services('dup').fetch()).sid).toBe(svc.sid);
  });

  test('unique name is immutable: update ignores it (not a parameter) and changes friendly name', async () => {
    const svc = await client.serverless.v1.services.create({ uniqueName: 'imm', friendlyName: 'before' });
    const updated = await client.serverless.v1.services(svc.sid).update({ friendlyName: 'after', includeCredentials: false });
    expect(updated).toMatchObject({ uniqueName: 'imm', friendlyName: 'after', includeCredentials: false });
  });

  test('invalid unique names and over-long names are rejected naming the field', async () => {
    const bad = await post(emu, '/serverless/v1/Services', { UniqueName: 'has space', FriendlyName: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('UniqueName');
    const long = await post(emu, '/serverless/v1/Services', { UniqueName: 'a'.repeat(51), FriendlyName: 'x' });
    expect(long.status).toBe(400);
    expect(long.body.message).toContain('UniqueName');
  });

  test('environments: domain_name from the service and suffix; duplicates are 409', async () => {
    const svc = await client.serverless.v1.services.create({ uniqueName: 'My_Svc', friendlyName: 'x' });
    const dev = await client.serverless.v1.services(svc.sid).environments.create({ uniqueName: 'dev-environment', domainSuffix: 'dev' });
    expect(dev.domainName).toBe(`${svc.domainBase.toLowerCase().replace(/_/g, '-')}-dev.twil.io`);
    expect(dev.buildSid).toBeNull();
    const prod = await client.serverless.v1.services(svc.sid).environments.create({ uniqueName: 'production' });
    expect(prod.domainSuffix).toBeNull();
    expect(prod.domainName).toBe(`${svc.domainBase.toLowerCase().replace(/_/g, '-')}.twil.io`);
    await expect(client.serverless.v1.services(svc.sid).environments.create({ uniqueName: 'other', domainSuffix: 'dev' })).rejects.toMatchObject({
      status: 409,
      message: 'Environment with this UniqueName or DomainSuffix already exists.',
    });
  });

  test('versions: Path gets a leading slash; Visibility and Content are required', async () => {
    const { svc, fn, version } = await serviceWithFunction();
    expect(version.path).toBe('/fn');
    expect(version.function_sid).toBe(fn.sid);
    const noVis = await upload(emu, svc.sid, 'Functions', fn.sid, { Path: '/x', content: 'x' });
    expect(noVis.status).toBe(400);
    expect(noVis.body.message).toBe('Missing required parameter Visibility in the post body');
    const badVis = await upload(emu, svc.sid, 'Functions', fn.sid, { Path: '/x', Visibility: 'secret', content: 'x' });
    expect(badVis.status).toBe(400);
    expect(badVis.body.message).toContain('Visibility');
    const noContent = await upload(emu, svc.sid, 'Functions', fn.sid, { Path: '/x', Visibility: 'public' });
    expect(noContent.status).toBe(400);
    expect(noContent.body.message).toContain('Content');
    const content = await client.serverless.v1.services(svc.sid).functions(fn.sid).functionVersions(version.sid).functionVersionContent().fetch();
    expect(content.content).toContain('exports.handler');
  });

  test('a build goes building -> completed on the clock; deployment sets build_sid', async () => {
    const { svc, versionSid } = await serviceWithFunction();
    const build = await client.serverless.v1.services(svc.sid).builds.create({ functionVersions: [versionSid], runtime: 'node22' });
    expect(build.status).toBe('building');
    expect(build.functionVersions).toEqual([expect.objectContaining({ sid: versionSid, path: '/fn' })]);
    const env = await client.serverless.v1.services(svc.sid).environments.create({ uniqueName: 'dev', domainSuffix: 'dev' });
    await expect(client.serverless.v1.services(svc.sid).environments(env.sid).deployments.create({ buildSid: build.sid })).rejects.toMatchObject({ status: 400 });
    emu.clock.advance(1000);
    const deployment = await client.serverless.v1.services(svc.sid).environments(env.sid).deployments.create({ buildSid: build.sid });
    expect(deployment.buildSid).toBe(build.sid);
    expect((await client.serverless.v1.services(svc.sid).environments(env.sid).fetch()).buildSid).toBe(build.sid);
    expect((await client.serverless.v1.services(svc.sid).environments(env.sid).deployments.list()).map((d) => d.sid)).toEqual([deployment.sid]);
  });

  test('a function that does not parse makes the build fail', async () => {
    const { svc, versionSid } = await serviceWithFunction('exports.handler = (context, event, callback => {');
    const build = await client.serverless.v1.services(svc.sid).builds.create({ functionVersions: [versionSid] });
    emu.clock.advance(1000);
    expect((await client.serverless.v1.services(svc.sid).builds(build.sid).buildStatus().fetch()).status).toBe('failed');
  });

  test('a dependency that cannot be resolved makes the build fail; installed ones complete', async () => {
    const { svc, versionSid } = await serviceWithFunction();
    const bad = await post(emu, `/serverless/v1/Services/${svc.sid}/Builds`, { FunctionVersions: versionSid, Dependencies: '"[{"name":"no-such-package-xyz","version":"1.0.0"}]"' });
    expect(bad.status).toBe(201);
    const good = await post(emu, `/serverless/v1/Services/${svc.sid}/Builds`, { FunctionVersions: versionSid, Dependencies: JSON.stringify([{ name: 'busboy', version: '1.6.0' }]) });
    emu.clock.advance(1000);
    expect((await client.serverless.v1.services(svc.sid).builds(bad.body.sid).fetch()).status).toBe('failed');
    const goodBuild = await client.serverless.v1.services(svc.sid).builds(good.body.sid).fetch();
    expect(goodBuild.status).toBe('completed');
    expect(goodBuild.dependencies).toEqual([{ name: 'busboy', version: '1.6.0' }]);
  });

  test('build validation: at least one version, versions of this service, runtime, Dependencies JSON', async () => {
    const { svc, versionSid } = await serviceWithFunction();
    const other = await serviceWithFunction(undefined, 'other');
    const none = await post(emu, `/serverless/v1/Services/${svc.sid}/Builds`, {});
    expect(none.body).toMatchObject({ status: 400, message: 'At least one function version or asset version is required.' });
    const foreign = await post(emu, `/serverless/v1/Services/${svc.sid}/Builds`, { FunctionVersions: other.versionSid });
    expect(foreign.status).toBe(400);
    expect(foreign.body.message).toContain('FunctionVersions');
    const runtime = await post(emu, `/serverless/v1/Services/${svc.sid}/Builds`, { FunctionVersions: versionSid, Runtime: 'node4' });
    expect(runtime.status).toBe(400);
    expect(runtime.body.message).toContain('Runtime');
    const deps = await post(emu, `/serverless/v1/Services/${svc.sid}/Builds`, { FunctionVersions: versionSid, Dependencies: '{oops' });
    expect(deps.status).toBe(400);
    expect(deps.body.message).toContain('Dependencies');
  });

  test('Dependencies: plain JSON, serverless-api quoted JSON and empty', async () => {
    const { svc, versionSid } = await serviceWithFunction();
    const builds = `/serverless/v1/Services/${svc.sid}/Builds`;
    const deps = [{ name: 'twilio', version: '1' }];
    for (const sent of [JSON.stringify(deps), `"${JSON.stringify(deps)}"`, JSON.stringify(JSON.stringify(deps))]) {
      const build = await post(emu, builds, { FunctionVersions: versionSid, Dependencies: sent });
      expect(build).toMatchObject({ status: 201, body: { dependencies: deps } });
    }
    expect(await post(emu, builds, { FunctionVersions: versionSid })).toMatchObject({ status: 201, body: { dependencies: [] } });
    const bad = await post(emu, builds, { FunctionVersions: versionSid, Dependencies: '[{"name": 1}]' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/Dependencies: item 0/);
  });

  test('delete rules: deployed build and its functions cannot be deleted; others can', async () => {
    const { svc, fn, versionSid } = await serviceWithFunction();
    const build = await completedBuild(svc.sid, versionSid);
    const env = await client.serverless.v1.services(svc.sid).environments.create({ uniqueName: 'dev', domainSuffix: 'dev' });
    await client.serverless.v1.services(svc.sid).environments(env.sid).deployments.create({ buildSid: build.sid });
    await expect(client.serverless.v1.services(svc.sid).builds(build.sid).remove()).rejects.toMatchObject({ status: 409 });
    await expect(client.serverless.v1.services(svc.sid).functions(fn.sid).remove()).rejects.toMatchObject({ status: 409 });
    // Clearing the environment (a deployment without BuildSid) frees them.
    await client.serverless.v1.services(svc.sid).environments(env.sid).deployments.create({});
    expect((await client.serverless.v1.services(svc.sid).environments(env.sid).fetch()).buildSid).toBeNull();
    expect(await client.serverless.v1.services(svc.sid).builds(build.sid).remove()).toBe(true);
    expect(await client.serverless.v1.services(svc.sid).functions(fn.sid).remove()).toBe(true);
    await expect(client.serverless.v1.services(svc.sid).functions(fn.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    expect(await client.serverless.v1.services(svc.sid).environments(env.sid).remove()).toBe(true);
    expect(await client.serverless.v1.services(svc.sid).remove()).toBe(true);
    expect(await client.serverless.v1.services.list()).toEqual([]);
  });

  test('variables: Key unique per environment, Value <= 450 bytes, update and delete', async () => {
    const svc = await client.serverless.v1.services.create({ uniqueName: 'vars', friendlyName: 'v' });
    const env = await client.serverless.v1.services(svc.sid).environments.create({ uniqueName: 'dev', domainSuffix: 'dev' });
    const vars = client.serverless.v1.services(svc.sid).environments(env.sid).variables;
    const v = await vars.create({ key: 'API_URL', value: 'https://example.test' });
    await expect(vars.create({ key: 'API_URL', value: 'other' })).rejects.toMatchObject({ status: 409 });
    await expect(vars.create({ key: 'BIG', value: 'x'.repeat(451) })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('Value') });
    expect((await vars.create({ key: 'EXACT', value: 'é'.repeat(225) })).value).toHaveLength(225); // 450 bytes
    const updated = await client.serverless.v1.services(svc.sid).environments(env.sid).variables(v.sid).update({ value: 'changed' });
    expect(updated).toMatchObject({ key: 'API_URL', value: 'changed' });
    await expect(client.serverless.v1.services(svc.sid).environments(env.sid).variables(v.sid).update({ key: 'EXACT' })).rejects.toMatchObject({ status: 409 });
    expect(await client.serverless.v1.services(svc.sid).environments(env.sid).variables(v.sid).remove()).toBe(true);
    expect((await vars.list()).map((x) => x.key)).toEqual(['EXACT']);
    const missing = await post(emu, `/serverless/v1/Services/${svc.sid}/Environments/${env.sid}/Variables`, { Key: 'K' });
    expect(missing.body).toMatchObject({ status: 400, message: 'Missing required parameter Value in the post body' });
  });

  test('assets and asset versions', async () => {
    const svc = await client.serverless.v1.services.create({ uniqueName: 'assets', friendlyName: 'a' });
    const asset = await client.serverless.v1.services(svc.sid).assets.create({ friendlyName: 'logo' });
    expect(asset.sid).toMatch(/^ZH/);
    const v = await upload(emu, svc.sid, 'Assets', asset.sid, { Path: '/logo.svg', Visibility: 'private', content: '<svg/>' });
    expect(v.body).toMatchObject({ asset_sid: asset.sid, path: '/logo.svg', visibility: 'private' });
    expect((await client.serverless.v1.services(svc.sid).assets(asset.sid).assetVersions.list()).map((x) => x.sid)).toEqual([v.body.sid]);
    expect((await client.serverless.v1.services(svc.sid).assets(asset.sid).update({ friendlyName: 'logo2' })).friendlyName).toBe('logo2');
  });

  test('every serverless operation in the spec is implemented, and these flows conform', async () => {
    // Touch the remaining read operations so they are exercised too.
    const { svc, fn, versionSid } = await serviceWithFunction();
    const build = await completedBuild(svc.sid, versionSid);
    await client.serverless.v1.services(svc.sid).builds.list();
    await client.serverless.v1.services(svc.sid).builds(build.sid).fetch();
    await client.serverless.v1.services(svc.sid).functions(fn.sid).functionVersions.list();
    await client.serverless.v1.services(svc.sid).functions(fn.sid).functionVersions(versionSid).fetch();
    await client.serverless.v1.services(svc.sid).functions(fn.sid).update({ friendlyName: 'renamed' });
    await client.serverless.v1.services(svc.sid).functions.list();
    await client.serverless.v1.services(svc.sid).assets.list();
    const env = await client.serverless.v1.services(svc.sid).environments.create({ uniqueName: 'e', domainSuffix: 'e' });
    const dep = await client.serverless.v1.services(svc.sid).environments(env.sid).deployments.create({ buildSid: build.sid });
    await client.serverless.v1.services(svc.sid).environments(env.sid).deployments(dep.sid).fetch();
    await client.serverless.v1.services(svc.sid).environments.list();
    const coverage = emu.spec.coverage().products.serverless_v1;
    expect(coverage.notImplemented).toEqual([]);
    expect(coverage.implemented).toBe(coverage.specOperations);
    const violations = emu.spec.violations().filter((v) => v.kind === 'response');
    expect(violations).toEqual([]);
  });
});
