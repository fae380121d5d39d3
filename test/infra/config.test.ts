// Stack configuration is validated before any resource is declared; each
// problem names the config key and the reason, all reported at once.
import { ConfigError, parseStackSettings } from "../../infra/config";

const WS = "WS" + "ab".repeat(16);

function problems(raw: Record<string, unknown>): string[] {
  try {
    parseStackSettings(raw, "dev");
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

test("a minimal adopting config gets the documented defaults", () => {
  const settings = parseStackSettings({ workspace: { adoptSid: WS } }, "dev");
  expect(settings.workspace).toEqual({ mode: "adopt", sid: WS });
  expect(settings.features).toEqual({ enabled: true, cold_transfer: true, multi_participant: true });
  expect(settings.serverless).toEqual({ serviceName: "flex-transfer", environment: "dev", domainSuffix: "dev", runtime: "node22" });
  expect(settings.flexUiFlagsKey).toBe("custom_data.features.conversation_transfer");
  expect(settings.workerTransferTimeoutSeconds).toBe(120);
  expect(settings.queues).toEqual([]);
});

test("creating a workspace writes no Flex flags unless asked", () => {
  expect(parseStackSettings({ workspace: { friendlyName: "Transfers" } }, "dev").flexUiFlagsKey).toBe(false);
});

test.each([
  [{}, /flex-transfer:workspace is required/],
  [{ workspace: { adoptSid: "WQ123" } }, /flex-transfer:workspace.adoptSid must be a workspace SID/],
  [{ workspace: { adoptSid: "WS" + "0".repeat(32) } }, /adoptSid is still the placeholder/],
  [{ workspace: { adoptSid: WS, friendlyName: "x" } }, /sets both adoptSid and friendlyName/],
  [{ workspace: { adoptSid: WS }, queues: [{ targetWorkers: "1==1" }] }, /flex-transfer:queues\[0\]\.name is required/],
  [{ workspace: { adoptSid: WS }, queues: [{ name: "A" }, { name: "A" }] }, /queues\[1\]\.name 'A' is declared twice/],
  [{ workspace: { adoptSid: WS }, queues: [{ name: "Sales Team" }, { name: "sales-team" }] }, /differ only in case or punctuation/],
  [{ workspace: { adoptSid: WS }, queues: [{ name: "A", targetWorkers: "skill-level > 3" }] }, /queues\[0\]\.targetWorkers \(TaskQueue 'A'\): .*position 5/],
  [{ workspace: { adoptSid: WS }, queues: [{ name: "A", transferExpression: "skills HAS 'x'" }] }, /filter "Transfer to queue A".*task\.|worker\./],
  [{ workspace: { adoptSid: WS }, queues: [{ name: "A", colour: "red" }] }, /queues\[0\]\.colour is not a queue setting/],
  [{ workspace: { adoptSid: WS }, features: { enabled: "yes" } }, /flex-transfer:features.enabled must be true or false/],
  [{ workspace: { adoptSid: WS }, features: { warm: true } }, /features.warm is not a feature flag/],
  [{ workspace: { adoptSid: WS }, serverless: { serviceName: "has space" } }, /serverless.serviceName must be 1-50/],
  [{ workspace: { adoptSid: WS }, serverless: { runtime: "node16" } }, /serverless.runtime must be node18, node20 or node22/],
  [{ workspace: { adoptSid: WS }, workerTransferTimeoutSeconds: 0 }, /workerTransferTimeoutSeconds must be a whole number/],
  [{ workspace: { adoptSid: WS }, twilioApiBaseUrl: "localhost:4010" }, /twilioApiBaseUrl must be an http\(s\) URL/],
  [{ workspace: { adoptSid: WS }, queus: [] }, /flex-transfer:queus is not a setting of this project/],
])("%j is refused: %s", (raw, message) => {
  expect(problems(raw as Record<string, unknown>).join("\n")).toMatch(message);
});

test("every problem is reported at once", () => {
  const found = problems({ workspace: { adoptSid: "nope" }, features: { enabled: 1 }, serverless: { runtime: "x" } });
  expect(found).toHaveLength(3);
});
