/**
 * Writes a build's files to a temp directory (one per build), as Twilio
 * unpacks a build into its runtime: functions under `functions/<path>.js`,
 * assets under `assets/<path>`. Builds are immutable, so each is written once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { VersionRecord } from '../services/serverless/models';

export interface DeployedFile {
  version: VersionRecord;
  filePath: string;
}

export interface MaterializedBuild {
  dir: string;
  /** By URL path (`/hello`). */
  functions: Map<string, DeployedFile>;
  assets: Map<string, DeployedFile>;
}

/** Keeps a path inside `root` ("/../x" cannot escape). */
function safeJoin(root: string, urlPath: string, ext = ''): string {
  const rel = path.posix.normalize(`/${urlPath}`).replace(/^\/+/, '') || 'index';
  const full = path.join(root, rel + ext);
  if (!full.startsWith(root + path.sep)) throw new Error(`path ${urlPath} escapes the build directory`);
  return full;
}

export class BuildMaterializer {
  private root: string | undefined;

  private baseDir(): string {
    if (!this.root) this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'twilio-emulator-builds-'));
    return this.root;
  }

  write(key: string, functionVersions: VersionRecord[], assetVersions: VersionRecord[]): MaterializedBuild {
    const dir = path.join(this.baseDir(), key.replace(/[^A-Za-z0-9_-]/g, '_'));
    fs.rmSync(dir, { recursive: true, force: true });
    const functions = new Map<string, DeployedFile>();
    const assets = new Map<string, DeployedFile>();
    for (const v of functionVersions) {
      const filePath = safeJoin(path.join(dir, 'functions'), v.path, v.path.endsWith('.js') ? '' : '.js');
      fs.mkdirSync(path.dirname(filePath), { recursive: true });
      fs.writeFileSync(filePath, Buffer.from(v.contentBase64, 'base64'));
      functions.set(v.path, { version: v, filePath });
    }
    for (const v of assetVersions) {
      const filePath = safeJoin(path.join(dir, 'assets'), v.path);
      fs.mkdirSync(path.dirname(filePath), { recursive: true });
      fs.writeFileSync(filePath, Buffer.from(v.contentBase64, 'base64'));
      assets.set(v.path, { version: v, filePath });
    }
    return { dir, functions, assets };
  }

  /** Removes every materialized build (on stop). */
  cleanup(): void {
    if (this.root) fs.rmSync(this.root, { recursive: true, force: true });
    this.root = undefined;
  }
}
