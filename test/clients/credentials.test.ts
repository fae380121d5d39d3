import { credentialsFromEnv, MissingCredentialsError, basicAuthPair } from '../../clients';

const AC = 'AC' + '1'.repeat(32);
const SECRET = 'super-secret-value-42';

describe('credentialsFromEnv', () => {
  test('account SID + auth token', () => {
    expect(credentialsFromEnv({ TWILIO_ACCOUNT_SID: AC, TWILIO_AUTH_TOKEN: SECRET })).toEqual({ accountSid: AC, authToken: SECRET });
  });

  test('API key + secret (+ account SID) wins over an auth token', () => {
    const creds = credentialsFromEnv({ TWILIO_ACCOUNT_SID: AC, TWILIO_AUTH_TOKEN: 'tok', TWILIO_API_KEY: 'SK' + '2'.repeat(32), TWILIO_API_SECRET: SECRET });
    expect(creds).toEqual({ accountSid: AC, apiKey: 'SK' + '2'.repeat(32), apiSecret: SECRET });
    expect(basicAuthPair(creds)).toEqual({ username: 'SK' + '2'.repeat(32), password: SECRET });
  });

  test.each([
    [{}, ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']],
    [{ TWILIO_AUTH_TOKEN: SECRET }, ['TWILIO_ACCOUNT_SID']],
    [{ TWILIO_ACCOUNT_SID: AC }, ['TWILIO_AUTH_TOKEN']],
    [{ TWILIO_ACCOUNT_SID: AC, TWILIO_API_KEY: 'SK1' }, ['TWILIO_API_SECRET']],
    [{ TWILIO_ACCOUNT_SID: AC, TWILIO_API_SECRET: SECRET }, ['TWILIO_API_KEY']],
    [{ TWILIO_ACCOUNT_SID: '  ', TWILIO_AUTH_TOKEN: SECRET }, ['TWILIO_ACCOUNT_SID']],
  ])('%j -> names the missing variables %j, never a value', (env, missing) => {
    let error: unknown;
    try {
      credentialsFromEnv(env as Record<string, string>);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect((error as MissingCredentialsError).missing).toEqual(missing);
    for (const name of missing) expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toContain(SECRET);
  });

  test('a malformed account SID is rejected without echoing it (it may be a misplaced secret)', () => {
    expect(() => credentialsFromEnv({ TWILIO_ACCOUNT_SID: SECRET, TWILIO_AUTH_TOKEN: 'x' })).toThrow(/TWILIO_ACCOUNT_SID must be an account SID/);
    try {
      credentialsFromEnv({ TWILIO_ACCOUNT_SID: SECRET, TWILIO_AUTH_TOKEN: 'x' });
    } catch (err) {
      expect((err as Error).message).not.toContain(SECRET);
    }
  });
});
