/** Client adapters used by infra, functions and tests (see each module). */
export { credentialsFromEnv, basicAuthPair, isApiKeyCredentials, MissingCredentialsError, type TwilioCredentials } from './credentials';
export { createTwilioClient, BaseUrlRequestClient, type TwilioClientOptions } from './twilio-client';
export { createServerlessClient, BaseUrlServerlessApiClient, type ServerlessClientOptions } from './serverless-client';
export { validateFlexToken, type FlexTokenResult } from './flex-token-validator';
export { rewriteTwilioUrl, normalizeBaseUrl } from './base-url';
