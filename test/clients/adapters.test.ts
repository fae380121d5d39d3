/**
 * Client adapters: URL rewriting, the production clients left unmodified
 * without a base URL, and both SDKs reaching the emulator with one.
 */
import twilio from 'twilio';
import { TwilioServerlessApiClient } from '@twilio-labs/serverless-api';
import { startEmulator, type Emulator } from '../../emulator';
import { BaseUrlRequestClient, BaseUrlServerlessApiClient, createServerlessClient, createTwilioClient, rewriteTwilioUrl, normalizeBaseUrl, validateFlexToken } from '../../clients';

const BASE = 'http://127.0.0.1:4010';

describe('rewriteTwilioUrl', () => {
  test.each([
    ['https://taskrouter.twilio.com/v1/Workspaces', `${BASE}/taskrouter/v1/Workspaces`],
    ['https://taskrouter.sydney.au1.twilio.com/v1/Workspaces?PageSize=2', `${BASE}/taskrouter/v1/Workspaces?PageSize=2`],
    ['https://serverless-upload.twilio.com/v1/Services/ZS1/Functions/ZH1/Versions', `${BASE}/serverless-upload/v1/Services/ZS1/Functions/ZH1/Versions`],
    ['https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json', `${BASE}/api/2010-04-01/Accounts/AC1/Calls.json`],
    ['https://flex-api.twilio.com/v1/Interactions', `${BASE}/flex-api/v1/Interactions`],
    ['https://iam.twilio.com', `${BASE}/iam`],
    [`${BASE}/serverless/v1/Services?Page=1`, `${BASE}/serverless/v1/Services?Page=1`],
    ['https://example.com/hook', 'https://example.com/hook'],
    ['https://twilio.com.evil.test/x', 'https://twilio.com.evil.test/x'],
  ])('%s -> %s', (input, expected) => {
    expect(rewriteTwilioUrl(input, BASE)).toBe(expected);
  });

  test('base URLs are validated and trailing slashes dropped', () => {
    expect(normalizeBaseUrl('http://127.0.0.1:4010/')).toBe(BASE);
    expect(() => normalizeBaseUrl('127.0.0.1:4010')).toThrow(/apiBaseUrl/);
    expect(() => normalizeBaseUrl('ftp://x')).toThrow(/http or https/);
  });
});

describe('without apiBaseUrl: the unmodified production clients', () => {
  const creds = { accountSid: 'AC' + '1'.repeat(32), authToken: 'tok' };

  test('twilio client uses the stock RequestClient', () => {
    const client = createTwilioClient(creds);
    expect(Object.getPrototypeOf(client.httpClient)).toBe(twilio.RequestClient.prototype);
    expect(client.accountSid).toBe(creds.accountSid);
  });

  test('serverless client is the stock TwilioServerlessApiClient', () => {
    const client = createServerlessClient(creds);
    expect(Object.getPrototypeOf(client)).toBe(TwilioServerlessApiClient.prototype);
  });

  test('API key credentials: key as username, account SID kept', () => {
    const client = createTwilioClient({ accountSid: creds.accountSid, apiKey: 'SK' + '3'.repeat(32), apiSecret: 's' });
    expect(client.username).toBe('SK' + '3'.repeat(32));
    expect(client.accountSid).toBe(creds.accountSid);
  });

  test('flex token validation delegates to twilio-flex-token-validator (which rejects an empty token itself)', async () => {
    await expect(validateFlexToken('', creds)).rejects.toBe('Unauthorized: Token was not provided');
  });
});

describe('with apiBaseUrl: both SDKs reach the emulator', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ deterministicSids: true });
  });
  afterAll(async () => emu.stop());

  test('twilio client requests land under /<product>/ with Basic auth', async () => {
    const client = createTwilioClient(emu.credentials, { apiBaseUrl: emu.baseUrl + '/' });
    // A class per client (Pulumi serializes providers by value), so compare by shape, not identity.
    expect(client.httpClient).toBeInstanceOf(twilio.RequestClient);
    expect(client.httpClient.constructor.name).toBe(BaseUrlRequestClient.name);
    expect((client.httpClient as unknown as { apiBaseUrl: string }).apiBaseUrl).toBe(emu.baseUrl);
    await client.serverless.v1.services.list();
    expect(emu.log.list({ operation: 'serverless.ListService' })).toHaveLength(1);
  });

  test('serverless client: default prefix, per-request upload prefix and absolute paging URLs are rewritten', async () => {
    const client = createServerlessClient(emu.credentials, { apiBaseUrl: emu.baseUrl });
    expect(client).toBeInstanceOf(TwilioServerlessApiClient);
    expect(client.constructor.name).toBe(BaseUrlServerlessApiClient.name);
    const created = await client.request('post', 'Services', { form: { UniqueName: 'adapted', FriendlyName: 'a' }, responseType: 'json' });
    const sid = (created.body as { sid: string }).sid;
    const fn = await client.request('post', `Services/${sid}/Functions`, { form: { FriendlyName: 'f' }, responseType: 'json' });
    expect(fn.statusCode).toBe(201);
    const absolute = await client.request('get', `https://serverless.twilio.com/v1/Services/${sid}`, { responseType: 'json' });
    expect((absolute.body as { unique_name: string }).unique_name).toBe('adapted');
    // list() pages with absolute meta.next_page_url (prefixUrl '').
    const listed = await client.list({ types: ['services'] } as Parameters<typeof client.list>[0]);
    expect((listed as { services?: Array<{ unique_name: string }> }).services?.map((s) => s.unique_name)).toEqual(['adapted']);
  });
});
