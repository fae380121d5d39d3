// tools/setup.sh on a machine that cannot satisfy it: each failure names what
// is missing and how to fix it. Runs the real script in a sandbox copy of the
// repository's tools/, with fake commands first on PATH and an empty cache.
// Also how it behaves while it works: long steps report progress, and two
// setups at once build the CLI once.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../support';

const PINNED = `v${JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')).packages['node_modules/@pulumi/pulumi'].version}`;

function sandbox(fakes: Record<string, string>, realCommands: string[] = [], opts: { cache?: string; env?: Record<string, string> } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-setup-'));
  fs.mkdirSync(path.join(dir, 'repo/tools/pulumi-build'), { recursive: true });
  for (const f of ['env.sh', 'setup.sh', 'progress.sh', 'pulumi-build/build.sh', 'pulumi-build/go.mod', 'pulumi-build/go.sum']) {
    fs.copyFileSync(path.join(REPO_ROOT, 'tools', f), path.join(dir, 'repo/tools', f));
  }
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, 'repo', f));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  for (const [name, script] of Object.entries(fakes)) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  }
  for (const name of realCommands) {
    const real = spawnSync('bash', ['-c', `source ${REPO_ROOT}/tools/env.sh && command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    fs.symlinkSync(real, path.join(bin, name));
  }
  const env = {
    // /usr/bin:/bin for coreutils only: Go lives in /usr/local/go/bin here.
    // .tools/bin appears twice, as after sourcing tools/env.sh in a shell that already had it.
    PATH: `${path.join(dir, 'repo/.tools/bin')}:${path.join(dir, 'repo/.tools/bin')}:${bin}:/usr/bin:/bin`,
    HOME: dir,
    FLEX_TRANSFER_CACHE: opts.cache ?? path.join(dir, 'cache'),
    ...opts.env,
  };
  return {
    dir,
    repo: path.join(dir, 'repo'),
    run(...steps: string[]) {
      const result = spawnSync('bash', [path.join(dir, 'repo/tools/setup.sh'), ...steps], { encoding: 'utf8', env });
      return { status: result.status, stderr: result.stderr };
    },
    /** The same, without waiting: for setups that run at the same time. */
    start(...steps: string[]): Promise<{ status: number | null; stderr: string }> {
      return new Promise((resolve) => {
        const child = spawn('bash', [path.join(dir, 'repo/tools/setup.sh'), ...steps], { env });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.stdout.resume();
        child.on('close', (status) => resolve({ status, stderr }));
      });
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The file @pulumi/pulumi's npm package ships, which setup copies beside the CLI. */
function fakeDynamicProviderPlugin(repo: string) {
  const file = path.join(repo, 'node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
}

/** An executable that answers `-version` like pulumi-language-nodejs. */
function fakeLanguageHost(dir: string, version: string): string {
  const file = path.join(dir, `pulumi-language-nodejs-${version}`);
  fs.writeFileSync(file, `#!/bin/sh\n[ "$1" = -version ] && echo ${version}\n`, { mode: 0o755 });
  return file;
}

const OLD_NODE = 'case "$1" in -p) echo 20 ;; --version) echo v20.11.0 ;; *) exit 1 ;; esac';

test('Node older than 22 and the npm registry unreachable: says both and how to fix', () => {
  const box = sandbox({ node: OLD_NODE, npm: 'echo "npm error code E404 registry unreachable" >&2; exit 1' });
  try {
    const { status, stderr } = box.run('node');
    expect(status).toBe(1);
    expect(stderr).toContain('Node >= 22 is required');
    expect(stderr).toContain('v20.11.0');
    expect(stderr).toMatch(/fetching node-linux-(x64|arm64)@22\.\d+\.\d+ from the npm registry failed/);
    expect(stderr).toContain('E404');
    expect(stderr).toContain('https://nodejs.org');
  } finally {
    box.cleanup();
  }
});

test('no Go and no Pulumi CLI: names the pinned version and both ways to get it', () => {
  const box = sandbox({}, ['node']);
  try {
    const { status, stderr } = box.run('pulumi');
    expect(status).toBe(1);
    expect(stderr).toContain(`Pulumi CLI ${PINNED} is required`);
    expect(stderr).toContain('no Go toolchain');
    expect(stderr).toContain(`--version ${PINNED.slice(1)}`);
    expect(stderr).toContain('install Go');
  } finally {
    box.cleanup();
  }
});

test('a different pulumi on PATH is not used: the message says which version it is', () => {
  const box = sandbox({ pulumi: 'echo "v3.100.0"' }, ['node']);
  try {
    const { status, stderr } = box.run('pulumi');
    expect(status).toBe(1);
    expect(stderr).toContain(`is v3.100.0, not ${PINNED}`);
    expect(stderr).toContain('The pulumi on PATH is v3.100.0');
  } finally {
    box.cleanup();
  }
});

test('a pulumi of the pinned version on PATH is used as it is', () => {
  const box = sandbox({ pulumi: `echo "${PINNED}"` }, ['node']);
  try {
    const { status, stderr } = box.run('pulumi');
    // The pinned CLI is accepted; what remains is the plugin from npm, which
    // this sandbox has no node_modules for: the message names that file.
    expect(stderr).not.toContain('is required');
    expect(stderr).toContain('pulumi-resource-pulumi-nodejs is missing');
    expect(status).toBe(1);
  } finally {
    box.cleanup();
  }
});

test('a PATH that already holds .tools/bin (even twice) never links node to itself', () => {
  const box = sandbox({ node: 'case "$1" in -p) echo 22 ;; --version) echo v22.1.0 ;; *) exit 0 ;; esac' });
  try {
    const repoBin = path.join(box.dir, 'repo/.tools/bin');
    fs.mkdirSync(repoBin, { recursive: true });
    // A link from an earlier run; found again through the PATH, it must not be linked to itself.
    fs.symlinkSync(path.join(box.dir, 'bin/node'), path.join(repoBin, 'node'));
    const { status } = box.run('node');
    expect(status).toBe(0);
    expect(fs.readlinkSync(path.join(repoBin, 'node'))).toBe(path.join(box.dir, 'bin/node'));
  } finally {
    box.cleanup();
  }
});

describe('the Node language host beside the CLI', () => {
  test('no host beside the CLI and none provided: names what is missing and how to provide it', () => {
    const box = sandbox({ pulumi: `echo "${PINNED}"` }, ['node']);
    try {
      fakeDynamicProviderPlugin(box.repo);
      const { status, stderr } = box.run('pulumi');
      expect(status).toBe(1);
      expect(stderr).toContain(`has no Node language host (pulumi-language-nodejs) beside it, and none is provided`);
      expect(stderr).toContain(`A standard Pulumi ${PINNED} install ships it next to the CLI`);
      expect(stderr).toContain(`set FLEX_LANGUAGE_HOST to an official pulumi-language-nodejs ${PINNED} binary`);
      expect(stderr).toContain(`looked for: ${box.dir}/repo/../shared/tools/pulumi-language-nodejs/${PINNED}/linux-`);
    } finally {
      box.cleanup();
    }
  });

  test('a provided host of another version is refused: names both versions', () => {
    const box = sandbox({ pulumi: `echo "${PINNED}"` }, ['node']);
    try {
      fakeDynamicProviderPlugin(box.repo);
      const host = fakeLanguageHost(box.dir, 'v3.100.0');
      const result = spawnSync('bash', [path.join(box.repo, 'tools/setup.sh'), 'pulumi'], {
        encoding: 'utf8',
        env: { PATH: `${path.join(box.dir, 'bin')}:/usr/bin:/bin`, HOME: box.dir, FLEX_TRANSFER_CACHE: path.join(box.dir, 'cache'), FLEX_LANGUAGE_HOST: host },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`the provided Node language host ${host} is v3.100.0, not ${PINNED} (the CLI's version); host and CLI must be one version`);
      expect(fs.existsSync(path.join(box.dir, 'bin/pulumi-language-nodejs'))).toBe(false);
    } finally {
      box.cleanup();
    }
  });

  test("a host of another version beside the CLI is replaced by the provided one of the CLI's version", () => {
    const box = sandbox({ pulumi: `echo "${PINNED}"` }, ['node']);
    try {
      fakeDynamicProviderPlugin(box.repo);
      fs.copyFileSync(fakeLanguageHost(box.dir, 'v3.100.0'), path.join(box.dir, 'bin/pulumi-language-nodejs'));
      const host = fakeLanguageHost(box.dir, PINNED);
      const result = spawnSync('bash', [path.join(box.repo, 'tools/setup.sh'), 'pulumi'], {
        encoding: 'utf8',
        env: { PATH: `${path.join(box.dir, 'bin')}:/usr/bin:/bin`, HOME: box.dir, FLEX_TRANSFER_CACHE: path.join(box.dir, 'cache'), FLEX_LANGUAGE_HOST: host },
      });
      expect(result.stderr).toContain(`the Node language host beside the CLI is v3.100.0, not ${PINNED}: replacing it`);
      expect(result.status).toBe(0);
      expect(spawnSync(path.join(box.dir, 'bin/pulumi-language-nodejs'), ['-version'], { encoding: 'utf8' }).stdout.trim()).toBe(PINNED);
    } finally {
      box.cleanup();
    }
  });
});

describe('long steps and concurrent setups', () => {
  // A `go` that builds slowly: it logs each call, prints package names as
  // `go build -v` does, and writes a `pulumi` that reports the pinned version.
  const FAKE_GO = (calls: string) => `
echo "$$ $*" >> "${calls}"
out=""; prev=""
for a in "$@"; do [ "$prev" = -o ] && out="$a"; prev="$a"; done
echo "go: downloading github.com/pulumi/pulumi/pkg/v3 ${PINNED}" >&2
for i in 1 2 3 4 5 6; do echo "example.com/package$i" >&2; sleep 0.5; done
printf '#!/bin/sh\necho ${PINNED}\n' > "$out"; chmod +x "$out"
`;

  test('two setups at once build the CLI once: the second waits for the first; both report progress', async () => {
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-setup-shared-'));
    const calls = path.join(shared, 'go-calls.log');
    const host = fakeLanguageHost(shared, PINNED);
    const env = { FLEX_PROGRESS_SECONDS: '1', FLEX_LANGUAGE_HOST: host };
    const boxes = [0, 1].map(() => sandbox({ go: FAKE_GO(calls) }, ['node'], { cache: path.join(shared, 'cache'), env }));
    try {
      for (const box of boxes) fakeDynamicProviderPlugin(box.repo);
      const [a, b] = await Promise.all(boxes.map((box) => box.start('pulumi')));
      expect([a.status, b.status]).toEqual([0, 0]);

      // One build: go ran once, for both clones.
      const goCalls = fs.readFileSync(calls, 'utf8').trim().split('\n');
      expect(goCalls).toHaveLength(1);
      expect(goCalls[0]).toMatch(/ build -v -trimpath .* github\.com\/pulumi\/pulumi\/pkg\/v3\/cmd\/pulumi$/);
      const cached = path.join(shared, 'cache/pulumi', PINNED, 'pulumi');
      for (const box of boxes) expect(fs.realpathSync(path.join(box.repo, '.tools/bin/pulumi'))).toBe(cached);

      // The builder reported how far it was; the other said it was waiting, and why.
      const [builder, waiter] = a.stderr.includes('another setup is building') ? [b.stderr, a.stderr] : [a.stderr, b.stderr];
      expect(builder).toMatch(new RegExp(`building the Pulumi CLI ${PINNED}: \\d+ of at most \\d+ modules downloaded, \\d+ of ~\\d+ packages compiled, 0m0\\ds elapsed`));
      expect(builder).not.toContain('another setup is building');
      expect(waiter).toMatch(new RegExp(`another setup is building the Pulumi CLI ${PINNED} \\(pid \\d+, since [0-9:]+\\): waiting for it instead of doing it again`));
      expect(waiter).toMatch(/still waiting for the other setup \(building the Pulumi CLI v[\d.]+\): 0m0\ds elapsed/);
      expect(waiter).toContain(`the Pulumi CLI ${PINNED} is in the cache now (built by the other setup): using it`);
    } finally {
      for (const box of boxes) box.cleanup();
      fs.rmSync(shared, { recursive: true, force: true });
    }
  }, 60_000);
});
