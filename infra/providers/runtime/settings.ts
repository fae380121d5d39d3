// Where the providers' Twilio calls go and with which credentials, resolved at
// call time, never captured into the serialized provider or into state.
//
// Precedence: environment variables first (so CI can inject and rotate
// credentials without touching stack config), then the stack's config, which
// the engine hands each dynamic provider through `configure`.
import type * as pulumi from '@pulumi/pulumi';
import type { TwilioCredentials } from '../../../clients/credentials';

/** Stack config keys the providers read (namespace `flex-transfer`). */
export const CONFIG_KEYS = {
  apiBaseUrl: 'flex-transfer:twilioApiBaseUrl',
  accountSid: 'flex-transfer:twilioAccountSid',
  authToken: 'flex-transfer:twilioAuthToken',
  apiKey: 'flex-transfer:twilioApiKey',
  apiSecret: 'flex-transfer:twilioApiSecret',
} as const;

export interface ProviderSettings {
  /** Emulator (or other) base URL; undefined means the production Twilio API. */
  apiBaseUrl?: string;
  credentials: TwilioCredentials;
}

type StackValues = Partial<Record<keyof typeof CONFIG_KEYS, string>>;

/**
 * Filled by each provider's `configure` in the provider process. Read only by
 * resolveSettings(); at serialization time (in the program) it is empty.
 */
const fromStack: StackValues = {};

export async function configureFromStack(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  for (const [name, key] of Object.entries(CONFIG_KEYS) as Array<[keyof typeof CONFIG_KEYS, string]>) {
    const value = req.config.get(key);
    if (value !== undefined && value !== '') fromStack[name] = value;
  }
}

export function resolveSettings(env: NodeJS.ProcessEnv = process.env): ProviderSettings {
  const apiBaseUrl = (env.TWILIO_API_BASE_URL || fromStack.apiBaseUrl || undefined)?.replace(/\/+$/, '');
  const accountSid = env.TWILIO_ACCOUNT_SID || fromStack.accountSid;
  const apiKey = env.TWILIO_API_KEY || (env.TWILIO_ACCOUNT_SID ? undefined : fromStack.apiKey);
  const apiSecret = env.TWILIO_API_SECRET || (env.TWILIO_ACCOUNT_SID ? undefined : fromStack.apiSecret);
  const authToken = env.TWILIO_AUTH_TOKEN || (env.TWILIO_ACCOUNT_SID ? undefined : fromStack.authToken);
  if (!accountSid) {
    throw new Error(
      `Twilio credentials are missing: set TWILIO_ACCOUNT_SID (with TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET) in the environment, or the stack config ${CONFIG_KEYS.accountSid} with ${CONFIG_KEYS.authToken} (--secret).`,
    );
  }
  if (!/^AC[0-9a-f]{32}$/.test(accountSid)) {
    throw new Error(`The Twilio account SID must be 'AC' followed by 32 hex digits; got a value of ${accountSid.length} characters.`);
  }
  if (apiKey || apiSecret) {
    if (!apiKey || !apiSecret) {
      throw new Error(`An API key needs both TWILIO_API_KEY and TWILIO_API_SECRET (or ${CONFIG_KEYS.apiKey} and ${CONFIG_KEYS.apiSecret}); one of them is missing.`);
    }
    if (!/^SK[0-9a-f]{32}$/.test(apiKey)) throw new Error("TWILIO_API_KEY must be an API key SID: 'SK' followed by 32 hex digits.");
    return { apiBaseUrl, credentials: { accountSid, apiKey, apiSecret } };
  }
  if (!authToken) {
    throw new Error(
      `Twilio credentials are incomplete: TWILIO_ACCOUNT_SID is set but neither TWILIO_AUTH_TOKEN nor TWILIO_API_KEY/TWILIO_API_SECRET (or the stack config ${CONFIG_KEYS.authToken}) is.`,
    );
  }
  return { apiBaseUrl, credentials: { accountSid, authToken } };
}

/** Every secret value the settings hold, so error text can be scrubbed of them. */
export function secretValues(settings: ProviderSettings): string[] {
  const c = settings.credentials as Partial<{ authToken: string; apiSecret: string }>;
  return [c.authToken, c.apiSecret].filter((v): v is string => typeof v === 'string' && v.length > 0);
}
