// Splits expression text into tokens. The lexer never throws for an unknown
// character: it emits an `invalid` token so the parser can report the error
// with what it expected at that point (`skill-level > 3` → "expecting an
// operator"), which is far more useful than "bad character".

import { ExpressionSyntaxError } from './errors';
import type { ExpressionKind } from './kinds';

export type TokenType = 'string' | 'number' | 'identifier' | 'keyword' | 'operator' | '(' | ')' | '[' | ']' | ',' | '.' | 'invalid' | 'end';

export type Keyword = 'AND' | 'OR' | 'NOT' | 'IN' | 'HAS' | 'CONTAINS' | 'TRUE' | 'FALSE' | 'NULL';

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>(['AND', 'OR', 'NOT', 'IN', 'HAS', 'CONTAINS', 'TRUE', 'FALSE', 'NULL']);

export interface Token {
  type: TokenType;
  /** Exact source text of the token. */
  text: string;
  /** For keywords: the upper-case keyword; for strings: the unquoted content; for operators: `==` for both `=` and `==`. */
  value: string;
  position: number;
}

const IDENTIFIER_START = /[A-Za-z_]/;
const IDENTIFIER_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const WHITESPACE = /[ \t\r\n]/;

export function tokenize(source: string, kind: ExpressionKind): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (WHITESPACE.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'" || ch === '"') {
      // No escape sequences: TaskRouter documents none, so a backslash is an
      // ordinary character and a string runs to the next matching quote.
      const close = source.indexOf(ch, i + 1);
      if (close < 0) {
        throw new ExpressionSyntaxError(source, kind, start, `unterminated string ${source.slice(start, start + 12)}${source.length - start > 12 ? '…' : ''}`, [`a closing ${ch}`]);
      }
      tokens.push({ type: 'string', text: source.slice(start, close + 1), value: source.slice(start + 1, close), position: start });
      i = close + 1;
      continue;
    }
    if (DIGIT.test(ch)) {
      while (i < source.length && DIGIT.test(source[i])) i++;
      if (source[i] === '.' && DIGIT.test(source[i + 1] ?? '')) {
        i++;
        while (i < source.length && DIGIT.test(source[i])) i++;
      }
      const text = source.slice(start, i);
      tokens.push({ type: 'number', text, value: text, position: start });
      continue;
    }
    if (IDENTIFIER_START.test(ch)) {
      while (i < source.length && IDENTIFIER_PART.test(source[i])) i++;
      const text = source.slice(start, i);
      const upper = text.toUpperCase();
      if (KEYWORDS.has(upper)) tokens.push({ type: 'keyword', text, value: upper, position: start });
      else tokens.push({ type: 'identifier', text, value: text, position: start });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '>=' || two === '<=') {
      tokens.push({ type: 'operator', text: two, value: two, position: start });
      i += 2;
      continue;
    }
    if (ch === '=' || ch === '>' || ch === '<') {
      // A single `=` is equality in TaskRouter (time-of-day docs: `taskrouter.dayOfWeek = 'Sat'`).
      tokens.push({ type: 'operator', text: ch, value: ch === '=' ? '==' : ch, position: start });
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === '[' || ch === ']' || ch === ',' || ch === '.') {
      tokens.push({ type: ch, text: ch, value: ch, position: start });
      i++;
      continue;
    }
    tokens.push({ type: 'invalid', text: ch, value: ch, position: start });
    i++;
  }
  tokens.push({ type: 'end', text: '', value: '', position: source.length });
  return tokens;
}

/** How a token is named in an error message. */
export function describeToken(token: Token): string {
  if (token.type === 'end') return 'end of expression';
  return `'${token.text}'`;
}
