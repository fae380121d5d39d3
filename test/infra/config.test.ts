// Stack configuration is validated before any resource is declared; each
// problem names the config key and the reason, all reported at once.
import { ConfigError, parseStackSettings } from '../../infra/config';

const WS = 'WS' + 'ab'.repeat(16);

function problems(raw: Record<string, unknown>): string[] {
  try {
    parseStackSettings(raw, 'dev');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

test('a minimal adopting config gets the documented defaults', () => {
  const settings = parseStackSettings({ workspace: { adoptSid: WS } }, 'dev');
  expect(settings.workspace).toEqual({ mode: 'adopt', sid: WS });
  expect(settings.features).toEqual({ enabled: true, coldTransfer: true, multiParticipant: true, voiceTransfer: true });
  expect(settings.serverless).toEqual({ serviceName: 'flex-transfer', environment: 'dev', domainSuffix: 'dev', runtime: 'node22' });
  expect(settings.flexUiFlagsKey).toBe('custom_data.features.conversation_transfer');
  expect(settings.workerTransferTimeoutSeconds).toBe(120);
  expect(settings.queues).toEqual([]);
});

test('creating a workspace writes no Flex flags unless asked', () => {
  expect(parseStackSettings({ workspace: { friendlyName: 'Transfers' } }, 'dev').flexUiFlagsKey).toBe(false);
});

test.each([
  [{}, /flex-transfer:workspace is required/],
  [{ workspace: { adoptSid: 'WQ123' } }, /flex-transfer:workspace.adoptSid must be a workspace SID/],
  [{ workspace: { adoptSid: 'WS' + '0'.repeat(32) } }, /adoptSid is still the placeholder/],
  [{ workspace: { adoptSid: WS, friendlyName: 'x' } }, /sets both adoptSid and friendlyName/],
  [{ workspace: { adoptSid: WS }, queues: [{ targetWorkers: '1==1' }] }, /flex-transfer:queues\[0\]\.name is required/],
  [{ workspace: { adoptSid: WS }, queues: [{ name: 'A' }, { name: 'A' }] }, /queues\[1\]\.name 'A' is declared twice/],
  [{ workspace: { adoptSid: WS }, queues: [{ name: 'Sales Team' }, { name: 'sales-team' }] }, /differ only in case or punctuation/],
  [{ workspace: { adoptSid: WS }, queues: [{ name: 'A', targetWorkers: 'skill-level > 3' }] }, /queues\[0\]\.targetWorkers \(TaskQueue 'A'\): .*position 5/],
  [{ workspace: { adoptSid: WS }, queues: [{ name: 'A', transferExpression: "skills HAS 'x'" }] }, /filter "Transfer to queue A".*task\.|worker\./],
  [{ workspace: { adoptSid: WS }, queues: [{ name: 'A', colour: 'red' }] }, /queues\[0\]\.colour is not a queue setting/],
  [{ workspace: { adoptSid: WS }, features: { enabled: 'yes' } }, /flex-transfer:features.enabled must be true or false/],
  [{ workspace: { adoptSid: WS }, features: { warm: true } }, /features.warm is not a feature flag/],
  [{ workspace: { adoptSid: WS }, serverless: { serviceName: 'has space' } }, /serverless.serviceName must be 1-50/],
  [{ workspace: { adoptSid: WS }, serverless: { runtime: 'node16' } }, /serverless.runtime must be node18, node20 or node22/],
  [{ workspace: { adoptSid: WS }, workerTransferTimeoutSeconds: 0 }, /workerTransferTimeoutSeconds must be a whole number/],
  [{ workspace: { adoptSid: WS }, twilioApiBaseUrl: 'localhost:4010' }, /twilioApiBaseUrl must be an http\(s\) URL/],
  [{ workspace: { adoptSid: WS }, queus: [] }, /flex-transfer:queus is not a setting of this project/],
])('%j is refused: %s', (raw, message) => {
  expect(problems(raw as Record<string, unknown>).join('\n')).toMatch(message);
});

test('every problem is reported at once', () => {
  const found = problems({ workspace: { adoptSid: 'nope' }, features: { enabled: 1 }, serverless: { runtime: 'x' } });
  expect(found).toHaveLength(3);
});

describe('adoption settings', () => {
  const WQ = 'WQ' + 'cd'.repeat(16);
  const WW = 'WW' + 'ef'.repeat(16);
  const ZS = 'ZS' + '12'.repeat(16);

  test("on an adopted Flex workspace, Flex's Everyone queue is the all-agents queue and native transfers are checked", () => {
    const s = parseStackSettings({ workspace: { adoptSid: WS } }, 'dev');
    expect(s.everyoneQueue).toEqual({ name: 'Everyone', adopt: { name: 'Everyone' } });
    expect(s.nativeTransfers).toBe('fail');
    expect(s.chatTransferWorkflow).toEqual({ friendlyName: 'Chat Transfer' });
    expect(s.voiceTransferWorkflow).toEqual({ friendlyName: 'Voice Transfer' });
  });

  test('a created workspace gets its own Everyone queue and no native-transfer check', () => {
    const s = parseStackSettings({ workspace: { friendlyName: 'Transfers' } }, 'dev');
    expect(s.everyoneQueue).toEqual({ name: 'Everyone' });
    expect(s.nativeTransfers).toBe('ignore');
  });

  test('an adopted queue keeps its own fields: no defaults are filled in', () => {
    const s = parseStackSettings({ workspace: { adoptSid: WS }, queues: [{ name: 'Sales', adopt: { sid: WQ } }, { name: 'Support' }] }, 'dev');
    expect(s.queues).toEqual([
      { name: 'Sales', adopt: { sid: WQ } },
      { name: 'Support', targetWorkers: '1==1', taskOrder: 'FIFO', maxReservedWorkers: 1 },
    ]);
  });

  test("adopt: true adopts by the object's own name; a workflow adopted by SID keeps its name unless one is given", () => {
    const s = parseStackSettings(
      {
        workspace: { adoptSid: WS },
        queues: [{ name: 'Sales', adopt: true }],
        chatTransferWorkflow: { adopt: { sid: WW } },
        serverless: { serviceName: 'custom-flex-extensions-serverless', adopt: true },
      },
      'dev',
    );
    expect(s.queues[0].adopt).toEqual({ name: 'Sales' });
    expect(s.chatTransferWorkflow).toEqual({ adopt: { sid: WW } });
    expect(s.serverless.adopt).toEqual({ name: 'custom-flex-extensions-serverless' });
    expect(parseStackSettings({ workspace: { adoptSid: WS }, serverless: { adopt: { sid: ZS } } }, 'dev').serverless.adopt).toEqual({ sid: ZS });
  });

  test.each([
    [{ queues: [{ name: 'Sales', adopt: 'yes' }] }, /flex-transfer:queues\[0\]\.adopt must be true \(adopt the queue named 'Sales'\), \{ sid: "WQ…" \} or \{ name: "…" \}/],
    [{ queues: [{ name: 'Sales', adopt: { sid: WW } }] }, /flex-transfer:queues\[0\]\.adopt\.sid must be a queue SID \('WQ'/],
    [{ queues: [{ name: 'Sales', adopt: { sid: WQ, name: 'x' } }] }, /queues\[0\]\.adopt must be/],
    [{ chatTransferWorkflow: { adopt: { sid: WQ } } }, /flex-transfer:chatTransferWorkflow\.adopt\.sid must be a workflow SID \('WW'/],
    [{ chatTransferWorkflow: { name: 'x' } }, /chatTransferWorkflow\.name is not a workflow setting/],
    [{ everyoneQueue: { adopt: { sid: WQ } }, queues: [{ name: 'Sales', adopt: { sid: WQ } }] }, /queues\[0\]\.adopt adopts WQ.*which flex-transfer:everyoneQueue\.adopt already adopts/],
    [{ queues: [{ name: 'Everyone' }] }, /must not reuse the name 'Everyone': that is the all-agents queue/],
    [{ serverless: { adopt: { sid: 'ZS1' } } }, /serverless\.adopt\.sid must be a service SID/],
    [{ nativeTransfers: 'off' }, /flex-transfer:nativeTransfers must be fail .*turnOff .*or ignore, got "off"/],
  ])('%j is refused: %s', (extra, message) => {
    expect(problems({ workspace: { adoptSid: WS }, ...(extra as Record<string, unknown>) }).join('\n')).toMatch(message);
  });

  test('objects of a workspace the stack creates cannot be adopted', () => {
    expect(problems({ workspace: { friendlyName: 'Transfers' }, queues: [{ name: 'Sales', adopt: { sid: WQ } }] }).join('\n')).toMatch(
      /flex-transfer:queues\[0\]\.adopt: only objects of an existing workspace can be adopted/,
    );
  });
});
