/**
 * A real `@twilio-labs/serverless-api` client. Every API call of that
 * library goes through `TwilioServerlessApiClient.request(method, path,
 * options)`, so overriding it is enough to send the default
 * `https://serverless.twilio.com/v1` prefix, per-request upload prefixes
 * (`https://serverless-upload.twilio.com/v1`) and absolute paging URLs to
 * `apiBaseUrl`. Without `apiBaseUrl`: the unmodified production client.
 */
import { TwilioServerlessApiClient } from '@twilio-labs/serverless-api';
import { basicAuthPair, type TwilioCredentials } from './credentials';
import { normalizeBaseUrl, rewriteTwilioUrl } from './base-url';

export interface ServerlessClientOptions {
  /** Emulator base URL, e.g. `http://127.0.0.1:4010`. Omit for real Twilio. */
  apiBaseUrl?: string;
  /** Retries on 429 (the library's default is 10). */
  retryLimit?: number;
}

type RequestArgs = Parameters<TwilioServerlessApiClient['request']>;

const DEFAULT_PREFIX = 'https://serverless.twilio.com/v1';

/**
 * Defines the client subclass that rewrites every URL to `apiBaseUrl`. A new
 * class per call: Pulumi serializes dynamic providers by value, and only a
 * class built at run time from the npm module can cross that boundary.
 */
export function defineBaseUrlServerlessApiClient() {
  // Required here, not at the top: serialized closures resolve it at run time.
  const api = require('@twilio-labs/serverless-api') as { TwilioServerlessApiClient: typeof TwilioServerlessApiClient };
  return class BaseUrlServerlessApiClient extends api.TwilioServerlessApiClient {
    private readonly apiBaseUrl: string;

    constructor(config: ConstructorParameters<typeof TwilioServerlessApiClient>[0], apiBaseUrl: string) {
      super(config);
      this.apiBaseUrl = normalizeBaseUrl(apiBaseUrl);
    }

    // The base method is overloaded on got's option types; one loose signature covers all of them.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    override request(method: RequestArgs[0], path: string, options: any = {}): any {
      const opts = { ...(options as Record<string, unknown>) };
      if (/^https?:\/\//i.test(path)) {
        opts.prefixUrl = '';
        return super.request(method, rewriteTwilioUrl(path, this.apiBaseUrl), opts);
      }
      const prefix = typeof opts.prefixUrl === 'string' && opts.prefixUrl !== '' ? opts.prefixUrl : DEFAULT_PREFIX;
      opts.prefixUrl = rewriteTwilioUrl(prefix, this.apiBaseUrl);
      return super.request(method, path, opts);
    }
  };
}

export const BaseUrlServerlessApiClient = defineBaseUrlServerlessApiClient();
export type BaseUrlServerlessApiClient = InstanceType<typeof BaseUrlServerlessApiClient>;

export function createServerlessClient(credentials: TwilioCredentials, opts: ServerlessClientOptions = {}): TwilioServerlessApiClient {
  const { username, password } = basicAuthPair(credentials);
  const config = { username, password, ...(opts.retryLimit !== undefined ? { retryLimit: opts.retryLimit } : {}) };
  const api = require('@twilio-labs/serverless-api') as { TwilioServerlessApiClient: typeof TwilioServerlessApiClient };
  if (!opts.apiBaseUrl) return new api.TwilioServerlessApiClient(config);
  const RewritingClient = defineBaseUrlServerlessApiClient();
  return new RewritingClient(config, opts.apiBaseUrl);
}
