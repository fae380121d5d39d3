/**
 * Request body parsing: form-urlencoded (repeated keys -> arrays), JSON
 * (top-level keys become params, the whole value is kept), multipart
 * (busboy: fields -> params, files -> UploadedFile), and query strings.
 */
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { ParamBag } from './params';
import type { UploadedFile } from './types';
import { badRequest } from './errors';

export interface ParsedBody {
  params: ParamBag;
  json: unknown;
  files: UploadedFile[];
  raw: Buffer;
}

/** Max request body (Twilio rejects large uploads too; functions are small). */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

function addParam(bag: ParamBag, key: string, value: string): void {
  const existing = bag[key];
  if (existing === undefined) bag[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else bag[key] = [existing, value];
}

/** `a=1&a=2&b=x` -> `{a: ['1','2'], b: 'x'}`. */
export function parseUrlEncoded(text: string): ParamBag {
  const bag: ParamBag = {};
  for (const [k, v] of new URLSearchParams(text)) addParam(bag, k, v);
  return bag;
}

export function readRawBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(badRequest(`Request body exceeds ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseMultipart(raw: Buffer, contentType: string): Promise<{ params: ParamBag; files: UploadedFile[] }> {
  return new Promise((resolve, reject) => {
    const params: ParamBag = {};
    const files: UploadedFile[] = [];
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: { 'content-type': contentType }, limits: { fileSize: MAX_BODY_BYTES } });
    } catch (err) {
      reject(badRequest(`Malformed multipart body: ${(err as Error).message}`));
      return;
    }
    bb.on('field', (name, value) => addParam(params, name, value));
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        files.push({ field, filename: info.filename ?? field, contentType: info.mimeType, content: Buffer.concat(chunks) });
      });
    });
    bb.on('close', () => resolve({ params, files }));
    bb.on('error', (err) => reject(badRequest(`Malformed multipart body: ${(err as Error).message}`)));
    bb.end(raw);
  });
}

/** Top-level JSON values as string params (objects re-serialized, arrays of scalars kept as arrays). */
function jsonToParams(value: unknown): ParamBag {
  const bag: ParamBag = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return bag;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) bag[k] = v.map(String);
    else if (typeof v === 'object') bag[k] = JSON.stringify(v);
    else bag[k] = String(v);
  }
  return bag;
}

export async function parseBody(req: IncomingMessage): Promise<ParsedBody> {
  const raw = await readRawBody(req);
  const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
  if (raw.length === 0) return { params: {}, json: undefined, files: [], raw };
  if (contentType.startsWith('multipart/form-data')) {
    const { params, files } = await parseMultipart(raw, String(req.headers['content-type']));
    return { params, json: undefined, files, raw };
  }
  if (contentType.includes('json')) {
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw badRequest(`Malformed JSON body: ${(err as Error).message}`);
    }
    return { params: jsonToParams(json), json, files: [], raw };
  }
  // Twilio's default (and what the SDKs send): application/x-www-form-urlencoded.
  return { params: parseUrlEncoded(raw.toString('utf8')), json: undefined, files: [], raw };
}
