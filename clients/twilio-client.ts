/**
 * A real `twilio.Twilio` client. With `apiBaseUrl` (e.g. the local
 * emulator) every request — including `next_page_url`s the SDK follows — is
 * rewritten from `https://<label>.twilio.com/...` to `${apiBaseUrl}/<label>/...`
 * by a RequestClient subclass (the SDK's supported hook; it has no base-URL
 * option). Without `apiBaseUrl`: the unmodified production client.
 */
import twilio from 'twilio';
import { basicAuthPair, type TwilioCredentials } from './credentials';
import { normalizeBaseUrl, rewriteTwilioUrl } from './base-url';

export interface TwilioClientOptions {
  /** Emulator base URL, e.g. `http://127.0.0.1:4010`. Omit for real Twilio. */
  apiBaseUrl?: string;
  /** Request timeout (ms). */
  timeoutMs?: number;
  /** Retries on 429 with exponential back-off (the SDK's autoRetry). 0 disables. */
  maxRetries?: number;
}

import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';

/**
 * Defines the SDK's RequestClient subclass that sends every Twilio URL to
 * `apiBaseUrl`. A new class per call, on purpose: Pulumi serializes dynamic
 * providers' closures by value, and a class extending an npm class that is
 * captured as a value cannot be serialized; a function that builds it from
 * the `twilio` module at run time can.
 */
export function defineBaseUrlRequestClient() {
  // Required here, not at the top: serialized closures resolve it at run time.
  const sdk = require('twilio') as typeof twilio;
  return class BaseUrlRequestClient extends sdk.RequestClient {
    constructor(
      readonly apiBaseUrl: string,
      opts: ConstructorParameters<typeof twilio.RequestClient>[0] = {},
    ) {
      super(opts);
    }

    override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
      return super.request<TData>({ ...opts, uri: rewriteTwilioUrl(opts.uri, this.apiBaseUrl) });
    }
  };
}

/** The SDK's RequestClient, sending every Twilio URL to `apiBaseUrl` instead. */
export const BaseUrlRequestClient = defineBaseUrlRequestClient();
export type BaseUrlRequestClient = InstanceType<typeof BaseUrlRequestClient>;

export function createTwilioClient(credentials: TwilioCredentials, opts: TwilioClientOptions = {}): twilio.Twilio {
  const { username, password } = basicAuthPair(credentials);
  const retry = opts.maxRetries !== undefined ? { autoRetry: opts.maxRetries > 0, maxRetries: opts.maxRetries } : {};
  const clientOpts: ConstructorParameters<typeof twilio.Twilio>[2] = { accountSid: credentials.accountSid };
  if (opts.apiBaseUrl) {
    const RewritingRequestClient = defineBaseUrlRequestClient();
    clientOpts.httpClient = new RewritingRequestClient(normalizeBaseUrl(opts.apiBaseUrl), { timeout: opts.timeoutMs, ...retry });
  } else {
    if (opts.timeoutMs !== undefined) clientOpts.timeout = opts.timeoutMs;
    Object.assign(clientOpts, retry);
  }
  const sdk = require('twilio') as typeof twilio;
  return new sdk.Twilio(username, password, clientOpts);
}
