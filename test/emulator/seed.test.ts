/**
 * `--seed flex`: the account starts as a new Flex account does, with fixed
 * SIDs derived from the account SID and each object's name.
 */
import { createHash } from 'node:crypto';
import { startTestEmulator, type TestEmu } from './taskrouter.helpers';
import { flexSeedSids } from '../../emulator';

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

describe('Flex seed', () => {
  let t: TestEmu;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(() => t.stop());

  test('seeded SIDs follow the documented scheme: prefix + sha256(account:kind:name)[0..32]', () => {
    const a = t.accountSid;
    const sids = flexSeedSids(a);
    expect(sids.workspace).toBe('WS' + sha(`${a}:workspace:Flex Task Assignment`));
    expect(sids.everyoneQueue).toBe('WQ' + sha(`${a}:taskqueue:Everyone`));
    expect(sids.assignToAnyoneWorkflow).toBe('WW' + sha(`${a}:workflow:Assign to Anyone`));
    expect(sids.activities.Offline).toBe('WA' + sha(`${a}:activity:Offline`));
    expect(sids.channels.voice).toBe('TC' + sha(`${a}:taskchannel:voice`));
    expect(sids.workers.alice).toBe('WK' + sha(`${a}:worker:alice`));
    expect(sids.workerChannels.alice.chat).toBe('WC' + sha(`${a}:workerchannel:alice/chat`));
    // Another account gets other SIDs.
    expect(flexSeedSids('AC' + 'f'.repeat(32)).workspace).not.toBe(sids.workspace);
  });

  test('the workspace, activities, channels, Everyone queue and Assign to Anyone workflow exist with those SIDs', async () => {
    const sids = flexSeedSids(t.accountSid);
    const ws = await t.client.taskrouter.v1.workspaces(sids.workspace).fetch();
    expect(ws.friendlyName).toBe('Flex Task Assignment');
    expect(ws.defaultActivitySid).toBe(sids.activities.Offline);
    expect(ws.timeoutActivitySid).toBe(sids.activities.Offline);
    expect(ws.multiTaskEnabled).toBe(true);

    const activities = await t.client.taskrouter.v1.workspaces(sids.workspace).activities.list();
    expect(activities.map((a) => [a.friendlyName, a.available, a.sid])).toEqual([
      ['Offline', false, sids.activities.Offline],
      ['Available', true, sids.activities.Available],
      ['Unavailable', false, sids.activities.Unavailable],
      ['Break', false, sids.activities.Break],
    ]);

    const channels = await t.client.taskrouter.v1.workspaces(sids.workspace).taskChannels.list();
    expect(channels.map((c) => c.uniqueName).sort()).toEqual(['chat', 'default', 'email', 'sms', 'video', 'voice']);
    for (const c of channels) expect(c.sid).toBe(sids.channels[c.uniqueName]);

    const queue = await t.client.taskrouter.v1.workspaces(sids.workspace).taskQueues(sids.everyoneQueue).fetch();
    expect(queue.friendlyName).toBe('Everyone');
    expect(queue.targetWorkers).toBe('1==1');

    const wf = await t.client.taskrouter.v1.workspaces(sids.workspace).workflows(sids.assignToAnyoneWorkflow).fetch();
    expect(wf.friendlyName).toBe('Assign to Anyone');
    expect(JSON.parse(wf.configuration)).toEqual({ task_routing: { filters: [], default_filter: { queue: sids.everyoneQueue } } });
  });

  test('demo workers have contact_uri, full_name, routing.skills and voice 1 / chat 3 capacities', async () => {
    const sids = flexSeedSids(t.accountSid);
    const workers = await t.client.taskrouter.v1.workspaces(sids.workspace).workers.list();
    expect(workers.map((w) => w.friendlyName)).toEqual(['alice', 'bob', 'carol', 'dave']);
    for (const w of workers) {
      const attrs = JSON.parse(w.attributes);
      expect(attrs.contact_uri).toBe(`client:${w.friendlyName}`);
      expect(typeof attrs.full_name).toBe('string');
      expect(Array.isArray(attrs.routing.skills)).toBe(true);
      expect(w.activityName).toBe('Offline');
      expect(w.sid).toBe(sids.workers[w.friendlyName]);
    }
    const channels = await t.client.taskrouter.v1.workspaces(sids.workspace).workers(sids.workers.alice).workerChannels.list();
    const cap = Object.fromEntries(channels.map((c) => [c.taskChannelUniqueName, c.configuredCapacity]));
    expect(cap).toMatchObject({ voice: 1, chat: 3, default: 1 });
  });

  test('the Flex Configuration names the seeded TaskRouter objects and has ui_attributes', async () => {
    const sids = flexSeedSids(t.accountSid);
    const c = await t.client.flexApi.v1.configuration().fetch();
    expect(c.accountSid).toBe(t.accountSid);
    expect(c.taskrouterWorkspaceSid).toBe(sids.workspace);
    expect(c.taskrouterTargetWorkflowSid).toBe(sids.assignToAnyoneWorkflow);
    expect(c.taskrouterTargetTaskqueueSid).toBe(sids.everyoneQueue);
    expect(c.taskrouterOfflineActivitySid).toBe(sids.activities.Offline);
    expect(c.serverlessServiceSids).toEqual([]);
    expect(Object.keys(c.uiAttributes as object).length).toBeGreaterThanOrEqual(3);
  });

  test('an unseeded account has no Flex objects and no Flex Configuration (404)', async () => {
    const other = t.emu.createAccount();
    const { createTwilioClient } = await import('../../clients/twilio-client');
    const c = createTwilioClient(other, { apiBaseUrl: t.emu.baseUrl, maxRetries: 0 });
    expect(await c.taskrouter.v1.workspaces.list()).toEqual([]);
    await expect(c.flexApi.v1.configuration().fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  test("accounts are isolated: another account's seeded workspace is 404 to this one", async () => {
    const other = t.emu.createAccount({ seed: 'flex' });
    const otherWs = flexSeedSids(other.accountSid).workspace;
    expect(otherWs).not.toBe(flexSeedSids(t.accountSid).workspace);
    await expect(t.client.taskrouter.v1.workspaces(otherWs).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    const { createTwilioClient } = await import('../../clients/twilio-client');
    const c = createTwilioClient(other, { apiBaseUrl: t.emu.baseUrl, maxRetries: 0 });
    expect((await c.taskrouter.v1.workspaces(otherWs).fetch()).friendlyName).toBe('Flex Task Assignment');
    expect((await c.flexApi.v1.configuration().fetch()).taskrouterWorkspaceSid).toBe(otherWs);
  });

  test('reset re-creates the seeded account with the same SIDs', async () => {
    const before = flexSeedSids(t.accountSid).workspace;
    await t.client.taskrouter.v1.workspaces(before).update({ friendlyName: 'Renamed' });
    t.emu.reset();
    const ws = await t.client.taskrouter.v1.workspaces(before).fetch();
    expect(ws.friendlyName).toBe('Flex Task Assignment');
  });
});
