/**
 * End-to-end scenario helpers: an emulator with the Flex seed and a manual
 * clock (with the transfer stack deployed to it), HTTP calls to the deployed
 * functions, Flex-like chats and calls, and waiting until the emulator's
 * asynchronous work (webhooks, TwiML fetches) has settled.
 */
import type { Emulator, EmulatorState, VoiceNetworkApi } from '../emulator';
import { deployTransferStack, type TransferStack } from './deploy';
import { startManualEmulator } from './emulator';

export interface DeployedStack {
  emu: Emulator;
  stack: TransferStack;
  /** The state right after the deployment settled, to restore before each test or iteration. */
  clean: EmulatorState;
}

/** An emulator with the transfer stack deployed and settled (the emulator is stopped if the deployment fails). */
export async function startDeployedStack(): Promise<DeployedStack> {
  const emu = await startManualEmulator();
  try {
    const stack = await deployTransferStack(emu);
    await emu.whenIdle();
    return { emu, stack, clean: emu.snapshot() };
  } catch (err) {
    await emu.stop();
    throw err;
  }
}

/** Back to the freshly deployed state, with no fault armed. */
export async function resetToDeployed(emu: Emulator, clean: EmulatorState): Promise<void> {
  // What the last scenario set off (event callbacks, TwiML fetches) finishes
  // first: run against the restored state it would act on records that are not there.
  await emu.whenIdle();
  emu.restore(clean);
  emu.faults.clear();
}

export interface FnResponse {
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Headers;
}

/** POSTs form parameters to a deployed function. */
export async function callFunction(stack: TransferStack, path: string, params: Record<string, string | undefined>, headers: Record<string, string> = {}): Promise<FnResponse> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) form.append(k, v);
  const res = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: form.toString() });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = {};
  }
  return { status: res.status, body, text, headers: res.headers };
}

/** POSTs to a deployed function signed as Twilio signs webhooks (for the protected endpoints); `query` is part of the signed URL. */
export async function signedCall(emu: Emulator, stack: TransferStack, path: string, params: Record<string, string>, query = ''): Promise<FnResponse> {
  const signature = emu.core.webhooks.sign(emu.credentials.authToken, `https://${stack.domain}${path}${query}`, params);
  return callFunction(stack, `${path}${query}`, params, { 'X-Twilio-Signature': signature });
}

export async function setActivity(stack: TransferStack, names: string[], activity: 'Available' | 'Offline' | 'Unavailable'): Promise<void> {
  const ws = stack.client.taskrouter.v1.workspaces(stack.workspaceSid);
  for (const n of names) await ws.workers(stack.workers[n]).update({ activitySid: stack.activities[activity] });
}

/** Makes `agent` the only Available worker (the others Offline), so routing has a single choice. */
export async function onlyAvailable(stack: TransferStack, agent: string): Promise<void> {
  await setActivity(
    stack,
    Object.keys(stack.workers).filter((n) => n !== agent),
    'Offline',
  );
  await setActivity(stack, [agent], 'Available');
}

export async function pendingReservations(stack: TransferStack, taskSid: string) {
  const rs = await stack.client.taskrouter.v1.workspaces(stack.workspaceSid).tasks(taskSid).reservations.list();
  return rs.filter((r) => r.reservationStatus === 'pending');
}

/** Accepts the task's pending reservation (as the worker's Flex UI would). Returns the worker SID. */
export async function acceptReservation(emu: Emulator, stack: TransferStack, taskSid: string, expectedWorker?: string): Promise<string> {
  await emu.whenIdle();
  const pending = await pendingReservations(stack, taskSid);
  if (pending.length !== 1) throw new Error(`task ${taskSid} has ${pending.length} pending reservations`);
  if (expectedWorker && pending[0].workerSid !== expectedWorker) throw new Error(`task ${taskSid} is reserved for ${pending[0].workerSid}, expected ${expectedWorker}`);
  await stack.client.taskrouter.v1.workspaces(stack.workspaceSid).tasks(taskSid).reservations(pending[0].sid).update({ reservationStatus: 'accepted' });
  await emu.whenIdle();
  return pending[0].workerSid;
}

export interface Chat {
  interactionSid: string;
  channelSid: string;
  conversationSid: string;
  taskSid: string;
}

/** A customer starts a web chat; it is routed to `agent` (the only one available) who accepts. */
export async function startChat(emu: Emulator, stack: TransferStack, agent: string, attributes: Record<string, unknown> = { customerName: 'Ann' }): Promise<Chat> {
  await onlyAvailable(stack, agent);
  const interaction = await stack.client.flexApi.v1.interaction.create({
    channel: { type: 'web', initiated_by: 'customer', properties: {} },
    routing: { properties: { workspace_sid: stack.workspaceSid, workflow_sid: stack.inboundWorkflowSid, task_channel_unique_name: 'chat', attributes } },
  });
  const channelSid = (interaction.channel as { sid: string }).sid;
  const taskSid = String((interaction.routing as { properties: { sid: string } }).properties.sid);
  await acceptReservation(emu, stack, taskSid, stack.workers[agent]);
  const task = await stack.client.taskrouter.v1.workspaces(stack.workspaceSid).tasks(taskSid).fetch();
  const attrs = JSON.parse(task.attributes) as Record<string, unknown>;
  return { interactionSid: interaction.sid, channelSid, conversationSid: String(attrs.conversationSid), taskSid };
}

export const CUSTOMER = '+15550001111';
export const TWILIO_NUMBER = '+15550002222';

export interface Call {
  taskSid: string;
  conferenceSid: string;
  customerCallSid: string;
  agentCallSid: string;
}

/** A customer calls; Flex's workflow reserves `agent` (the only one available), who is connected through the `conference` instruction. */
export async function startVoiceCall(emu: Emulator, stack: TransferStack, agent: string, taskAttributes: Record<string, unknown> = { type: 'inbound' }): Promise<Call> {
  const voice = emu.core.apiOf<VoiceNetworkApi>('api') as VoiceNetworkApi;
  await onlyAvailable(stack, agent);
  const customer = voice.inboundCall(stack.accountSid, {
    from: CUSTOMER,
    to: TWILIO_NUMBER,
    twiml: `<Response><Enqueue workflowSid="${stack.inboundWorkflowSid}"><Task>${JSON.stringify(taskAttributes)}</Task></Enqueue></Response>`,
  });
  await emu.whenIdle();
  const ws = stack.client.taskrouter.v1.workspaces(stack.workspaceSid);
  const task = (await ws.tasks.list({ assignmentStatus: ['reserved'] })).find((t) => (JSON.parse(t.attributes) as { call_sid?: string }).call_sid === customer.sid);
  if (!task) throw new Error('the customer call created no reserved task');
  const [res] = await pendingReservations(stack, task.sid);
  // What Flex answers for a voice reservation: the conference instruction.
  await ws
    .tasks(task.sid)
    .reservations(res.sid)
    .update({ instruction: 'conference', from: TWILIO_NUMBER, endConferenceOnExit: true, endConferenceOnCustomerExit: true } as never);
  await emu.whenIdle();
  voice.answerRinging(stack.accountSid, `client:${agent}`);
  await emu.whenIdle();
  const attrs = (await taskOf(stack, task.sid)).attributes as { conference?: { sid: string; participants: { customer: string; worker: string } } };
  if (!attrs.conference) throw new Error('the conference instruction set no conference attributes');
  return { taskSid: task.sid, conferenceSid: attrs.conference.sid, customerCallSid: attrs.conference.participants.customer, agentCallSid: attrs.conference.participants.worker };
}

export async function taskOf(stack: TransferStack, sid: string) {
  const t = await stack.client.taskrouter.v1.workspaces(stack.workspaceSid).tasks(sid).fetch();
  return {
    sid: t.sid,
    status: t.assignmentStatus,
    attributes: JSON.parse(t.attributes) as Record<string, unknown>,
    workflowSid: t.workflowSid,
    channel: t.taskChannelUniqueName,
    queueSid: t.taskQueueSid,
  };
}

export async function conversationAttributes(stack: TransferStack, sid: string): Promise<Record<string, unknown>> {
  const c = await stack.client.conversations.v1.conversations(sid).fetch();
  return JSON.parse(c.attributes || '{}') as Record<string, unknown>;
}

export async function agentParticipants(stack: TransferStack, chat: Chat) {
  const ps = await stack.client.flexApi.v1.interaction(chat.interactionSid).channels(chat.channelSid).participants.list();
  const out: Array<{ sid: string; workerSid: string; taskSid: string; taskStatus: string }> = [];
  for (const p of ps) {
    if (p.type !== 'agent') continue;
    const rp = (p.routingProperties ?? {}) as { worker_sid?: string; task_sid?: string };
    const t = rp.task_sid ? await taskOf(stack, rp.task_sid).catch(() => undefined) : undefined;
    out.push({ sid: p.sid, workerSid: String(rp.worker_sid), taskSid: String(rp.task_sid), taskStatus: t?.status ?? 'missing' });
  }
  return out;
}

export async function channelStatus(stack: TransferStack, chat: Chat): Promise<string> {
  const c = await stack.client.flexApi.v1.interaction(chat.interactionSid).channels(chat.channelSid).fetch();
  return String(c.status);
}
