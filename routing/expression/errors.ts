// One error type for everything wrong with an expression's text: bad syntax and
// references the expression's kind does not allow. TaskRouter rejects both with
// HTTP 400 / code 20001 at create time, so callers can map it one way.

import type { ExpressionKind } from './kinds';

export class ExpressionSyntaxError extends Error {
  /** Twilio's error code and HTTP status for a rejected expression. */
  readonly code = 20001;
  readonly status = 400;

  constructor(
    /** The expression text as given. */
    readonly source: string,
    readonly kind: ExpressionKind,
    /** 0-based character offset of the offending text. */
    readonly position: number,
    /** What was found there: quoted token text, or `end of expression`. */
    readonly found: string,
    /** What would have been accepted at that position. */
    readonly expected: readonly string[],
    /** Extra explanation (e.g. the hyphen rule). */
    readonly hint?: string,
  ) {
    super(
      `Invalid ${kindLabel(kind)} expression ${JSON.stringify(source)}: ` +
        `${found === 'end of expression' ? 'unexpected end of expression' : `unexpected ${found}`} at position ${position}, ` +
        `expecting ${formatExpected(expected)}` +
        (hint ? `. ${hint}` : ''),
    );
    this.name = 'ExpressionSyntaxError';
  }
}

function kindLabel(kind: ExpressionKind): string {
  switch (kind) {
    case 'filter':
      return 'filter';
    case 'target':
      return 'target';
    case 'queue':
      return 'target_workers';
    case 'skip_if':
      return 'skip_if';
    case 'order_by':
      return 'order_by';
    case 'known_worker':
      return 'known worker';
  }
}

function formatExpected(expected: readonly string[]): string {
  if (expected.length <= 1) return expected[0] ?? 'nothing';
  return `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}`;
}
