/**
 * Accounts and API keys, and HTTP Basic authentication against them.
 * Credentials are compared in constant time; secrets never leave this module
 * except at creation (the caller hands them to the client once).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccountDirectory, AccountRecord, ApiKeyRecord, AuthInfo, Clock, SeedKind, SidGenerator } from './types';
import type { EmulatorState } from './state';
import { isSid } from './sids';
import { toTwilioIso } from './clock';

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export class Accounts implements AccountDirectory {
  /** Called after an account is created with a seed (the core runs service seed hooks). */
  onCreated: (account: AccountRecord, seed: SeedKind) => void = () => undefined;

  constructor(
    private readonly getState: () => EmulatorState,
    private readonly sids: SidGenerator,
    private readonly clock: Clock,
  ) {}

  get(accountSid: string): AccountRecord | undefined {
    return this.getState().accounts[accountSid];
  }

  list(): AccountRecord[] {
    return Object.values(this.getState().accounts);
  }

  create(opts: { sid?: string; authToken?: string; friendlyName?: string; ownerAccountSid?: string; seed?: SeedKind } = {}): AccountRecord {
    const sid = opts.sid ?? this.sids.next('AC');
    if (!isSid(sid, 'AC')) throw new Error(`account SID must be AC + 32 hex digits, got "${sid}"`);
    if (this.get(sid)) throw new Error(`account ${sid} already exists`);
    const account: AccountRecord = {
      sid,
      authToken: opts.authToken ?? randomBytes(16).toString('hex'),
      friendlyName: opts.friendlyName ?? `Emulated account ${sid.slice(-6)}`,
      dateCreated: toTwilioIso(this.clock.now()),
      ownerAccountSid: opts.ownerAccountSid,
      status: 'active',
    };
    this.getState().accounts[sid] = account;
    this.onCreated(account, opts.seed ?? 'none');
    return account;
  }

  update(accountSid: string, patch: Partial<Pick<AccountRecord, 'friendlyName' | 'status'>>): AccountRecord {
    const account = this.get(accountSid);
    if (!account) throw new Error(`unknown account ${accountSid}`);
    Object.assign(account, patch);
    return account;
  }

  createApiKey(accountSid: string, friendlyName?: string): ApiKeyRecord {
    if (!this.get(accountSid)) throw new Error(`unknown account ${accountSid}`);
    const now = toTwilioIso(this.clock.now());
    const key: ApiKeyRecord = {
      sid: this.sids.next('SK'),
      accountSid,
      secret: randomBytes(16).toString('hex'),
      friendlyName: friendlyName ?? '',
      dateCreated: now,
      dateUpdated: now,
    };
    this.getState().apiKeys[key.sid] = key;
    return key;
  }

  getApiKey(sid: string): ApiKeyRecord | undefined {
    return this.getState().apiKeys[sid];
  }

  listApiKeys(accountSid: string): ApiKeyRecord[] {
    return Object.values(this.getState().apiKeys).filter((k) => k.accountSid === accountSid);
  }

  updateApiKey(sid: string, patch: { friendlyName?: string }): ApiKeyRecord {
    const key = this.getApiKey(sid);
    if (!key) throw new Error(`unknown API key ${sid}`);
    if (patch.friendlyName !== undefined) key.friendlyName = patch.friendlyName;
    key.dateUpdated = toTwilioIso(this.clock.now());
    return key;
  }

  deleteApiKey(sid: string): boolean {
    const state = this.getState();
    if (!state.apiKeys[sid]) return false;
    delete state.apiKeys[sid];
    return true;
  }

  authenticate(username: string, password: string): AuthInfo | undefined {
    if (username.startsWith('AC')) {
      const account = this.get(username);
      if (!account || account.status === 'closed' || !safeEqual(account.authToken, password)) return undefined;
      return { accountSid: account.sid, kind: 'account' };
    }
    if (username.startsWith('SK')) {
      const key = this.getApiKey(username);
      if (!key || !safeEqual(key.secret, password)) return undefined;
      const account = this.get(key.accountSid);
      if (!account || account.status === 'closed') return undefined;
      return { accountSid: account.sid, kind: 'apiKey', apiKeySid: key.sid };
    }
    return undefined;
  }
}

/** Parses `Authorization: Basic base64(user:pass)`; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): { username: string; password: string } | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+(.+)$/i.exec(header.trim());
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const idx = decoded.indexOf(':');
  if (idx < 0) return undefined;
  return { username: decoded.slice(0, idx), password: decoded.slice(idx + 1) };
}
