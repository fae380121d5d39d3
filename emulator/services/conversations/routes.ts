/**
 * Conversations v1 HTTP mapping, for both the account-level paths
 * (`/v1/Conversations/...`, the default Conversation Service) and the
 * service-scoped ones (`/v1/Services/{ChatServiceSid}/Conversations/...`).
 */
import { toTwilioIso } from '../../core/clock';
import { notFound } from '../../core/errors';
import { paginate } from '../../core/paging';
import { Params } from '../../core/params';
import { resourceUrl } from '../../core/urls';
import type { EmulatorRequest, HandlerResult, RouteDef, ServiceEnv } from '../../core/types';
import {
  addMessage,
  addParticipant,
  addWebhook,
  createConversation,
  defaultChatServiceSid,
  deleteConversation,
  listConversations,
  removeMessage,
  removeParticipant,
  requireConversation,
  requireMessage,
  requireParticipant,
  requireWebhook,
  updateConversation,
  updateMessage,
  updateParticipant,
  type ConversationInput,
  type ConversationRec,
  type ConversationState,
  type MessageRec,
  type ParticipantInput,
  type ParticipantRec,
  type WebhookRec,
} from './models';

const STATES = ['initializing', 'inactive', 'active', 'closed'] as const;
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : toTwilioIso(ms));

interface Scope {
  /** Path prefix before `/Conversations`. */
  prefix: string;
  scoped: boolean;
  /** operationId infix: `` or `Service`. */
  op: string;
}

function base(scope: Scope, accountSid: string): string {
  return scope.scoped ? `/v1/Services/${defaultChatServiceSid(accountSid)}/Conversations` : '/v1/Conversations';
}

function url(path: string): string {
  return resourceUrl('conversations', path);
}

function serializeConversation(scope: Scope, accountSid: string, c: ConversationRec): Record<string, unknown> {
  const b = `${base(scope, accountSid)}/${c.sid}`;
  const timers: Record<string, string | null> = {};
  if (c.timers.dateInactive !== undefined) timers.date_inactive = iso(c.timers.dateInactive);
  if (c.timers.dateClosed !== undefined) timers.date_closed = iso(c.timers.dateClosed);
  return {
    account_sid: accountSid,
    chat_service_sid: defaultChatServiceSid(accountSid),
    messaging_service_sid: c.messagingServiceSid,
    sid: c.sid,
    friendly_name: c.friendlyName,
    unique_name: c.uniqueName,
    attributes: c.attributes,
    state: c.state,
    date_created: iso(c.dateCreated),
    date_updated: iso(c.dateUpdated),
    timers,
    url: url(b),
    links: { participants: url(`${b}/Participants`), messages: url(`${b}/Messages`), webhooks: url(`${b}/Webhooks`) },
    bindings: null,
  };
}

function serializeParticipant(scope: Scope, accountSid: string, c: ConversationRec, p: ParticipantRec): Record<string, unknown> {
  return {
    account_sid: accountSid,
    ...(scope.scoped ? { chat_service_sid: defaultChatServiceSid(accountSid) } : {}),
    conversation_sid: c.sid,
    sid: p.sid,
    identity: p.identity,
    attributes: p.attributes,
    messaging_binding: p.messagingBinding,
    role_sid: p.roleSid,
    date_created: iso(p.dateCreated),
    date_updated: iso(p.dateUpdated),
    url: url(`${base(scope, accountSid)}/${c.sid}/Participants/${p.sid}`),
    last_read_message_index: p.lastReadMessageIndex,
    last_read_timestamp: p.lastReadTimestamp,
  };
}

function serializeMessage(scope: Scope, accountSid: string, c: ConversationRec, m: MessageRec): Record<string, unknown> {
  const b = `${base(scope, accountSid)}/${c.sid}/Messages/${m.sid}`;
  return {
    account_sid: accountSid,
    ...(scope.scoped ? { chat_service_sid: defaultChatServiceSid(accountSid) } : {}),
    conversation_sid: c.sid,
    sid: m.sid,
    index: m.index,
    author: m.author,
    body: m.body,
    media: null,
    attributes: m.attributes,
    participant_sid: m.participantSid,
    date_created: iso(m.dateCreated),
    date_updated: iso(m.dateUpdated),
    url: url(b),
    delivery: null,
    links: { delivery_receipts: url(`${b}/Receipts`), channel_metadata: url(`${b}/ChannelMetadata`) },
    content_sid: null,
  };
}

function serializeWebhook(scope: Scope, accountSid: string, c: ConversationRec, w: WebhookRec): Record<string, unknown> {
  return {
    sid: w.sid,
    account_sid: accountSid,
    ...(scope.scoped ? { chat_service_sid: defaultChatServiceSid(accountSid) } : {}),
    conversation_sid: c.sid,
    target: w.target,
    url: url(`${base(scope, accountSid)}/${c.sid}/Webhooks/${w.sid}`),
    configuration: w.configuration,
    date_created: iso(w.dateCreated),
    date_updated: iso(w.dateUpdated),
  };
}

function checkService(scope: Scope, req: EmulatorRequest): void {
  if (scope.scoped && req.pathParams.ChatServiceSid !== defaultChatServiceSid(req.accountSid)) {
    throw notFound(`/v1/Services/${req.pathParams.ChatServiceSid}`);
  }
}

function conv(scope: Scope, req: EmulatorRequest, env: ServiceEnv): ConversationRec {
  checkService(scope, req);
  return requireConversation(env, req.accountSid, req.pathParams.ConversationSid ?? req.pathParams.Sid);
}

function conversationInput(p: Params): ConversationInput {
  return {
    friendlyName: p.string('FriendlyName'),
    uniqueName: p.string('UniqueName'),
    attributes: p.string('Attributes'),
    state: p.enumOf('State', STATES) as ConversationState | undefined,
    messagingServiceSid: p.string('MessagingServiceSid'),
    timersInactive: p.string('Timers.Inactive'),
    timersClosed: p.string('Timers.Closed'),
    dateCreated: p.date('DateCreated'),
    dateUpdated: p.date('DateUpdated'),
  };
}

function participantInput(p: Params): ParticipantInput {
  const lri = p.string('LastReadMessageIndex');
  return {
    identity: p.string('Identity'),
    attributes: p.string('Attributes'),
    address: p.string('MessagingBinding.Address'),
    proxyAddress: p.string('MessagingBinding.ProxyAddress'),
    projectedAddress: p.string('MessagingBinding.ProjectedAddress'),
    roleSid: p.string('RoleSid'),
    lastReadMessageIndex: lri === undefined ? undefined : lri === '' || lri === 'null' ? null : p.int('LastReadMessageIndex'),
    lastReadTimestamp: p.string('LastReadTimestamp'),
    dateCreated: p.date('DateCreated'),
    dateUpdated: p.date('DateUpdated'),
  };
}

function webhookConfiguration(p: Params): Record<string, unknown> {
  const cfg: Record<string, unknown> = {};
  const u = p.string('Configuration.Url');
  if (u !== undefined) cfg.url = u;
  const m = p.enumOf('Configuration.Method', ['get', 'post', 'GET', 'POST'] as const);
  if (m !== undefined) cfg.method = m.toUpperCase();
  const filters = p.list('Configuration.Filters');
  if (filters.length) cfg.filters = filters;
  const triggers = p.list('Configuration.Triggers');
  if (triggers.length) cfg.triggers = triggers;
  const flow = p.string('Configuration.FlowSid');
  if (flow !== undefined) cfg.flow_sid = flow;
  const replay = p.int('Configuration.ReplayAfter');
  if (replay !== undefined) cfg.replay_after = replay;
  return cfg;
}

const ok = (body: unknown, status = 200): HandlerResult => ({ status, body });

function routesFor(scope: Scope): RouteDef[] {
  const P = `${scope.prefix}/Conversations`;
  const op = scope.op;
  return [
    {
      method: 'GET',
      path: P,
      operationId: `List${op}Conversation`,
      handler: (req, env) => {
        checkService(scope, req);
        const q = new Params(req.query, 'query');
        const start = q.string('StartDate');
        const end = q.string('EndDate');
        const items = listConversations(env, req.accountSid, {
          state: q.enumOf('State', STATES) as ConversationState | undefined,
          start: start ? Date.parse(start) : undefined,
          end: end ? Date.parse(end) + (/^\d{4}-\d{2}-\d{2}$/.test(end) ? 86_399_999 : 0) : undefined,
        });
        return ok(paginate(req, items, (c) => serializeConversation(scope, req.accountSid, c), { key: 'conversations' }));
      },
    },
    {
      method: 'POST',
      path: P,
      operationId: `Create${op}Conversation`,
      handler: (req, env) => {
        checkService(scope, req);
        const c = createConversation(env, req.accountSid, conversationInput(new Params(req.body)));
        return ok(serializeConversation(scope, req.accountSid, c), 201);
      },
    },
    { method: 'GET', path: `${P}/{Sid}`, operationId: `Fetch${op}Conversation`, handler: (req, env) => ok(serializeConversation(scope, req.accountSid, conv(scope, req, env))) },
    {
      method: 'POST',
      path: `${P}/{Sid}`,
      operationId: `Update${op}Conversation`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        updateConversation(env, req.accountSid, c, conversationInput(new Params(req.body)));
        return ok(serializeConversation(scope, req.accountSid, c));
      },
    },
    {
      method: 'DELETE',
      path: `${P}/{Sid}`,
      operationId: `Delete${op}Conversation`,
      handler: (req, env) => {
        deleteConversation(env, req.accountSid, conv(scope, req, env));
        return { status: 204 };
      },
    },
    // Participants
    {
      method: 'GET',
      path: `${P}/{ConversationSid}/Participants`,
      operationId: `List${op}ConversationParticipant`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        return ok(paginate(req, Object.values(c.participants), (p) => serializeParticipant(scope, req.accountSid, c, p), { key: 'participants' }));
      },
    },
    {
      method: 'POST',
      path: `${P}/{ConversationSid}/Participants`,
      operationId: `Create${op}ConversationParticipant`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        const p = addParticipant(env, c, participantInput(new Params(req.body)));
        return ok(serializeParticipant(scope, req.accountSid, c, p), 201);
      },
    },
    {
      method: 'GET',
      path: `${P}/{ConversationSid}/Participants/{Sid}`,
      operationId: `Fetch${op}ConversationParticipant`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        return ok(serializeParticipant(scope, req.accountSid, c, requireParticipant(c, req.pathParams.Sid)));
      },
    },
    {
      method: 'POST',
      path: `${P}/{ConversationSid}/Participants/{Sid}`,
      operationId: `Update${op}ConversationParticipant`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        const p = requireParticipant(c, req.pathParams.Sid);
        updateParticipant(env, c, p, participantInput(new Params(req.body)));
        return ok(serializeParticipant(scope, req.accountSid, c, p));
      },
    },
    {
      method: 'DELETE',
      path: `${P}/{ConversationSid}/Participants/{Sid}`,
      operationId: `Delete${op}ConversationParticipant`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        removeParticipant(env, c, requireParticipant(c, req.pathParams.Sid));
        return { status: 204 };
      },
    },
    // Messages
    {
      method: 'GET',
      path: `${P}/{ConversationSid}/Messages`,
      operationId: `List${op}ConversationMessage`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        const order = new Params(req.query, 'query').enumOf('Order', ['asc', 'desc'] as const) ?? 'asc';
        const items = order === 'desc' ? [...c.messages].reverse() : c.messages;
        return ok(paginate(req, items, (m) => serializeMessage(scope, req.accountSid, c, m), { key: 'messages' }));
      },
    },
    {
      method: 'POST',
      path: `${P}/{ConversationSid}/Messages`,
      operationId: `Create${op}ConversationMessage`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        const p = new Params(req.body);
        const m = addMessage(env, c, {
          author: p.string('Author'),
          body: p.string('Body', { allowEmpty: true }),
          attributes: p.string('Attributes'),
          dateCreated: p.date('DateCreated'),
          dateUpdated: p.date('DateUpdated'),
        });
        return ok(serializeMessage(scope, req.accountSid, c, m), 201);
      },
    },
    {
      method: 'GET',
      path: `${P}/{ConversationSid}/Messages/{Sid}`,
      operationId: `Fetch${op}ConversationMessage`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        return ok(serializeMessage(scope, req.accountSid, c, requireMessage(c, req.pathParams.Sid)));
      },
    },
    {
      method: 'POST',
      path: `${P}/{ConversationSid}/Messages/{Sid}`,
      operationId: `Update${op}ConversationMessage`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        const m = requireMessage(c, req.pathParams.Sid);
        const p = new Params(req.body);
        updateMessage(env, m, {
          author: p.string('Author'),
          body: p.string('Body', { allowEmpty: true }),
          attributes: p.string('Attributes'),
          dateCreated: p.date('DateCreated'),
          dateUpdated: p.date('DateUpdated'),
        });
        return ok(serializeMessage(scope, req.accountSid, c, m));
      },
    },
    {
      method: 'DELETE',
      path: `${P}/{ConversationSid}/Messages/{Sid}`,
      operationId: `Delete${op}ConversationMessage`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        removeMessage(c, requireMessage(c, req.pathParams.Sid));
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: `${P}/{ConversationSid}/Messages/{MessageSid}/Receipts`,
      operationId: `List${op}ConversationMessageReceipt`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        requireMessage(c, req.pathParams.MessageSid);
        // Chat messages have no delivery receipts (those are for SMS/WhatsApp bindings).
        return ok(paginate(req, [] as unknown[], (x) => x, { key: 'delivery_receipts' }));
      },
    },
    {
      method: 'GET',
      path: `${P}/{ConversationSid}/Messages/{MessageSid}/Receipts/{Sid}`,
      operationId: `Fetch${op}ConversationMessageReceipt`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        requireMessage(c, req.pathParams.MessageSid);
        throw notFound(req.path);
      },
    },
    // Scoped webhooks
    {
      method: 'GET',
      path: `${P}/{ConversationSid}/Webhooks`,
      operationId: `List${op}ConversationScopedWebhook`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        return ok(paginate(req, Object.values(c.webhooks), (w) => serializeWebhook(scope, req.accountSid, c, w), { key: 'webhooks' }));
      },
    },
    {
      method: 'POST',
      path: `${P}/{ConversationSid}/Webhooks`,
      operationId: `Create${op}ConversationScopedWebhook`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        const p = new Params(req.body);
        const target = p.enumOf('Target', ['webhook', 'trigger', 'studio'] as const, { required: true })!;
        const w = addWebhook(env, c, target, webhookConfiguration(p));
        return ok(serializeWebhook(scope, req.accountSid, c, w), 201);
      },
    },
    {
      method: 'GET',
      path: `${P}/{ConversationSid}/Webhooks/{Sid}`,
      operationId: `Fetch${op}ConversationScopedWebhook`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        return ok(serializeWebhook(scope, req.accountSid, c, requireWebhook(c, req.pathParams.Sid)));
      },
    },
    {
      method: 'POST',
      path: `${P}/{ConversationSid}/Webhooks/{Sid}`,
      operationId: `Update${op}ConversationScopedWebhook`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        const w = requireWebhook(c, req.pathParams.Sid);
        Object.assign(w.configuration, webhookConfiguration(new Params(req.body)));
        w.dateUpdated = env.clock.now();
        return ok(serializeWebhook(scope, req.accountSid, c, w));
      },
    },
    {
      method: 'DELETE',
      path: `${P}/{ConversationSid}/Webhooks/{Sid}`,
      operationId: `Delete${op}ConversationScopedWebhook`,
      handler: (req, env) => {
        const c = conv(scope, req, env);
        delete c.webhooks[requireWebhook(c, req.pathParams.Sid).sid];
        return { status: 204 };
      },
    },
  ];
}

export const conversationsRoutes: RouteDef[] = [...routesFor({ prefix: '/v1', scoped: false, op: '' }), ...routesFor({ prefix: '/v1/Services/{ChatServiceSid}', scoped: true, op: 'Service' })];
