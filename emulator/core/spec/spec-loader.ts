/**
 * Loads Twilio's official OpenAPI specs (shipped in @twilio/cli-core) and
 * indexes their operations by (host label, method, path template).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type JsonSchema = Record<string, unknown>;

export interface SpecParam {
  name: string;
  in: 'query' | 'path' | 'header' | 'body';
  required: boolean;
  schema: JsonSchema;
}

export interface SpecOperation {
  /** Spec file basename, e.g. `twilio_serverless_v1.json`. */
  specFile: string;
  host: string;
  method: string;
  path: string;
  operationId: string;
  params: SpecParam[];
  /** Content type of the request body (form or JSON), if any. */
  bodyContentType?: string;
  /** JSON pointer (within the spec) of each response status's schema. */
  responses: Record<string, { schemaPointer?: string; schema?: JsonSchema }>;
}

export interface LoadedSpec {
  file: string;
  doc: Record<string, unknown>;
  operations: SpecOperation[];
}

const METHODS = ['get', 'post', 'put', 'delete'];

export function specDir(): string {
  return path.join(path.dirname(require.resolve('@twilio/cli-core/package.json')), 'src', 'services', 'twilio-api');
}

function hostLabel(url: string): string {
  return new URL(url).hostname.split('.')[0];
}

/** Resolves a local `#/components/...` reference. */
export function resolveRef(doc: Record<string, unknown>, schema: JsonSchema | undefined): JsonSchema | undefined {
  let s = schema;
  let guard = 0;
  while (s && typeof s.$ref === 'string' && guard++ < 20) {
    const parts = (s.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    let cur: unknown = doc;
    for (const p of parts) cur = (cur as Record<string, unknown> | undefined)?.[p];
    s = cur as JsonSchema | undefined;
  }
  return s;
}

function pointer(parts: string[]): string {
  return '/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

export function loadSpec(file: string): LoadedSpec {
  const full = path.isAbsolute(file) ? file : path.join(specDir(), file);
  const doc = JSON.parse(fs.readFileSync(full, 'utf8')) as Record<string, unknown>;
  const baseServers = (doc.servers as Array<{ url: string }> | undefined) ?? [];
  const operations: SpecOperation[] = [];
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  for (const [p, item] of Object.entries(paths)) {
    const servers = (item.servers as Array<{ url: string }> | undefined) ?? baseServers;
    const host = servers[0] ? hostLabel(servers[0].url) : '';
    const sharedParams = (item.parameters as unknown[] | undefined) ?? [];
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const params: SpecParam[] = [];
      for (const raw of [...sharedParams, ...((op.parameters as unknown[] | undefined) ?? [])]) {
        const prm = resolveRef(doc, raw as JsonSchema) as { name: string; in: SpecParam['in']; required?: boolean; schema?: JsonSchema };
        if (!prm?.name) continue;
        params.push({ name: prm.name, in: prm.in, required: !!prm.required, schema: prm.schema ?? {} });
      }
      let bodyContentType: string | undefined;
      const content = (op.requestBody as { content?: Record<string, { schema?: JsonSchema }> } | undefined)?.content;
      if (content) {
        bodyContentType = Object.keys(content)[0];
        const bodySchema = resolveRef(doc, content[bodyContentType]?.schema);
        const props = (bodySchema?.properties ?? {}) as Record<string, JsonSchema>;
        const required = new Set((bodySchema?.required as string[] | undefined) ?? []);
        for (const [name, schema] of Object.entries(props)) params.push({ name, in: 'body', required: required.has(name), schema });
      }
      const responses: SpecOperation['responses'] = {};
      for (const [status, resp] of Object.entries((op.responses ?? {}) as Record<string, unknown>)) {
        const r = resolveRef(doc, resp as JsonSchema) as { content?: Record<string, { schema?: JsonSchema }> } | undefined;
        const json = r?.content?.['application/json'];
        responses[status] = json?.schema ? { schemaPointer: pointer(['paths', p, method, 'responses', status, 'content', 'application/json', 'schema']), schema: json.schema } : {};
      }
      operations.push({ specFile: path.basename(full), host, method: method.toUpperCase(), path: p, operationId: String(op.operationId ?? `${method} ${p}`), params, bodyContentType, responses });
    }
  }
  return { file: path.basename(full), doc, operations };
}
