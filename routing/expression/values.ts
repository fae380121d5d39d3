// Value semantics of the comparison operators. TaskRouter documents only the
// broad rules ("scalar operators on arrays are false", "array operators on
// scalars are false", "a missing key is NULL"); the finer points are decided
// here once and listed in routing/README.md.

import type { ComparisonOperator } from './ast';

/** Anything an attribute path can resolve to; `undefined` never escapes resolution (it becomes null). */
export type Value = unknown;

type Scalar = string | number | boolean | null;

function isScalar(value: Value): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

// A string that is exactly a decimal number ("09", "7", "-2.5") compares
// numerically against a number: `taskrouter.currentHour` is documented as a
// string ("HH") yet the docs compare it with `> 8`.
const NUMERIC_STRING = /^-?[0-9]+(\.[0-9]+)?$/;

function asNumber(value: Scalar): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC_STRING.test(value)) return Number(value);
  return undefined;
}

/** Equality of two scalars: same type, or number vs numeric string. null equals only null. */
export function scalarEquals(left: Scalar, right: Scalar): boolean {
  if (left === null || right === null) return left === right;
  if (typeof left === typeof right) return left === right;
  if (typeof left === 'number' || typeof right === 'number') {
    const a = asNumber(left);
    const b = asNumber(right);
    return a !== undefined && b !== undefined && a === b;
  }
  return false;
}

/** Ordering of two scalars: numbers (with numeric-string coercion) or two strings; anything else is unordered. */
function scalarCompare(left: Scalar, right: Scalar): number | undefined {
  if (left === null || right === null) return undefined;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (typeof left === 'number' || typeof right === 'number') {
    const a = asNumber(left);
    const b = asNumber(right);
    if (a === undefined || b === undefined) return undefined;
    return a - b;
  }
  return undefined;
}

function arrayIncludes(array: readonly Value[], needle: Scalar): boolean {
  for (const element of array) {
    if (isScalar(element) && scalarEquals(element, needle)) return true;
  }
  return false;
}

/**
 * Applies a comparison operator.
 *
 * - `==`/`!=` with null on either side is a presence test and works on any
 *   type (`preferred_agents != null` is true for an array); otherwise they
 *   need two scalars, and `!=` is false for arrays/objects like every scalar
 *   operator.
 * - `> >= < <=` need two numbers (numeric strings coerce) or two strings.
 * - `CONTAINS` is substring search on two strings.
 * - `HAS` needs an array on the left and a scalar on the right.
 * - `IN` needs a scalar on the left and an array on the right.
 * - `NOT IN` is the negation of `IN`, except on two (non-null) scalars,
 *   where it is false like every array operator ("Using array operators on
 *   two scalar values also returns false"). A missing exclusion list (null)
 *   excludes nobody: `x NOT IN missing` is true.
 */
export function applyOperator(operator: ComparisonOperator, left: Value, right: Value): boolean {
  switch (operator) {
    case '==':
      if (left === null || right === null) return left === right;
      return isScalar(left) && isScalar(right) && scalarEquals(left, right);
    case '!=':
      if (left === null || right === null) return left !== right;
      return isScalar(left) && isScalar(right) && !scalarEquals(left, right);
    case '>':
    case '>=':
    case '<':
    case '<=': {
      if (!isScalar(left) || !isScalar(right)) return false;
      const order = scalarCompare(left, right);
      if (order === undefined) return false;
      if (operator === '>') return order > 0;
      if (operator === '>=') return order >= 0;
      if (operator === '<') return order < 0;
      return order <= 0;
    }
    case 'CONTAINS':
      return typeof left === 'string' && typeof right === 'string' && left.includes(right);
    case 'HAS':
      return Array.isArray(left) && isScalar(right) && arrayIncludes(left, right);
    case 'IN':
      return isScalar(left) && Array.isArray(right) && arrayIncludes(right, left);
    case 'NOT IN':
      if (left !== null && right !== null && isScalar(left) && isScalar(right)) return false;
      return !(isScalar(left) && Array.isArray(right) && arrayIncludes(right, left));
  }
}

/**
 * Follows an attribute path through JSON. A missing key, an index on a
 * non-array, or a key on a non-object resolves to null. Only own properties
 * are read, so `constructor` or `__proto__` never reach JavaScript internals.
 */
export function resolveSegments(root: unknown, keys: readonly (string | number)[]): Value {
  let value: unknown = root;
  for (const key of keys) {
    if (value === null || typeof value !== 'object') return null;
    if (typeof key === 'number') {
      if (!Array.isArray(value)) return null;
      value = value[key];
    } else {
      if (Array.isArray(value) || !Object.prototype.hasOwnProperty.call(value, key)) return null;
      value = (value as Record<string, unknown>)[key];
    }
  }
  return value === undefined ? null : value;
}
