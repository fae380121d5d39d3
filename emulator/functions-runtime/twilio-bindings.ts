/**
 * The packages deployed code gets in place of the real ones, so that a
 * function talks to this emulator instead of twilio.com: `twilio` (every
 * client, including the one `context.getTwilioClient()` builds, sends its
 * requests to the emulator) and `twilio-flex-token-validator` (validates
 * against the emulator's IAM endpoint). A build's node_modules holds small
 * generated packages that export these (see package-links.ts); they run
 * inside the function processes, so this module must not import anything
 * emulator-side.
 */
import twilio from 'twilio';
import { BaseUrlRequestClient } from '../../clients/twilio-client';
import { validateFlexToken } from '../../clients/flex-token-validator';

type TwilioOpts = ConstructorParameters<typeof twilio.Twilio>[2];

/** The `twilio` module, with every client bound to `baseUrl`. */
export function emulatorTwilioModule(baseUrl: string): typeof twilio {
  class EmulatorTwilio extends twilio.Twilio {
    constructor(username?: string, password?: string, opts: TwilioOpts = {}) {
      super(username, password, { ...opts, httpClient: opts?.httpClient ?? new BaseUrlRequestClient(baseUrl, { timeout: opts?.timeout }) });
    }
  }
  const sdk = ((username?: string, password?: string, opts?: TwilioOpts) => new EmulatorTwilio(username, password, opts)) as unknown as typeof twilio;
  for (const key of Object.getOwnPropertyNames(twilio)) {
    if (['length', 'name', 'prototype', 'caller', 'arguments'].includes(key)) continue;
    (sdk as unknown as Record<string, unknown>)[key] = (twilio as unknown as Record<string, unknown>)[key];
  }
  (sdk as unknown as Record<string, unknown>).Twilio = EmulatorTwilio;
  return sdk;
}

type Callback = (err: unknown, payload?: unknown) => void;
type Handler = (context: Record<string, unknown>, event: Record<string, unknown>, callback: Callback) => unknown;

interface ResponseLike {
  appendHeader(key: string, value: string): unknown;
  setStatusCode(code: number): unknown;
  setBody(body: unknown): unknown;
}

/** `Twilio.Response` of the runtime the code runs in (a global there, as in the package). */
function runtimeResponse(): ResponseLike {
  const Twilio = (globalThis as { Twilio?: { Response?: new () => ResponseLike } }).Twilio;
  if (!Twilio?.Response) throw new Error('twilio-flex-token-validator: the Functions runtime global Twilio.Response is not available');
  return new Twilio.Response();
}

/** `twilio-flex-token-validator`, validating against this emulator's IAM endpoint. */
export function emulatorFlexTokenValidatorModule(baseUrl: string): Record<string, unknown> {
  const validator = (token: string, accountSid: string, authToken?: string, _realm?: string, apiCredentials?: { Sid: string; Secret: string }) => {
    if (!accountSid) return Promise.reject('Unauthorized: AccountSid was not provided');
    if (!authToken && (!apiCredentials?.Sid || !apiCredentials?.Secret)) return Promise.reject('Unauthorized: AuthToken or Api Credentials were not provided');
    const credentials = authToken ? { accountSid, authToken } : { accountSid, apiKey: apiCredentials!.Sid, apiSecret: apiCredentials!.Secret };
    return validateFlexToken(token, credentials, { apiBaseUrl: baseUrl });
  };
  // Same behaviour as the package's functionValidator (403 text responses with CORS headers).
  const functionValidator =
    (handlerFn: Handler): Handler =>
    (context, event, callback) => {
      const failedResponse = (message: unknown) => {
        const response = runtimeResponse();
        response.appendHeader('Access-Control-Allow-Origin', '*');
        response.appendHeader('Access-Control-Allow-Methods', 'OPTIONS, POST, GET');
        response.appendHeader('Access-Control-Allow-Headers', 'Content-Type');
        response.appendHeader('Content-Type', 'plain/text');
        response.setStatusCode(403);
        response.setBody(message);
        callback(null, response);
      };
      const accountSid = context.ACCOUNT_SID as string | undefined;
      const authToken = context.AUTH_TOKEN as string | undefined;
      const apiKey = context.API_KEY as string | undefined;
      const apiSecret = context.API_SECRET as string | undefined;
      if (!accountSid) return failedResponse('Unauthorized: AccountSid was not provided. For more information, please visit https://twilio.com/console/runtime/functions/configure');
      if (!authToken && (!apiKey || !apiSecret)) {
        return failedResponse('Unauthorized: AuthToken or Api Credentials were not provided. For more information, please visit https://twilio.com/console/runtime/functions/configure');
      }
      return validator(String(event.Token ?? ''), accountSid, authToken, undefined, authToken ? undefined : { Sid: apiKey!, Secret: apiSecret! })
        .then((result) => {
          event.TokenResult = result;
          return handlerFn(context, event, callback);
        })
        .catch(failedResponse);
    };
  return { validator, functionValidator, __esModule: true };
}
