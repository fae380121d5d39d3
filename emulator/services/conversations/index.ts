/**
 * Conversations v1 (conversations.twilio.com): Conversations, Participants,
 * Messages and scoped Webhooks, account-level and service-scoped (the
 * account's default Conversation Service). See README.md.
 */
import type { ServiceEnv, ServiceModule } from '../../core/types';
import {
  addMessage,
  addParticipant,
  closeConversation,
  createConversation,
  defaultChatServiceSid,
  findConversation,
  rearmConversationTimers,
  removeParticipant,
  type ConversationInput,
  type ConversationRec,
  type ConversationsState,
  type ParticipantRec,
} from './models';
import { conversationsRoutes } from './routes';

export type { ConversationRec, ParticipantRec, ConversationsState };
export { defaultChatServiceSid };

/** In-process API (`env.service<ConversationsApi>('conversations')`); used by Flex. */
export interface ConversationsApi {
  defaultChatServiceSid(accountSid: string): string;
  get(accountSid: string, sidOrUniqueName: string): ConversationRec | undefined;
  create(accountSid: string, input?: ConversationInput): ConversationRec;
  /** Adds a chat participant by identity; returns the existing one when that identity is already in. */
  ensureParticipant(accountSid: string, conversationSid: string, identity: string, attributes?: Record<string, unknown>): ParticipantRec | undefined;
  removeParticipantByIdentity(accountSid: string, conversationSid: string, identity: string): boolean;
  participants(accountSid: string, conversationSid: string): ParticipantRec[];
  /** closed (or inactive) — Flex closing the interaction channel. */
  close(accountSid: string, conversationSid: string, to?: 'closed' | 'inactive'): void;
  addMessage(accountSid: string, conversationSid: string, author: string, body: string): void;
  pending(): number;
  whenIdle(): Promise<void>;
}

function createApi(env: ServiceEnv): ConversationsApi {
  const get = (accountSid: string, sid: string) => findConversation(env, accountSid, sid);
  return {
    defaultChatServiceSid,
    get,
    create: (accountSid, input = {}) => createConversation(env, accountSid, input),
    ensureParticipant(accountSid, sid, identity, attributes) {
      const c = get(accountSid, sid);
      if (!c || c.state === 'closed') return undefined;
      const existing = Object.values(c.participants).find((p) => p.identity === identity);
      if (existing) return existing;
      return addParticipant(env, c, { identity, attributes: attributes ? JSON.stringify(attributes) : undefined });
    },
    removeParticipantByIdentity(accountSid, sid, identity) {
      const c = get(accountSid, sid);
      const p = c && Object.values(c.participants).find((x) => x.identity === identity);
      if (!c || !p) return false;
      removeParticipant(env, c, p);
      return true;
    },
    participants: (accountSid, sid) => Object.values(get(accountSid, sid)?.participants ?? {}),
    close(accountSid, sid, to = 'closed') {
      const c = get(accountSid, sid);
      if (c) closeConversation(env, accountSid, c, to);
    },
    addMessage(accountSid, sid, author, body) {
      const c = get(accountSid, sid);
      if (c) addMessage(env, c, { author, body });
    },
    pending: () => 0,
    whenIdle: async () => undefined,
  };
}

export const conversationsService: ServiceModule<ConversationsState> = {
  name: 'conversations',
  host: 'conversations',
  specFiles: ['twilio_conversations_v1.json'],
  initialState: () => ({ conversations: {} }),
  routes: conversationsRoutes,
  createApi,
  afterLoad: (env) => rearmConversationTimers(env),
};
