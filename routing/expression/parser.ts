// Recursive-descent parser for the TaskRouter expression language.
//
//   expression := or
//   or         := and ( OR and )*
//   and        := primary ( AND primary )*          -- AND binds tighter than OR
//   primary    := '(' expression ')' | comparison
//   comparison := operand operator operand
//   operator   := == | = | != | > | >= | < | <= | CONTAINS | HAS | IN | NOT IN
//   operand    := STRING | NUMBER | TRUE | FALSE | NULL | array | path
//   array      := '[' ( constant ( ',' constant )* )? ']'
//   path       := IDENT ( '.' NAME | '[' INTEGER ']' )*
//
// Keywords are case-insensitive. A comparison always needs an operator: a
// bare attribute (`is_vip`) is not an expression in TaskRouter.

import { pathToString, type ArrayNode, type ComparisonOperator, type ExpressionNode, type LiteralNode, type OperandNode, type PathNode, type PathSegment } from './ast';
import { ExpressionSyntaxError } from './errors';
import type { ExpressionKind } from './kinds';
import { describeToken, tokenize, type Token } from './lexer';

const OPERATORS_EXPECTED = ['an operator (==, !=, >, >=, <, <=, CONTAINS, HAS, IN, NOT IN)'];
const OPERAND_EXPECTED = ['an attribute', 'a constant (string, number, true, false, null or [array])'];
const CONSTANT_EXPECTED = ['a constant (string, number, true, false or null)'];

class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
    private readonly kind: ExpressionKind,
  ) {}

  // A method, not a getter: TypeScript would otherwise narrow `current.type`
  // across `advance()` calls as if it were a stable property.
  private current(): Token {
    return this.tokens[this.index];
  }

  private advance(): Token {
    const token = this.tokens[this.index];
    if (token.type !== 'end') this.index++;
    return token;
  }

  private isKeyword(keyword: string, offset = 0): boolean {
    const token = this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
    return token.type === 'keyword' && token.value === keyword;
  }

  fail(token: Token, expected: readonly string[]): never {
    throw new ExpressionSyntaxError(this.source, this.kind, token.position, describeToken(token), expected, hintFor(token));
  }

  parseWholeExpression(): ExpressionNode {
    const expression = this.parseOr();
    if (this.current().type !== 'end') this.fail(this.current(), ['AND', 'OR', 'end of expression']);
    return expression;
  }

  private parseOr(): ExpressionNode {
    const first = this.parseAnd();
    if (!this.isKeyword('OR')) return first;
    const operands: ExpressionNode[] = [];
    pushFlattened(operands, first, 'or');
    while (this.isKeyword('OR')) {
      this.advance();
      pushFlattened(operands, this.parseAnd(), 'or');
    }
    return { type: 'or', operands, position: first.position };
  }

  private parseAnd(): ExpressionNode {
    const first = this.parsePrimary();
    if (!this.isKeyword('AND')) return first;
    const operands: ExpressionNode[] = [];
    pushFlattened(operands, first, 'and');
    while (this.isKeyword('AND')) {
      this.advance();
      pushFlattened(operands, this.parsePrimary(), 'and');
    }
    return { type: 'and', operands, position: first.position };
  }

  private parsePrimary(): ExpressionNode {
    if (this.current().type === '(') {
      this.advance();
      this.depth++;
      const inner = this.parseOr();
      if (this.current().type !== ')') this.fail(this.current(), ['AND', 'OR', "')'"]);
      this.advance();
      this.depth--;
      return inner;
    }
    return this.parseComparison();
  }

  private parseComparison(): ExpressionNode {
    const left = this.parseOperand(["'('", ...OPERAND_EXPECTED]);
    const operator = this.parseOperator();
    const right = this.parseOperand(OPERAND_EXPECTED);
    const after = this.current();
    const closesGroup = after.type === ')' && this.depth > 0;
    if (after.type !== 'end' && !closesGroup && !this.isKeyword('AND') && !this.isKeyword('OR')) {
      this.fail(after, this.depth > 0 ? ['AND', 'OR', "')'"] : ['AND', 'OR', 'end of expression']);
    }
    return { type: 'comparison', operator, left, right, position: left.position };
  }

  private parseOperator(): ComparisonOperator {
    const token = this.current();
    if (token.type === 'operator') {
      this.advance();
      return token.value as ComparisonOperator;
    }
    if (token.type === 'keyword') {
      switch (token.value) {
        case 'CONTAINS':
        case 'HAS':
        case 'IN':
          this.advance();
          return token.value;
        case 'NOT':
          this.advance();
          if (!this.isKeyword('IN')) this.fail(this.current(), ['IN (NOT is only used as NOT IN)']);
          this.advance();
          return 'NOT IN';
      }
    }
    return this.fail(token, OPERATORS_EXPECTED);
  }

  private parseOperand(expected: readonly string[]): OperandNode {
    const token = this.current();
    switch (token.type) {
      case 'string':
      case 'number':
        return this.parseConstant();
      case 'keyword':
        if (token.value === 'TRUE' || token.value === 'FALSE' || token.value === 'NULL') return this.parseConstant();
        return this.fail(token, expected);
      case '[':
        return this.parseArray();
      case 'identifier':
        return this.parsePath();
      default:
        return this.fail(token, expected);
    }
  }

  private parseConstant(): LiteralNode {
    const token = this.current();
    switch (token.type) {
      case 'string':
        this.advance();
        return { type: 'literal', value: token.value, raw: token.text, position: token.position };
      case 'number':
        this.advance();
        return { type: 'literal', value: Number(token.text), raw: token.text, position: token.position };
      case 'keyword':
        if (token.value === 'TRUE' || token.value === 'FALSE' || token.value === 'NULL') {
          this.advance();
          const value = token.value === 'NULL' ? null : token.value === 'TRUE';
          return { type: 'literal', value, raw: token.value.toLowerCase(), position: token.position };
        }
    }
    return this.fail(token, CONSTANT_EXPECTED);
  }

  private parseArray(): ArrayNode {
    const open = this.advance();
    const elements: LiteralNode[] = [];
    if (this.current().type === ']') {
      this.advance();
      return { type: 'array', elements, position: open.position };
    }
    for (;;) {
      elements.push(this.parseConstant());
      if (this.current().type === ',') {
        this.advance();
        continue;
      }
      if (this.current().type === ']') {
        this.advance();
        return { type: 'array', elements, position: open.position };
      }
      this.fail(this.current(), ["','", "']'"]);
    }
  }

  parsePath(): PathNode {
    const first = this.current();
    if (first.type !== 'identifier') this.fail(first, ['an attribute name']);
    this.advance();
    const segments: PathSegment[] = [{ kind: 'key', name: first.text }];
    for (;;) {
      const token = this.current();
      if (token.type === '.') {
        this.advance();
        const name = this.current();
        // After a dot any word is a key, even a keyword: `task.in` is the attribute `in`.
        if (name.type !== 'identifier' && name.type !== 'keyword') this.fail(name, ["an attribute name after '.'"]);
        this.advance();
        segments.push({ kind: 'key', name: name.text });
        continue;
      }
      if (token.type === '[') {
        this.advance();
        const index = this.current();
        if (index.type !== 'number' || !/^[0-9]+$/.test(index.text)) this.fail(index, ['an array index (a non-negative integer)']);
        this.advance();
        if (this.current().type !== ']') this.fail(this.current(), ["']'"]);
        this.advance();
        segments.push({ kind: 'index', index: Number(index.text) });
        continue;
      }
      return { type: 'path', segments, position: first.position };
    }
  }

  expectEnd(expected: readonly string[]): void {
    if (this.current().type !== 'end') this.fail(this.current(), expected);
  }

  /** For order_by: the next token, consumed. */
  take(): Token {
    return this.advance();
  }

  peek(): Token {
    return this.current();
  }
}

function pushFlattened(operands: ExpressionNode[], node: ExpressionNode, type: 'and' | 'or'): void {
  if (node.type === type) operands.push(...node.operands);
  else operands.push(node);
}

function hintFor(token: Token): string | undefined {
  if (token.type !== 'invalid') {
    if (token.type === 'keyword' && token.value === 'NOT') return 'NOT is only supported as part of NOT IN';
    return undefined;
  }
  switch (token.text) {
    case '-':
      return 'Hyphens are not allowed in TaskRouter expressions';
    case '&':
      return 'Use AND instead of &&';
    case '|':
      return 'Use OR instead of ||';
    case '!':
      return 'Use != or NOT IN; there is no unary NOT';
    default:
      return undefined;
  }
}

/** Parses a boolean expression. Throws `ExpressionSyntaxError`. */
export function parseExpression(source: string, kind: ExpressionKind): ExpressionNode {
  const parser = new Parser(tokenize(source, kind), source, kind);
  return parser.parseWholeExpression();
}

/** Parses a lone attribute path such as `task.transferTargetSid`. */
export function parsePathReference(source: string, kind: ExpressionKind): PathNode {
  const parser = new Parser(tokenize(source, kind), source, kind);
  const path = parser.parsePath();
  parser.expectEnd(["'.'", "'['", 'end of expression']);
  return path;
}

export interface OrderByClause {
  path: PathNode;
  direction: 'ASC' | 'DESC';
}

/**
 * Parses `worker.level DESC, worker.x ASC`. Every clause needs an explicit
 * direction and a `worker.` path (order_by compares worker attributes).
 */
export function parseOrderBy(source: string): OrderByClause[] {
  const parser = new Parser(tokenize(source, 'order_by'), source, 'order_by');
  const clauses: OrderByClause[] = [];
  for (;;) {
    const path = parser.parsePath();
    const first = path.segments[0];
    if (path.segments.length < 2 || first.kind !== 'key' || first.name !== 'worker') {
      throw new ExpressionSyntaxError(source, 'order_by', path.position, `'${pathToString(path.segments)}'`, ['a worker attribute such as worker.level']);
    }
    const direction = parser.take();
    const upper = direction.type === 'identifier' ? direction.text.toUpperCase() : '';
    if (upper !== 'ASC' && upper !== 'DESC') parser.fail(direction, ['ASC', 'DESC']);
    clauses.push({ path, direction: upper as 'ASC' | 'DESC' });
    const next = parser.take();
    if (next.type === 'end') return clauses;
    if (next.type !== ',') parser.fail(next, ["','", 'end of expression']);
  }
}
