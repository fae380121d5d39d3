// Canonical text of an expression: upper-case keywords, one space around
// operators, `=` written `==`, single quotes unless the string holds one,
// `[a, b]` arrays, AND/OR chains flattened and parentheses only where OR sits
// under AND. Numbers keep their source text (`0800` stays `0800`) so
// canonicalization can never change what TaskRouter reads. The stack diffs
// canonical forms so a plan shows only real changes.

import { pathToString, type ExpressionNode, type LiteralNode, type OperandNode } from './ast';
import type { ExpressionKind } from './kinds';
import { parseExpression, parseOrderBy } from './parser';

export function printExpression(node: ExpressionNode): string {
  switch (node.type) {
    case 'or':
      return node.operands.map(printExpression).join(' OR ');
    case 'and':
      return node.operands.map((operand) => (operand.type === 'or' ? `(${printExpression(operand)})` : printExpression(operand))).join(' AND ');
    case 'comparison':
      return `${printOperand(node.left)} ${node.operator} ${printOperand(node.right)}`;
  }
}

function printOperand(node: OperandNode): string {
  switch (node.type) {
    case 'literal':
      return printLiteral(node);
    case 'array':
      return `[${node.elements.map(printLiteral).join(', ')}]`;
    case 'path':
      return pathToString(node.segments);
  }
}

function printLiteral(node: LiteralNode): string {
  if (typeof node.value === 'string') return quoteString(node.value);
  if (typeof node.value === 'number') return node.raw;
  return String(node.value);
}

/**
 * Quotes a string constant. There are no escape sequences, so a value holding
 * both quote characters cannot be written; callers building expressions from
 * data should use `tryQuoteStringLiteral`.
 */
export function quoteString(value: string): string {
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}

/**
 * Quotes `value` as an expression string constant, or explains why it cannot
 * be one: it holds both quote characters, a backslash (whose meaning in
 * TaskRouter is undocumented) or a control character.
 */
export function tryQuoteStringLiteral(value: string): { ok: true; literal: string } | { ok: false; reason: string } {
  if (value.includes("'") && value.includes('"')) return { ok: false, reason: 'it contains both \' and " and expression strings have no escape sequences' };
  if (value.includes('\\')) return { ok: false, reason: 'it contains a backslash, whose meaning inside TaskRouter strings is undocumented' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return { ok: false, reason: 'it contains a control character (newline, tab, …)' };
  return { ok: true, literal: quoteString(value) };
}

/** Canonical text of a boolean expression. Throws `ExpressionSyntaxError` if it does not parse. */
export function canonicalizeExpression(source: string, kind: ExpressionKind = 'filter'): string {
  return printExpression(parseExpression(source, kind));
}

/** Canonical text of an order_by value: `worker.a DESC, worker.b ASC`. */
export function canonicalizeOrderBy(source: string): string {
  return parseOrderBy(source)
    .map((clause) => `${pathToString(clause.path.segments)} ${clause.direction}`)
    .join(', ');
}
