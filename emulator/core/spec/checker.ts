/**
 * Spec checking: in `specCheck` mode every routed request is validated
 * against its operation in Twilio's OpenAPI spec (unknown / missing required
 * parameters, enum values, simple types and patterns) and every JSON
 * response body against the spec's schema for that status (ajv). Problems
 * are recorded as violations (never thrown), for tests to read.
 *
 * Schemas are made stricter than the raw specs on purpose: objects with
 * declared `properties` get `additionalProperties: false`, so an emulator
 * that invents fields is caught; OpenAPI's `nullable` becomes `anyOf [T, null]`.
 *
 * Coverage: operations in each spec file vs routes implemented vs
 * operations exercised since start (or the last clear()).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { CompiledRoute } from '../router';
import type { EmulatorRequest, HandlerResult } from '../types';
import { loadSpec, resolveRef, type JsonSchema, type LoadedSpec, type SpecOperation, type SpecParam } from './spec-loader';

export interface SpecViolation {
  kind: 'request' | 'response' | 'unmapped';
  operation: string;
  method: string;
  path: string;
  status?: number;
  message: string;
}

export interface ProductCoverage {
  specFile: string;
  specOperations: number;
  implemented: number;
  exercised: number;
  implementedOperations: string[];
  exercisedOperations: string[];
  notImplemented: string[];
}

export interface CoverageReport {
  products: Record<string, ProductCoverage>;
  /** Implemented routes that have no operation in the loaded specs (e.g. serverless-upload). */
  notInSpec: string[];
}

const ERROR_BODY_KEYS = ['code', 'message', 'more_info', 'status'];

function isSchemaObject(v: unknown): v is JsonSchema {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * API 2010's `uri`, `first_page_uri`, `next_page_uri`… are host-relative
 * (`/2010-04-01/…`) in every Twilio response, though the spec types them
 * `format: uri`; validate them as URI references.
 */
function relativeUriField(name: string, schema: unknown): unknown {
  if ((name === 'uri' || name.endsWith('_uri')) && isSchemaObject(schema) && schema.format === 'uri') return { ...schema, format: 'uri-reference' };
  return schema;
}

/** Rewrites a spec document for strict validation (see file comment). Mutates `node`. */
export function strictify(node: unknown, formats: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => strictify(n, formats));
  if (!isSchemaObject(node)) return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) {
    // `properties` maps names to schemas: recurse into each value, never treat the map itself as a schema.
    if (k === 'properties' && isSchemaObject(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, strictify(relativeUriField(pk, pv), formats)]));
    } else if (k.startsWith('x-') || k === 'examples' || k === 'example' || k === 'description') {
      continue;
    } else {
      out[k] = strictify(v, formats);
    }
  }
  if (typeof out.format === 'string') formats.add(out.format);
  if (out.type === 'object' && isSchemaObject(out.properties) && out.additionalProperties === undefined) out.additionalProperties = false;
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  delete out.nullable;
  return out;
}

/** Ajv errors minus the noise of our `anyOf [T, null]` wrapping (keep the T branch's errors). */
function meaningfulErrors(errors: ErrorObject[] | null | undefined): ErrorObject[] {
  return (errors ?? []).filter((e) => e.keyword !== 'anyOf' && !/\/anyOf\/1\/type$/.test(e.schemaPath));
}

function matchesType(value: string, schema: JsonSchema): string | undefined {
  switch (schema.type) {
    case 'integer':
      return /^-?\d+$/.test(value) ? undefined : `expected an integer, got "${value}"`;
    case 'number':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? undefined : `expected a number, got "${value}"`;
    case 'boolean':
      return /^(true|false)$/i.test(value) ? undefined : `expected true or false, got "${value}"`;
    default:
      return undefined;
  }
}

export class SpecChecker {
  private readonly specFiles = new Map<string, string[]>(); // service -> files
  private loaded: LoadedSpec[] | undefined;
  private readonly routes: CompiledRoute[] = [];
  private readonly exercised = new Set<string>(); // spec op key
  private list: SpecViolation[] = [];
  private ajv: Ajv | undefined;
  private readonly validators = new Map<string, ValidateFunction | null>();
  private opIndex: Map<string, SpecOperation> | undefined;

  constructor(readonly enabled: boolean) {}

  loadSpec(serviceName: string, file: string): void {
    const files = this.specFiles.get(serviceName) ?? [];
    if (!files.includes(file)) files.push(file);
    this.specFiles.set(serviceName, files);
    this.loaded = undefined;
    this.opIndex = undefined;
  }

  registerRoute(route: CompiledRoute): void {
    this.routes.push(route);
  }

  violations(): SpecViolation[] {
    return [...this.list];
  }

  /** Forget violations and exercised operations. */
  clear(): void {
    this.list = [];
    this.exercised.clear();
  }

  private specs(): LoadedSpec[] {
    if (!this.loaded) {
      const files = [...new Set([...this.specFiles.values()].flat())];
      this.loaded = files.map((f) => loadSpec(f));
    }
    return this.loaded;
  }

  private key(host: string, method: string, path: string): string {
    return `${host} ${method} ${path}`;
  }

  private index(): Map<string, SpecOperation> {
    if (!this.opIndex) {
      this.opIndex = new Map();
      for (const spec of this.specs()) for (const op of spec.operations) this.opIndex.set(this.key(op.host, op.method, op.path), op);
    }
    return this.opIndex;
  }

  /** The spec operation a route implements, if any. */
  operationFor(route: CompiledRoute): SpecOperation | undefined {
    return this.index().get(this.key(route.host, route.route.method, route.route.path));
  }

  private add(v: SpecViolation): void {
    if (this.list.length < 10_000) this.list.push(v);
  }

  checkRequest(route: CompiledRoute, req: EmulatorRequest): void {
    // Off by default: loading and indexing the specs costs time (the 2010 spec is large).
    if (!this.enabled) return;
    const op = this.operationFor(route);
    if (op) this.exercised.add(this.key(op.host, op.method, op.path));
    if (!op) return; // routes outside the specs are reported by coverage().notInSpec
    const base = { kind: 'request' as const, operation: route.operation, method: req.method, path: req.path };
    const doc = this.specs().find((s) => s.file === op.specFile)!.doc;
    const check = (bag: Record<string, string | string[]>, where: SpecParam['in'], label: string) => {
      const declared = op.params.filter((p) => p.in === where);
      for (const name of Object.keys(bag)) {
        if (!declared.some((p) => p.name === name) && !route.route.extraParams?.includes(name)) this.add({ ...base, message: `unknown ${label} parameter ${name}` });
      }
      for (const p of declared) {
        const v = bag[p.name];
        if (v === undefined) {
          if (p.required) this.add({ ...base, message: `missing required ${label} parameter ${p.name}` });
          continue;
        }
        const schema = resolveRef(doc, p.schema) ?? {};
        const itemSchema = schema.type === 'array' ? (resolveRef(doc, schema.items as JsonSchema) ?? {}) : schema;
        for (const one of Array.isArray(v) ? v : [v]) {
          if (Array.isArray(itemSchema.enum) && !(itemSchema.enum as unknown[]).includes(one)) {
            this.add({ ...base, message: `${label} parameter ${p.name}: "${one}" is not one of ${(itemSchema.enum as unknown[]).join(', ')}` });
          }
          const typeErr = matchesType(one, itemSchema);
          if (typeErr) this.add({ ...base, message: `${label} parameter ${p.name}: ${typeErr}` });
          if (typeof itemSchema.pattern === 'string' && !new RegExp(itemSchema.pattern).test(one)) {
            this.add({ ...base, message: `${label} parameter ${p.name}: "${one}" does not match ${itemSchema.pattern}` });
          }
        }
      }
    };
    check(req.query, 'query', 'query');
    if (req.method !== 'GET' && req.method !== 'DELETE') check(req.body, 'body', 'body');
  }

  private getAjv(): Ajv {
    if (!this.ajv) {
      this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
      addFormats(this.ajv);
    }
    return this.ajv;
  }

  private validatorFor(op: SpecOperation, status: number): ValidateFunction | null {
    const cacheKey = `${op.specFile} ${op.method} ${op.path} ${status}`;
    if (this.validators.has(cacheKey)) return this.validators.get(cacheKey)!;
    const resp = op.responses[String(status)];
    let fn: ValidateFunction | null = null;
    if (resp?.schema) {
      const ajv = this.getAjv();
      const id = `https://spec.emulator.local/${op.specFile}`;
      if (!ajv.getSchema(id)) {
        const spec = this.specs().find((s) => s.file === op.specFile)!;
        const formats = new Set<string>();
        const strict = strictify({ components: spec.doc.components, paths: spec.doc.paths }, formats) as JsonSchema;
        for (const f of formats) if (!ajv.formats[f]) ajv.addFormat(f, true);
        ajv.addSchema({ $id: id, ...strict }, id);
      }
      const fragment = resp.schemaPointer!.split('/').map(encodeURIComponent).join('/');
      fn = ajv.compile({ $ref: `${id}#${fragment}` });
    }
    this.validators.set(cacheKey, fn);
    return fn;
  }

  checkResponse(route: CompiledRoute, req: EmulatorRequest, result: HandlerResult): void {
    if (!this.enabled) return;
    const op = this.operationFor(route);
    const base = { kind: 'response' as const, operation: route.operation, method: req.method, path: req.path, status: result.status };
    if (result.status >= 400) {
      const body = result.body as Record<string, unknown> | undefined;
      const ok =
        !!body &&
        Object.keys(body).sort().join(',') === [...ERROR_BODY_KEYS].sort().join(',') &&
        typeof body.code === 'number' &&
        typeof body.message === 'string' &&
        body.more_info === `https://www.twilio.com/docs/errors/${String(body.code)}` &&
        body.status === result.status;
      if (!ok) this.add({ ...base, message: `error body is not {code, message, more_info, status}: ${JSON.stringify(body)}` });
      return;
    }
    if (!op) return;
    if (!(String(result.status) in op.responses)) {
      this.add({ ...base, message: `status ${result.status} is not a documented response (${Object.keys(op.responses).join(', ')})` });
      return;
    }
    const validate = this.validatorFor(op, result.status);
    if (!validate) {
      if (result.body !== undefined && result.status !== 204) this.add({ ...base, message: 'spec documents no body for this status but one was sent' });
      return;
    }
    if (!validate(result.body)) {
      for (const e of meaningfulErrors(validate.errors)) {
        const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
        this.add({ ...base, message: `body${e.instancePath} ${e.message ?? e.keyword}${extra}` });
      }
    }
  }

  /** Validates a body against an operation's response schema without a request (unit tests of the checker). */
  validateBody(host: string, method: string, path: string, status: number, body: unknown): string[] {
    const op = this.index().get(this.key(host, method, path));
    if (!op) return [`no spec operation ${method} ${host}${path}`];
    const validate = this.validatorFor(op, status);
    if (!validate) return [`no schema for status ${status}`];
    return validate(body) ? [] : meaningfulErrors(validate.errors).map((e) => `body${e.instancePath} ${e.message ?? e.keyword}`);
  }

  coverage(): CoverageReport {
    const products: Record<string, ProductCoverage> = {};
    const notInSpec: string[] = [];
    const implemented = new Set<string>();
    for (const r of this.routes) {
      const op = this.operationFor(r);
      if (op) implemented.add(this.key(op.host, op.method, op.path));
      else notInSpec.push(`${r.operation} (${r.route.method} /${r.host}${r.route.path})`);
    }
    for (const spec of this.specs()) {
      const name = spec.file.replace(/^twilio_/, '').replace(/\.json$/, '');
      const label = (op: SpecOperation) => op.operationId;
      const impl = spec.operations.filter((op) => implemented.has(this.key(op.host, op.method, op.path)));
      const ex = spec.operations.filter((op) => this.exercised.has(this.key(op.host, op.method, op.path)));
      products[name] = {
        specFile: spec.file,
        specOperations: spec.operations.length,
        implemented: impl.length,
        exercised: ex.length,
        implementedOperations: impl.map(label),
        exercisedOperations: ex.map(label),
        notImplemented: spec.operations.filter((op) => !implemented.has(this.key(op.host, op.method, op.path))).map(label),
      };
    }
    return { products, notInSpec };
  }
}
