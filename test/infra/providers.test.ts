// The providers' check and diff, which run before any API call: validation
// that names the resource and field, normalization so only real changes show,
// replacement for what Twilio cannot update, and unknown-aware previews.
import { defineProvider, UNKNOWN } from '../../infra/providers/runtime/define';
import { taskQueueType } from '../../infra/providers/taskrouter/task-queue';
import { workflowType } from '../../infra/providers/taskrouter/workflow';
import { workspaceType } from '../../infra/providers/taskrouter/workspace';
import { taskChannelType } from '../../infra/providers/taskrouter/task-channel';
import { deploymentType } from '../../infra/providers/serverless/deployment';
import { environmentType } from '../../infra/providers/serverless/environment';

const WS = 'WS' + '1'.repeat(32);
const WQ = 'WQ' + '2'.repeat(32);
/* eslint-disable @typescript-eslint/no-explicit-any -- tests feed deliberately partial and wrong inputs */
interface LooseProvider {
  check(olds: any, news: any): Promise<{ inputs?: any; failures?: Array<{ property: string; reason: string }> }>;
  diff(id: string, olds: any, news: any): Promise<any>;
}
const loose = (type: unknown) => defineProvider(type as never) as unknown as LooseProvider;
const queue = loose(taskQueueType);
const workflow = loose(workflowType);

async function checked(provider: LooseProvider, inputs: Record<string, unknown>) {
  return provider.check({}, inputs);
}

describe('check', () => {
  test('names the resource, the field and the reason', async () => {
    const result = await checked(queue, { workspaceSid: 'WQ' + '1'.repeat(32), friendlyName: 'Sales', targetWorkers: "skills HAS 'x'", maxReservedWorkers: 99 });
    const reasons = result.failures!.map((f) => `${f.property}: ${f.reason}`);
    expect(reasons).toContainEqual(expect.stringMatching(/^workspaceSid: TaskQueue "Sales": workspaceSid must be a WS SID/));
    expect(reasons).toContainEqual(expect.stringMatching(/^maxReservedWorkers: .*from 1 to 50, got 99/));
  });

  test('a bad queue expression names the position', async () => {
    const result = await checked(queue, { workspaceSid: WS, friendlyName: 'Sales', targetWorkers: 'skill-level > 3' });
    expect(result.failures?.[0].reason).toMatch(/targetWorkers: .*position 5/);
  });

  test('a workflow configuration is validated by the routing engine, naming filter and target', async () => {
    const configuration = JSON.stringify({ task_routing: { filters: [{ filter_friendly_name: 'Sales', expression: 'a == 1', targets: [{ queue: WQ, expression: 'worker.x >' }] }] } });
    const result = await checked(workflow, { workspaceSid: WS, friendlyName: 'Chat Transfer', configuration });
    expect(result.failures?.[0].reason).toMatch(/Workflow "Chat Transfer": configuration: .*filters\[0\].*targets\[0\].*expression/);
  });

  test('unknown values (not yet created parents) are not validated during preview', async () => {
    const result = await checked(queue, { workspaceSid: UNKNOWN, friendlyName: 'Sales' });
    expect(result.failures).toBeUndefined();
  });

  test('normalizes: defaults filled, expressions canonical', async () => {
    const result = await checked(queue, { workspaceSid: WS, friendlyName: 'Sales', targetWorkers: "skills   has 'sales'   and level>=2" });
    expect(result.inputs).toEqual({ workspaceSid: WS, friendlyName: 'Sales', targetWorkers: "skills HAS 'sales' AND level >= 2", maxReservedWorkers: 1, taskOrder: 'FIFO' });
  });
});

describe('diff', () => {
  const config = { task_routing: { filters: [{ filter_friendly_name: 'A', expression: 'x == 1', targets: [{ queue: WQ }] }], default_filter: { queue: WQ } } };
  const base = { workspaceSid: WS, friendlyName: 'Chat Transfer', configuration: JSON.stringify(config), taskReservationTimeout: 120 };

  test('whitespace, key order and keyword case in a workflow are not changes', async () => {
    const olds = (await checked(workflow, base)).inputs;
    const reordered = `{ "task_routing": { "default_filter": {"queue":"${WQ}"}, "filters": [ { "targets": [{"queue": "${WQ}"}], "expression": "x   =  1", "filter_friendly_name": "A" } ] } }`;
    const news = (await checked(workflow, { ...base, configuration: reordered })).inputs;
    expect(await workflow.diff(WS, { ...olds, sid: 'WW1' }, news)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  test('a changed expression is a change in place', async () => {
    const olds = (await checked(workflow, base)).inputs;
    const changed = JSON.parse(base.configuration);
    changed.task_routing.filters[0].expression = 'x == 2';
    const news = (await checked(workflow, { ...base, configuration: JSON.stringify(changed) })).inputs;
    expect(await workflow.diff('WW1', olds, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  test('what Twilio cannot update forces a replacement, deleting first where names collide', async () => {
    const channel = loose(taskChannelType);
    const olds = (await checked(channel, { workspaceSid: WS, uniqueName: 'sms', friendlyName: 'SMS' })).inputs;
    const news = (await checked(channel, { workspaceSid: WS, uniqueName: 'sms2', friendlyName: 'SMS' })).inputs;
    expect(await channel.diff('TC1', olds, news)).toEqual({ changes: true, replaces: ['uniqueName'], deleteBeforeReplace: true });

    const environment = loose(environmentType);
    const e1 = (await checked(environment, { serviceSid: 'ZS' + '3'.repeat(32), uniqueName: 'dev', domainSuffix: 'dev' })).inputs;
    const e2 = (await checked(environment, { serviceSid: 'ZS' + '3'.repeat(32), uniqueName: 'dev', domainSuffix: 'dev2' })).inputs;
    expect(await environment.diff('ZE1', e1, e2)).toMatchObject({ replaces: ['domainSuffix'], deleteBeforeReplace: true });

    expect(await queue.diff('WQ1', { workspaceSid: WS, friendlyName: 'A' }, { workspaceSid: 'WS' + '9'.repeat(32), friendlyName: 'A' })).toMatchObject({ replaces: ['workspaceSid'] });
  });

  test('an adopted workspace compares only the fields the program declares', async () => {
    const ws = loose(workspaceType);
    const olds = { adoptSid: WS, sid: WS, adopted: true, friendlyName: 'Flex Task Assignment', eventCallbackUrl: 'https://x.twil.io/e' };
    expect(await ws.diff(WS, olds, { adoptSid: WS, eventCallbackUrl: 'https://x.twil.io/e' })).toMatchObject({ changes: false });
    expect(await ws.diff(WS, olds, { adoptSid: WS, eventCallbackUrl: 'https://y.twil.io/e' })).toMatchObject({ changes: true, replaces: [] });
    expect(await ws.diff(WS, olds, { adoptSid: 'WS' + '8'.repeat(32) })).toMatchObject({ replaces: ['adoptSid'] });
  });

  test('an adopted queue or workflow gets no defaults and compares only the fields the program declares', async () => {
    const adoptedQueue = { workspaceSid: WS, adoptSid: WQ, friendlyName: 'Everyone' };
    expect((await checked(queue, adoptedQueue)).inputs).toEqual(adoptedQueue);
    const olds = { ...adoptedQueue, sid: WQ, adopted: true, originals: { friendlyName: 'Everyone' } };
    expect(await queue.diff(WQ, olds, adoptedQueue)).toMatchObject({ changes: false });
    expect(await queue.diff(WQ, olds, { ...adoptedQueue, targetWorkers: '1==1' })).toMatchObject({ changes: true, replaces: [] });
    // Switching which object is adopted, or from adopted to owned, is a replacement (the old one is restored, never deleted).
    expect(await queue.diff(WQ, olds, { workspaceSid: WS, friendlyName: 'Everyone' })).toMatchObject({ replaces: ['adoptSid'] });
    const adoptedWorkflow = { workspaceSid: WS, adoptName: 'Template Example Chat Transfer', configuration: JSON.stringify(config) };
    const normalized = (await checked(workflow, adoptedWorkflow)).inputs;
    expect(normalized.taskReservationTimeout).toBeUndefined();
    expect(normalized.friendlyName).toBeUndefined();
    expect((await checked(workflow, { workspaceSid: WS, adoptSid: WQ, configuration: '{}' })).failures?.[0].reason).toMatch(/adoptSid must be a WW SID/);
  });

  test('deployment files compare by hash and visibility, not by content', async () => {
    const deployment = loose(deploymentType);
    const inputs = { serviceSid: 'ZS' + '3'.repeat(32), environmentSid: 'ZE' + '4'.repeat(32), functions: [{ path: '/a', visibility: 'public', content: 'x' }], variables: { A: '1' } };
    const news = (await checked(deployment, inputs)).inputs;
    const olds = { ...news, functions: news.functions.map((f: { sha256: string }) => ({ ...f, content: undefined, resourceSid: 'ZH1', versionSid: 'ZN1' })) };
    expect(await deployment.diff('ZE', olds, news)).toMatchObject({ changes: false });
    const edited = (await checked(deployment, { ...inputs, functions: [{ path: '/a', visibility: 'public', content: 'y' }] })).inputs;
    expect(await deployment.diff('ZE', olds, edited)).toMatchObject({ changes: true, replaces: [] });
    const unknownVars = (await checked(deployment, { ...inputs, variables: { A: UNKNOWN } })).inputs;
    expect(await deployment.diff('ZE', olds, unknownVars)).toMatchObject({ changes: true });
  });
});
