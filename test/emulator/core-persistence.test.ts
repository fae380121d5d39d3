/**
 * `--state FILE`: state survives a restart; saves are atomic; the CLI's
 * argument parsing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator } from '../../emulator';
import { parseArgs } from '../../emulator/cli';
import { createTwilioClient } from '../../clients';

describe('state persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emu-state-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('everything survives a restart: resources, API keys, extra accounts, SID counter', async () => {
    const stateFile = path.join(dir, 'nested', 'state.json');
    const first = await startEmulator({ stateFile, deterministicSids: true });
    const client = createTwilioClient(first.credentials, { apiBaseUrl: first.baseUrl });
    const svc = await client.serverless.v1.services.create({ uniqueName: 'persisted', friendlyName: 'p' });
    const key = first.createApiKey();
    const other = first.createAccount();
    // Saved after each mutating request, before stop.
    expect(JSON.parse(fs.readFileSync(stateFile, 'utf8')).services.serverless[first.credentials.accountSid].services[svc.sid].uniqueName).toBe('persisted');
    await first.stop();
    expect((fs.statSync(stateFile).mode & 0o777).toString(8)).toBe('600');
    expect(fs.readdirSync(path.dirname(stateFile))).toEqual(['state.json']); // no temp files left

    const second = await startEmulator({ stateFile, deterministicSids: true });
    try {
      const c2 = createTwilioClient({ accountSid: second.credentials.accountSid, apiKey: key.sid, apiSecret: key.secret }, { apiBaseUrl: second.baseUrl });
      expect((await c2.serverless.v1.services(svc.sid).fetch()).uniqueName).toBe('persisted');
      const otherClient = createTwilioClient(other, { apiBaseUrl: second.baseUrl });
      expect(await otherClient.serverless.v1.services.list()).toEqual([]);
      const next = await c2.serverless.v1.services.create({ uniqueName: 'after-restart', friendlyName: 'n' });
      expect(next.sid).not.toBe(svc.sid);
      expect(parseInt(next.sid.slice(2), 16)).toBeGreaterThan(parseInt(svc.sid.slice(2), 16));
    } finally {
      await second.stop();
    }
  });

  test('a corrupt state file fails the start with a message naming the file', async () => {
    const stateFile = path.join(dir, 'bad.json');
    fs.writeFileSync(stateFile, '{not json');
    await expect(startEmulator({ stateFile })).rejects.toThrow(/bad\.json.*not valid JSON/);
  });

  test('the configured auth token wins over the one in the file', async () => {
    const stateFile = path.join(dir, 's.json');
    const a = await startEmulator({ stateFile, authToken: 'first-token' });
    await a.stop();
    const b = await startEmulator({ stateFile, authToken: 'second-token' });
    try {
      const res = await fetch(`${b.baseUrl}/serverless/v1/Services`, { headers: { Authorization: 'Basic ' + Buffer.from(`${b.credentials.accountSid}:first-token`).toString('base64') } });
      expect(res.status).toBe(401);
      const ok = await fetch(`${b.baseUrl}/serverless/v1/Services`, { headers: { Authorization: 'Basic ' + Buffer.from(`${b.credentials.accountSid}:second-token`).toString('base64') } });
      expect(ok.status).toBe(200);
    } finally {
      await b.stop();
    }
  });
});

describe('cli arguments', () => {
  test('parses the documented flags', () => {
    expect(parseArgs(['--port', '0', '--state', 'x.json', '--seed', 'flex', '--account-sid', 'AC' + 'a'.repeat(32), '--auth-token', 't', '--spec-check'])).toEqual({
      port: 0,
      stateFile: 'x.json',
      seed: 'flex',
      accountSid: 'AC' + 'a'.repeat(32),
      authToken: 't',
      specCheck: true,
    });
    expect(parseArgs([])).toEqual({ port: 4010 });
  });

  test.each([
    [['--port', 'abc'], /--port/],
    [['--seed', 'other'], /--seed/],
    [['--account-sid', 'nope', '--auth-token', 't'], /--account-sid/],
    [['--account-sid', 'AC' + 'a'.repeat(32)], /go together/],
    [['--bogus'], /unknown option --bogus/],
    [['--state'], /--state needs a value/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv as string[])).toThrow(message);
  });
});
