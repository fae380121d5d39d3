/** Serverless v1 + serverless-upload HTTP mapping: params -> models -> JSON. */
import type { EmulatorRequest, RouteDef, ServiceEnv } from '../../core/types';
import { Params, missingParam } from '../../core';
import { collectionRoutes } from './collection';
import * as buildModels from './builds';
import * as m from './models';
import * as ser from './serializers';

const svcOf = (req: EmulatorRequest, env: ServiceEnv) => m.getService(env, req.accountSid, req.pathParams.ServiceSid);
const body = (req: EmulatorRequest) => new Params(req.body);
const query = (req: EmulatorRequest) => new Params(req.query, 'query');

/** The Service and Environment a `/Services/{ServiceSid}/Environments/{EnvironmentSid}/...` path names (404 for either). */
function environmentOf(req: EmulatorRequest, env: ServiceEnv): { svc: m.ServiceRecord; e: m.EnvironmentRecord } {
  const svc = svcOf(req, env);
  return { svc, e: m.getEnvironment(svc, req.pathParams.EnvironmentSid) };
}

function lookup(svc: m.ServiceRecord) {
  return (kind: 'function' | 'asset', sid: string) => m.findVersion(svc, kind, sid);
}

const services = collectionRoutes({
  path: '/v1/Services',
  name: 'Service',
  key: 'services',
  parent: (req, env) => ({ env, accountSid: req.accountSid }),
  items: (a) => m.listServices(a.env, a.accountSid),
  get: (a, sid) => m.getService(a.env, a.accountSid, sid),
  serialize: (accountSid, _a, s) => ser.serializeService(accountSid, s),
  remove: (a, sid) => m.deleteService(a.env, a.accountSid, sid),
});

const environments = collectionRoutes({
  path: '/v1/Services/{ServiceSid}/Environments',
  name: 'Environment',
  key: 'environments',
  parent: svcOf,
  items: (svc) => Object.values(svc.environments),
  get: m.getEnvironment,
  serialize: ser.serializeEnvironment,
  remove: m.deleteEnvironment,
});

const builds = collectionRoutes({
  path: '/v1/Services/{ServiceSid}/Builds',
  name: 'Build',
  key: 'builds',
  parent: svcOf,
  items: (svc) => Object.values(svc.builds),
  get: buildModels.getBuild,
  serialize: (accountSid, svc, b) => ser.serializeBuild(accountSid, svc, b, lookup(svc)),
  remove: buildModels.deleteBuild,
});

const deployments = collectionRoutes({
  path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Deployments',
  name: 'Deployment',
  key: 'deployments',
  parent: environmentOf,
  items: ({ e }) => Object.values(e.deployments),
  get: ({ svc, e }, sid) => buildModels.getDeployment(svc, e, sid),
  serialize: (accountSid, { svc, e }, d) => ser.serializeDeployment(accountSid, svc, e, d),
});

const variables = collectionRoutes({
  path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables',
  name: 'Variable',
  key: 'variables',
  parent: environmentOf,
  items: ({ e }) => Object.values(e.variables),
  get: ({ svc, e }, sid) => m.getVariable(svc, e, sid),
  serialize: (accountSid, { svc, e }, v) => ser.serializeVariable(accountSid, svc, e, v),
  remove: ({ svc, e }, sid) => m.deleteVariable(svc, e, sid),
});

const logs = collectionRoutes({
  path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Logs',
  name: 'Log',
  key: 'logs',
  parent: environmentOf,
  items: ({ e }, req) => {
    const q = query(req);
    return m.listLogs(e, { functionSid: q.string('FunctionSid'), start: q.date('StartDate'), end: q.date('EndDate') });
  },
  get: ({ svc, e }, sid) => m.getLog(svc, e, sid),
  serialize: (accountSid, { svc, e }, l) => ser.serializeLog(accountSid, svc, e, l),
});

/** Routes for one of Functions / Assets (same shape, different names). */
function resourceRoutes(kind: 'function' | 'asset'): RouteDef[] {
  const Plural = kind === 'function' ? 'Functions' : 'Assets';
  const Name = kind === 'function' ? 'Function' : 'Asset';
  const parentParam = kind === 'function' ? 'FunctionSid' : 'AssetSid';
  const resources = collectionRoutes({
    path: `/v1/Services/{ServiceSid}/${Plural}`,
    name: Name,
    key: kind === 'function' ? 'functions' : 'assets',
    parent: svcOf,
    items: (svc) => Object.values(kind === 'function' ? svc.functions : svc.assets),
    get: (svc, sid) => m.getResource(svc, kind, sid),
    serialize: ser.serializeResource,
    remove: (svc, sid) => m.deleteResource(svc, kind, sid),
  });
  const versions = collectionRoutes({
    path: `/v1/Services/{ServiceSid}/${Plural}/{${parentParam}}/Versions`,
    name: `${Name}Version`,
    key: kind === 'function' ? 'function_versions' : 'asset_versions',
    parent: (req, env) => {
      const svc = svcOf(req, env);
      return { svc, resource: m.getResource(svc, kind, req.pathParams[parentParam]) };
    },
    items: ({ resource }) => Object.values(resource.versions),
    get: ({ svc, resource }, sid) => m.getVersion(svc, kind, resource.sid, sid),
    serialize: (accountSid, { svc }, v) => ser.serializeVersion(accountSid, svc, v),
  });
  return [
    resources.list,
    {
      method: 'POST',
      path: `/v1/Services/{ServiceSid}/${Plural}`,
      operationId: `Create${Name}`,
      handler: (req, env) => {
        const svc = svcOf(req, env);
        const r = m.createResource(env, svc, kind, body(req).string('FriendlyName', { required: true, maxLength: 255 }));
        return { status: 201, body: ser.serializeResource(req.accountSid, svc, r) };
      },
    },
    resources.fetch,
    {
      method: 'POST',
      path: `/v1/Services/{ServiceSid}/${Plural}/{Sid}`,
      operationId: `Update${Name}`,
      handler: (req, env) => {
        const svc = svcOf(req, env);
        const r = m.updateResource(env, svc, kind, req.pathParams.Sid, body(req).string('FriendlyName', { required: true, maxLength: 255 }));
        return { status: 200, body: ser.serializeResource(req.accountSid, svc, r) };
      },
    },
    resources.remove,
    versions.list,
    versions.fetch,
    {
      // Not in twilio_serverless_v1.json: uploads go to serverless-upload.twilio.com (multipart).
      method: 'POST',
      host: 'serverless-upload',
      path: `/v1/Services/{ServiceSid}/${Plural}/{${parentParam}}/Versions`,
      operationId: `Create${Name}Version`,
      handler: (req, env) => {
        const svc = svcOf(req, env);
        const p = body(req);
        const versionPath = p.string('Path', { required: true });
        const visibility = p.enumOf('Visibility', m.VISIBILITIES, { required: true })!;
        const file = req.files.find((f) => f.field === 'Content');
        let content: Buffer;
        let contentType: string;
        if (file) {
          content = file.content;
          contentType = file.contentType;
        } else if (typeof req.body.Content === 'string') {
          content = Buffer.from(req.body.Content);
          contentType = kind === 'function' ? 'application/javascript' : 'text/plain';
        } else {
          throw missingParam('Content');
        }
        const v = m.createVersion(env, svc, kind, req.pathParams[parentParam], { path: versionPath, visibility, content, contentType });
        return { status: 201, body: ser.serializeVersion(req.accountSid, svc, v) };
      },
    },
  ];
}

export const serverlessRoutes: RouteDef[] = [
  // ---------------------------------------------------------------- Services
  services.list,
  {
    method: 'POST',
    path: '/v1/Services',
    operationId: 'CreateService',
    handler: (req, env) => {
      const p = body(req);
      const svc = m.createService(env, req.accountSid, {
        uniqueName: p.string('UniqueName', { required: true, maxLength: 50 }),
        friendlyName: p.string('FriendlyName', { required: true, maxLength: 255 }),
        includeCredentials: p.bool('IncludeCredentials'),
        uiEditable: p.bool('UiEditable'),
      });
      return { status: 201, body: ser.serializeService(req.accountSid, svc) };
    },
  },
  services.fetch,
  {
    method: 'POST',
    path: '/v1/Services/{Sid}',
    operationId: 'UpdateService',
    handler: (req, env) => {
      const p = body(req);
      const svc = m.updateService(env, req.accountSid, req.pathParams.Sid, {
        friendlyName: p.string('FriendlyName', { maxLength: 255 }),
        includeCredentials: p.bool('IncludeCredentials'),
        uiEditable: p.bool('UiEditable'),
      });
      return { status: 200, body: ser.serializeService(req.accountSid, svc) };
    },
  },
  services.remove,

  // ------------------------------------------------------------ Environments
  environments.list,
  {
    method: 'POST',
    path: '/v1/Services/{ServiceSid}/Environments',
    operationId: 'CreateEnvironment',
    // @twilio-labs/serverless-api sends FriendlyName; the spec omits it and Twilio ignores it.
    extraParams: ['FriendlyName'],
    handler: (req, env) => {
      const svc = svcOf(req, env);
      const p = body(req);
      const e = m.createEnvironment(env, svc, { uniqueName: p.string('UniqueName', { required: true, maxLength: 100 }), domainSuffix: p.string('DomainSuffix', { maxLength: 16 }) });
      return { status: 201, body: ser.serializeEnvironment(req.accountSid, svc, e) };
    },
  },
  environments.fetch,
  environments.remove,

  // ------------------------------------------------------ Functions / Assets
  ...resourceRoutes('function'),
  ...resourceRoutes('asset'),
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions/{Sid}/Content',
    operationId: 'FetchFunctionVersionContent',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      return { status: 200, body: ser.serializeVersionContent(req.accountSid, svc, m.getVersion(svc, 'function', req.pathParams.FunctionSid, req.pathParams.Sid)) };
    },
  },

  // ------------------------------------------------------------------ Builds
  builds.list,
  {
    method: 'POST',
    path: '/v1/Services/{ServiceSid}/Builds',
    operationId: 'CreateBuild',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      const p = body(req);
      const b = buildModels.createBuild(env, req.accountSid, svc, {
        functionVersions: p.list('FunctionVersions'),
        assetVersions: p.list('AssetVersions'),
        dependencies: p.string('Dependencies'),
        runtime: p.string('Runtime'),
      });
      return { status: 201, body: ser.serializeBuild(req.accountSid, svc, b, lookup(svc)) };
    },
  },
  builds.fetch,
  builds.remove,
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Builds/{Sid}/Status',
    operationId: 'FetchBuildStatus',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      return { status: 200, body: ser.serializeBuildStatus(req.accountSid, svc, buildModels.getBuild(svc, req.pathParams.Sid)) };
    },
  },

  // ------------------------------------------------------------- Deployments
  deployments.list,
  {
    method: 'POST',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Deployments',
    operationId: 'CreateDeployment',
    handler: (req, env) => {
      // Not environmentOf: the parameters are read before createDeployment looks the Environment up, so a malformed IsPlugin is a 400 even when the Environment is missing.
      const svc = svcOf(req, env);
      const p = body(req);
      const buildSid = p.string('BuildSid');
      p.bool('IsPlugin');
      const d = buildModels.createDeployment(env, svc, req.pathParams.EnvironmentSid, buildSid === '' ? undefined : buildSid);
      return { status: 201, body: ser.serializeDeployment(req.accountSid, svc, m.getEnvironment(svc, req.pathParams.EnvironmentSid), d) };
    },
  },
  deployments.fetch,

  // --------------------------------------------------------------- Variables
  variables.list,
  {
    method: 'POST',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables',
    operationId: 'CreateVariable',
    handler: (req, env) => {
      const { svc, e } = environmentOf(req, env);
      const p = body(req);
      const v = m.createVariable(env, e, p.string('Key', { required: true }), p.string('Value', { required: true, allowEmpty: true }));
      return { status: 201, body: ser.serializeVariable(req.accountSid, svc, e, v) };
    },
  },
  variables.fetch,
  {
    method: 'POST',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables/{Sid}',
    operationId: 'UpdateVariable',
    handler: (req, env) => {
      const { svc, e } = environmentOf(req, env);
      const p = body(req);
      const v = m.updateVariable(env, svc, e, req.pathParams.Sid, { key: p.string('Key'), value: p.string('Value') });
      return { status: 200, body: ser.serializeVariable(req.accountSid, svc, e, v) };
    },
  },
  variables.remove,

  // -------------------------------------------------------------------- Logs
  logs.list,
  logs.fetch,
];
