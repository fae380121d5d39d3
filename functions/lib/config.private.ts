/**
 * Environment variables, set by the stack from its outputs and validated at
 * request time. A missing, placeholder or wrong-prefix value is a deployment
 * fault: `ConfigError` (HTTP 500, naming the variable), never a generic crash
 * and never a 4xx blamed on the caller.
 */
import type { FunctionContext } from '../types';
import type * as Load from './load.private';
import type * as Contract from './contract.private';
import type { TransferFlags } from './contract.private';

declare const Runtime: { getFunctions(): Record<string, { path: string }> };

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface TransferConfig {
  accountSid: string | undefined;
  workspaceSid: string;
  chatWorkflowSid: string | undefined;
  voiceWorkflowSid: string | undefined;
  /** The transfer flags (lib/contract), each from its environment variable; unset means on. */
  flags: TransferFlags;
  allowedOrigins: string[];
  /** The functions' public domain (DOMAIN_NAME), for callback URLs. */
  domainName: string | undefined;
}

const contract = () => (require(Runtime.getFunctions()['lib/load'].path) as typeof Load).loadLib<typeof Contract>('lib/contract');

function envString(context: FunctionContext, name: string): string | undefined {
  const v = context[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ConfigError(name, `environment variable ${name} must be a string`);
  const t = v.trim();
  return t === '' ? undefined : t;
}

export function envSid(context: FunctionContext, name: string, prefix: string, what: string): string {
  const v = envString(context, name);
  if (v === undefined) throw new ConfigError(name, `environment variable ${name} is not set (expected the ${what} SID, ${prefix}…); redeploy the stack`);
  if (/^<.*>$/.test(v) || /YOUR_|PLACEHOLDER|xxxx/i.test(v)) {
    throw new ConfigError(name, `environment variable ${name} holds a placeholder ("${v.slice(0, 60)}"), not the ${what} SID; redeploy the stack`);
  }
  if (!new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(v)) {
    throw new ConfigError(name, `environment variable ${name} must be a ${what} SID (${prefix} followed by 32 hex digits), got "${v.slice(0, 60)}"`);
  }
  return v;
}

export function envFlag(context: FunctionContext, name: string, fallback: boolean): boolean {
  const v = envString(context, name);
  if (v === undefined) return fallback;
  const l = v.toLowerCase();
  if (l === 'true' || l === '1') return true;
  if (l === 'false' || l === '0') return false;
  throw new ConfigError(name, `environment variable ${name} must be "true" or "false", got "${v.slice(0, 60)}"`);
}

export function envOrigins(context: FunctionContext): string[] {
  const { FUNCTION_ENV, DEFAULT_ALLOWED_ORIGINS } = contract();
  const name = FUNCTION_ENV.allowedOrigins;
  const v = envString(context, name);
  if (v === undefined) return [...DEFAULT_ALLOWED_ORIGINS];
  const out: string[] = [];
  for (const part of v.split(',')) {
    const o = part.trim();
    if (o === '') continue;
    let u: URL;
    try {
      u = new URL(o);
    } catch {
      throw new ConfigError(name, `${name} entry "${o.slice(0, 80)}" is not an origin (e.g. ${DEFAULT_ALLOWED_ORIGINS[0]})`);
    }
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.origin !== o.replace(/\/$/, '')) {
      throw new ConfigError(name, `${name} entry "${o.slice(0, 80)}" must be a bare origin: scheme://host[:port], no path`);
    }
    out.push(u.origin);
  }
  if (out.length === 0) throw new ConfigError(name, `${name} is set but lists no origin`);
  return out;
}

export interface ConfigNeeds {
  chat?: boolean;
  voice?: boolean;
}

/** Reads and validates the configuration an endpoint needs. */
export function readConfig(context: FunctionContext, needs: ConfigNeeds = {}): TransferConfig {
  const { TRANSFER_FLAGS, TRANSFER_FLAG_NAMES, FUNCTION_ENV } = contract();
  const flags = Object.fromEntries(TRANSFER_FLAG_NAMES.map((f) => [f, envFlag(context, TRANSFER_FLAGS[f].env, true)])) as TransferFlags;
  const workspaceSid = envSid(context, FUNCTION_ENV.workspaceSid, 'WS', 'TaskRouter Workspace');
  // A workflow SID is required only while its feature is on (a disabled feature answers 409, not a config error).
  const chatWorkflowSid = needs.chat && flags.enabled ? envSid(context, FUNCTION_ENV.chatTransferWorkflowSid, 'WW', 'Chat Transfer TaskRouter Workflow') : undefined;
  const voiceWorkflowSid = needs.voice && flags.voiceTransfer ? envSid(context, FUNCTION_ENV.voiceTransferWorkflowSid, 'WW', 'Voice Transfer TaskRouter Workflow') : undefined;
  const domainName = envString(context, 'DOMAIN_NAME');
  const accountSid = envString(context, 'ACCOUNT_SID');
  return { accountSid, workspaceSid, chatWorkflowSid, voiceWorkflowSid, flags, allowedOrigins: envOrigins(context), domainName };
}

/** CORS origins only (read before anything else, so even config errors carry CORS headers). */
export function readAllowedOrigins(context: FunctionContext): string[] {
  try {
    return envOrigins(context);
  } catch {
    return [...contract().DEFAULT_ALLOWED_ORIGINS];
  }
}
