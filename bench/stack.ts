// Benchmark of the stack's main job against the emulator: Twilio API calls and
// wall time for a first `up`, a no-op `up`, a one-function change and a
// one-queue change; the same one-function redeploy done the way
// `twilio serverless:deploy` does it (@twilio-labs/serverless-api
// deployProject), as ratios; and the no-op `up` over a `preview` of an empty
// program (the engine's floor).
//   node dist/bench/stack.js
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createServerlessClient } from "../clients";
import { type Emulator, flexSeedSids, startEmulator } from "../emulator";
import { readFunctionSources } from "../infra/function-sources";
import { REPO_ROOT } from "../tools/stack-runner";
import { expectSuccess, scratchProject } from "../tools/scratch-project";

export interface Measure {
  name: string;
  calls: number;
  mutating: number;
  ms: number;
}

export async function measure(emulator: Emulator, name: string, run: () => Promise<unknown>): Promise<Measure> {
  emulator.log.clear();
  const start = process.hrtime.bigint();
  await run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // Twilio API calls only: not the emulator's test hooks, nor the webhooks it
  // delivers to deployed functions (TaskRouter events caused by the change).
  const calls = emulator.log.list().filter((e) => !e.operation.startsWith("admin.") && !e.operation.startsWith("runtime."));
  return { name, calls: calls.length, mutating: calls.filter((e) => e.mutating).length, ms };
}

export async function run(): Promise<Measure[]> {
  const emulator = await startEmulator({ port: 0, seed: "flex", buildDurationMs: 100 });
  const env = emulator.twilioEnv();
  const functionsDir = fs.mkdtempSync(path.join(os.tmpdir(), "flex-bench-fns-"));
  fs.cpSync(path.join(REPO_ROOT, "dist/functions"), functionsDir, { recursive: true });
  const project = scratchProject({
    pulumiYamlDir: REPO_ROOT,
    programModule: path.join(REPO_ROOT, "dist/infra/index.js"),
    stack: "bench",
    env: { ...env, FLEX_TRANSFER_FUNCTIONS_DIR: functionsDir },
  });
  const empty = scratchProject({
    pulumiYamlDir: path.join(REPO_ROOT, "bench/fixtures/empty"),
    programModule: path.join(REPO_ROOT, "dist/bench/fixtures/empty/index.js"),
    stack: "bench",
  });
  const queues = (salesExpression: string) => [
    { name: "Sales", targetWorkers: salesExpression },
    { name: "Support", targetWorkers: "routing.skills HAS 'support'" },
    { name: "Billing", targetWorkers: "routing.skills HAS 'billing'" },
  ];
  const config = (salesExpression: string) => ({
    workspace: { adoptSid: flexSeedSids(emulator.credentials.accountSid).workspace },
    queues: queues(salesExpression),
    serverless: { serviceName: "flex-transfer-bench" },
  });
  const changeOneFunction = (marker: string) => {
    const file = path.join(functionsDir, "chat", fs.readdirSync(path.join(functionsDir, "chat")).filter((f) => f.endsWith(".js")).sort()[0]);
    fs.appendFileSync(file, `\n// ${marker}\n`);
  };

  const results: Measure[] = [];
  try {
    project.writeConfig(config("routing.skills HAS 'sales'"));
    results.push(await measure(emulator, "first up", async () => expectSuccess(await project.run("up"))));
    results.push(await measure(emulator, "no-op up", async () => expectSuccess(await project.run("up", "--expect-no-changes"))));
    changeOneFunction("bench change 1");
    results.push(await measure(emulator, "one-function change (up)", async () => expectSuccess(await project.run("up"))));
    project.writeConfig(config("routing.skills HAS 'sales' AND routing.level >= 2"));
    results.push(await measure(emulator, "one-queue change (up)", async () => expectSuccess(await project.run("up"))));

    // The same function redeploy as `twilio serverless:deploy`: every file is
    // uploaded again, then build, variables and deployment.
    const serverless = createServerlessClient(emulator.credentials, { apiBaseUrl: emulator.baseUrl });
    const deployConfig = (): Parameters<typeof serverless.deployProject>[0] => ({
      // deployProject wants credentials in its config too (its client has them already).
      username: emulator.credentials.accountSid,
      password: emulator.credentials.authToken,
      serviceName: "flex-transfer-deploy-project",
      functionsEnv: "bench",
      env: { FLEX_TRANSFER_ENABLED: "true" },
      pkgJson: { dependencies: { twilio: (require("twilio/package.json") as { version: string }).version } },
      functions: readFunctionSources(functionsDir).map((f) => ({
        name: f.path,
        path: f.path,
        access: f.visibility as "public" | "protected" | "private",
        content: f.content ?? "",
      })),
      assets: [],
      runtime: "node22",
      overrideExistingService: true,
    });
    await serverless.deployProject(deployConfig());
    changeOneFunction("bench change 2");
    results.push(await measure(emulator, "one-function change (deployProject)", () => serverless.deployProject(deployConfig())));

    results.push(await measure(emulator, "preview of an empty program", async () => expectSuccess(await empty.run("preview"))));
  } finally {
    project.cleanup();
    empty.cleanup();
    fs.rmSync(functionsDir, { recursive: true, force: true });
    await emulator.stop();
  }
  return results;
}

export function report(results: Measure[]): string {
  const by = (name: string) => results.find((r) => r.name === name) as Measure;
  const lines = [
    "| operation | Twilio API calls | of which writes | wall time |",
    "| --- | ---: | ---: | ---: |",
    ...results.map((r) => `| ${r.name} | ${r.calls} | ${r.mutating} | ${(r.ms / 1000).toFixed(2)} s |`),
    "",
  ];
  const ours = by("one-function change (up)");
  const theirs = by("one-function change (deployProject)");
  const floor = by("preview of an empty program");
  const noop = by("no-op up");
  lines.push(`one-function redeploy, stack vs deployProject: calls ${ours.calls}/${theirs.calls} = ${(ours.calls / theirs.calls).toFixed(2)}, time ${(ours.ms / 1000).toFixed(2)}/${(theirs.ms / 1000).toFixed(2)} s = ${(ours.ms / theirs.ms).toFixed(2)}`);
  lines.push(`no-op up over empty-program preview (engine floor): ${(noop.ms / 1000).toFixed(2)}/${(floor.ms / 1000).toFixed(2)} s = ${(noop.ms / floor.ms).toFixed(2)}`);
  return lines.join("\n");
}

if (require.main === module) {
  run().then(
    (results) => console.log(report(results)),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
