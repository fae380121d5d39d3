/**
 * IAM rules: Flex token minting/validation (what Flex's
 * `iam.twilio.com/v1/Accounts/{AC}/Tokens/validate` answers, as read by
 * twilio-flex-token-validator) and API keys (`/v1/Keys`, backed by the core's
 * account directory so a created key authenticates immediately).
 */
import { randomBytes } from 'node:crypto';
import type { ApiKeyRecord, ServiceEnv } from '../../core/types';
import { notFound, toTwilioIso, badRequest } from '../../core';

export interface FlexTokenRecord {
  workerSid: string;
  roles: string[];
  identity: string;
  /** Flex user id (realm_user_id); the emulator uses the identity. */
  realmUserId: string;
  /** Epoch ms on the emulator clock. */
  expiresAt: number;
}

export interface IamState {
  /** token string -> record. Tokens are opaque and bound to this account. */
  tokens: Record<string, FlexTokenRecord>;
}

export function initialIamState(): IamState {
  return { tokens: {} };
}

export interface MintOptions {
  accountSid: string;
  workerSid: string;
  roles?: string[];
  identity?: string;
  ttlSeconds?: number;
}

/** What the validate endpoint answers (field names as Flex sends them). */
export interface TokenValidation {
  valid: boolean;
  code: number;
  message: string | null;
  expiration: string | null;
  realm_user_id: string | null;
  identity: string | null;
  roles: string[] | null;
  worker_sid: string | null;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
/** Twilio error codes Flex answers with in the body (HTTP 200). */
export const INVALID_TOKEN = { code: 20101, message: 'Invalid Access Token' };
export const EXPIRED_TOKEN = { code: 20104, message: 'Access Token expired or expiration date invalid' };

export function mintFlexToken(env: ServiceEnv, opts: MintOptions): string {
  if (!env.accounts.get(opts.accountSid)) throw new Error(`unknown account ${opts.accountSid}`);
  if (!/^WK[0-9a-f]{32}$/.test(opts.workerSid)) throw new Error(`workerSid must be a WK SID (got "${opts.workerSid}")`);
  const ttl = opts.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!(ttl > 0)) throw new Error('ttlSeconds must be > 0');
  // Opaque like Flex's JWE; the prefix only makes emulator tokens recognisable in logs.
  const token = `emu-flex.${randomBytes(24).toString('base64url')}`;
  const identity = opts.identity ?? `worker-${opts.workerSid.slice(-6)}`;
  env.state<IamState>(opts.accountSid).tokens[token] = {
    workerSid: opts.workerSid,
    roles: opts.roles ?? ['agent'],
    identity,
    realmUserId: identity,
    expiresAt: env.clock.now() + ttl * 1000,
  };
  env.markDirty();
  return token;
}

function invalid(reason: { code: number; message: string }): TokenValidation {
  return { valid: false, code: reason.code, message: reason.message, expiration: null, realm_user_id: null, identity: null, roles: null, worker_sid: null };
}

export function validateFlexToken(env: ServiceEnv, accountSid: string, token: unknown): TokenValidation {
  if (typeof token !== 'string' || token === '') return invalid(INVALID_TOKEN);
  const record = env.state<IamState>(accountSid).tokens[token];
  if (!record) return invalid(INVALID_TOKEN);
  if (env.clock.now() >= record.expiresAt) return invalid(EXPIRED_TOKEN);
  return {
    valid: true,
    code: 0,
    message: null,
    expiration: toTwilioIso(record.expiresAt),
    realm_user_id: record.realmUserId,
    identity: record.identity,
    roles: [...record.roles],
    worker_sid: record.workerSid,
  };
}

/** Drops expired tokens (keeps state small in long runs). */
export function pruneExpired(env: ServiceEnv): void {
  for (const accountSid of env.accountsWithState()) {
    const tokens = env.state<IamState>(accountSid).tokens;
    for (const [t, r] of Object.entries(tokens)) if (r.expiresAt <= env.clock.now() - 86_400_000) delete tokens[t];
  }
}

/** An API key of `accountSid` or a 404 naming the path (other accounts' keys are invisible). */
export function getKey(env: ServiceEnv, accountSid: string, sid: string): ApiKeyRecord {
  const key = env.accounts.getApiKey(sid);
  if (!key || key.accountSid !== accountSid) throw notFound(`/v1/Keys/${sid}`);
  return key;
}

export function createKey(env: ServiceEnv, accountSid: string, friendlyName: string | undefined, keyType: string | undefined): ApiKeyRecord {
  if (keyType !== undefined && keyType !== 'restricted') throw badRequest(`Invalid KeyType: must be "restricted" or omitted (got "${keyType}")`);
  if (keyType === 'restricted') throw badRequest('Restricted keys are not supported by the emulator');
  return env.accounts.createApiKey(accountSid, friendlyName);
}
