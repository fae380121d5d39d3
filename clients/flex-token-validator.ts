/**
 * Flex token validation, as `twilio-flex-token-validator` does it
 * (`POST https://iam[.<realm>].twilio.com/v1/Accounts/{AC}/Tokens/validate`,
 * JSON `{token}`, Basic auth), but able to target an emulator. That package
 * hard-codes its host, so with `apiBaseUrl` we send the same request to
 * `${apiBaseUrl}/iam/...`; without it, we delegate to the package.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { validator as packageValidator } from 'twilio-flex-token-validator';
import { basicAuthPair, isApiKeyCredentials, type TwilioCredentials } from './credentials';
import { normalizeBaseUrl } from './base-url';

export interface FlexTokenResult {
  valid: boolean;
  code: number;
  message: string | null;
  expiration: string | null;
  realm_user_id: string | null;
  identity: string | null;
  roles: string[] | null;
  worker_sid: string | null;
  [extra: string]: unknown;
}

/** Resolves with the result when valid; rejects with the message (a string) otherwise, like the package. */
export function validateFlexToken(token: string, credentials: TwilioCredentials, opts: { apiBaseUrl?: string; realm?: string } = {}): Promise<FlexTokenResult> {
  if (!opts.apiBaseUrl) {
    const { accountSid } = credentials;
    return (
      isApiKeyCredentials(credentials)
        ? packageValidator(token, accountSid, '', opts.realm ?? '', { Sid: credentials.apiKey, Secret: credentials.apiSecret })
        : packageValidator(token, accountSid, credentials.authToken, opts.realm ?? '')
    ) as Promise<FlexTokenResult>;
  }
  if (!token) return Promise.reject('Unauthorized: Token was not provided');
  const base = new URL(normalizeBaseUrl(opts.apiBaseUrl));
  const { username, password } = basicAuthPair(credentials);
  const body = JSON.stringify({ token });
  const url = new URL(`${base.toString().replace(/\/$/, '')}/iam/v1/Accounts/${credentials.accountSid}/Tokens/validate`);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: 'POST',
        headers: {
          Authorization: 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64'),
          'Cache-Control': 'no-cache',
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (data += d));
        res.on('end', () => {
          try {
            const result = JSON.parse(data) as FlexTokenResult;
            if (result.valid) resolve(result);
            else reject(result.message);
          } catch (err) {
            reject((err as Error).message);
          }
        });
      },
    );
    req.on('error', (err) => reject(err.message));
    req.end(body);
  });
}
