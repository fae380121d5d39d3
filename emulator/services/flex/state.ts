/**
 * Flex v1 state (per account): the Flex Configuration and the Interactions
 * (KD) with their Channels (UO), Invites (KG), Participants (UT) and
 * Transfers (UX); .
 */
import type { ServiceEnv } from '../../core/types';

export const SERVICE_NAME = 'flex';

export type ChannelType = 'voice' | 'sms' | 'email' | 'web' | 'whatsapp' | 'chat' | 'messenger' | 'gbm';
export const CHANNEL_TYPES: readonly ChannelType[] = ['voice', 'sms', 'email', 'web', 'whatsapp', 'chat', 'messenger', 'gbm'];
export type ChannelStatus = 'setup' | 'active' | 'failed' | 'closed' | 'inactive' | 'pause' | 'transfer';
export type ParticipantType = 'supervisor' | 'customer' | 'external' | 'agent' | 'unknown';

export interface RoutingRef {
  workspaceSid: string;
  taskSid: string;
}

export interface InviteRec {
  sid: string;
  /** The Routing JSON as sent. */
  routing: Record<string, unknown>;
  workspaceSid: string;
  taskSid: string;
  /** pending -> accepted (an agent joined) | canceled (the task ended unassigned). */
  status: 'pending' | 'accepted' | 'canceled';
  /** Last known routing.properties (used once TaskRouter deleted the task). */
  snapshot: Record<string, unknown> | null;
  dateCreated: number;
}

export interface FlexParticipantRec {
  sid: string;
  type: ParticipantType;
  status: 'active' | 'closed' | 'wrapup';
  mediaProperties: Record<string, unknown>;
  routingProperties: { task_sid: string; worker_sid: string; reservation_sid: string; workspace_sid?: string } | null;
  /** The Conversations participant (MB) it corresponds to, if any. */
  conversationParticipantSid: string | null;
  dateCreated: number;
}

export interface TransferRec {
  sid: string;
  type: 'warm' | 'cold' | 'external';
  status: 'active' | 'failed' | 'completed';
  from: string | null;
  to: string | null;
  dateCreated: number;
  dateUpdated: number;
}

export interface InteractionChannelRec {
  sid: string;
  type: ChannelType;
  status: ChannelStatus;
  errorCode: number | null;
  errorMessage: string | null;
  /** Conversation (CH) of a messaging channel. */
  mediaChannelSid: string | null;
  participants: Record<string, FlexParticipantRec>;
  invites: Record<string, InviteRec>;
  transfers: Record<string, TransferRec>;
  dateCreated: number;
}

export interface InteractionRec {
  sid: string;
  channel: Record<string, unknown>;
  routing: Record<string, unknown>;
  interactionContextSid: string | null;
  webhookTtid: string | null;
  /** The task created with the interaction. */
  task: RoutingRef | null;
  channels: Record<string, InteractionChannelRec>;
  dateCreated: number;
}

/** Native messaging transfers of the Flex instance (transfer-settings.ts). */
export interface TransferSettingsRec {
  sid: string;
  enabled: boolean;
  transferNotesEnabled: boolean;
  aiSummaryEnabled: boolean;
  version: number;
  dateCreated: number;
  dateUpdated: number;
}

export interface FlexState {
  /** Null until the account is a Flex account (`--seed flex`). */
  configuration: Record<string, unknown> | null;
  interactions: Record<string, InteractionRec>;
  /** A Flex account's native transfer settings (absent in state saved before they were emulated). */
  transferSettings?: TransferSettingsRec | null;
}

export function flexState(env: ServiceEnv, accountSid: string): FlexState {
  return env.state<FlexState>(accountSid, SERVICE_NAME);
}
