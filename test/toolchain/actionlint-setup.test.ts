// The setup step `actionlint` (tools/actionlint/ensure.sh): the pinned
// actionlint from PATH, from the cache, or built from Go modules; shellcheck
// from apt-get where setup runs as root; and where the machine allows neither,
// a message that says what is missing and how to get it, without failing
// setup. Runs the real scripts in a sandbox copy of tools/, with fake commands
// first on PATH and an empty cache.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const PINNED = /github\.com\/rhysd\/actionlint (v[\d.]+)/.exec(fs.readFileSync(path.join(ROOT, 'tools/actionlint/go.mod'), 'utf8'))?.[1] as string;
const fakeActionlint = (version: string) => `[ "$1" = -version ] && { echo ${version}; echo "installed by a test"; exit 0; }; exit 3`;
const NOT_ROOT = 'echo 1000';
const ROOT_USER = 'echo 0';

function sandbox(fakes: Record<string, string>, realCommands: string[] = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flex-actionlint-'));
  fs.mkdirSync(path.join(dir, 'repo/tools/actionlint'), { recursive: true });
  for (const f of ['env.sh', 'setup.sh', 'progress.sh']) fs.copyFileSync(path.join(ROOT, 'tools', f), path.join(dir, 'repo/tools', f));
  for (const f of ['ensure.sh', 'go.mod', 'go.sum']) fs.copyFileSync(path.join(ROOT, 'tools/actionlint', f), path.join(dir, 'repo/tools/actionlint', f));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  for (const [name, script] of Object.entries(fakes)) fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  for (const name of realCommands) {
    const real = spawnSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8', env: { PATH: `${process.env.PATH}:/usr/local/go/bin` } }).stdout.trim();
    if (!real) throw new Error(`this machine has no ${name}`);
    fs.symlinkSync(real, path.join(bin, name));
  }
  // The machine's own commands, minus the ones each test decides about.
  const system = path.join(dir, 'system');
  fs.mkdirSync(system);
  for (const from of ['/usr/bin', '/bin']) {
    for (const name of fs.readdirSync(from)) {
      if (['shellcheck', 'actionlint', 'go', 'apt-get', 'id'].includes(name) || fs.existsSync(path.join(system, name))) continue;
      fs.symlinkSync(path.join(from, name), path.join(system, name));
    }
  }
  const link = path.join(dir, 'repo/.tools/bin/actionlint');
  return {
    dir,
    bin,
    link,
    run(extraEnv: Record<string, string> = {}) {
      const result = spawnSync('bash', [path.join(dir, 'repo/tools/setup.sh'), 'actionlint'], {
        encoding: 'utf8',
        env: { PATH: `${path.join(dir, 'repo/.tools/bin')}:${bin}:${system}`, HOME: dir, FLEX_TRANSFER_CACHE: path.join(dir, 'cache'), ...extraEnv },
      });
      return { status: result.status, stderr: result.stderr };
    },
    linkedVersion: () => spawnSync(link, ['-version'], { encoding: 'utf8' }).stdout.split('\n')[0],
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

test('no Go, no actionlint, no shellcheck, not root: says what is missing and how to get each, and setup goes on', () => {
  const box = sandbox({ id: NOT_ROOT });
  try {
    const { status, stderr } = box.run();
    expect(status).toBe(0);
    expect(stderr).toContain(`actionlint ${PINNED} is not available and there is no Go to build it`);
    expect(stderr).toContain(`https://github.com/rhysd/actionlint/releases/tag/${PINNED}`);
    expect(stderr).toContain("shellcheck is not installed and setup cannot install it here (it needs apt-get as root): install it with 'sudo apt-get install shellcheck'");
    expect(fs.existsSync(box.link)).toBe(false);
  } finally {
    box.cleanup();
  }
});

test('an actionlint of another version on PATH is named and not used', () => {
  const box = sandbox({ id: NOT_ROOT, actionlint: fakeActionlint('v1.6.22'), shellcheck: 'exit 0' });
  try {
    const { stderr } = box.run();
    expect(stderr).toContain(`actionlint ${PINNED} is not available (the one on PATH is v1.6.22)`);
    expect(stderr).not.toContain('shellcheck');
    expect(fs.existsSync(box.link)).toBe(false);
  } finally {
    box.cleanup();
  }
});

test('the pinned actionlint on PATH, or in the cache, is linked as it is, without building', () => {
  const onPath = sandbox({ id: NOT_ROOT, actionlint: fakeActionlint(PINNED), shellcheck: 'exit 0' });
  try {
    expect(onPath.run()).toEqual({ status: 0, stderr: '' });
    expect(onPath.linkedVersion()).toBe(PINNED);
  } finally {
    onPath.cleanup();
  }
  const cached = sandbox({ id: NOT_ROOT, shellcheck: 'exit 0' });
  try {
    const binary = path.join(cached.dir, 'cache/actionlint', PINNED, 'actionlint');
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    fs.writeFileSync(binary, `#!/bin/sh\n${fakeActionlint(PINNED)}\n`, { mode: 0o755 });
    expect(cached.run()).toEqual({ status: 0, stderr: '' });
    expect(fs.readlinkSync(cached.link)).toBe(binary);
  } finally {
    cached.cleanup();
  }
});

test('as root with apt-get, shellcheck is installed from the Debian package', () => {
  const box = sandbox({ id: ROOT_USER, actionlint: fakeActionlint(PINNED) });
  // A fake apt-get that records its arguments and "installs" shellcheck.
  fs.writeFileSync(
    path.join(box.bin, 'apt-get'),
    `#!/bin/sh\necho "$@" >> "${box.dir}/apt.log"\ncase "$*" in *install*shellcheck*) printf '#!/bin/sh\\n' > "${box.bin}/shellcheck"; chmod +x "${box.bin}/shellcheck" ;; esac\n`,
    { mode: 0o755 },
  );
  try {
    const { status, stderr } = box.run();
    expect(status).toBe(0);
    expect(stderr).toContain('installing shellcheck (Debian package)');
    expect(fs.readFileSync(path.join(box.dir, 'apt.log'), 'utf8')).toBe('install -y -qq shellcheck\n');
    expect(fs.existsSync(path.join(box.bin, 'shellcheck'))).toBe(true);
  } finally {
    box.cleanup();
  }
});

test('with Go, builds the pinned version from Go modules into the cache and links it', () => {
  const box = sandbox({ id: NOT_ROOT, shellcheck: 'exit 0' }, ['go']);
  // Reuse this machine's Go caches (a cold build downloads ~26 MiB of modules).
  const goEnv = spawnSync('go', ['env', 'GOMODCACHE', 'GOCACHE', 'GOPROXY'], { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH}:/usr/local/go/bin` } })
    .stdout.trim()
    .split('\n');
  try {
    const { status, stderr } = box.run({ GOMODCACHE: goEnv[0], GOCACHE: goEnv[1], GOPROXY: goEnv[2], GOFLAGS: '-mod=mod' });
    expect(status).toBe(0);
    expect(stderr).toContain(`building actionlint ${PINNED} from Go modules`);
    expect(stderr).toMatch(new RegExp(`built actionlint ${PINNED.replace(/\./g, '\\.')} in \\d+s`));
    expect(fs.readlinkSync(box.link)).toBe(path.join(box.dir, 'cache/actionlint', PINNED, 'actionlint'));
    expect(box.linkedVersion()).toBe(PINNED);
    // A second run finds it linked and does nothing.
    expect(box.run()).toEqual({ status: 0, stderr: '' });
  } finally {
    box.cleanup();
  }
});
