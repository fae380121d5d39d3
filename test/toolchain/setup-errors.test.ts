// tools/setup.sh on a machine that cannot satisfy it: each failure names what
// is missing and how to fix it. Runs the real script in a sandbox copy of the
// repository's tools/, with fake commands first on PATH and an empty cache.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../support";

const PINNED = `v${JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8")).packages["node_modules/@pulumi/pulumi"].version}`;

function sandbox(fakes: Record<string, string>, realCommands: string[] = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flex-setup-"));
  fs.mkdirSync(path.join(dir, "repo/tools"), { recursive: true });
  for (const f of ["env.sh", "setup.sh"]) fs.copyFileSync(path.join(REPO_ROOT, "tools", f), path.join(dir, "repo/tools", f));
  for (const f of ["package.json", "package-lock.json"]) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, "repo", f));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  for (const [name, script] of Object.entries(fakes)) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  }
  for (const name of realCommands) {
    const real = spawnSync("bash", ["-c", `source ${REPO_ROOT}/tools/env.sh && command -v ${name}`], { encoding: "utf8" }).stdout.trim();
    fs.symlinkSync(real, path.join(bin, name));
  }
  return {
    dir,
    run(...steps: string[]) {
      const result = spawnSync("bash", [path.join(dir, "repo/tools/setup.sh"), ...steps], {
        encoding: "utf8",
        // /usr/bin:/bin for coreutils only: Go lives in /usr/local/go/bin here.
        // .tools/bin appears twice, as after sourcing tools/env.sh in a shell that already had it.
        env: { PATH: `${path.join(dir, "repo/.tools/bin")}:${path.join(dir, "repo/.tools/bin")}:${bin}:/usr/bin:/bin`, HOME: dir, FLEX_TRANSFER_CACHE: path.join(dir, "cache") },
      });
      return { status: result.status, stderr: result.stderr };
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

const OLD_NODE = 'case "$1" in -p) echo 20 ;; --version) echo v20.11.0 ;; *) exit 1 ;; esac';

test("Node older than 22 and the npm registry unreachable: says both and how to fix", () => {
  const box = sandbox({ node: OLD_NODE, npm: 'echo "npm error code E404 registry unreachable" >&2; exit 1' });
  try {
    const { status, stderr } = box.run("node");
    expect(status).toBe(1);
    expect(stderr).toContain("Node >= 22 is required");
    expect(stderr).toContain("v20.11.0");
    expect(stderr).toMatch(/fetching node-linux-(x64|arm64)@22\.\d+\.\d+ from the npm registry failed/);
    expect(stderr).toContain("E404");
    expect(stderr).toContain("https://nodejs.org");
  } finally {
    box.cleanup();
  }
});

test("no Go and no Pulumi CLI: names the pinned version and both ways to get it", () => {
  const box = sandbox({}, ["node"]);
  try {
    const { status, stderr } = box.run("pulumi");
    expect(status).toBe(1);
    expect(stderr).toContain(`Pulumi CLI ${PINNED} is required`);
    expect(stderr).toContain("no Go toolchain");
    expect(stderr).toContain(`--version ${PINNED.slice(1)}`);
    expect(stderr).toContain("install Go");
  } finally {
    box.cleanup();
  }
});

test("a different pulumi on PATH is not used: the message says which version it is", () => {
  const box = sandbox({ pulumi: 'echo "v3.100.0"' }, ["node"]);
  try {
    const { status, stderr } = box.run("pulumi");
    expect(status).toBe(1);
    expect(stderr).toContain(`is v3.100.0, not ${PINNED}`);
    expect(stderr).toContain("The pulumi on PATH is v3.100.0");
  } finally {
    box.cleanup();
  }
});

test("a pulumi of the pinned version on PATH is used as it is", () => {
  const box = sandbox({ pulumi: `echo "${PINNED}"` }, ["node"]);
  try {
    const { status, stderr } = box.run("pulumi");
    // The pinned CLI is accepted; what remains is the plugin from npm, which
    // this sandbox has no node_modules for: the message names that file.
    expect(stderr).not.toContain("is required");
    expect(stderr).toContain("pulumi-resource-pulumi-nodejs is missing");
    expect(status).toBe(1);
  } finally {
    box.cleanup();
  }
});

test("a PATH that already holds .tools/bin (even twice) never links node to itself", () => {
  const box = sandbox({ node: 'case "$1" in -p) echo 22 ;; --version) echo v22.1.0 ;; *) exit 0 ;; esac' });
  try {
    const repoBin = path.join(box.dir, "repo/.tools/bin");
    fs.mkdirSync(repoBin, { recursive: true });
    // A link from an earlier run; found again through the PATH, it must not be linked to itself.
    fs.symlinkSync(path.join(box.dir, "bin/node"), path.join(repoBin, "node"));
    const { status } = box.run("node");
    expect(status).toBe(0);
    expect(fs.readlinkSync(path.join(repoBin, "node"))).toBe(path.join(box.dir, "bin/node"));
  } finally {
    box.cleanup();
  }
});
