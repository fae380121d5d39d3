// The syntax tree of a TaskRouter expression. Positions are 0-based character
// offsets into the source so that every later error can point at the text.

export type ComparisonOperator = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'CONTAINS' | 'HAS' | 'IN' | 'NOT IN';

export type LiteralValue = string | number | boolean | null;

export interface LiteralNode {
  type: 'literal';
  value: LiteralValue;
  /** Source text of a number, kept so canonical output never rewrites `0800` or `1.0`. */
  raw: string;
  position: number;
}

export interface ArrayNode {
  type: 'array';
  elements: LiteralNode[];
  position: number;
}

export type PathSegment = { kind: 'key'; name: string } | { kind: 'index'; index: number };

export interface PathNode {
  type: 'path';
  segments: PathSegment[];
  position: number;
}

export type OperandNode = LiteralNode | ArrayNode | PathNode;

export interface ComparisonNode {
  type: 'comparison';
  operator: ComparisonOperator;
  left: OperandNode;
  right: OperandNode;
  position: number;
}

/** AND / OR chains are n-ary and flattened: `a AND (b AND c)` is one node with three operands. */
export interface LogicalNode {
  type: 'and' | 'or';
  operands: ExpressionNode[];
  position: number;
}

export type ExpressionNode = ComparisonNode | LogicalNode;

/** `a.b[2].c` — the textual form of a path, as written in canonical output and traces. */
export function pathToString(segments: readonly PathSegment[]): string {
  let text = '';
  for (const segment of segments) {
    if (segment.kind === 'index') text += `[${segment.index}]`;
    else text += text === '' ? segment.name : `.${segment.name}`;
  }
  return text;
}
