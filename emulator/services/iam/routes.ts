/** IAM HTTP mapping: Flex token validation and API keys. */
import type { EmulatorRequest, HandlerResult, RouteDef, ServiceEnv, ApiKeyRecord } from '../../core/types';
import { Params, paginate, notFound, toRfc2822, invalidParam, badRequest } from '../../core';
import { createKey, getKey, validateFlexToken } from './models';

function serializeKey(key: ApiKeyRecord, withSecret = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    sid: key.sid,
    friendly_name: key.friendlyName,
    date_created: toRfc2822(Date.parse(key.dateCreated)),
    date_updated: toRfc2822(Date.parse(key.dateUpdated)),
  };
  if (withSecret) out.secret = key.secret;
  else out.policy = null;
  return out;
}

/** `AccountSid` params must name the caller's account (or one it owns); others are invisible. */
function accountParam(req: EmulatorRequest, env: ServiceEnv, value: string): string {
  if (!/^AC[0-9a-fA-F]{32}$/.test(value)) throw invalidParam('AccountSid', `must be an AC SID (got "${value}")`);
  const target = env.accounts.get(value);
  if (value !== req.accountSid && target?.ownerAccountSid !== req.accountSid) throw notFound(`/v1/Keys?AccountSid=${value}`);
  return value;
}

function validateToken(req: EmulatorRequest, env: ServiceEnv): HandlerResult {
  const body = req.json as { token?: unknown } | undefined;
  if (req.json === undefined && req.body.token === undefined) throw badRequest('Missing required parameter token in the post body');
  const token = body && typeof body === 'object' ? body.token : req.body.token;
  return { status: 200, body: validateFlexToken(env, req.accountSid, token) };
}

export const iamRoutes: RouteDef[] = [
  // Not in twilio_iam_v1.json: Flex's token validation (JSON body {token}).
  { method: 'POST', path: '/v1/Accounts/{AccountSid}/Tokens/validate', operationId: 'ValidateFlexToken', mutating: false, handler: validateToken },
  {
    method: 'GET',
    path: '/v1/Keys',
    operationId: 'ListGetKeys',
    handler: (req, env) => {
      const accountSid = accountParam(req, env, new Params(req.query, 'query').string('AccountSid', { required: true }));
      const keys = env.accounts.listApiKeys(accountSid).sort((a, b) => a.dateCreated.localeCompare(b.dateCreated) || a.sid.localeCompare(b.sid));
      return {
        status: 200,
        body: paginate(
          req,
          keys,
          (k) => ({ sid: k.sid, friendly_name: k.friendlyName, date_created: toRfc2822(Date.parse(k.dateCreated)), date_updated: toRfc2822(Date.parse(k.dateUpdated)), flags: [] }),
          { key: 'keys' },
        ),
      };
    },
  },
  {
    method: 'POST',
    path: '/v1/Keys',
    operationId: 'CreateNewKey',
    handler: (req, env) => {
      const p = new Params(req.body);
      const accountSid = accountParam(req, env, p.string('AccountSid', { required: true }));
      const key = createKey(env, accountSid, p.string('FriendlyName', { maxLength: 64 }), p.string('KeyType'));
      return { status: 201, body: serializeKey(key, true) };
    },
  },
  { method: 'GET', path: '/v1/Keys/{Sid}', operationId: 'FetchKey', handler: (req, env) => ({ status: 200, body: serializeKey(getKey(env, req.accountSid, req.pathParams.Sid)) }) },
  {
    method: 'POST',
    path: '/v1/Keys/{Sid}',
    operationId: 'UpdateKey',
    handler: (req, env) => {
      const key = getKey(env, req.accountSid, req.pathParams.Sid);
      const p = new Params(req.body);
      const updated = env.accounts.updateApiKey(key.sid, { friendlyName: p.string('FriendlyName', { maxLength: 64 }) });
      return { status: 200, body: serializeKey(updated) };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/Keys/{Sid}',
    operationId: 'DeleteKey',
    handler: (req, env) => {
      const key = getKey(env, req.accountSid, req.pathParams.Sid);
      env.accounts.deleteApiKey(key.sid);
      return { status: 204 };
    },
  },
];
