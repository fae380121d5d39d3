/**
 * Caller authentication and authorization for the endpoints Flex calls.
 *
 * The Flex token (form field `Token`, as Flex plugins send it, or
 * `Authorization: Bearer`; see params `flexToken`) is validated
 * against IAM `POST /v1/Accounts/{AccountSid}/Tokens/validate` with JSON
 * `{token}`, exactly what `twilio-flex-token-validator` does, but sent through
 * the Twilio client of `context.getTwilioClient()` so it reaches whatever API
 * the runtime is bound to (the emulator in tests). The result names the acting
 * worker (`worker_sid`) and its roles.
 */
import type { TwilioPort } from './twilio.private';

export interface Actor {
  workerSid: string | null;
  identity: string | null;
  roles: string[];
  /** Holds the `supervisor` or `admin` Flex role. */
  privileged: boolean;
}

export const PRIVILEGED_ROLES = ['supervisor', 'admin'];

export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/** Validates the Flex token (read by `flexToken`); AuthError(403) when it is missing or invalid. */
export async function authenticate(port: TwilioPort, token: string | undefined): Promise<Actor> {
  if (typeof token !== 'string' || token === '') throw new AuthError(403, 'Unauthorized: Token was not provided (the request body field Token, or Authorization: Bearer)', 'missing_token');
  if (token.length > 8192) throw new AuthError(403, 'Unauthorized: Token is malformed', 'invalid_token');
  let result;
  try {
    result = await port.validateFlexToken(token);
  } catch (err) {
    const status = (err as { name?: unknown; status?: unknown }).status;
    if ((err as Error).name === 'TwilioCallError' && (status === 400 || status === 403 || status === 404)) {
      // IAM rejects the token itself (malformed, other account).
      throw new AuthError(403, `Unauthorized: ${(err as Error).message}`, 'invalid_token');
    }
    throw err;
  }
  if (!result || result.valid !== true) {
    const message = result && typeof result.message === 'string' && result.message ? result.message : 'invalid token';
    throw new AuthError(403, `Unauthorized: ${message}`, 'invalid_token');
  }
  const roles = Array.isArray(result.roles) ? result.roles.filter((r): r is string => typeof r === 'string') : [];
  const workerSid = typeof result.worker_sid === 'string' && /^WK[0-9a-fA-F]{32}$/.test(result.worker_sid) ? result.worker_sid : null;
  return {
    workerSid,
    identity: typeof result.identity === 'string' ? result.identity : null,
    roles,
    privileged: roles.some((r) => PRIVILEGED_ROLES.includes(r)),
  };
}

/**
 * Authorization: the actor must be one of `participants` (worker SIDs of the
 * task or conversation acted on) or hold a supervisor/admin role.
 */
export function authorize(actor: Actor, participants: Iterable<string | null | undefined>, what: string): void {
  if (actor.privileged) return;
  if (actor.workerSid) {
    for (const w of participants) if (w === actor.workerSid) return;
  }
  throw new AuthError(
    403,
    actor.workerSid
      ? `Forbidden: worker ${actor.workerSid} is not a participant of ${what} and does not hold a supervisor role`
      : `Forbidden: the token names no worker and does not hold a supervisor role`,
    'not_a_participant',
  );
}
