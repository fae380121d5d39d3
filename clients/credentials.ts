/**
 * Twilio credentials for the client adapters: account SID + auth token, or
 * an API key SID + secret (with the account SID the key belongs to).
 * Errors name missing variables, never values.
 */

export type TwilioCredentials = { accountSid: string; authToken: string } | { accountSid: string; apiKey: string; apiSecret: string };

export function isApiKeyCredentials(c: TwilioCredentials): c is { accountSid: string; apiKey: string; apiSecret: string } {
  return 'apiKey' in c;
}

/** Basic-auth username/password for the credentials. */
export function basicAuthPair(c: TwilioCredentials): { username: string; password: string } {
  return isApiKeyCredentials(c) ? { username: c.apiKey, password: c.apiSecret } : { username: c.accountSid, password: c.authToken };
}

export class MissingCredentialsError extends Error {
  constructor(readonly missing: string[]) {
    super(`Twilio credentials are not configured: set ${missing.join(' and ')} ` + '(either TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN, or TWILIO_ACCOUNT_SID + TWILIO_API_KEY + TWILIO_API_SECRET)');
    this.name = 'MissingCredentialsError';
  }
}

type Env = Record<string, string | undefined>;

function present(env: Env, name: string): boolean {
  return typeof env[name] === 'string' && env[name]!.trim() !== '';
}

/**
 * Reads `TWILIO_ACCOUNT_SID` + `TWILIO_AUTH_TOKEN`, or `TWILIO_ACCOUNT_SID` +
 * `TWILIO_API_KEY` + `TWILIO_API_SECRET` (an API key wins when both are set).
 */
export function credentialsFromEnv(env: Env = process.env): TwilioCredentials {
  const missing: string[] = [];
  if (!present(env, 'TWILIO_ACCOUNT_SID')) missing.push('TWILIO_ACCOUNT_SID');
  const hasKey = present(env, 'TWILIO_API_KEY') || present(env, 'TWILIO_API_SECRET');
  if (hasKey) {
    if (!present(env, 'TWILIO_API_KEY')) missing.push('TWILIO_API_KEY');
    if (!present(env, 'TWILIO_API_SECRET')) missing.push('TWILIO_API_SECRET');
  } else if (!present(env, 'TWILIO_AUTH_TOKEN')) {
    missing.push('TWILIO_AUTH_TOKEN');
  }
  if (missing.length > 0) throw new MissingCredentialsError(missing);
  const accountSid = env.TWILIO_ACCOUNT_SID!.trim();
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    // Name the variable and the expected shape only: the value may be a secret pasted into the wrong variable.
    throw new Error('TWILIO_ACCOUNT_SID must be an account SID (AC followed by 32 hex digits)');
  }
  if (hasKey) return { accountSid, apiKey: env.TWILIO_API_KEY!.trim(), apiSecret: env.TWILIO_API_SECRET!.trim() };
  return { accountSid, authToken: env.TWILIO_AUTH_TOKEN!.trim() };
}
