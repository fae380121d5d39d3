/**
 * The workspace's event callback (`/taskrouter/events`): classifies each
 * TaskRouter event from what it carries (no API call for events of tasks the
 * transfers do not care about) and hands it to the chat or voice state
 * machine. Contract: docs/functions.md.
 */
import type * as Load from './load.private';
import type * as Params from './params.private';
import type * as ChatState from './chat-state.private';
import type * as ChatEvents from './chat-events.private';
import type * as Ledger from './ledger.private';
import type * as VoiceState from './voice-state.private';
import type * as VoiceCalls from './voice-calls.private';
import type { TwilioEndpointEnv } from './http.private';
import type { TaskRecord, TaskStatus } from './twilio.private';

/** Twilio's runtime global (a free identifier: see lib/load.private.ts). */
declare const Runtime: { getFunctions(): Record<string, { path: string }> };
const load = (): typeof Load => require(Runtime.getFunctions()['lib/load'].path) as typeof Load;
const params = () => load().loadLib<typeof Params>('lib/params');
const chat = () => load().loadLib<typeof ChatState>('lib/chat-state');
const chatEvents = () => load().loadLib<typeof ChatEvents>('lib/chat-events');

const STATUSES: TaskStatus[] = ['pending', 'reserved', 'assigned', 'canceled', 'completed', 'wrapping'];

/** Events of chat transfer tasks that move the chat state machine. */
export const CHAT_TRANSFER_EVENTS = new Set([
  'task.created',
  'reservation.accepted',
  'reservation.rejected',
  'reservation.timeout',
  'task.canceled',
  'task.deleted',
  'task.system-deleted',
  'task.wrapup',
  'task.completed',
]);
/** Events of any conversation task that mean its agent left. */
export const AGENT_LEFT_EVENTS = new Set(['task.wrapup', 'task.completed']);

/** The task as the event describes it (no API call). */
function taskOfEvent(env: TwilioEndpointEnv, taskSid: string): TaskRecord {
  const p = params();
  const status = p.str(env.event, 'TaskAssignmentStatus', { maxLength: 20 });
  return {
    sid: taskSid,
    workspaceSid: env.config.workspaceSid,
    workflowSid: p.sid(env.event, 'WorkflowSid', ['WW']) ?? null,
    queueSid: p.sid(env.event, 'TaskQueueSid', ['WQ']) ?? null,
    status: (STATUSES as string[]).includes(status ?? '') ? (status as TaskStatus) : 'pending',
    attributes: p.parseJsonObject(p.str(env.event, 'TaskAttributes', { maxLength: 65536 })),
    taskChannel: p.str(env.event, 'TaskChannelUniqueName', { maxLength: 64 }) ?? null,
    dateCreated: new Date(0).toISOString(),
    etag: null,
  };
}

async function chatEvent(env: TwilioEndpointEnv, eventType: string, task: TaskRecord): Promise<Record<string, unknown> | null> {
  const s = chat();
  const ev = chatEvents();
  const refs = s.refsOfAttributes(task.attributes);
  if (!refs) return null;
  const a = task.attributes;
  const transfer = s.isTransferTask(a) && (a.transferType === 'cold' || a.transferType === 'invite') && typeof a.transferRequestId === 'string';
  let result: Record<string, unknown>;
  const seen: ChatEvents.Seen = {};
  if (transfer && CHAT_TRANSFER_EVENTS.has(eventType)) {
    switch (eventType) {
      case 'task.created':
        result = await ev.onTransferCreated(env.port, refs, task);
        break;
      case 'reservation.accepted':
        result = await ev.onTransferJoined(env.port, refs, task, seen);
        break;
      case 'reservation.rejected':
      case 'reservation.timeout':
        if (a.transferType !== 'invite' || a.transferTargetType !== 'worker') return { handled: false, reason: 'a queue or cold transfer is routed on by its workflow' };
        result = await ev.onInviteDeclined(env.port, refs, task.sid, eventType === 'reservation.timeout' ? 'invited worker did not answer' : 'invited worker declined');
        break;
      case 'task.canceled':
      case 'task.deleted':
      case 'task.system-deleted':
        result = await ev.onTransferEnded(env.port, refs, task, seen);
        break;
      default:
        // The invited agent wrapped up or completed: an agent left.
        result = { handled: true, ...(await ev.afterAgentLeft(env.port, refs, task.sid, seen)) };
    }
  } else if (AGENT_LEFT_EVENTS.has(eventType)) {
    result = { handled: true, ...(await ev.afterAgentLeft(env.port, refs, task.sid)) };
  } else {
    return null;
  }
  // The plugin's view of outstanding invites follows every transfer change (best effort: the next event puts it right).
  if (transfer && env.budget.callTimeout() > 500) {
    try {
      // A listing made by the handler (after the event's change) serves as the first round's.
      const sync = await load()
        .loadLib<typeof Ledger>('lib/ledger')
        .syncView(env.port, refs, { maxRounds: 3, ...(seen.tasks ? { first: seen.tasks } : {}) });
      result.inviteRecordsSynced = sync.ok;
    } catch (err) {
      console.warn(`[taskrouter/events] invite records not synchronized now: ${(err as Error).message}`);
      result.inviteRecordsSynced = false;
    }
  }
  return result;
}

export async function taskRouterEvent(env: TwilioEndpointEnv): Promise<{ status?: number; body: unknown }> {
  const p = params();
  const eventType = p.str(env.event, 'EventType', { maxLength: 100 });
  if (!eventType) throw new p.ParamError('EventType', 'EventType is required');
  const workspaceSid = p.str(env.event, 'WorkspaceSid', { maxLength: 64 });
  if (workspaceSid !== undefined && workspaceSid !== env.config.workspaceSid) return { body: { success: true, handled: false, reason: `event of another workspace (${workspaceSid})` } };
  const taskSid = p.sid(env.event, 'TaskSid', ['WT']);
  if (!taskSid) return { body: { success: true, handled: false, reason: 'event without a task' } };
  const task = taskOfEvent(env, taskSid);
  const vs = load().loadLib<typeof VoiceState>('lib/voice-state');
  if (vs.isVoiceTransferTask(task.attributes)) {
    const calls = load().loadLib<typeof VoiceCalls>('lib/voice-calls');
    if (!calls.VOICE_EVENTS.has(eventType)) return { body: { success: true, handled: false, reason: 'voice transfer event not used' } };
    return { body: { success: true, kind: 'voice', ...(await calls.handleVoiceTaskEvent(env, eventType, task)) } };
  }
  const result = await chatEvent(env, eventType, task);
  if (result) return { body: { success: true, kind: 'chat', ...result } };
  return { body: { success: true, handled: false, reason: 'not an event the transfers use' } };
}
