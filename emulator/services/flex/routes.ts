/** Flex v1 HTTP mapping (flex-api.twilio.com): Configuration and Interactions. */
import { toTwilioIso } from '../../core/clock';
import { badRequest, notFound } from '../../core/errors';
import { paginate } from '../../core/paging';
import { Params } from '../../core/params';
import { resourceUrl } from '../../core/urls';
import type { EmulatorRequest, RouteDef, ServiceEnv } from '../../core/types';
import type { TaskRouterApi } from '../taskrouter';
import { flexInstanceSid, getConfiguration, updateConfiguration } from './configuration';
import { transferSettingsRoutes } from './transfer-settings';
import {
  createInteraction,
  createInvite,
  createParticipant,
  createTransfer,
  interactionPath,
  inviteRoutingProperties,
  requireChannel,
  requireInteraction,
  updateChannelStatus,
  updateParticipantStatus,
  updateTransfer,
} from './interactions';
import type { FlexParticipantRec, InteractionChannelRec, InteractionRec, InviteRec, ParticipantType, TransferRec } from './state';

const url = (path: string) => resourceUrl('flex-api', path);

/** JSON body keys of Configuration update (the spec's request schema lists none; these are the resource's fields). */
const CONFIGURATION_KEYS = [
  'account_sid',
  'date_created',
  'date_updated',
  'attributes',
  'status',
  'taskrouter_workspace_sid',
  'taskrouter_target_workflow_sid',
  'taskrouter_target_taskqueue_sid',
  'taskrouter_taskqueues',
  'taskrouter_skills',
  'taskrouter_worker_channels',
  'taskrouter_worker_attributes',
  'taskrouter_offline_activity_sid',
  'runtime_domain',
  'messaging_service_instance_sid',
  'chat_service_instance_sid',
  'flex_service_instance_sid',
  'flex_instance_sid',
  'ui_language',
  'ui_attributes',
  'ui_dependencies',
  'ui_version',
  'service_version',
  'call_recording_enabled',
  'call_recording_webhook_url',
  'crm_enabled',
  'crm_type',
  'crm_callback_url',
  'crm_fallback_url',
  'crm_attributes',
  'public_attributes',
  'plugin_service_enabled',
  'plugin_service_attributes',
  'integrations',
  'outbound_call_flows',
  'serverless_service_sids',
  'queue_stats_configuration',
  'notifications',
  'markdown',
  'url',
  'flex_insights_hr',
  'flex_insights_drilldown',
  'flex_url',
  'channel_configs',
  'debugger_integration',
  'flex_ui_status_report',
  'agent_conv_end_methods',
  'citrix_voice_vdi',
  'offline_config',
];

function serializeInteraction(env: ServiceEnv, accountSid: string, i: InteractionRec): Record<string, unknown> {
  const ch = Object.values(i.channels)[0];
  const props = i.task ? env.service<TaskRouterApi>('taskrouter').routingProperties(accountSid, i.task.workspaceSid, i.task.taskSid) : undefined;
  const firstInvite = ch ? Object.values(ch.invites)[0] : undefined;
  return {
    sid: i.sid,
    channel: { ...i.channel, sid: ch?.sid ?? null },
    routing: { reservation: null, properties: props ?? firstInvite?.snapshot ?? null },
    url: url(interactionPath(i.sid)),
    links: { channels: url(interactionPath(i.sid, '/Channels')) },
    interaction_context_sid: i.interactionContextSid,
    webhook_ttid: i.webhookTtid,
  };
}

function serializeChannel(i: InteractionRec, ch: InteractionChannelRec): Record<string, unknown> {
  const base = interactionPath(i.sid, `/Channels/${ch.sid}`);
  return {
    sid: ch.sid,
    interaction_sid: i.sid,
    type: ch.type,
    status: ch.status,
    error_code: ch.errorCode,
    error_message: ch.errorMessage,
    url: url(base),
    links: { participants: url(`${base}/Participants`), invites: url(`${base}/Invites`), transfers: url(`${base}/Transfers`) },
  };
}

function serializeInvite(env: ServiceEnv, accountSid: string, i: InteractionRec, ch: InteractionChannelRec, inv: InviteRec): Record<string, unknown> {
  return {
    sid: inv.sid,
    interaction_sid: i.sid,
    channel_sid: ch.sid,
    routing: { reservation: null, properties: inviteRoutingProperties(env, accountSid, inv) },
    url: url(interactionPath(i.sid, `/Channels/${ch.sid}/Invites/${inv.sid}`)),
  };
}

function serializeParticipant(i: InteractionRec, ch: InteractionChannelRec, p: FlexParticipantRec): Record<string, unknown> {
  const rp = p.routingProperties ? { task_sid: p.routingProperties.task_sid, worker_sid: p.routingProperties.worker_sid, reservation_sid: p.routingProperties.reservation_sid } : null;
  return {
    sid: p.sid,
    type: p.type,
    interaction_sid: i.sid,
    channel_sid: ch.sid,
    url: url(interactionPath(i.sid, `/Channels/${ch.sid}/Participants/${p.sid}`)),
    routing_properties: rp,
  };
}

function serializeTransfer(accountSid: string, i: InteractionRec, ch: InteractionChannelRec, t: TransferRec): Record<string, unknown> {
  return {
    sid: t.sid,
    instance_sid: flexInstanceSid(accountSid),
    account_sid: accountSid,
    interaction_sid: i.sid,
    channel_sid: ch.sid,
    execution_sid: null,
    type: t.type,
    status: t.status,
    from: t.from,
    to: t.to,
    note_sid: null,
    summary_sid: null,
    date_created: toTwilioIso(t.dateCreated),
    date_updated: toTwilioIso(t.dateUpdated),
    url: url(interactionPath(i.sid, `/Channels/${ch.sid}/Transfers/${t.sid}`)),
  };
}

function ctx(req: EmulatorRequest, env: ServiceEnv): { i: InteractionRec; ch: InteractionChannelRec } {
  const i = requireInteraction(env, req.accountSid, req.pathParams.InteractionSid);
  return { i, ch: requireChannel(i, req.pathParams.ChannelSid ?? req.pathParams.Sid) };
}

function jsonBody(req: EmulatorRequest): Record<string, unknown> {
  if (req.json === undefined) return Object.fromEntries(Object.entries(req.body).map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : v]));
  if (!req.json || typeof req.json !== 'object' || Array.isArray(req.json)) throw badRequest('The request body must be a JSON object');
  return req.json as Record<string, unknown>;
}

export const flexRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/Configuration',
    operationId: 'FetchConfiguration',
    handler: (req, env) => {
      new Params(req.query, 'query').string('UiVersion');
      return { status: 200, body: getConfiguration(env, req.accountSid) };
    },
  },
  {
    method: 'POST',
    path: '/v1/Configuration',
    operationId: 'UpdateConfiguration',
    extraParams: CONFIGURATION_KEYS,
    handler: (req, env) => {
      if (req.json === undefined) throw badRequest('The Configuration update must be a JSON body (Content-Type: application/json)');
      return { status: 200, body: updateConfiguration(env, req.accountSid, req.json) };
    },
  },
  {
    method: 'POST',
    path: '/v1/Interactions',
    operationId: 'CreateInteraction',
    handler: (req, env) => {
      const p = new Params(req.body);
      const i = createInteraction(env, req.accountSid, {
        channel: p.json('Channel', { required: true })!.value,
        routing: p.json('Routing')?.value,
        interactionContextSid: p.string('InteractionContextSid'),
        webhookTtid: p.string('WebhookTtid'),
      });
      return { status: 200, body: serializeInteraction(env, req.accountSid, i) };
    },
  },
  {
    method: 'GET',
    path: '/v1/Interactions/{Sid}',
    operationId: 'FetchInteraction',
    handler: (req, env) => ({ status: 200, body: serializeInteraction(env, req.accountSid, requireInteraction(env, req.accountSid, req.pathParams.Sid)) }),
  },
  {
    method: 'POST',
    path: '/v1/Interactions/{Sid}',
    operationId: 'UpdateInteraction',
    handler: (req, env) => {
      const i = requireInteraction(env, req.accountSid, req.pathParams.Sid);
      const ttid = new Params(req.body).string('WebhookTtid');
      if (ttid !== undefined) i.webhookTtid = ttid || null;
      return { status: 200, body: serializeInteraction(env, req.accountSid, i) };
    },
  },
  {
    method: 'GET',
    path: '/v1/Interactions/{InteractionSid}/Channels',
    operationId: 'ListInteractionChannel',
    handler: (req, env) => {
      const i = requireInteraction(env, req.accountSid, req.pathParams.InteractionSid);
      return { status: 200, body: paginate(req, Object.values(i.channels), (ch) => serializeChannel(i, ch), { key: 'channels' }) };
    },
  },
  {
    method: 'GET',
    path: '/v1/Interactions/{InteractionSid}/Channels/{Sid}',
    operationId: 'FetchInteractionChannel',
    handler: (req, env) => {
      const { i, ch } = ctx(req, env);
      return { status: 200, body: serializeChannel(i, ch) };
    },
  },
  {
    method: 'POST',
    path: '/v1/Interactions/{InteractionSid}/Channels/{Sid}',
    operationId: 'UpdateInteractionChannel',
    handler: (req, env) => {
      const { i, ch } = ctx(req, env);
      const p = new Params(req.body);
      const status = p.enumOf('Status', ['closed', 'inactive'] as const, { required: true })!;
      updateChannelStatus(env, req.accountSid, ch, status, p.json('Routing')?.value);
      return { status: 200, body: serializeChannel(i, ch) };
    },
  },
  {
    method: 'GET',
    path: '/v1/Interactions/{InteractionSid}/Channels/{ChannelSid}/Invites',
    operationId: 'ListInteractionChannelInvite',
    handler: (req, env) => {
      const { i, ch } = ctx(req, env);
      return { status: 200, body: paginate(req, Object.values(ch.invites), (inv) => serializeInvite(env, req.accountSid, i, ch, inv), { key: 'invites' }) };
    },
  },
  {
    method: 'POST',
    path: '/v1/Interactions/{InteractionSid}/Channels/{ChannelSid}/Invites',
    operationId: 'CreateInteractionChannelInvite',
    handler: (req, env) => {
      const { i, ch } = ctx(req, env);
      const inv = createInvite(env, req.accountSid, i, ch, new Params(req.body).json('Routing', { required: true })!.value);
      return { status: 200, body: serializeInvite(env, req.accountSid, i, ch, inv) };
    },
  },
  {
    method: 'GET',
    path: '/v1/Interactions/{InteractionSid}/Channels/{ChannelSid}/Participants',
    operationId: 'ListInteractionChannelParticipant',
    handler: (req, env) => {
      const { i, ch } = ctx(req, env);
      const live = Object.values(ch.participants).filter((p) => p.status !== 'closed');
      return { status: 200, body: paginate(req, live, (p) => serializeParticipant(i, ch, p), { key: 'participants' }) };
    },
  },
  {
    method: 'POST',
    path: '/v1/Interactions/{InteractionSid}/Channels/{ChannelSid}/Participants',
    operationId: 'CreateInteractionChannelParticipant',
    handler: (req, env) => {
      const { i, ch } = ctx(req, env);
      const p = new Params(req.body);
      const part = createParticipant(env, req.accountSid, ch, {
        type: p.enumOf('Type', ['supervisor', 'customer', 'external', 'agent', 'unknown'] as const, { required: true }) as ParticipantType,
        mediaProperties: p.json('MediaProperties', { required: true })!.value,
        routingProperties: p.json('RoutingProperties')?.value,
      });
      return { status: 200, body: serializeParticipant(i, ch, part) };
    },
  },
  {
    method: 'POST',
    path: '/v1/Interactions/{InteractionSid}/Channels/{ChannelSid}/Participants/{Sid}',
    operationId: 'UpdateInteractionChannelParticipant',
    handler: (req, env) => {
      const { i, ch } = ctx(req, env);
      const part = ch.participants[req.pathParams.Sid];
      if (!part) throw notFound(req.path);
      const status = new Params(req.body).enumOf('Status', ['closed', 'wrapup'] as const, { required: true })!;
      updateParticipantStatus(env, req.accountSid, ch, part, status);
      return { status: 200, body: serializeParticipant(i, ch, part) };
    },
  },
  {
    method: 'POST',
    path: '/v1/Interactions/{InteractionSid}/Channels/{ChannelSid}/Transfers',
    operationId: 'CreateInteractionTransfer',
    extraParams: ['type', 'from', 'to'],
    handler: (req, env) => {
      const { i, ch } = ctx(req, env);
      const t = createTransfer(env, ch, jsonBody(req));
      return { status: 201, body: serializeTransfer(req.accountSid, i, ch, t) };
    },
  },
  {
    method: 'GET',
    path: '/v1/Interactions/{InteractionSid}/Channels/{ChannelSid}/Transfers/{Sid}',
    operationId: 'FetchInteractionTransfer',
    handler: (req, env) => {
      const { i, ch } = ctx(req, env);
      const t = ch.transfers[req.pathParams.Sid];
      if (!t) throw notFound(req.path);
      return { status: 200, body: serializeTransfer(req.accountSid, i, ch, t) };
    },
  },
  {
    method: 'POST',
    path: '/v1/Interactions/{InteractionSid}/Channels/{ChannelSid}/Transfers/{Sid}',
    operationId: 'UpdateInteractionTransfer',
    extraParams: ['status', 'to'],
    handler: (req, env) => {
      const { i, ch } = ctx(req, env);
      const t = ch.transfers[req.pathParams.Sid];
      if (!t) throw notFound(req.path);
      updateTransfer(env, t, jsonBody(req));
      return { status: 200, body: serializeTransfer(req.accountSid, i, ch, t) };
    },
  },
  ...transferSettingsRoutes,
];
