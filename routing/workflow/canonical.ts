// Canonical JSON of a workflow configuration: keys sorted, no whitespace,
// expressions in canonical text. Two configurations that route identically
// through cosmetic differences (key order, spacing, keyword case, `=` vs
// `==`) produce the same string, so the stack's diff shows only real changes.
// Anything that does not parse is left as written: validation reports it.

import { canonicalizeExpression, canonicalizeOrderBy } from '../expression/canonical';
import { ExpressionSyntaxError } from '../expression/errors';
import { isPlainObject, type WorkflowConfigurationInput } from './model';

function tryCanonical(value: unknown, canonicalize: (source: string) => string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return canonicalize(value);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return value;
    throw error;
  }
}

function canonicalTarget(target: unknown, kind: 'target' | 'default'): unknown {
  if (!isPlainObject(target)) return target;
  const result: Record<string, unknown> = { ...target };
  if ('expression' in result) result.expression = tryCanonical(result.expression, (source) => canonicalizeExpression(source, 'target'));
  if ('order_by' in result) result.order_by = tryCanonical(result.order_by, canonicalizeOrderBy);
  if (kind === 'target' && 'skip_if' in result) result.skip_if = tryCanonical(result.skip_if, (source) => canonicalizeExpression(source, 'skip_if'));
  return result;
}

function canonicalFilter(filter: unknown): unknown {
  if (!isPlainObject(filter)) return filter;
  const result: Record<string, unknown> = { ...filter };
  if ('expression' in result) result.expression = tryCanonical(result.expression, (source) => canonicalizeExpression(source, 'filter'));
  if (Array.isArray(result.targets)) result.targets = result.targets.map((target) => canonicalTarget(target, 'target'));
  return result;
}

/** JSON.stringify with object keys sorted at every level; array order is kept (it is meaningful). */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((element) => (element === undefined ? 'null' : stableStringify(element))).join(',')}]`;
  if (isPlainObject(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify(value[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Canonical JSON string of a configuration (string or object). Idempotent.
 * Malformed JSON is returned unchanged (there is nothing to normalize).
 */
export function canonicalizeWorkflowConfiguration(input: WorkflowConfigurationInput): string {
  let config: unknown = input;
  if (typeof input === 'string') {
    try {
      config = JSON.parse(input);
    } catch {
      return input;
    }
  }
  if (!isPlainObject(config) || !isPlainObject(config.task_routing)) return stableStringify(config);
  const taskRouting: Record<string, unknown> = { ...config.task_routing };
  if (Array.isArray(taskRouting.filters)) taskRouting.filters = taskRouting.filters.map(canonicalFilter);
  if ('default_filter' in taskRouting) taskRouting.default_filter = canonicalTarget(taskRouting.default_filter, 'default');
  return stableStringify({ ...config, task_routing: taskRouting });
}
