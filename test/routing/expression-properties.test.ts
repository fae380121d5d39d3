import fc from 'fast-check';
import { canonicalizeExpression, compileExpression, ExpressionSyntaxError } from '../../routing';

// ---- generators -----------------------------------------------------------

const scalar = fc.oneof(
  fc.constantFrom('a', 'b', 'A', '', '1', '01', '2.5', 'x y', "it's", 'say "hi"'),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, 2.5, 10),
  fc.boolean(),
  fc.constant(null),
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('x', 'y'), scalar, { maxKeys: 2 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
const attributes = fc.record({ a: value, b: value, c: value, list: fc.array(scalar, { maxLength: 4 }), obj: value }, { requiredKeys: [] });

const randomCase = (word: string) =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((flags) =>
    word
      .split('')
      .map((ch, index) => (flags[index] ? ch.toUpperCase() : ch.toLowerCase()))
      .join(''),
  );
const space = fc.constantFrom(' ', '  ', '\t', '\n ');
const optionalSpace = fc.constantFrom('', ' ', '   ');

const stringLiteral = fc
  .constantFrom('a', 'b', 'A', '', '1', 'x y', "it's", 'say "hi"')
  .chain((text) => (text.includes("'") ? fc.constant(`"${text}"`) : text.includes('"') ? fc.constant(`'${text}'`) : fc.constantFrom(`'${text}'`, `"${text}"`)));
const literal = fc.oneof(stringLiteral, fc.constantFrom('0', '1', '2', '01', '2.5', '10'), randomCase('true'), randomCase('false'), randomCase('null'));
const arrayLiteral = fc.tuple(fc.array(literal, { maxLength: 3 }), optionalSpace).map(([items, pad]) => `[${pad}${items.join(`,${pad}`)}${pad}]`);
const path = fc.constantFrom('a', 'b', 'c', 'list', 'obj', 'obj.x', 'list[0]', 'list[2]', 'missing', 'obj.y.z');
const operand = fc.oneof({ weight: 3, arbitrary: path }, { weight: 3, arbitrary: literal }, { weight: 1, arbitrary: arrayLiteral });
const operator = fc.oneof(
  fc.constantFrom('==', '=', '!=', '>', '>=', '<', '<='),
  randomCase('contains'),
  randomCase('has'),
  randomCase('in'),
  fc.tuple(randomCase('not'), space, randomCase('in')).map(([not, gap, inWord]) => `${not}${gap}${inWord}`),
);
const comparison = fc.tuple(operand, space, operator, space, operand).map(([left, s1, op, s2, right]) => `${left}${s1}${op}${s2}${right}`);

const { expression } = fc.letrec<{ expression: string; group: string }>((tie) => ({
  expression: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.tuple(tie('group'), space, randomCase('and'), space, tie('group')).map((parts) => parts.join('')),
    fc.tuple(tie('group'), space, randomCase('or'), space, tie('group')).map((parts) => parts.join('')),
  ),
  group: fc.oneof(
    { depthSize: 'small' },
    comparison,
    fc.tuple(optionalSpace, tie('expression'), optionalSpace).map(([a, inner, b]) => `(${a}${inner}${b})`),
  ),
}));

const evaluate = (source: string, task: Record<string, unknown>) => compileExpression(source, { kind: 'filter' }).evaluate({ task });

// ---- properties ---------------------------------------------------------------

describe('expression properties', () => {
  it('x IN L is the negation of x NOT IN L, except on two scalars, where both are false', () => {
    fc.assert(
      fc.property(value, value, (x, list) => {
        const task = { x, list };
        const twoScalars = [x, list].every((v) => v !== null && v !== undefined && ['string', 'number', 'boolean'].includes(typeof v));
        if (twoScalars) expect([evaluate('x IN list', task), evaluate('x NOT IN list', task)]).toEqual([false, false]);
        else expect(evaluate('x IN list', task)).toBe(!evaluate('x NOT IN list', task));
      }),
    );
  });

  it('x IN L agrees with L HAS x', () => {
    fc.assert(
      fc.property(value, value, (x, list) => {
        const task = { x, list };
        expect(evaluate('x IN list', task)).toBe(evaluate('list HAS x', task));
      }),
    );
  });

  it('== and != are symmetric, and != negates == whenever both sides are scalars or one is null', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const task = { a, b };
        expect(evaluate('a == b', task)).toBe(evaluate('b == a', task));
        expect(evaluate('a != b', task)).toBe(evaluate('b != a', task));
        const isScalar = (v: unknown) => v === undefined || v === null || ['string', 'number', 'boolean'].includes(typeof v);
        if ((isScalar(a) && isScalar(b)) || a == null || b == null) expect(evaluate('a != b', task)).toBe(!evaluate('a == b', task));
        else expect(evaluate('a == b', task) || evaluate('a != b', task)).toBe(false);
      }),
    );
  });

  it('a > b ⇔ b < a and a >= b ⇔ b <= a; never both a > b and a < b', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const task = { a, b };
        expect(evaluate('a > b', task)).toBe(evaluate('b < a', task));
        expect(evaluate('a >= b', task)).toBe(evaluate('b <= a', task));
        expect(evaluate('a > b', task) && evaluate('a < b', task)).toBe(false);
      }),
    );
  });

  it('AND and OR commute', () => {
    fc.assert(
      fc.property(comparison, comparison, attributes, (left, right, task) => {
        expect(evaluate(`(${left}) AND (${right})`, task)).toBe(evaluate(`(${right}) AND (${left})`, task));
        expect(evaluate(`(${left}) OR (${right})`, task)).toBe(evaluate(`(${right}) OR (${left})`, task));
      }),
    );
  });

  it('generated expressions always parse (the generator covers the grammar, not garbage)', () => {
    fc.assert(fc.property(expression, (source) => void compileExpression(source, { kind: 'filter' })));
  });

  it('canonicalization is idempotent', () => {
    fc.assert(
      fc.property(expression, (source) => {
        const once = canonicalizeExpression(source);
        expect(canonicalizeExpression(once)).toBe(once);
      }),
    );
  });

  it('canonicalization does not change meaning', () => {
    fc.assert(
      fc.property(expression, attributes, (source, task) => {
        expect(evaluate(canonicalizeExpression(source), task)).toBe(evaluate(source, task));
      }),
    );
  });

  it('canonical text ignores keyword case and spacing', () => {
    fc.assert(
      fc.property(expression, (source) => {
        // Widen whitespace outside string constants only (odd split parts are the constants).
        const respaced = source
          .split(/('[^']*'|"[^"]*")/)
          .map((part, index) => (index % 2 === 1 ? part : part.replace(/ +/g, '   ')))
          .join('');
        expect(canonicalizeExpression(respaced)).toBe(canonicalizeExpression(source));
      }),
    );
  });

  it('any text either compiles or fails with an ExpressionSyntaxError positioned inside it', () => {
    const tokenSoup = fc
      .array(fc.constantFrom('a', 'b.c', '[0]', '==', '=', '!', '-', "'x'", '"y', '(', ')', 'AND', 'or', 'NOT', 'IN', '[', ']', ',', '1', '1.5', '.', ' ', '&&', 'has'), { maxLength: 12 })
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(fc.oneof(fc.string(), tokenSoup), (source) => {
        try {
          compileExpression(source, { kind: 'filter' });
        } catch (error) {
          expect(error).toBeInstanceOf(ExpressionSyntaxError);
          const syntax = error as ExpressionSyntaxError;
          expect(syntax.position).toBeGreaterThanOrEqual(0);
          expect(syntax.position).toBeLessThanOrEqual(source.length);
          expect(syntax.expected.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});

describe('canonical text', () => {
  it.each<[string, string]>([
    ["a   ==  'x'  and b in [1,2]", "a == 'x' AND b IN [1, 2]"],
    ['type=="Support"', "type == 'Support'"],
    ["taskrouter.dayOfWeek = 'Sat'", "taskrouter.dayOfWeek == 'Sat'"],
    [`name == "it's"`, `name == "it's"`],
    ["a not   in ['x'] OR b has 'y'", "a NOT IN ['x'] OR b HAS 'y'"],
    ['(a == 1)', 'a == 1'],
    ['((a == 1 OR b == 2)) AND c == 3', '(a == 1 OR b == 2) AND c == 3'],
    ['a == 1 OR (b == 2 AND c == 3)', 'a == 1 OR b == 2 AND c == 3'],
    ['a == 1 AND (b == 2 AND c == 3)', 'a == 1 AND b == 2 AND c == 3'],
    ['t > 0800 AND x == 1.0', 't > 0800 AND x == 1.0'], // numbers keep their text
    ['x == TRUE or y != Null', 'x == true OR y != null'],
    ['l == [ ]', 'l == []'],
    ["o.a[2].b contains 'q'", "o.a[2].b CONTAINS 'q'"],
    ['1==1', '1 == 1'],
  ])('%s → %s', (source, canonical) => {
    expect(canonicalizeExpression(source)).toBe(canonical);
  });

  it('throws on text that does not parse', () => {
    expect(() => canonicalizeExpression('skill-level > 3')).toThrow(ExpressionSyntaxError);
  });
});
