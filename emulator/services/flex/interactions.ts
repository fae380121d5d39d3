/**
 * The Flex Interactions API: Interactions (KD), Interaction Channels (UO),
 * Invites (KG), Participants (UT) and Transfers (UX). Interactions route
 * through TaskRouter (in-process API) and use Conversations for the media
 * channel. Rules, no HTTP.
 */
import { badRequest, invalidParam, notFound } from '../../core/errors';
import type { ServiceEnv } from '../../core/types';
import {
  CHANNEL_TYPES,
  flexState,
  type ChannelType,
  type FlexParticipantRec,
  type InteractionChannelRec,
  type InteractionRec,
  type InviteRec,
  type ParticipantType,
  type RoutingRef,
  type TransferRec,
} from './state';
import { conversations, taskrouter } from './peers';

function asObject(name: string, value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalidParam(name, 'must be a JSON object');
  return value as Record<string, unknown>;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function interactionPath(kd: string, rest = ''): string {
  return `/v1/Interactions/${kd}${rest}`;
}

export function requireInteraction(env: ServiceEnv, accountSid: string, sid: string): InteractionRec {
  const i = flexState(env, accountSid).interactions[sid];
  if (!i) throw notFound(interactionPath(sid));
  return i;
}

export function requireChannel(i: InteractionRec, sid: string): InteractionChannelRec {
  const c = i.channels[sid];
  if (!c) throw notFound(interactionPath(i.sid, `/Channels/${sid}`));
  return c;
}

function defaultTaskChannel(type: ChannelType): string {
  if (type === 'voice') return 'voice';
  if (type === 'email') return 'email';
  if (type === 'sms') return 'sms';
  return 'chat';
}

interface RoutingProps {
  workspaceSid: string;
  workflowSid?: string;
  taskChannel: string;
  attributes: Record<string, unknown>;
  workerSid?: string;
  queueSid?: string;
  priority?: number;
  timeout?: number;
}

function readRoutingProperties(env: ServiceEnv, accountSid: string, name: string, routing: Record<string, unknown>, channelType: ChannelType): RoutingProps {
  const props = routing.properties === undefined ? {} : asObject(`${name}.properties`, routing.properties);
  const config = flexState(env, accountSid).configuration;
  const workspaceSid = str(props.workspace_sid) ?? str(config?.taskrouter_workspace_sid);
  if (!workspaceSid) throw invalidParam(`${name}.properties.workspace_sid`, 'is required (this account has no Flex Configuration to default it from)');
  const ws = taskrouter(env).workspace(accountSid, workspaceSid);
  if (!ws) throw invalidParam(`${name}.properties.workspace_sid`, `Workspace ${workspaceSid} does not exist`);
  const workerSid = str(props.worker_sid);
  const queueSid = str(props.queue_sid);
  let workflowSid = str(props.workflow_sid);
  if (!workflowSid && !workerSid && !queueSid && config?.taskrouter_workspace_sid === workspaceSid) workflowSid = str(config.taskrouter_target_workflow_sid);
  if (workflowSid && !ws.workflows[workflowSid]) throw invalidParam(`${name}.properties.workflow_sid`, `Workflow ${workflowSid} does not exist in Workspace ${workspaceSid}`);
  if (workerSid && !ws.workers[workerSid]) throw invalidParam(`${name}.properties.worker_sid`, `Worker ${workerSid} does not exist in Workspace ${workspaceSid}`);
  if (queueSid && !ws.queues[queueSid]) throw invalidParam(`${name}.properties.queue_sid`, `TaskQueue ${queueSid} does not exist in Workspace ${workspaceSid}`);
  let taskChannel = str(props.task_channel_unique_name) ?? str(props.task_channel_sid) ?? defaultTaskChannel(channelType);
  const byName = Object.values(ws.channels).find((c) => c.uniqueName === taskChannel || c.sid === taskChannel);
  if (!byName) throw invalidParam(`${name}.properties.task_channel_unique_name`, `no TaskChannel "${taskChannel}" in Workspace ${workspaceSid}`);
  taskChannel = byName.uniqueName;
  const attributes =
    props.attributes === undefined
      ? {}
      : typeof props.attributes === 'string'
        ? asObject(`${name}.properties.attributes`, safeJson(props.attributes))
        : asObject(`${name}.properties.attributes`, props.attributes);
  const priority = props.priority === undefined ? undefined : Number(props.priority);
  const timeout = props.timeout === undefined ? undefined : Number(props.timeout);
  if (priority !== undefined && !Number.isInteger(priority)) throw invalidParam(`${name}.properties.priority`, 'must be an integer');
  if (timeout !== undefined && !Number.isInteger(timeout)) throw invalidParam(`${name}.properties.timeout`, 'must be an integer');
  return { workspaceSid, workflowSid, taskChannel, attributes, workerSid, queueSid, priority, timeout };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** Twilio's interaction attributes added to every interaction task. */
function interactionAttributes(i: InteractionRec, ch: InteractionChannelRec, inviteSid: string, base: Record<string, unknown>): Record<string, unknown> {
  const initiatedBy = str(i.channel.initiated_by) ?? 'customer';
  const conversationsAttr = base.conversations && typeof base.conversations === 'object' && !Array.isArray(base.conversations) ? (base.conversations as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {
    ...base,
    flexInteractionSid: i.sid,
    flexInteractionChannelSid: ch.sid,
    flexChannelInviteSid: inviteSid,
    channelType: ch.type,
    initiatedBy,
    direction: base.direction ?? (initiatedBy === 'customer' ? 'inbound' : 'outbound'),
    conversations: {
      ...conversationsAttr,
      conversation_id: conversationsAttr.conversation_id ?? i.sid,
      initiated_by: initiatedBy,
      ...(ch.mediaChannelSid ? { media: [{ type: 'ChatTranscript', sid: ch.mediaChannelSid }] } : {}),
    },
  };
  if (ch.mediaChannelSid) out.conversationSid = ch.mediaChannelSid;
  return out;
}

function startTask(env: ServiceEnv, accountSid: string, props: RoutingProps, attributes: Record<string, unknown>): RoutingRef {
  const task = taskrouter(env).createTask(accountSid, props.workspaceSid, {
    attributes: JSON.stringify(attributes),
    workflowSid: props.workflowSid,
    taskChannel: props.taskChannel,
    routingTarget: props.workerSid,
    taskQueueSid: props.workerSid ? undefined : props.queueSid,
    priority: props.priority,
    timeout: props.timeout,
  });
  return { workspaceSid: props.workspaceSid, taskSid: task.sid };
}

export interface CreateInteractionInput {
  channel: unknown;
  routing?: unknown;
  interactionContextSid?: string;
  webhookTtid?: string;
}

export function createInteraction(env: ServiceEnv, accountSid: string, input: CreateInteractionInput): InteractionRec {
  const channel = asObject('Channel', input.channel);
  const type = channel.type as ChannelType;
  if (!CHANNEL_TYPES.includes(type)) throw invalidParam('Channel.type', `must be one of ${CHANNEL_TYPES.join(', ')} (got ${JSON.stringify(channel.type)})`);
  const initiatedBy = channel.initiated_by ?? 'customer';
  if (!['customer', 'agent', 'api'].includes(String(initiatedBy))) throw invalidParam('Channel.initiated_by', `must be customer, agent or api (got ${JSON.stringify(initiatedBy)})`);
  const properties = channel.properties === undefined ? {} : asObject('Channel.properties', channel.properties);
  const routing = input.routing === undefined ? {} : asObject('Routing', input.routing);
  const props = readRoutingProperties(env, accountSid, 'Routing', routing, type);
  if (initiatedBy === 'agent' && (!props.workerSid || !props.queueSid)) {
    throw invalidParam('Routing.properties', 'an agent-initiated interaction needs worker_sid and queue_sid');
  }

  // The media channel: an existing Conversation, or a new one for messaging channels.
  let mediaChannelSid: string | null = null;
  if (type !== 'voice') {
    const convs = conversations(env);
    const given = str(properties.media_channel_sid);
    if (given) {
      const c = convs?.get(accountSid, given);
      if (!c) throw invalidParam('Channel.properties.media_channel_sid', `Conversation ${given} does not exist`);
      if (c.state === 'closed') throw invalidParam('Channel.properties.media_channel_sid', `Conversation ${given} is closed`);
      mediaChannelSid = c.sid;
    } else if (convs) {
      mediaChannelSid = convs.create(accountSid, { friendlyName: `Flex ${type} interaction` }).sid;
    }
  }

  const now = env.clock.now();
  const interaction: InteractionRec = {
    sid: env.sids.next('KD'),
    channel,
    routing,
    interactionContextSid: input.interactionContextSid ?? null,
    webhookTtid: input.webhookTtid ?? null,
    task: null,
    channels: {},
    dateCreated: now,
  };
  const ch: InteractionChannelRec = {
    sid: env.sids.next('UO'),
    type,
    status: 'active',
    errorCode: null,
    errorMessage: null,
    mediaChannelSid,
    participants: {},
    invites: {},
    transfers: {},
    dateCreated: now,
  };
  interaction.channels[ch.sid] = ch;
  flexState(env, accountSid).interactions[interaction.sid] = interaction;

  // The customer's side of the channel.
  if (initiatedBy === 'customer' || initiatedBy === 'api') {
    const customer = mediaChannelSid ? conversations(env)?.participants(accountSid, mediaChannelSid)[0] : undefined;
    addParticipantRec(
      env,
      ch,
      'customer',
      {
        ...(customer
          ? { conversation_sid: mediaChannelSid, participant_sid: customer.sid, identity: customer.identity, messaging_binding: customer.messagingBinding }
          : mediaChannelSid
            ? { conversation_sid: mediaChannelSid }
            : {}),
        ...(properties.from ? { address: properties.from } : {}),
      },
      null,
      customer?.sid ?? null,
    );
  }

  // Routing: the first task, through an invite of its own (flexChannelInviteSid).
  const invite = newInvite(env, routing, props.workspaceSid);
  ch.invites[invite.sid] = invite;
  try {
    interaction.task = startTask(env, accountSid, props, interactionAttributes(interaction, ch, invite.sid, props.attributes));
  } catch (err) {
    delete flexState(env, accountSid).interactions[interaction.sid];
    throw err;
  }
  invite.taskSid = interaction.task.taskSid;
  invite.snapshot = taskrouter(env).routingProperties(accountSid, props.workspaceSid, invite.taskSid) ?? null;
  return interaction;
}

function newInvite(env: ServiceEnv, routing: Record<string, unknown>, workspaceSid: string): InviteRec {
  return { sid: env.sids.next('KG'), routing, workspaceSid, taskSid: '', status: 'pending', snapshot: null, dateCreated: env.clock.now() };
}

export function createInvite(env: ServiceEnv, accountSid: string, i: InteractionRec, ch: InteractionChannelRec, routingInput: unknown): InviteRec {
  const routing = asObject('Routing', routingInput);
  if (routing.properties === undefined) throw invalidParam('Routing', 'must have a properties object');
  if (ch.status === 'closed' || ch.status === 'inactive') throw badRequest(`Interaction Channel ${ch.sid} is ${ch.status}: no invite can be created`);
  const props = readRoutingProperties(env, accountSid, 'Routing', routing, ch.type);
  const invite = newInvite(env, routing, props.workspaceSid);
  const ref = startTask(env, accountSid, props, interactionAttributes(i, ch, invite.sid, props.attributes));
  invite.taskSid = ref.taskSid;
  invite.snapshot = taskrouter(env).routingProperties(accountSid, ref.workspaceSid, ref.taskSid) ?? null;
  ch.invites[invite.sid] = invite;
  return invite;
}

/** `routing.properties` as Twilio reports it: the task now, or its last known state. */
export function inviteRoutingProperties(env: ServiceEnv, accountSid: string, invite: InviteRec): Record<string, unknown> | null {
  const live = invite.taskSid ? taskrouter(env).routingProperties(accountSid, invite.workspaceSid, invite.taskSid) : undefined;
  if (live) invite.snapshot = live;
  return live ?? invite.snapshot;
}

function addParticipantRec(
  env: ServiceEnv,
  ch: InteractionChannelRec,
  type: ParticipantType,
  media: Record<string, unknown>,
  routing: FlexParticipantRec['routingProperties'],
  conversationParticipantSid: string | null,
): FlexParticipantRec {
  const p: FlexParticipantRec = {
    sid: env.sids.next('UT'),
    type,
    status: 'active',
    mediaProperties: media,
    routingProperties: routing,
    conversationParticipantSid,
    dateCreated: env.clock.now(),
  };
  ch.participants[p.sid] = p;
  return p;
}

export function createParticipant(
  env: ServiceEnv,
  accountSid: string,
  ch: InteractionChannelRec,
  input: { type: ParticipantType; mediaProperties: unknown; routingProperties?: unknown },
): FlexParticipantRec {
  const media = asObject('MediaProperties', input.mediaProperties);
  const routing = input.routingProperties === undefined ? null : asObject('RoutingProperties', input.routingProperties);
  if (ch.status === 'closed' || ch.status === 'inactive') throw badRequest(`Interaction Channel ${ch.sid} is ${ch.status}: no participant can be added`);
  let routingProps: FlexParticipantRec['routingProperties'] = null;
  if (routing) {
    const taskSid = str(routing.task_sid);
    const workerSid = str(routing.worker_sid);
    if (input.type === 'agent' && (!taskSid || !workerSid)) throw invalidParam('RoutingProperties', 'an agent participant needs task_sid and worker_sid');
    routingProps = { task_sid: taskSid ?? '', worker_sid: workerSid ?? '', reservation_sid: str(routing.reservation_sid) ?? '' };
    if (str(routing.workspace_sid)) routingProps.workspace_sid = str(routing.workspace_sid);
  }
  let mb: string | null = null;
  const convs = conversations(env);
  if (ch.mediaChannelSid && convs) {
    const identity = str(media.identity);
    const address = str((media.messaging_binding as Record<string, unknown> | undefined)?.address) ?? str(media.address);
    if (identity) mb = convs.ensureParticipant(accountSid, ch.mediaChannelSid, identity)?.sid ?? null;
    else if (address) {
      const existing = convs.participants(accountSid, ch.mediaChannelSid).find((p) => p.messagingBinding?.address === address);
      mb = existing?.sid ?? null;
    }
  }
  return addParticipantRec(env, ch, input.type, { ...media, ...(ch.mediaChannelSid ? { conversation_sid: ch.mediaChannelSid } : {}) }, routingProps, mb);
}

function identityOf(media: Record<string, unknown>): string | undefined {
  return str(media.identity);
}

/**
 * Participant status: `closed` completes that agent's task (the conversation
 * stays active; the agent leaves it); `wrapup` moves the task to wrapping.
 */
export function updateParticipantStatus(env: ServiceEnv, accountSid: string, ch: InteractionChannelRec, p: FlexParticipantRec, status: 'closed' | 'wrapup'): FlexParticipantRec {
  if (p.status === 'closed') throw badRequest(`Participant ${p.sid} is already closed`);
  const tr = taskrouter(env);
  const ref = p.routingProperties;
  const wsSid = ref?.workspace_sid ?? str(flexState(env, accountSid).configuration?.taskrouter_workspace_sid) ?? findWorkspaceOfTask(env, accountSid, ref?.task_sid);
  if (ref?.task_sid && wsSid) {
    const task = tr.getTask(accountSid, wsSid, ref.task_sid);
    if (task) {
      if (status === 'closed') {
        if (task.assignmentStatus === 'assigned' || task.assignmentStatus === 'wrapping') tr.endTask(accountSid, wsSid, task.sid, 'completed', 'Participant closed');
        else tr.endTask(accountSid, wsSid, task.sid, 'canceled', 'Participant closed');
      } else if (task.assignmentStatus === 'assigned') {
        tr.endTask(accountSid, wsSid, task.sid, 'wrapping', 'Participant in wrapup');
      }
    }
  }
  if (status === 'closed' && ch.mediaChannelSid) {
    const identity = identityOf(p.mediaProperties);
    if (identity) conversations(env)?.removeParticipantByIdentity(accountSid, ch.mediaChannelSid, identity);
  }
  p.status = status;
  return p;
}

function findWorkspaceOfTask(env: ServiceEnv, accountSid: string, taskSid: string | undefined): string | undefined {
  if (!taskSid) return undefined;
  const tr = env.state<{ workspaces: Record<string, { sid: string; tasks: Record<string, unknown> }> }>(accountSid, 'taskrouter');
  return Object.values(tr.workspaces).find((w) => w.tasks[taskSid])?.sid;
}

/** Every task of a channel: the interaction's first task and each invite's. */
function channelTasks(ch: InteractionChannelRec): RoutingRef[] {
  return Object.values(ch.invites)
    .filter((inv) => inv.taskSid)
    .map((inv) => ({ workspaceSid: inv.workspaceSid, taskSid: inv.taskSid }));
}

/**
 * Channel status: `closed` -> its tasks wrap up (or complete with
 * `Routing.status=closed`; unassigned ones are canceled), agents are closed,
 * the conversation closes. `inactive` (needs `Routing.status=closed`) ->
 * tasks complete, the conversation goes inactive.
 */
export function updateChannelStatus(env: ServiceEnv, accountSid: string, ch: InteractionChannelRec, status: 'closed' | 'inactive', routingInput: unknown): InteractionChannelRec {
  const routing = routingInput === undefined ? undefined : asObject('Routing', routingInput);
  const routingStatus = routing?.status;
  if (routingStatus !== undefined && routingStatus !== 'closed') throw invalidParam('Routing.status', `can only be "closed" (got ${JSON.stringify(routingStatus)})`);
  if (status === 'inactive' && routingStatus !== 'closed') throw invalidParam('Routing', 'status "closed" is required when the channel Status is inactive');
  if (ch.status === 'closed' && status === 'closed') return ch;
  const complete = routingStatus === 'closed';
  const tr = taskrouter(env);
  for (const ref of channelTasks(ch)) {
    const task = tr.getTask(accountSid, ref.workspaceSid, ref.taskSid);
    if (!task) continue;
    const s = task.assignmentStatus;
    if (s === 'pending' || s === 'reserved') tr.endTask(accountSid, ref.workspaceSid, ref.taskSid, 'canceled', `Interaction channel ${status}`);
    else if (s === 'assigned') tr.endTask(accountSid, ref.workspaceSid, ref.taskSid, complete ? 'completed' : 'wrapping', `Interaction channel ${status}`);
    else if (s === 'wrapping' && complete) tr.endTask(accountSid, ref.workspaceSid, ref.taskSid, 'completed', `Interaction channel ${status}`);
  }
  for (const p of Object.values(ch.participants)) {
    if (p.type === 'agent' && p.status === 'active') p.status = complete ? 'closed' : 'wrapup';
  }
  ch.status = status;
  if (ch.mediaChannelSid) conversations(env)?.close(accountSid, ch.mediaChannelSid, status === 'inactive' ? 'inactive' : 'closed');
  return ch;
}

// ---- reacting to TaskRouter ------------------------------------------------------

function locate(env: ServiceEnv, accountSid: string, attrs: Record<string, unknown>): { i: InteractionRec; ch: InteractionChannelRec } | undefined {
  const kd = str(attrs.flexInteractionSid);
  const uo = str(attrs.flexInteractionChannelSid);
  if (!kd || !uo) return undefined;
  const i = flexState(env, accountSid).interactions[kd];
  const ch = i?.channels[uo];
  return i && ch ? { i, ch } : undefined;
}

/** The identity a worker uses in Conversations: contact_uri without `client:`, else its friendly name. */
export function workerIdentity(contactUri: string | undefined, friendlyName: string): string {
  if (contactUri && contactUri.startsWith('client:')) return contactUri.slice('client:'.length);
  return contactUri || friendlyName;
}

/**
 * TaskRouter events for interaction tasks: an accepted reservation adds the
 * agent as a channel participant (and to the conversation) — "the invited
 * agent joins"; a canceled task cancels its pending invite.
 */
export function onTaskRouterEvent(env: ServiceEnv, accountSid: string, workspaceSid: string, eventType: string, data: Record<string, unknown>): void {
  if (eventType !== 'reservation.accepted' && eventType !== 'task.canceled') return;
  const attrs = safeJson(String(data.task_attributes ?? '{}'));
  if (!attrs || typeof attrs !== 'object') return;
  const found = locate(env, accountSid, attrs as Record<string, unknown>);
  if (!found) return;
  const { ch } = found;
  const inviteSid = str((attrs as Record<string, unknown>).flexChannelInviteSid);
  const invite = inviteSid ? ch.invites[inviteSid] : undefined;
  if (eventType === 'task.canceled') {
    if (invite && invite.status === 'pending') invite.status = 'canceled';
    if (invite) inviteRoutingProperties(env, accountSid, invite);
    return;
  }
  const workerSid = String(data.worker_sid ?? '');
  const taskSid = String(data.task_sid ?? '');
  const reservationSid = String(data.reservation_sid ?? '');
  if (invite) invite.status = 'accepted';
  const already = Object.values(ch.participants).find((p) => p.type === 'agent' && p.routingProperties?.task_sid === taskSid && p.status !== 'closed');
  if (already) return;
  const tr = taskrouter(env);
  const contact = tr.workerContactUri(accountSid, workspaceSid, workerSid);
  const identity = workerIdentity(contact, String(data.worker_name ?? workerSid));
  let mb: string | null = null;
  if (ch.mediaChannelSid && ch.status !== 'closed') {
    mb = conversations(env)?.ensureParticipant(accountSid, ch.mediaChannelSid, identity, { member_type: 'agent' })?.sid ?? null;
  }
  addParticipantRec(
    env,
    ch,
    'agent',
    { identity, ...(ch.mediaChannelSid ? { conversation_sid: ch.mediaChannelSid } : {}), ...(mb ? { participant_sid: mb } : {}) },
    { task_sid: taskSid, worker_sid: workerSid, reservation_sid: reservationSid, workspace_sid: workspaceSid },
    mb,
  );
}

// ---- transfers (stored) ----------------------------------------------------------

export function createTransfer(env: ServiceEnv, ch: InteractionChannelRec, body: Record<string, unknown>): TransferRec {
  const type = body.type ?? 'cold';
  if (!['warm', 'cold', 'external'].includes(String(type))) throw invalidParam('type', `must be warm, cold or external (got ${JSON.stringify(type)})`);
  const from = str(body.from) ?? null;
  if (from && !ch.participants[from]) throw invalidParam('from', `Participant ${from} is not on Interaction Channel ${ch.sid}`);
  const now = env.clock.now();
  const t: TransferRec = { sid: env.sids.next('UX'), type: type as TransferRec['type'], status: 'active', from, to: str(body.to) ?? null, dateCreated: now, dateUpdated: now };
  ch.transfers[t.sid] = t;
  return t;
}

export function updateTransfer(env: ServiceEnv, t: TransferRec, body: Record<string, unknown>): TransferRec {
  if (body.status !== undefined) {
    if (!['active', 'failed', 'completed'].includes(String(body.status))) throw invalidParam('status', `must be active, failed or completed (got ${JSON.stringify(body.status)})`);
    t.status = body.status as TransferRec['status'];
  }
  if (body.to !== undefined) t.to = str(body.to) ?? null;
  t.dateUpdated = env.clock.now();
  return t;
}
