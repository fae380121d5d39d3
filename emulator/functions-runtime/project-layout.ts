/**
 * Lays a build out on disk as a Serverless Toolkit project, the shape both
 * `@twilio/runtime-handler`'s LocalDevelopmentServer and `twilio-run start`
 * serve: `functions/<path>[.protected|.private].js`, `assets/<path>` (same
 * visibility suffix before the extension), `package.json` with the build's
 * dependencies, and a node_modules of only those dependencies
 * (package-links.ts). Also returns the routes in the runtime's own format, so
 * the runtime does not have to rediscover them from file names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNodeModules } from './package-links';

export type Visibility = 'public' | 'protected' | 'private';

export interface ProjectFile {
  /** URL path, e.g. `/chat/transfer` or `/index.html`. */
  path: string;
  visibility: Visibility;
  content: string | Buffer;
}

export interface ProjectSpec {
  functions: ProjectFile[];
  assets: ProjectFile[];
  /** name -> version, as the build declares them. */
  dependencies: Record<string, string>;
  /** Where the deployed code's Twilio clients send their requests. */
  twilioApiBaseUrl: string;
}

/** A route as @twilio/runtime-handler takes it (ServerlessResourceConfigWithFilePath). */
export interface RuntimeRoute {
  name: string;
  path: string;
  access: Visibility;
  filePath: string;
  /** Not read by the runtime; left empty so routes stay small when sent to each invocation. */
  content: string;
}

export interface RuntimeRoutes {
  functions: RuntimeRoute[];
  assets: RuntimeRoute[];
}

/** Keeps a file inside `root` ("/../x" cannot escape). */
function safeJoin(root: string, relative: string): string {
  const rel = path.posix.normalize(`/${relative}`).replace(/^\/+/, '');
  if (rel === '') throw new Error(`path "${relative}" names no file`);
  const full = path.join(root, rel);
  if (!full.startsWith(root + path.sep)) throw new Error(`path ${relative} escapes the project directory`);
  return full;
}

function visibilitySuffix(visibility: Visibility): string {
  return visibility === 'public' ? '' : `.${visibility}`;
}

/** `functions/chat/transfer.js`, `functions/lib/load.private.js`. */
export function functionFileName(file: { path: string; visibility: Visibility }): string {
  const base = file.path.replace(/\.js$/, '');
  return `${base}${visibilitySuffix(file.visibility)}.js`;
}

/** `assets/index.html`, `assets/secret.private.json`. */
export function assetFileName(file: { path: string; visibility: Visibility }): string {
  const ext = path.posix.extname(file.path);
  const base = ext ? file.path.slice(0, -ext.length) : file.path;
  return `${base}${visibilitySuffix(file.visibility)}${ext}`;
}

function writeFile(root: string, relative: string, content: string | Buffer): string {
  const full = safeJoin(root, relative);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, content);
  return full;
}

/** Writes the project into `dir` (created; must not exist or be empty) and returns its routes. */
export function layOutProject(dir: string, spec: ProjectSpec): RuntimeRoutes {
  fs.mkdirSync(dir, { recursive: true });
  const route = (f: ProjectFile, filePath: string): RuntimeRoute => ({ name: f.path.replace(/^\//, ''), path: f.path, access: f.visibility, filePath, content: '' });
  const functions = spec.functions.map((f) => route(f, writeFile(path.join(dir, 'functions'), functionFileName(f), f.content)));
  const assets = spec.assets.map((a) => route(a, writeFile(path.join(dir, 'assets'), assetFileName(a), a.content)));
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'twilio-functions-build', private: true, dependencies: spec.dependencies }, null, 2)}\n`);
  writeNodeModules(dir, spec.dependencies, spec.twilioApiBaseUrl);
  return { functions, assets };
}
