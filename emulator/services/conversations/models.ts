/**
 * Conversations v1 models: Conversations (CH), Participants (MB), Messages
 * (IM) and conversation-scoped Webhooks (WH, stored only), in the account's
 * default Conversation Service. Rules, no HTTP.
 */
import { seededSid } from '../../core/sids';
import { badRequest, invalidParam, notFound, TwilioError } from '../../core/errors';
import type { ServiceEnv, TimerId } from '../../core/types';

export type ConversationState = 'initializing' | 'inactive' | 'active' | 'closed';

export interface ParticipantRec {
  sid: string;
  identity: string | null;
  attributes: string;
  messagingBinding: { type: string; address: string; proxy_address: string | null } | null;
  roleSid: string | null;
  lastReadMessageIndex: number | null;
  lastReadTimestamp: string | null;
  dateCreated: number;
  dateUpdated: number;
}

export interface MessageRec {
  sid: string;
  index: number;
  author: string;
  body: string | null;
  attributes: string;
  participantSid: string | null;
  dateCreated: number;
  dateUpdated: number | null;
}

export interface WebhookRec {
  sid: string;
  target: string;
  configuration: Record<string, unknown>;
  dateCreated: number;
  dateUpdated: number;
}

export interface ConversationRec {
  sid: string;
  friendlyName: string | null;
  uniqueName: string | null;
  attributes: string;
  state: ConversationState;
  messagingServiceSid: string | null;
  dateCreated: number;
  dateUpdated: number;
  /** ISO 8601 durations as given, and the instants they fire at. */
  timers: { inactive?: string; closed?: string; dateInactive?: number; dateClosed?: number };
  participants: Record<string, ParticipantRec>;
  messages: MessageRec[];
  nextIndex: number;
  webhooks: Record<string, WebhookRec>;
}

export interface ConversationsState {
  conversations: Record<string, ConversationRec>;
}

export const SERVICE_NAME = 'conversations';

/** The account's default Conversation Service SID (the Flex seed uses the same). */
export function defaultChatServiceSid(accountSid: string): string {
  return seededSid('IS', accountSid, 'chat-service', 'Default Conversations Service');
}

function state(env: ServiceEnv, accountSid: string): ConversationsState {
  return env.state<ConversationsState>(accountSid, SERVICE_NAME);
}

export function conversationPath(sid: string, rest = ''): string {
  return `/v1/Conversations/${sid}${rest}`;
}

/** A conversation by SID or unique name (Twilio accepts either in the URL). */
export function findConversation(env: ServiceEnv, accountSid: string, sidOrName: string): ConversationRec | undefined {
  const all = state(env, accountSid).conversations;
  return all[sidOrName] ?? Object.values(all).find((c) => c.uniqueName === sidOrName);
}

export function requireConversation(env: ServiceEnv, accountSid: string, sidOrName: string): ConversationRec {
  const c = findConversation(env, accountSid, sidOrName);
  if (!c) throw notFound(conversationPath(sidOrName));
  return c;
}

export function listConversations(env: ServiceEnv, accountSid: string, filter: { state?: ConversationState; start?: number; end?: number }): ConversationRec[] {
  return Object.values(state(env, accountSid).conversations).filter(
    (c) => (!filter.state || c.state === filter.state) && (filter.start === undefined || c.dateCreated >= filter.start) && (filter.end === undefined || c.dateCreated <= filter.end),
  );
}

function checkJson(name: string, raw: string | undefined): void {
  if (raw === undefined) return;
  try {
    JSON.parse(raw);
  } catch (err) {
    throw invalidParam(name, `must be structurally valid JSON (${(err as Error).message})`);
  }
}

/** ISO 8601 duration (PnDTnHnMnS) -> ms. */
export function parseDuration(name: string, value: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!m || value === 'P' || value.endsWith('T')) throw invalidParam(name, `must be an ISO 8601 duration such as PT5M or P1D (got "${value}")`);
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000;
}

export interface ConversationInput {
  friendlyName?: string;
  uniqueName?: string;
  attributes?: string;
  state?: ConversationState;
  messagingServiceSid?: string;
  timersInactive?: string;
  timersClosed?: string;
  dateCreated?: number;
  dateUpdated?: number;
}

function checkUniqueName(env: ServiceEnv, accountSid: string, name: string, self?: ConversationRec): void {
  const dup = Object.values(state(env, accountSid).conversations).find((c) => c !== self && c.uniqueName === name);
  if (dup) throw new TwilioError(409, 50353, `Conversation with provided unique name already exists: UniqueName "${name}" is used by ${dup.sid}`);
}

// ---- timers ----------------------------------------------------------------

const timers = new WeakMap<ServiceEnv, Map<string, TimerId>>();

function armTimers(env: ServiceEnv, accountSid: string, c: ConversationRec): void {
  let m = timers.get(env);
  if (!m) timers.set(env, (m = new Map()));
  const key = `${accountSid}/${c.sid}`;
  const old = m.get(key);
  if (old !== undefined) env.clock.cancel(old);
  m.delete(key);
  const next = [c.timers.dateInactive, c.timers.dateClosed].filter((t): t is number => t !== undefined).sort((a, b) => a - b)[0];
  if (next === undefined || c.state === 'closed') return;
  m.set(
    key,
    env.clock.at(
      next,
      () => {
        m!.delete(key);
        const live = findConversation(env, accountSid, c.sid);
        if (!live) return;
        const now = env.clock.now();
        if (live.timers.dateClosed !== undefined && now >= live.timers.dateClosed) {
          setState(env, accountSid, live, 'closed');
          return;
        }
        if (live.timers.dateInactive !== undefined && now >= live.timers.dateInactive && live.state === 'active') {
          live.state = 'inactive';
          live.dateUpdated = now;
          delete live.timers.dateInactive;
        }
        armTimers(env, accountSid, live);
        env.markDirty();
      },
      `conversation ${c.sid} timers`,
    ),
  );
}

export function rearmConversationTimers(env: ServiceEnv): void {
  timers.set(env, new Map());
  for (const accountSid of env.accountsWithState(SERVICE_NAME)) {
    for (const c of Object.values(state(env, accountSid).conversations)) armTimers(env, accountSid, c);
  }
}

function applyTimers(env: ServiceEnv, c: ConversationRec, input: ConversationInput): void {
  const now = env.clock.now();
  if (input.timersInactive !== undefined) {
    const ms = parseDuration('Timers.Inactive', input.timersInactive);
    if (ms < 60_000) throw invalidParam('Timers.Inactive', 'must be at least 1 minute (PT1M)');
    c.timers.inactive = input.timersInactive;
    c.timers.dateInactive = now + ms;
  }
  if (input.timersClosed !== undefined) {
    const ms = parseDuration('Timers.Closed', input.timersClosed);
    if (ms < 600_000) throw invalidParam('Timers.Closed', 'must be at least 10 minutes (PT10M)');
    c.timers.closed = input.timersClosed;
    c.timers.dateClosed = now + ms;
  }
}

// ---- conversations ---------------------------------------------------------

export function createConversation(env: ServiceEnv, accountSid: string, input: ConversationInput): ConversationRec {
  checkJson('Attributes', input.attributes);
  if (input.friendlyName !== undefined && input.friendlyName.length > 256) throw invalidParam('FriendlyName', `must be at most 256 characters (got ${input.friendlyName.length})`);
  if (input.uniqueName) checkUniqueName(env, accountSid, input.uniqueName);
  const now = env.clock.now();
  const c: ConversationRec = {
    sid: env.sids.next('CH'),
    friendlyName: input.friendlyName ?? null,
    uniqueName: input.uniqueName || null,
    attributes: input.attributes ?? '{}',
    state: input.state ?? 'active',
    messagingServiceSid: input.messagingServiceSid ?? null,
    dateCreated: input.dateCreated ?? now,
    dateUpdated: input.dateUpdated ?? input.dateCreated ?? now,
    timers: {},
    participants: {},
    messages: [],
    nextIndex: 0,
    webhooks: {},
  };
  applyTimers(env, c, input);
  state(env, accountSid).conversations[c.sid] = c;
  armTimers(env, accountSid, c);
  return c;
}

function setState(env: ServiceEnv, accountSid: string, c: ConversationRec, next: ConversationState): void {
  if (c.state === next) return;
  if (c.state === 'closed') throw badRequest(`Conversation ${c.sid} is closed; its state can't change to ${next}`);
  c.state = next;
  c.dateUpdated = env.clock.now();
  if (next === 'closed') c.timers = { ...c.timers, dateInactive: undefined, dateClosed: undefined };
  armTimers(env, accountSid, c);
}

export function updateConversation(env: ServiceEnv, accountSid: string, c: ConversationRec, input: ConversationInput): ConversationRec {
  checkJson('Attributes', input.attributes);
  if (input.friendlyName !== undefined && input.friendlyName.length > 256) throw invalidParam('FriendlyName', `must be at most 256 characters (got ${input.friendlyName.length})`);
  if (input.uniqueName) checkUniqueName(env, accountSid, input.uniqueName, c);
  if (input.state !== undefined) setState(env, accountSid, c, input.state);
  if (input.friendlyName !== undefined) c.friendlyName = input.friendlyName;
  if (input.uniqueName !== undefined) c.uniqueName = input.uniqueName || null;
  if (input.attributes !== undefined) c.attributes = input.attributes;
  if (input.messagingServiceSid !== undefined) c.messagingServiceSid = input.messagingServiceSid;
  if (input.dateCreated !== undefined) c.dateCreated = input.dateCreated;
  applyTimers(env, c, input);
  c.dateUpdated = input.dateUpdated ?? env.clock.now();
  armTimers(env, accountSid, c);
  return c;
}

export function deleteConversation(env: ServiceEnv, accountSid: string, c: ConversationRec): void {
  delete state(env, accountSid).conversations[c.sid];
  c.timers = {};
  armTimers(env, accountSid, c);
}

/** Moves a conversation to `closed` (used by Flex when its interaction channel closes). */
export function closeConversation(env: ServiceEnv, accountSid: string, c: ConversationRec, to: 'closed' | 'inactive' = 'closed'): void {
  if (c.state === 'closed' || c.state === to) return;
  setState(env, accountSid, c, to);
}

// ---- participants ----------------------------------------------------------

export interface ParticipantInput {
  identity?: string;
  attributes?: string;
  address?: string;
  proxyAddress?: string;
  projectedAddress?: string;
  roleSid?: string;
  lastReadMessageIndex?: number | null;
  lastReadTimestamp?: string;
  dateCreated?: number;
  dateUpdated?: number;
}

export function requireParticipant(c: ConversationRec, sidOrIdentity: string): ParticipantRec {
  const p = c.participants[sidOrIdentity] ?? Object.values(c.participants).find((x) => x.identity === sidOrIdentity);
  if (!p) throw notFound(conversationPath(c.sid, `/Participants/${sidOrIdentity}`));
  return p;
}

export function addParticipant(env: ServiceEnv, c: ConversationRec, input: ParticipantInput): ParticipantRec {
  if (!input.identity && !input.address && !input.projectedAddress) {
    throw badRequest('Missing required parameter Identity or MessagingBinding.Address in the post body: a participant needs one of them', 50407);
  }
  if (input.identity && input.address) throw invalidParam('Identity', 'a participant has either an Identity (chat) or a MessagingBinding.Address (SMS/WhatsApp), not both');
  if (input.identity !== undefined && input.identity.length > 256) throw invalidParam('Identity', `must be at most 256 characters (got ${input.identity.length})`);
  checkJson('Attributes', input.attributes);
  if (c.state === 'closed') throw badRequest(`Conversation ${c.sid} is closed: no participant can be added`, 50434);
  const dup = Object.values(c.participants).find((p) => (input.identity && p.identity === input.identity) || (input.address && p.messagingBinding?.address === input.address));
  if (dup) throw new TwilioError(409, 50433, `Participant already exists: ${input.identity ? `Identity "${input.identity}"` : `address ${input.address}`} is ${dup.sid} in Conversation ${c.sid}`);
  const now = env.clock.now();
  const p: ParticipantRec = {
    sid: env.sids.next('MB'),
    identity: input.identity ?? null,
    attributes: input.attributes ?? '{}',
    messagingBinding: input.address
      ? { type: input.address.startsWith('whatsapp:') ? 'whatsapp' : 'sms', address: input.address, proxy_address: input.proxyAddress ?? null }
      : input.projectedAddress
        ? { type: 'sms', address: input.projectedAddress, proxy_address: null }
        : null,
    roleSid: input.roleSid ?? null,
    lastReadMessageIndex: null,
    lastReadTimestamp: null,
    dateCreated: input.dateCreated ?? now,
    dateUpdated: input.dateUpdated ?? input.dateCreated ?? now,
  };
  c.participants[p.sid] = p;
  c.dateUpdated = now;
  return p;
}

export function updateParticipant(env: ServiceEnv, c: ConversationRec, p: ParticipantRec, input: ParticipantInput): ParticipantRec {
  checkJson('Attributes', input.attributes);
  if (input.identity !== undefined && input.identity !== p.identity) {
    const dup = Object.values(c.participants).find((x) => x !== p && x.identity === input.identity);
    if (dup) throw new TwilioError(409, 50433, `Participant already exists: Identity "${input.identity}" is ${dup.sid} in Conversation ${c.sid}`);
    p.identity = input.identity;
  }
  if (input.attributes !== undefined) p.attributes = input.attributes;
  if (input.roleSid !== undefined) p.roleSid = input.roleSid;
  if (input.lastReadMessageIndex !== undefined) p.lastReadMessageIndex = input.lastReadMessageIndex;
  if (input.lastReadTimestamp !== undefined) p.lastReadTimestamp = input.lastReadTimestamp;
  if (input.proxyAddress !== undefined && p.messagingBinding) p.messagingBinding.proxy_address = input.proxyAddress === 'null' ? null : input.proxyAddress;
  if (input.dateCreated !== undefined) p.dateCreated = input.dateCreated;
  p.dateUpdated = input.dateUpdated ?? env.clock.now();
  return p;
}

export function removeParticipant(env: ServiceEnv, c: ConversationRec, p: ParticipantRec): void {
  delete c.participants[p.sid];
  c.dateUpdated = env.clock.now();
}

// ---- messages --------------------------------------------------------------

export interface MessageInput {
  author?: string;
  body?: string;
  attributes?: string;
  dateCreated?: number;
  dateUpdated?: number;
}

export function requireMessage(c: ConversationRec, sidOrIndex: string): MessageRec {
  const m = c.messages.find((x) => x.sid === sidOrIndex || String(x.index) === sidOrIndex);
  if (!m) throw notFound(conversationPath(c.sid, `/Messages/${sidOrIndex}`));
  return m;
}

export function addMessage(env: ServiceEnv, c: ConversationRec, input: MessageInput): MessageRec {
  checkJson('Attributes', input.attributes);
  if (input.body !== undefined && input.body.length > 1600) throw invalidParam('Body', `must be at most 1600 characters (got ${input.body.length})`);
  if (c.state === 'closed') throw badRequest(`Conversation ${c.sid} is closed: no message can be added`, 50434);
  const now = env.clock.now();
  const author = input.author ?? 'system';
  const participant = Object.values(c.participants).find((p) => p.identity === author || p.messagingBinding?.address === author);
  const m: MessageRec = {
    sid: env.sids.next('IM'),
    index: c.nextIndex++,
    author,
    body: input.body ?? null,
    attributes: input.attributes ?? '{}',
    participantSid: participant?.sid ?? null,
    dateCreated: input.dateCreated ?? now,
    dateUpdated: input.dateUpdated ?? null,
  };
  c.messages.push(m);
  c.dateUpdated = now;
  return m;
}

export function updateMessage(env: ServiceEnv, m: MessageRec, input: MessageInput): MessageRec {
  checkJson('Attributes', input.attributes);
  if (input.author !== undefined) m.author = input.author;
  if (input.body !== undefined) m.body = input.body;
  if (input.attributes !== undefined) m.attributes = input.attributes;
  if (input.dateCreated !== undefined) m.dateCreated = input.dateCreated;
  m.dateUpdated = input.dateUpdated ?? env.clock.now();
  return m;
}

export function removeMessage(c: ConversationRec, m: MessageRec): void {
  c.messages = c.messages.filter((x) => x !== m);
}

// ---- scoped webhooks (stored, not delivered) --------------------------------

export function requireWebhook(c: ConversationRec, sid: string): WebhookRec {
  const w = c.webhooks[sid];
  if (!w) throw notFound(conversationPath(c.sid, `/Webhooks/${sid}`));
  return w;
}

export function addWebhook(env: ServiceEnv, c: ConversationRec, target: string, configuration: Record<string, unknown>): WebhookRec {
  if (Object.keys(c.webhooks).length >= 5) throw badRequest(`Conversation ${c.sid} already has 5 webhooks (the maximum)`);
  if (target === 'webhook' && !configuration.url) throw invalidParam('Configuration.Url', 'is required when Target is webhook');
  if (target === 'studio' && !configuration.flow_sid) throw invalidParam('Configuration.FlowSid', 'is required when Target is studio');
  const now = env.clock.now();
  const w: WebhookRec = { sid: env.sids.next('WH'), target, configuration, dateCreated: now, dateUpdated: now };
  c.webhooks[w.sid] = w;
  return w;
}
