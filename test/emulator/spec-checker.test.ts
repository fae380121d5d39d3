/**
 * The spec checker itself: it must catch wrong response shapes, unknown and
 * missing parameters and bad enum values, honour `nullable`, and report
 * coverage per product.
 */
import { defaultServices, SpecChecker, startEmulator, strictify, type Emulator, type ServiceModule } from '../../emulator';

const ZS = 'ZS' + '0'.repeat(32);
const AC = 'AC' + '0'.repeat(32);

/** A deliberately wrong service on the serverless host. */
const fakeServerless: ServiceModule<object> = {
  name: 'fake',
  host: 'serverless',
  specFiles: ['twilio_serverless_v1.json'],
  initialState: () => ({}),
  routes: [
    {
      method: 'GET',
      path: '/v1/Services/{Sid}',
      operationId: 'FetchService',
      handler: () => ({ status: 200, body: { sid: 'not-a-sid', account_sid: AC, include_credentials: 'yes', invented_field: 1 } }),
    },
    {
      method: 'POST',
      path: '/v1/Services',
      operationId: 'CreateService',
      handler: () => ({ status: 400, body: { error: 'plain text error' } }),
    },
    {
      method: 'POST',
      path: '/v1/Services/{Sid}',
      operationId: 'UpdateService',
      handler: () => ({ status: 201, body: {} }), // spec says 200
    },
    {
      method: 'GET',
      path: '/v1/Services/{ServiceSid}/Builds/{Sid}/Status',
      operationId: 'FetchBuildStatus',
      handler: () => ({ status: 200, body: { sid: 'ZB' + '0'.repeat(32), account_sid: AC, service_sid: ZS, status: 'done', url: 'https://serverless.twilio.com/v1/x' } }),
    },
    {
      method: 'POST',
      host: 'serverless-upload',
      path: '/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions',
      operationId: 'CreateFunctionVersion',
      handler: () => ({ status: 201, body: {} }),
    },
  ],
};

describe('spec checker', () => {
  let emu: Emulator;
  const headers = () => ({
    Authorization: 'Basic ' + Buffer.from(`${emu.credentials.accountSid}:${emu.credentials.authToken}`).toString('base64'),
    'Content-Type': 'application/x-www-form-urlencoded',
  });

  beforeAll(async () => {
    emu = await startEmulator({ specCheck: true, services: [fakeServerless as ServiceModule] });
  });
  afterAll(async () => emu.stop());
  beforeEach(() => emu.spec.clear());

  test('a wrong response shape is caught: pattern, type and invented fields', async () => {
    await fetch(`${emu.baseUrl}/serverless/v1/Services/${ZS}`, { headers: headers() });
    const messages = emu.spec.violations().map((v) => v.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^body\/sid must match pattern/),
        expect.stringMatching(/^body\/include_credentials must be boolean/),
        expect.stringMatching(/must NOT have additional properties \(invented_field\)/),
      ]),
    );
    expect(emu.spec.violations()[0]).toMatchObject({ kind: 'response', operation: 'fake.FetchService', status: 200 });
  });

  test('a bad enum value in a response is caught', async () => {
    await fetch(`${emu.baseUrl}/serverless/v1/Services/${ZS}/Builds/ZB${'0'.repeat(32)}/Status`, { headers: headers() });
    expect(emu.spec.violations().map((v) => v.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^body\/status must be equal to one of the allowed values/)]));
  });

  test('a non-Twilio error body and an undocumented status are caught', async () => {
    await fetch(`${emu.baseUrl}/serverless/v1/Services`, { method: 'POST', headers: headers(), body: 'UniqueName=a&FriendlyName=b' });
    await fetch(`${emu.baseUrl}/serverless/v1/Services/${ZS}`, { method: 'POST', headers: headers(), body: 'FriendlyName=b' });
    const messages = emu.spec.violations().map((v) => v.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/^error body is not \{code, message, more_info, status\}/), 'status 201 is not a documented response (200)']));
  });

  test('request checks: unknown parameter, missing required parameter, bad boolean', async () => {
    await fetch(`${emu.baseUrl}/serverless/v1/Services`, { method: 'POST', headers: headers(), body: 'FriendlyName=b&Bogus=1&IncludeCredentials=maybe' });
    const requestMessages = emu.spec
      .violations()
      .filter((v) => v.kind === 'request')
      .map((v) => v.message);
    expect(requestMessages).toEqual(
      expect.arrayContaining(['unknown body parameter Bogus', 'missing required body parameter UniqueName', 'body parameter IncludeCredentials: expected true or false, got "maybe"']),
    );
  });

  test('unknown query parameters and bad query types are caught', async () => {
    await fetch(`${emu.baseUrl}/serverless/v1/Services/${ZS}?Foo=1`, { headers: headers() });
    expect(emu.spec.violations().some((v) => v.message === 'unknown query parameter Foo')).toBe(true);
  });

  test('validateBody honours nullable and rejects wrong shapes directly', () => {
    const checker = new SpecChecker(true);
    checker.loadSpec('serverless', 'twilio_serverless_v1.json');
    const env = {
      sid: 'ZE' + '0'.repeat(32),
      account_sid: AC,
      service_sid: ZS,
      build_sid: null,
      unique_name: 'dev',
      domain_suffix: null,
      domain_name: 'x-1234-dev.twil.io',
      date_created: '2024-01-01T00:00:00Z',
      date_updated: '2024-01-01T00:00:00Z',
      url: 'https://serverless.twilio.com/v1/Services/ZS/Environments/ZE',
      links: { variables: 'https://serverless.twilio.com/v1/x' },
    };
    expect(checker.validateBody('serverless', 'GET', '/v1/Services/{ServiceSid}/Environments/{Sid}', 200, env)).toEqual([]);
    expect(checker.validateBody('serverless', 'GET', '/v1/Services/{ServiceSid}/Environments/{Sid}', 200, { ...env, date_created: 'yesterday' })).toEqual([
      expect.stringMatching(/date_created must match format "date-time"/),
    ]);
    const list = {
      environments: [env],
      meta: { page: 0, page_size: 50, first_page_url: 'http://127.0.0.1:1/x', previous_page_url: null, url: 'http://127.0.0.1:1/x', next_page_url: null, key: 'environments' },
    };
    expect(checker.validateBody('serverless', 'GET', '/v1/Services/{ServiceSid}/Environments', 200, list)).toEqual([]);
    expect(checker.validateBody('serverless', 'GET', '/v1/Services/{ServiceSid}/Environments', 200, { ...list, meta: { ...list.meta, page: 'zero' } })).toEqual([
      expect.stringMatching(/meta\/page must be integer/),
    ]);
  });

  test('strictify: nullable becomes anyOf null, objects with properties close, maps of properties stay maps', () => {
    const out = strictify({ type: 'object', properties: { type: { type: 'string', nullable: true } } }, new Set()) as Record<string, unknown>;
    expect(out).toEqual({ type: 'object', properties: { type: { anyOf: [{ type: 'string' }, { type: 'null' }] } }, additionalProperties: false });
  });

  test('coverage lists operations outside the specs', () => {
    const report = emu.spec.coverage();
    expect(report.notInSpec).toEqual(['fake.CreateFunctionVersion (POST /serverless-upload/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions)']);
    expect(report.products.serverless_v1).toMatchObject({ specOperations: 39, implemented: 4 });
  });
});

describe('spec coverage of the real services', () => {
  test('serverless implements every spec operation; IAM implements the Keys API', async () => {
    const emu = await startEmulator({ specCheck: true, services: defaultServices });
    try {
      const report = emu.spec.coverage();
      expect(report.products.serverless_v1).toMatchObject({ specOperations: 39, implemented: 39, notImplemented: [] });
      expect(report.products.iam_v1).toMatchObject({ specOperations: 10, implemented: 5 });
      expect(report.products.iam_v1.implementedOperations.sort()).toEqual(['CreateNewKey', 'DeleteKey', 'FetchKey', 'ListGetKeys', 'UpdateKey']);
      expect(report.notInSpec).toEqual(
        expect.arrayContaining([
          expect.stringContaining('serverless.CreateFunctionVersion'),
          expect.stringContaining('serverless.CreateAssetVersion'),
          expect.stringContaining('iam.ValidateFlexToken'),
        ]),
      );
    } finally {
      await emu.stop();
    }
  });
});
