import { compileExpression, ExpressionSyntaxError, parseExpression, parseOrderBy, type BooleanExpressionKind } from '../../routing';

function syntaxError(source: string, kind: BooleanExpressionKind = 'filter'): ExpressionSyntaxError {
  try {
    compileExpression(source, { kind });
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be rejected`);
}

describe("expressions that TaskRouter's docs show are accepted", () => {
  it.each<[string, BooleanExpressionKind]>([
    ["(skills HAS 'support') AND (languages HAS 'english')", 'queue'],
    ["customer_value == 'Gold' AND type == 'ticket'", 'filter'],
    ['1 == 1', 'filter'],
    ['1==1', 'queue'],
    ['0 != 1', 'filter'],
    ['"apple" != "orange"', 'filter'],
    ['key > 1', 'filter'],
    ['object.param != "apple"', 'filter'],
    ['language IN ["en", "es"]', 'filter'],
    ['(condition_a == true) OR (condition_b == true)', 'filter'],
    ['(language == "en" OR language == "fr") AND skill_rating >= 5.1', 'filter'],
    ["object.array[2] == 'c'", 'filter'],
    ['type=="Support"', 'filter'],
    ['worker.id IN task.preferred_agents', 'target'],
    ['task.requested_agent==worker.agent_id', 'target'],
    ["worker.activity_name in ['Generally Available', 'High Value Tasks']", 'target'],
    ["worker.activity_sid == 'WAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'", 'target'],
    ['worker.sid NOT IN task.workerSidsInConversation', 'target'],
    ['worker.channel.chat.assigned_tasks == 0', 'target'],
    ['taskrouter.currentTime > 0800 AND taskrouter.currentTime < 1830', 'filter'],
    ['taskrouter.currentHour > 8 AND taskrouter.currentHour < 18', 'target'],
    ['taskrouter.currentMin > 10 AND taskrouter.currentMin < 50', 'filter'],
    ["taskrouter.dayOfWeek = 'Sat'", 'filter'],
    ['workers.available == 0', 'skip_if'],
    ['workers.available == 0 OR workers.WA0123456789abcdef0123456789abcdef > 2', 'skip_if'],
    ["routing.skills HAS 'template_example_sales'", 'queue'],
    ['preferred_agents != null', 'filter'],
    ["name CONTAINS 'smith'", 'filter'],
    ['targetWorker != null AND callToQueue == null', 'filter'],
    ["a == 1 and b == 2 Or c not in [1] AnD d has 'x' oR e CONTAINS 'y'", 'filter'],
    ['x == TRUE OR y == False OR z == NULL', 'filter'],
    ['list == []', 'filter'],
    ["task.in == 'x'", 'target'],
    ['a\t==\n1', 'filter'],
  ])('%s (%s)', (source, kind) => {
    expect(() => compileExpression(source, { kind })).not.toThrow();
  });
});

describe('syntax errors name the position and what was expected', () => {
  it.each<[string, number, string, RegExp?]>([
    // The documented trap: hyphens tokenise as minus.
    ['skill-level > 3', 5, 'an operator', /Hyphens are not allowed/],
    ['level > -3', 8, 'a constant', /Hyphens are not allowed/],
    ['', 0, "'('", undefined],
    ['a ==', 4, 'an attribute', undefined],
    ['a', 1, 'an operator', undefined],
    ['(a == 1', 7, "')'", undefined],
    ['a == 1)', 6, 'end of expression', undefined],
    ['a == 1 b == 2', 7, 'AND', undefined],
    ['a == b == c', 7, 'AND', undefined],
    ['a NOT b', 6, 'IN', undefined],
    ['NOT a == 1', 0, 'an attribute', /NOT is only supported as part of NOT IN/],
    ['a == 1 && b == 2', 7, 'AND', /Use AND/],
    ['a == 1 || b == 2', 7, 'AND', /Use OR/],
    ['!(a == 1)', 0, 'an attribute', /no unary NOT/],
    ["a == 'unterminated", 5, "a closing '", undefined],
    ['a IN [1, b]', 9, 'a constant', undefined],
    ['a IN [1, 2', 10, "']'", undefined],
    ['a IN [1,]', 8, 'a constant', undefined],
    ['a IN [[1]]', 6, 'a constant', undefined], // arrays hold constants only
    ['a[x] == 1', 2, 'an array index', undefined],
    ['a[1.5] == 1', 2, 'an array index', undefined],
    ['a. == 1', 3, "an attribute name after '.'", undefined],
    ['a === 1', 4, 'an attribute', undefined],
    ['a AND b', 2, 'an operator', undefined],
    ['() ', 1, "'('", undefined],
  ])('%j fails at %i expecting %s', (source, position, expected, hint) => {
    const error = syntaxError(source);
    expect(error.position).toBe(position);
    expect(error.expected.join(' | ')).toContain(expected);
    expect(error.message).toContain(`at position ${position}`);
    expect(error.message).toContain(JSON.stringify(source));
    if (hint) expect(error.message).toMatch(hint);
    expect(error.code).toBe(20001);
    expect(error.status).toBe(400);
  });

  it("reports the offending token text, like TaskRouter's parser message", () => {
    const error = syntaxError('skill-level > 3');
    expect(error.found).toBe("'-'");
    expect(error.message).toMatch(/^Invalid filter expression "skill-level > 3": unexpected '-' at position 5, expecting an operator/);
  });
});

describe('each kind only accepts the names it can resolve', () => {
  it.each<[string, BooleanExpressionKind, number, string]>([
    ["skills HAS 'x'", 'target', 0, 'task.<attribute>'],
    ['task.a == 1 AND level > 2', 'target', 16, 'worker.<attribute>'],
    ['task == 1', 'target', 0, 'task.<attribute>'],
    ['worker[0] == 1', 'target', 0, 'worker.<attribute>'],
    ['workers.busy == 0', 'skip_if', 0, 'workers.available'],
    ['workers.available.x == 0', 'skip_if', 0, 'workers.available'],
    ['task.priority > 1', 'skip_if', 0, 'workers.WA<activity sid>'],
    ["taskrouter.currentDay == 'Mon'", 'filter', 0, 'taskrouter.currentTime'],
    ["taskrouter.dayOfWeek.x == 'Mon'", 'target', 0, 'taskrouter.dayOfWeek'],
  ])('%j as %s fails at %i', (source, kind, position, expected) => {
    const error = syntaxError(source, kind);
    expect(error.position).toBe(position);
    expect(error.expected).toContain(expected);
  });

  it('names the kind in the message', () => {
    expect(syntaxError("skills HAS 'x'", 'target').message).toMatch(/^Invalid target expression/);
    expect(syntaxError('a ==', 'queue').message).toMatch(/^Invalid target_workers expression/);
    expect(syntaxError('a ==', 'skip_if').message).toMatch(/^Invalid skip_if expression/);
  });
});

describe('parse tree', () => {
  it('AND binds tighter than OR', () => {
    const tree = parseExpression('a == 1 OR b == 2 AND c == 3', 'filter');
    expect(tree.type).toBe('or');
    if (tree.type !== 'or') return;
    expect(tree.operands.map((operand) => operand.type)).toEqual(['comparison', 'and']);
  });

  it('flattens chains of the same operator, including parenthesised ones', () => {
    const tree = parseExpression('a == 1 AND (b == 2 AND c == 3) AND d == 4', 'filter');
    expect(tree.type === 'and' && tree.operands.length).toBe(4);
  });

  it('reads `=` as `==` and numbers with leading zeros as their value', () => {
    const tree = parseExpression('t = 0800', 'filter');
    expect(tree).toMatchObject({ type: 'comparison', operator: '==', right: { type: 'literal', value: 800, raw: '0800' } });
  });

  it('keeps quotes out of string values and allows the other quote inside', () => {
    expect(parseExpression(`a == "it's"`, 'filter')).toMatchObject({ right: { value: "it's" } });
    expect(parseExpression(`a == 'say "hi"'`, 'filter')).toMatchObject({ right: { value: 'say "hi"' } });
  });

  it('treats a backslash as an ordinary character (no escape sequences)', () => {
    expect(parseExpression(String.raw`a == 'x\'`, 'filter')).toMatchObject({ right: { value: 'x\\' } });
  });
});

describe('order_by', () => {
  it('parses clauses with case-insensitive directions', () => {
    const clauses = parseOrderBy('worker.finance asc, worker.support.level DESC');
    expect(clauses.map((clause) => clause.direction)).toEqual(['ASC', 'DESC']);
  });

  it.each<[string, number, string]>([
    ['finance ASC', 0, 'a worker attribute such as worker.level'],
    ['worker.finance', 14, 'ASC'],
    ['worker.finance UP', 15, 'ASC'],
    ['worker.a ASC worker.b DESC', 13, "','"],
    ['worker.a ASC,', 13, 'an attribute name'],
  ])('%j fails at %i', (source, position, expected) => {
    try {
      parseOrderBy(source);
      throw new Error('not rejected');
    } catch (error) {
      expect(error).toBeInstanceOf(ExpressionSyntaxError);
      expect((error as ExpressionSyntaxError).position).toBe(position);
      expect((error as ExpressionSyntaxError).expected.join('|')).toContain(expected);
    }
  });
});
