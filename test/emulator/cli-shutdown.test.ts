/**
 * `npm run emulator` stopped by its PID: `kill -TERM <pid of npm>` (what a
 * process manager or a script does, unlike Ctrl-C, which signals the whole
 * process group) must stop the emulator itself, free its port and save its
 * state, not leave the emulator running under a dead launcher.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN } from '../../emulator';

const ROOT = path.resolve(__dirname, '../..');

function waitForOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what}: the launcher exited (${code}) before printing ${pattern}; output:\n${seen}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Whether the port can be bound again (nothing listens on it any more). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run emulator, stopped by its PID', () => {
  let dir: string;
  let launcher: ChildProcess | undefined;
  let emulatorPid: number | undefined;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-shutdown-'));
  });
  afterAll(() => {
    // Whatever a failed assertion left running.
    for (const pid of [emulatorPid, launcher?.pid]) if (pid && processIsAlive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('kill -TERM of the npm process stops the emulator, frees the port and saves the state', async () => {
    const stateFile = path.join(dir, 'local.json');
    // Not detached and not a process group kill: exactly one signal, to npm's PID.
    launcher = spawn('npm', ['run', 'emulator', '--', '--port', '0', '--state', stateFile, '--seed', 'flex'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [, baseUrl, port, pid] = await waitForOutput(launcher, /listening on (http:\/\/127\.0\.0\.1:(\d+))[\s\S]*process (\d+):/, 'start');
    // The emulator's own process, below npm (and whatever shell npm starts).
    emulatorPid = Number(pid);
    expect(emulatorPid).not.toBe(launcher.pid);

    // A change over the API that the saved state must hold.
    const auth = 'Basic ' + Buffer.from(`${DEFAULT_ACCOUNT_SID}:${DEFAULT_AUTH_TOKEN}`).toString('base64');
    const created = await fetch(`${baseUrl}/taskrouter/v1/Workspaces`, {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ FriendlyName: 'saved on shutdown' }).toString(),
    });
    expect(created.status).toBe(201);
    const workspaceSid = ((await created.json()) as { sid: string }).sid;

    const killedAt = Date.now();
    process.kill(launcher.pid as number, 'SIGTERM');
    await exited(launcher);

    expect(await portIsFree(Number(port))).toBe(true);
    expect(processIsAlive(emulatorPid)).toBe(false);
    const saved = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { savedAt: number; services: { taskrouter: Record<string, { workspaces: Record<string, { friendlyName: string }> }> } };
    // Written by the shutdown itself (the emulator clock is the real one here).
    expect(saved.savedAt).toBeGreaterThanOrEqual(killedAt);
    expect(saved.services.taskrouter[DEFAULT_ACCOUNT_SID].workspaces[workspaceSid]).toMatchObject({ friendlyName: 'saved on shutdown' });
  });
});
