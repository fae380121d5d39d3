// One place that turns provider settings into API clients and wraps calls so
// failures name the resource and never carry a secret.
import type { Twilio } from 'twilio';
import type * as ServerlessClient from '../../../clients/serverless-client';
import type * as TwilioClient from '../../../clients/twilio-client';
import { describeFailure, isProviderCallError, providerCallError } from './errors';

// The clients (the twilio SDK, serverless-api) load on first use, in the
// provider process: the program, which only declares resources, never needs
// them, and every preview would pay for loading them.
const createTwilioClient: typeof TwilioClient.createTwilioClient = (...args) => (require('../../../clients/twilio-client') as typeof TwilioClient).createTwilioClient(...args);
const createServerlessClient: typeof ServerlessClient.createServerlessClient = (...args) => (require('../../../clients/serverless-client') as typeof ServerlessClient).createServerlessClient(...args);
import { resolveSettings, secretValues, type ProviderSettings } from './settings';

export interface TwilioSession {
  settings: ProviderSettings;
  client: Twilio;
  /** Runs one logical call; a failure becomes a ProviderCallError naming `resource` and `action`. */
  call<T>(resource: string, action: string, fn: () => Promise<T>): Promise<T>;
}

export function openSession(): TwilioSession {
  const settings = resolveSettings();
  const secrets = secretValues(settings);
  // The SDK's own retries stay off: retryIdempotent/createSafely decide what may be repeated.
  const client = createTwilioClient(settings.credentials, { apiBaseUrl: settings.apiBaseUrl, maxRetries: 0 });
  return {
    settings,
    client,
    async call(resource, action, fn) {
      try {
        return await fn();
      } catch (err) {
        if (isProviderCallError(err)) throw err;
        throw providerCallError(resource, action, describeFailure(err), secrets);
      }
    },
  };
}

export function openServerlessClient(settings: ProviderSettings) {
  return createServerlessClient(settings.credentials, { apiBaseUrl: settings.apiBaseUrl });
}
