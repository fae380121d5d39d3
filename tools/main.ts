// The main job (`npm start`): deploy the embedded default stack offline and
// show what it produced. Until the emulator-backed `local` stack of the
// product lands, this is the toolchain's smoke stack on the local file backend.
import * as path from "node:path";
import { runStackCommand, parseArgs } from "./stack";
import { REPO_ROOT } from "./stack-runner";

async function main(): Promise<number> {
  const project = path.join(REPO_ROOT, "tools", "smoke");
  return runStackCommand(parseArgs(["up", "--stack", "local", "--project", project]));
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`\nnpm start failed: ${err.message}\n`);
    process.exit(1);
  },
);
