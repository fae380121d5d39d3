// Where an expression is used decides which names it may reference:
//  - filter:   workflow filter; bare names are task attributes.
//  - target:   target expression; names must start with `task.` or `worker.`.
//  - queue:    TaskQueue target_workers; bare names are worker attributes.
//  - skip_if:  only `workers.available|unavailable|WA…` counts.
// `taskrouter.*` time-of-day variables are allowed in every boolean kind.
// `order_by` and `known_worker` are not boolean expressions but share the
// lexer and the error type.
export type ExpressionKind = 'filter' | 'target' | 'queue' | 'skip_if' | 'order_by' | 'known_worker';

/** The kinds `compileExpression` accepts. */
export type BooleanExpressionKind = 'filter' | 'target' | 'queue' | 'skip_if';

export const BOOLEAN_EXPRESSION_KINDS: readonly BooleanExpressionKind[] = ['filter', 'target', 'queue', 'skip_if'];
