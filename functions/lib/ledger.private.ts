/**
 * Outstanding chat invites: a ledger and a derived view.
 *
 * Twilio Conversations has no ETag / If-Match on conversation attributes, so a
 * plain read-modify-write of `attributes.invites` loses records when two
 * requests interleave (the earlier implementation's bug). Instead:
 *
 *  - **Ledger** (source of truth): the interaction channel's Invites list
 *    (`GET /v1/Interactions/{KD}/Channels/{UO}/Invites`, server-side and
 *    append-only) plus each invite task's status. An invite is *outstanding*
 *    while its task is `pending` or `reserved`; it is *settled* once the task
 *    is assigned/wrapping/completed (the invitee joined), canceled (canceled or
 *    timed out) or gone (404). Settled is final: a task never returns to
 *    pending from those states.
 *  - **View**: `attributes.invites` on the Conversation, a pure function of the
 *    ledger, plus `attributes.invitesSettled` (task SIDs known to be settled,
 *    shared so that writers agree without re-fetching settled tasks).
 *  - **Sync** ("write, re-list, compare, repeat"): a writer reads the
 *    conversation, lists the ledger, computes the view; if the stored view
 *    differs it writes and goes round again, and it stops only at a round
 *    where the stored view equals the view of a ledger listed after that
 *    round's read. So the globally last write is always followed by its
 *    writer's verification against a listing that contains every invite created
 *    before it: no record of a completed invite is ever lost. The loop is
 *    bounded; past the bound the caller gets `ok: false` and must cancel what it
 *    created (or report it), then answer 409.
 */
import type { TaskStatus, TwilioPort, InviteRecord } from './twilio.private';

export const INVITES_KEY = 'invites';
export const SETTLED_KEY = 'invitesSettled';
/** At most this many settled task SIDs are kept in the attributes (the latest ones). */
export const MAX_SETTLED = 200;
export const DEFAULT_SYNC_ROUNDS = 10;

export interface ChatRefs {
  interactionSid: string;
  channelSid: string;
  conversationSid: string;
}

export type LedgerStatus = TaskStatus | 'missing';

export interface LedgerEntry {
  /** Position in the Invites list (creation order). */
  index: number;
  inviteSid: string;
  taskSid: string;
  status: LedgerStatus;
  /** Task attributes (null when not fetched because known settled). */
  attributes: Record<string, unknown> | null;
  dateCreated: string | null;
}

export interface InviteView {
  invitesTaskSid: string;
  inviteSid: string;
  targetSid: string;
  targetType: 'worker' | 'queue';
  /** `Worker` | `Queue`, as the earlier plugin reads it. */
  inviteTargetType: 'Worker' | 'Queue';
  targetName: string | null;
  transferType: 'cold' | 'invite';
  requestedBy: string | null;
  timestampCreated: string | null;
}

export interface Ledger {
  entries: LedgerEntry[];
  /** Outstanding invites created by these functions, in creation order. */
  outstanding: LedgerEntry[];
  settled: Set<string>;
}

export function isOutstandingStatus(status: LedgerStatus): boolean {
  return status === 'pending' || status === 'reserved';
}

/** An invite task created by these functions (carries our transfer attributes). */
export function isTransferTask(attributes: Record<string, unknown> | null): boolean {
  return !!attributes && (attributes.transferTargetType === 'worker' || attributes.transferTargetType === 'queue') && typeof attributes.transferTargetSid === 'string';
}

/**
 * Per-request cache of task facts. Settled facts are final; outstanding ones
 * are reused only within one request (milliseconds), which is safe because
 * the shared `invitesSettled` hint and every settled-event resync correct
 * them.
 */
export class TaskFactCache {
  private readonly facts = new Map<string, { status: LedgerStatus; attributes: Record<string, unknown> | null; dateCreated: string | null }>();
  get(taskSid: string) {
    return this.facts.get(taskSid);
  }
  set(taskSid: string, status: LedgerStatus, attributes: Record<string, unknown> | null, dateCreated: string | null): void {
    this.facts.set(taskSid, { status, attributes, dateCreated });
  }
  /** Marks a task settled (e.g. we just canceled it). */
  settle(taskSid: string, status: LedgerStatus = 'canceled'): void {
    const prev = this.facts.get(taskSid);
    this.facts.set(taskSid, { status, attributes: prev?.attributes ?? null, dateCreated: prev?.dateCreated ?? null });
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Lists the ledger; fetches the task of every invite not known settled. */
export async function readLedger(port: TwilioPort, refs: ChatRefs, cache: TaskFactCache, settledHint: Set<string> = new Set()): Promise<Ledger> {
  const invites: InviteRecord[] = await port.listInvites(refs.interactionSid, refs.channelSid);
  const withTask = invites.map((inv, index) => ({ inv, index })).filter((x) => x.inv.taskSid !== null);
  const entries = await mapLimit(withTask, 4, async ({ inv, index }): Promise<LedgerEntry> => {
    const taskSid = inv.taskSid as string;
    const known = cache.get(taskSid);
    if (known && !isOutstandingStatus(known.status)) {
      return { index, inviteSid: inv.sid, taskSid, status: known.status, attributes: known.attributes, dateCreated: known.dateCreated };
    }
    if (settledHint.has(taskSid)) {
      cache.settle(taskSid, known?.status && !isOutstandingStatus(known.status) ? known.status : 'completed');
      return { index, inviteSid: inv.sid, taskSid, status: 'completed', attributes: known?.attributes ?? null, dateCreated: known?.dateCreated ?? null };
    }
    if (known) return { index, inviteSid: inv.sid, taskSid, status: known.status, attributes: known.attributes, dateCreated: known.dateCreated };
    if (inv.status && !isOutstandingStatus(inv.status)) {
      // The invite already reports its task settled (final): no fetch needed.
      cache.set(taskSid, inv.status, inv.attributes, null);
      return { index, inviteSid: inv.sid, taskSid, status: inv.status, attributes: inv.attributes, dateCreated: null };
    }
    try {
      const task = await port.fetchTask(taskSid);
      cache.set(taskSid, task.status, task.attributes, task.dateCreated);
      return { index, inviteSid: inv.sid, taskSid, status: task.status, attributes: task.attributes, dateCreated: task.dateCreated };
    } catch (err) {
      if ((err as { status?: unknown }).status === 404) {
        cache.set(taskSid, 'missing', inv.attributes, null);
        return { index, inviteSid: inv.sid, taskSid, status: 'missing', attributes: inv.attributes, dateCreated: null };
      }
      throw err;
    }
  });
  const settled = new Set<string>();
  const outstanding: LedgerEntry[] = [];
  for (const e of entries) {
    if (!isOutstandingStatus(e.status)) settled.add(e.taskSid);
    else if (isTransferTask(e.attributes)) outstanding.push(e);
  }
  return { entries, outstanding, settled };
}

export function viewOf(entry: LedgerEntry): InviteView {
  const a = entry.attributes ?? {};
  const targetType = a.transferTargetType === 'worker' ? 'worker' : 'queue';
  const name = targetType === 'queue' ? a.transferQueueName : a.transferTargetName;
  return {
    invitesTaskSid: entry.taskSid,
    inviteSid: entry.inviteSid,
    targetSid: String(a.transferTargetSid),
    targetType,
    inviteTargetType: targetType === 'worker' ? 'Worker' : 'Queue',
    targetName: typeof name === 'string' ? name : null,
    transferType: a.transferType === 'cold' ? 'cold' : 'invite',
    requestedBy: typeof a.transferRequestedBy === 'string' ? a.transferRequestedBy : null,
    timestampCreated: entry.dateCreated,
  };
}

export interface View {
  invites: Record<string, InviteView>;
  settled: string[];
}

/** The view of a ledger: a pure function, so all writers compute the same bytes. */
export function computeView(ledger: Ledger): View {
  const invites: Record<string, InviteView> = {};
  for (const e of ledger.outstanding) invites[e.taskSid] = viewOf(e);
  const settled = ledger.entries.filter((e) => ledger.settled.has(e.taskSid)).map((e) => e.taskSid);
  return { invites, settled: settled.slice(-MAX_SETTLED).sort() };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function viewMatches(attributes: Record<string, unknown>, view: View): boolean {
  const stored = attributes[INVITES_KEY] ?? {};
  const storedSettled = Array.isArray(attributes[SETTLED_KEY]) ? attributes[SETTLED_KEY] : [];
  return canonical(stored) === canonical(view.invites) && canonical(storedSettled) === canonical(view.settled);
}

export function settledHintOf(attributes: Record<string, unknown>): Set<string> {
  const v = attributes[SETTLED_KEY];
  return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && /^WT[0-9a-fA-F]{32}$/.test(x)) : []);
}

export interface SyncResult {
  ok: boolean;
  rounds: number;
  writes: number;
  ledger: Ledger;
  view: View;
}

export interface SyncOptions {
  maxRounds?: number;
  cache?: TaskFactCache;
  sleep?: (ms: number) => Promise<void>;
  /** A conversation read and a ledger listed after it, to use as the first round (saves two calls). */
  first?: { attributes: Record<string, unknown>; ledger: Ledger };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Brings `attributes.invites` in line with the ledger (see the module comment). */
export async function syncView(port: TwilioPort, refs: ChatRefs, options: SyncOptions = {}): Promise<SyncResult> {
  const maxRounds = options.maxRounds ?? DEFAULT_SYNC_ROUNDS;
  const cache = options.cache ?? new TaskFactCache();
  const sleep = options.sleep ?? defaultSleep;
  let writes = 0;
  let ledger: Ledger = { entries: [], outstanding: [], settled: new Set() };
  let view: View = { invites: {}, settled: [] };
  for (let round = 1; round <= maxRounds; round++) {
    let attributes: Record<string, unknown>;
    if (round === 1 && options.first) {
      attributes = options.first.attributes;
      ledger = relist(options.first.ledger, cache);
    } else {
      attributes = (await port.fetchConversation(refs.conversationSid)).attributes;
      ledger = await readLedger(port, refs, cache, settledHintOf(attributes));
    }
    view = computeView(ledger);
    if (viewMatches(attributes, view)) return { ok: true, rounds: round, writes, ledger, view };
    if (round === maxRounds) break;
    const next = { ...attributes, [INVITES_KEY]: view.invites, [SETTLED_KEY]: view.settled };
    await port.updateConversationAttributes(refs.conversationSid, JSON.stringify(next));
    writes += 1;
    // De-synchronize concurrent writers a little (grows with the round).
    if (round > 1) await sleep(Math.floor(Math.random() * 15 * round));
  }
  return { ok: false, rounds: maxRounds, writes, ledger, view };
}

/** A ledger with the cache's newer facts applied (e.g. tasks this request just canceled). */
function relist(ledger: Ledger, cache: TaskFactCache): Ledger {
  const entries = ledger.entries.map((e) => {
    const known = cache.get(e.taskSid);
    return known && !isOutstandingStatus(known.status) && isOutstandingStatus(e.status) ? { ...e, status: known.status } : e;
  });
  const settled = new Set<string>();
  const outstanding: LedgerEntry[] = [];
  for (const e of entries) {
    if (!isOutstandingStatus(e.status)) settled.add(e.taskSid);
    else if (isTransferTask(e.attributes)) outstanding.push(e);
  }
  return { entries, outstanding, settled };
}

/**
 * Duplicate invites (two identical requests that raced): same target and same
 * kind (cold/invite). The first in ledger (creation) order is canonical
 * (keyed `<target>/<kind>`), later ones are duplicates.
 */
export function duplicatesOf(ledger: Ledger): { canonical: Map<string, LedgerEntry>; duplicates: LedgerEntry[] } {
  const canonicalByTarget = new Map<string, LedgerEntry>();
  const duplicates: LedgerEntry[] = [];
  for (const e of ledger.outstanding) {
    const target = `${String(e.attributes?.transferTargetSid)}/${e.attributes?.transferType === 'cold' ? 'cold' : 'invite'}`;
    if (canonicalByTarget.has(target)) duplicates.push(e);
    else canonicalByTarget.set(target, e);
  }
  return { canonical: canonicalByTarget, duplicates };
}
