/** Serverless v1 + serverless-upload HTTP mapping: params -> models -> JSON. */
import type { EmulatorRequest, RouteDef, ServiceEnv } from '../../core/types';
import { Params, missingParam, paginate } from '../../core';
import * as m from './models';
import * as ser from './serializers';

const svcOf = (req: EmulatorRequest, env: ServiceEnv, param = 'ServiceSid') => m.getService(env, req.accountSid, req.pathParams[param]);
const body = (req: EmulatorRequest) => new Params(req.body);
const query = (req: EmulatorRequest) => new Params(req.query, 'query');

function lookup(svc: m.ServiceRecord) {
  return (kind: 'function' | 'asset', sid: string) => m.findVersion(svc, kind, sid);
}

/** Routes for one of Functions / Assets (same shape, different names). */
function resourceRoutes(kind: 'function' | 'asset'): RouteDef[] {
  const Plural = kind === 'function' ? 'Functions' : 'Assets';
  const Name = kind === 'function' ? 'Function' : 'Asset';
  const key = kind === 'function' ? 'functions' : 'assets';
  const parentParam = kind === 'function' ? 'FunctionSid' : 'AssetSid';
  return [
    {
      method: 'GET',
      path: `/v1/Services/{ServiceSid}/${Plural}`,
      operationId: `List${Name}`,
      handler: (req, env) => {
        const svc = svcOf(req, env);
        const items = Object.values(kind === 'function' ? svc.functions : svc.assets);
        return { status: 200, body: paginate(req, items, (r) => ser.serializeResource(req.accountSid, svc, r), { key }) };
      },
    },
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
    {
      method: 'GET',
      path: `/v1/Services/{ServiceSid}/${Plural}/{Sid}`,
      operationId: `Fetch${Name}`,
      handler: (req, env) => {
        const svc = svcOf(req, env);
        return { status: 200, body: ser.serializeResource(req.accountSid, svc, m.getResource(svc, kind, req.pathParams.Sid)) };
      },
    },
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
    {
      method: 'DELETE',
      path: `/v1/Services/{ServiceSid}/${Plural}/{Sid}`,
      operationId: `Delete${Name}`,
      handler: (req, env) => {
        m.deleteResource(svcOf(req, env), kind, req.pathParams.Sid);
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: `/v1/Services/{ServiceSid}/${Plural}/{${parentParam}}/Versions`,
      operationId: `List${Name}Version`,
      handler: (req, env) => {
        const svc = svcOf(req, env);
        const parent = m.getResource(svc, kind, req.pathParams[parentParam]);
        return { status: 200, body: paginate(req, Object.values(parent.versions), (v) => ser.serializeVersion(req.accountSid, svc, v), { key: kind === 'function' ? 'function_versions' : 'asset_versions' }) };
      },
    },
    {
      method: 'GET',
      path: `/v1/Services/{ServiceSid}/${Plural}/{${parentParam}}/Versions/{Sid}`,
      operationId: `Fetch${Name}Version`,
      handler: (req, env) => {
        const svc = svcOf(req, env);
        return { status: 200, body: ser.serializeVersion(req.accountSid, svc, m.getVersion(svc, kind, req.pathParams[parentParam], req.pathParams.Sid)) };
      },
    },
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
  {
    method: 'GET',
    path: '/v1/Services',
    operationId: 'ListService',
    handler: (req, env) => ({ status: 200, body: paginate(req, m.listServices(env, req.accountSid), (s) => ser.serializeService(req.accountSid, s), { key: 'services' }) }),
  },
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
  { method: 'GET', path: '/v1/Services/{Sid}', operationId: 'FetchService', handler: (req, env) => ({ status: 200, body: ser.serializeService(req.accountSid, svcOf(req, env, 'Sid')) }) },
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
  {
    method: 'DELETE',
    path: '/v1/Services/{Sid}',
    operationId: 'DeleteService',
    handler: (req, env) => {
      m.deleteService(env, req.accountSid, req.pathParams.Sid);
      return { status: 204 };
    },
  },

  // ------------------------------------------------------------ Environments
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Environments',
    operationId: 'ListEnvironment',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      return { status: 200, body: paginate(req, Object.values(svc.environments), (e) => ser.serializeEnvironment(req.accountSid, svc, e), { key: 'environments' }) };
    },
  },
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
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Environments/{Sid}',
    operationId: 'FetchEnvironment',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      return { status: 200, body: ser.serializeEnvironment(req.accountSid, svc, m.getEnvironment(svc, req.pathParams.Sid)) };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/Services/{ServiceSid}/Environments/{Sid}',
    operationId: 'DeleteEnvironment',
    handler: (req, env) => {
      m.deleteEnvironment(svcOf(req, env), req.pathParams.Sid);
      return { status: 204 };
    },
  },

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
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Builds',
    operationId: 'ListBuild',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      return { status: 200, body: paginate(req, Object.values(svc.builds), (b) => ser.serializeBuild(req.accountSid, svc, b, lookup(svc)), { key: 'builds' }) };
    },
  },
  {
    method: 'POST',
    path: '/v1/Services/{ServiceSid}/Builds',
    operationId: 'CreateBuild',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      const p = body(req);
      const b = m.createBuild(env, req.accountSid, svc, {
        functionVersions: p.list('FunctionVersions'),
        assetVersions: p.list('AssetVersions'),
        dependencies: p.string('Dependencies'),
        runtime: p.string('Runtime'),
      });
      return { status: 201, body: ser.serializeBuild(req.accountSid, svc, b, lookup(svc)) };
    },
  },
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Builds/{Sid}',
    operationId: 'FetchBuild',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      return { status: 200, body: ser.serializeBuild(req.accountSid, svc, m.getBuild(svc, req.pathParams.Sid), lookup(svc)) };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/Services/{ServiceSid}/Builds/{Sid}',
    operationId: 'DeleteBuild',
    handler: (req, env) => {
      m.deleteBuild(svcOf(req, env), req.pathParams.Sid);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Builds/{Sid}/Status',
    operationId: 'FetchBuildStatus',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      return { status: 200, body: ser.serializeBuildStatus(req.accountSid, svc, m.getBuild(svc, req.pathParams.Sid)) };
    },
  },

  // ------------------------------------------------------------- Deployments
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Deployments',
    operationId: 'ListDeployment',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      const e = m.getEnvironment(svc, req.pathParams.EnvironmentSid);
      return { status: 200, body: paginate(req, Object.values(e.deployments), (d) => ser.serializeDeployment(req.accountSid, svc, e, d), { key: 'deployments' }) };
    },
  },
  {
    method: 'POST',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Deployments',
    operationId: 'CreateDeployment',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      const p = body(req);
      const buildSid = p.string('BuildSid');
      p.bool('IsPlugin');
      const d = m.createDeployment(env, svc, req.pathParams.EnvironmentSid, buildSid === '' ? undefined : buildSid);
      return { status: 201, body: ser.serializeDeployment(req.accountSid, svc, m.getEnvironment(svc, req.pathParams.EnvironmentSid), d) };
    },
  },
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Deployments/{Sid}',
    operationId: 'FetchDeployment',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      const e = m.getEnvironment(svc, req.pathParams.EnvironmentSid);
      return { status: 200, body: ser.serializeDeployment(req.accountSid, svc, e, m.getDeployment(svc, e, req.pathParams.Sid)) };
    },
  },

  // --------------------------------------------------------------- Variables
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables',
    operationId: 'ListVariable',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      const e = m.getEnvironment(svc, req.pathParams.EnvironmentSid);
      return { status: 200, body: paginate(req, Object.values(e.variables), (v) => ser.serializeVariable(req.accountSid, svc, e, v), { key: 'variables' }) };
    },
  },
  {
    method: 'POST',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables',
    operationId: 'CreateVariable',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      const e = m.getEnvironment(svc, req.pathParams.EnvironmentSid);
      const p = body(req);
      const v = m.createVariable(env, e, p.string('Key', { required: true }), p.string('Value', { required: true, allowEmpty: true }));
      return { status: 201, body: ser.serializeVariable(req.accountSid, svc, e, v) };
    },
  },
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables/{Sid}',
    operationId: 'FetchVariable',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      const e = m.getEnvironment(svc, req.pathParams.EnvironmentSid);
      return { status: 200, body: ser.serializeVariable(req.accountSid, svc, e, m.getVariable(svc, e, req.pathParams.Sid)) };
    },
  },
  {
    method: 'POST',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables/{Sid}',
    operationId: 'UpdateVariable',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      const e = m.getEnvironment(svc, req.pathParams.EnvironmentSid);
      const p = body(req);
      const v = m.updateVariable(env, svc, e, req.pathParams.Sid, { key: p.string('Key'), value: p.string('Value') });
      return { status: 200, body: ser.serializeVariable(req.accountSid, svc, e, v) };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables/{Sid}',
    operationId: 'DeleteVariable',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      m.deleteVariable(svc, m.getEnvironment(svc, req.pathParams.EnvironmentSid), req.pathParams.Sid);
      return { status: 204 };
    },
  },

  // -------------------------------------------------------------------- Logs
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Logs',
    operationId: 'ListLog',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      const e = m.getEnvironment(svc, req.pathParams.EnvironmentSid);
      const q = query(req);
      const logs = m.listLogs(e, { functionSid: q.string('FunctionSid'), start: q.date('StartDate'), end: q.date('EndDate') });
      return { status: 200, body: paginate(req, logs, (l) => ser.serializeLog(req.accountSid, svc, e, l), { key: 'logs' }) };
    },
  },
  {
    method: 'GET',
    path: '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Logs/{Sid}',
    operationId: 'FetchLog',
    handler: (req, env) => {
      const svc = svcOf(req, env);
      const e = m.getEnvironment(svc, req.pathParams.EnvironmentSid);
      return { status: 200, body: ser.serializeLog(req.accountSid, svc, e, m.getLog(svc, e, req.pathParams.Sid)) };
    },
  },
];
